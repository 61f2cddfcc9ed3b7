package cassette

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// The wire structs fix the order of keys in a cassette: struct field order.

type wireHeader struct {
	Version       int             `json:"chatsim_cassette"`
	Name          string          `json:"name,omitempty"`
	Description   string          `json:"description,omitempty"`
	Platform      string          `json:"platform,omitempty"`
	Integration   string          `json:"integration,omitempty"`
	Configuration json.RawMessage `json:"configuration,omitempty"`
	Bot           json.RawMessage `json:"bot,omitempty"`
	Redactions    []wireRedaction `json:"redactions,omitempty"`
	Seed          json.RawMessage `json:"seed,omitempty"`
}

type wireRedaction struct {
	Placeholder string `json:"placeholder"`
	Kind        string `json:"kind"`
	Name        string `json:"name,omitempty"`
	Pointer     string `json:"pointer,omitempty"`
}

type wireEntry struct {
	At        *string       `json:"at"`
	Platform  string        `json:"platform"`
	Direction string        `json:"direction"`
	Kind      string        `json:"kind,omitempty"`
	Turn      int           `json:"turn,omitempty"`
	Verified  bool          `json:"verified,omitempty"`
	Request   *wireRequest  `json:"request"`
	Response  *wireResponse `json:"response,omitempty"`
}

type wireRequest struct {
	Method     string          `json:"method"`
	URL        string          `json:"url"`
	Headers    http.Header     `json:"headers,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
	BodyBase64 string          `json:"body_base64,omitempty"`
}

type wireResponse struct {
	Status     int             `json:"status"`
	Headers    http.Header     `json:"headers,omitempty"`
	Body       json.RawMessage `json:"body,omitempty"`
	BodyBase64 string          `json:"body_base64,omitempty"`
}

// schema is the shape of the wire structs, for naming unknown fields with
// their path. A nil *schema accepts any value.
type schema struct {
	fields map[string]*schema
	elem   *schema
}

// headerSchema is the header line's shape.
func headerSchema() *schema {
	return object(map[string]*schema{
		"chatsim_cassette": nil, "name": nil, "description": nil, "platform": nil,
		"integration": nil, "configuration": nil, "bot": nil,
		"redactions": {elem: object(map[string]*schema{"placeholder": nil, "kind": nil, "name": nil, "pointer": nil})},
		"seed":       nil,
	})
}

// entrySchema is an entry line's shape.
func entrySchema() *schema {
	messageFields := []string{"headers", "body", "body_base64"}
	return object(map[string]*schema{
		"at": nil, "platform": nil, "direction": nil, "kind": nil, "turn": nil, "verified": nil,
		"request":  object(withFields(map[string]*schema{"method": nil, "url": nil}, messageFields)),
		"response": object(withFields(map[string]*schema{"status": nil}, messageFields)),
	})
}

func object(fields map[string]*schema) *schema { return &schema{fields: fields} }

func withFields(m map[string]*schema, names []string) map[string]*schema {
	for _, n := range names {
		m[n] = nil
	}
	return m
}

// decodeStrict decodes one line holding one JSON value into v, rejecting
// unknown fields. Its errors carry a column for syntax errors and a field
// path, starting with root, for field errors.
func decodeStrict(line []byte, v any, root string, sch func() *schema) *Error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		off := int(dec.InputOffset())
		rest := bytes.TrimLeft(line[off:], " \t\r\n")
		if len(rest) > 0 {
			col := len(line) - len(rest) + 1
			return &Error{Column: col, Err: fmt.Errorf("invalid character %s after top-level value", quoteChar(rest[0]))}
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &Error{Column: int(syn.Offset), Err: errors.New(syn.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &Error{Column: len(bytes.TrimRight(line, " \t\r\n")) + 1, Err: errors.New("unexpected end of line")}
	case errors.As(err, &typ):
		field := root
		if typ.Field != "" {
			field += "." + typ.Field
		}
		return &Error{Field: field, Err: fmt.Errorf("want %s, got %s", describeType(typ.Type, typ.Field), typ.Value)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		if path, key, ok := findUnknown(line, sch(), root); ok {
			return &Error{Field: path, Err: fmt.Errorf("unknown field %q", key)}
		}
		return &Error{Field: root, Err: errors.New(strings.TrimPrefix(err.Error(), "json: "))}
	default:
		return &Error{Field: root, Err: err}
	}
}

func quoteChar(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("%#02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// describeType names the JSON shape a Go type takes, for "want X, got Y".
func describeType(t reflect.Type, field string) string {
	if strings.HasSuffix(field, "headers") || t == reflect.TypeOf(http.Header(nil)) {
		return "an object of string arrays"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int64:
		return "an integer"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	default:
		return t.Kind().String()
	}
}

// findUnknown walks line along sch and returns the first key, in document
// order, that the schema does not know, with the path of its object.
func findUnknown(line []byte, sch *schema, root string) (path, key string, found bool) {
	dec := json.NewDecoder(bytes.NewReader(line))
	path, key, found, _ = walk(dec, sch, root)
	return path, key, found
}

func walk(dec *json.Decoder, sch *schema, path string) (string, string, bool, error) {
	if sch == nil {
		var skip json.RawMessage
		return "", "", false, dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return "", "", false, err
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return "", "", false, err
			}
			key, _ := tok.(string)
			child, ok := sch.fields[key]
			if !ok {
				return path, key, true, nil
			}
			if p, k, found, err := walk(dec, child, path+"."+key); found || err != nil {
				return p, k, found, err
			}
		}
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if p, k, found, err := walk(dec, sch.elem, path+"["+strconv.Itoa(i)+"]"); found || err != nil {
				return p, k, found, err
			}
		}
	default:
		return "", "", false, nil
	}
	_, err = dec.Token() // the closing delimiter
	return "", "", false, err
}

// decodeBody reads a body from its two wire fields.
func decodeBody(raw json.RawMessage, b64 string, field string) (Body, *Error) {
	if len(raw) > 0 && b64 != "" {
		return Body{}, fieldError(field, "body and body_base64 are both set")
	}
	if b64 != "" {
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return Body{}, fieldError(field+".body_base64", "invalid base64: %v", err)
		}
		return BinaryBody(data), nil
	}
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return Body{}, nil
	}
	switch raw[0] {
	case 'n': // null
		return Body{}, nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Body{}, fieldError(field+".body", "%v", err)
		}
		return TextBody(s), nil
	case '{', '[':
		if isCompact(raw) { // already valid (decoded) and owned: keep it
			return Body{kind: BodyJSON, data: raw}, nil
		}
		b, err := JSONBody(raw)
		if err != nil {
			return Body{}, fieldError(field+".body", "%v", err)
		}
		return b, nil
	default:
		return Body{}, fieldError(field+".body", "want an object, an array or a string, got %s", raw)
	}
}

// encodeBody returns the two wire fields of b.
func encodeBody(b Body) (json.RawMessage, string) {
	switch b.kind {
	case BodyJSON:
		return json.RawMessage(b.data), ""
	case BodyText:
		return quoteJSON(b.data), ""
	case BodyBinary:
		return nil, base64.StdEncoding.EncodeToString(b.data)
	default:
		return nil, ""
	}
}

// quoteJSON returns s as a JSON string, without escaping <, > and &.
func quoteJSON(s []byte) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(string(s)) // a string always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// toWireHeader converts h for writing; h has been validated.
func toWireHeader(h Header) wireHeader {
	w := wireHeader{
		Version:       Version,
		Name:          h.Name,
		Description:   h.Description,
		Platform:      h.Platform,
		Integration:   h.Integration,
		Configuration: h.Configuration,
		Bot:           h.Bot,
		Seed:          h.Seed,
	}
	for _, r := range h.Redactions {
		w.Redactions = append(w.Redactions, wireRedaction{
			Placeholder: r.Placeholder, Kind: string(r.Kind), Name: r.Name, Pointer: r.Pointer,
		})
	}
	return w
}

// fromWireHeader converts a decoded header and validates it.
func fromWireHeader(w wireHeader) (Header, *Error) {
	h := Header{
		Version:     w.Version,
		Name:        w.Name,
		Description: w.Description,
		Platform:    w.Platform,
		Integration: w.Integration,
	}
	var ok bool
	if len(w.Configuration) > 0 && string(w.Configuration) != "null" {
		if h.Configuration, ok = compactJSON(w.Configuration); !ok || h.Configuration[0] != '{' {
			return Header{}, fieldError("header.configuration", "want an object")
		}
	}
	if len(w.Bot) > 0 && string(w.Bot) != "null" {
		if h.Bot, ok = compactJSON(w.Bot); !ok || h.Bot[0] != '{' {
			return Header{}, fieldError("header.bot", "want an object")
		}
	}
	if len(w.Seed) > 0 && string(w.Seed) != "null" {
		if h.Seed, ok = compactJSON(w.Seed); !ok || h.Seed[0] != '{' {
			return Header{}, fieldError("header.seed", "want an object")
		}
	}
	for _, r := range w.Redactions {
		h.Redactions = append(h.Redactions, Redaction{
			Placeholder: r.Placeholder, Kind: RedactionKind(r.Kind), Name: r.Name, Pointer: r.Pointer,
		})
	}
	if err := validateHeader(&h); err != nil {
		return Header{}, err
	}
	return h, nil
}

// toWireEntry converts e for writing; e has been validated.
func toWireEntry(e *Entry) wireEntry {
	at := e.At.String()
	w := wireEntry{
		At:        &at,
		Platform:  e.Platform,
		Direction: string(e.Direction),
		Kind:      e.Kind,
		Turn:      e.Turn,
		Verified:  e.Verified,
		Request: &wireRequest{
			Method:  e.Request.Method,
			URL:     e.Request.URL,
			Headers: emptyToNil(e.Request.Headers),
		},
	}
	w.Request.Body, w.Request.BodyBase64 = encodeBody(e.Request.Body)
	if e.Response != nil {
		w.Response = &wireResponse{Status: e.Response.Status, Headers: emptyToNil(e.Response.Headers)}
		w.Response.Body, w.Response.BodyBase64 = encodeBody(e.Response.Body)
	}
	return w
}

func emptyToNil(h http.Header) http.Header {
	if len(h) == 0 {
		return nil
	}
	return h
}

// fromWireEntry converts a decoded entry and validates it.
func fromWireEntry(w *wireEntry) (Entry, *Error) {
	var e Entry
	if w.At == nil {
		return e, fieldError("entry.at", "required")
	}
	at, err := ParseOffset(*w.At)
	if err != nil {
		return e, fieldError("entry.at", "%v", err)
	}
	e.At, e.Platform, e.Direction, e.Kind, e.Turn, e.Verified = at, w.Platform, Direction(w.Direction), w.Kind, w.Turn, w.Verified
	if ferr := validateEntryHead(&e); ferr != nil {
		return e, ferr
	}
	if w.Request == nil {
		return e, fieldError("entry.request", "required")
	}
	e.Request = Request{Method: w.Request.Method, URL: w.Request.URL, Headers: emptyToNil(w.Request.Headers)}
	var ferr *Error
	if e.Request.Body, ferr = decodeBody(w.Request.Body, w.Request.BodyBase64, "entry.request"); ferr != nil {
		return e, ferr
	}
	if w.Response != nil {
		e.Response = &Response{Status: w.Response.Status, Headers: emptyToNil(w.Response.Headers)}
		if e.Response.Body, ferr = decodeBody(w.Response.Body, w.Response.BodyBase64, "entry.response"); ferr != nil {
			return e, ferr
		}
	}
	if ferr := validateEntry(&e); ferr != nil {
		return e, ferr
	}
	return e, nil
}

// decodeEntryLine decodes and validates one entry line.
func decodeEntryLine(line []byte) (Entry, *Error) {
	var w wireEntry
	if err := decodeStrict(line, &w, "entry", entrySchema); err != nil {
		return Entry{}, err
	}
	return fromWireEntry(&w)
}

// lineDecoder decodes entry lines with one json.Decoder, so that its buffer
// is reused from line to line. On any error it decodes the line again with
// decodeStrict, which reports the error with its column or field.
type lineDecoder struct {
	src bytes.Reader
	dec *json.Decoder
}

func (ld *lineDecoder) decodeEntry(line []byte) (Entry, *Error) {
	if ld.dec == nil {
		ld.dec = json.NewDecoder(&ld.src)
		ld.dec.DisallowUnknownFields()
	}
	ld.src.Reset(line)
	var w wireEntry
	if err := ld.dec.Decode(&w); err != nil || !ld.restIsSpace(line) {
		ld.dec = nil
		return decodeEntryLine(line)
	}
	if len(line) > keepLineCap {
		ld.dec = nil // do not keep a huge buffer
	}
	return fromWireEntry(&w)
}

// restIsSpace reports whether what the decoder has not consumed of line is
// white space.
func (ld *lineDecoder) restIsSpace(line []byte) bool {
	if !isSpace(line[len(line)-ld.src.Len():]) {
		return false
	}
	var buf [256]byte
	br := ld.dec.Buffered()
	for {
		n, err := br.Read(buf[:])
		if !isSpace(buf[:n]) {
			return false
		}
		if err != nil {
			return true
		}
	}
}

func isSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// isCompact reports whether valid JSON raw has no white space outside its
// strings.
func isCompact(raw []byte) bool {
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ' ' || c == '\t' || c == '\r' || c == '\n'):
			return false
		}
	}
	return true
}

// MarshalJSON encodes e the way a cassette line holds it.
func (e Entry) MarshalJSON() ([]byte, error) {
	if err := validateEntry(&e); err != nil {
		return nil, err
	}
	return marshalLine(toWireEntry(&e))
}

// UnmarshalJSON decodes and validates an entry in the form of a cassette
// line.
func (e *Entry) UnmarshalJSON(b []byte) error {
	v, err := decodeEntryLine(b)
	if err != nil {
		return err
	}
	*e = v
	return nil
}

// MarshalJSON encodes h the way a cassette's first line holds it.
func (h Header) MarshalJSON() ([]byte, error) {
	if err := validateHeader(&h); err != nil {
		return nil, err
	}
	return marshalLine(toWireHeader(h))
}

// UnmarshalJSON decodes and validates a header in the form of a cassette's
// first line.
func (h *Header) UnmarshalJSON(b []byte) error {
	v, err := decodeHeaderLine(b)
	if err != nil {
		return err
	}
	*h = v
	return nil
}

func marshalLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeHeaderLine decodes and validates the header line: first its version,
// so that a newer cassette is reported as such rather than as unknown fields.
func decodeHeaderLine(line []byte) (Header, *Error) {
	var probe struct {
		Version json.RawMessage `json:"chatsim_cassette"`
	}
	if err := json.Unmarshal(line, &probe); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return Header{}, &Error{Column: int(syn.Offset), Err: errors.New(syn.Error())}
		case errors.As(err, &typ) && typ.Field == "":
			return Header{}, &Error{Err: fmt.Errorf("%w: line 1 is %s %s, not the header object", ErrNotCassette, article(typ.Value), typ.Value)}
		}
		return Header{}, decodeStrict(line, &probe, "header", nil)
	}
	if len(probe.Version) == 0 {
		return Header{}, &Error{Err: fmt.Errorf("%w: the header has no \"chatsim_cassette\" version field", ErrNotCassette)}
	}
	v, err := strconv.Atoi(string(probe.Version))
	if err != nil {
		return Header{}, fieldError("header.chatsim_cassette", "want an integer version, got %s", probe.Version)
	}
	if v != Version {
		return Header{}, &Error{Err: versionError(v)}
	}
	var w wireHeader
	if err := decodeStrict(line, &w, "header", headerSchema); err != nil {
		return Header{}, err
	}
	return fromWireHeader(w)
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an"
	}
	return "a"
}
