package cassette

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"strings"
	"unicode/utf8"
)

// BodyKind says how a Body is stored in a cassette.
type BodyKind int

// The kinds of body.
const (
	// BodyNone is the zero Body: no content.
	BodyNone BodyKind = iota
	// BodyJSON is a JSON object or array, stored as JSON in the cassette
	// (compacted) so that diffs show its fields.
	BodyJSON
	// BodyText is UTF-8 text such as a form, stored as a JSON string.
	BodyText
	// BodyBinary is anything else, stored base64-encoded.
	BodyBinary
)

// String returns "none", "json", "text" or "binary".
func (k BodyKind) String() string {
	switch k {
	case BodyJSON:
		return "json"
	case BodyText:
		return "text"
	case BodyBinary:
		return "binary"
	default:
		return "none"
	}
}

// Body is the content of a request or a response. The zero Body is empty.
// Bodies are immutable values: the constructors copy what they are given.
//
// A JSON body keeps its bytes compacted (json.Compact): insignificant
// whitespace is dropped, everything else, including the order of keys, the
// spelling of numbers and string escapes, is kept. A replayer therefore sends
// the compacted form. Text and binary bodies keep their bytes exactly.
type Body struct {
	kind BodyKind
	data []byte
}

// ErrNotJSONBody is returned by JSONBody when its input is not a JSON object
// or array in UTF-8.
var ErrNotJSONBody = errors.New("not a JSON object or array")

// JSONBody returns a body holding raw, which must be a JSON object or array
// in UTF-8. It is stored compacted. An empty raw gives the empty Body.
func JSONBody(raw []byte) (Body, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Body{}, nil
	}
	b, ok := compactJSON(raw)
	if !ok {
		return Body{}, ErrNotJSONBody
	}
	return Body{kind: BodyJSON, data: b}, nil
}

// TextBody returns a body holding s. A string that is not valid UTF-8 gives
// a binary body, so that no byte is lost. An empty s gives the empty Body.
func TextBody(s string) Body {
	switch {
	case s == "":
		return Body{}
	case !utf8.ValidString(s):
		return Body{kind: BodyBinary, data: []byte(s)}
	}
	return Body{kind: BodyText, data: []byte(s)}
}

// BinaryBody returns a body holding a copy of b, stored base64-encoded.
func BinaryBody(b []byte) Body {
	if len(b) == 0 {
		return Body{}
	}
	return Body{kind: BodyBinary, data: bytes.Clone(b)}
}

// BodyFromBytes returns the body that best stores b, sent with the given
// Content-Type (which may be empty):
//
//   - a JSON object or array, when the content type is JSON
//     (application/json, anything ending in +json) or empty;
//   - text, when b is UTF-8 with no control characters but tab, CR and LF;
//   - binary otherwise.
func BodyFromBytes(b []byte, contentType string) Body {
	if len(b) == 0 {
		return Body{}
	}
	if isJSONType(contentType) {
		if c, ok := compactJSON(b); ok {
			return Body{kind: BodyJSON, data: c}
		}
	}
	if isText(b) {
		return Body{kind: BodyText, data: bytes.Clone(b)}
	}
	return Body{kind: BodyBinary, data: bytes.Clone(b)}
}

// Bytes returns the content: what a replayer sends. The caller must not
// modify the returned slice.
func (b Body) Bytes() []byte { return b.data }

// String returns the content as a string.
func (b Body) String() string { return string(b.data) }

// Len returns the length of the content in bytes.
func (b Body) Len() int { return len(b.data) }

// Kind returns how the body is stored.
func (b Body) Kind() BodyKind { return b.kind }

// IsZero reports whether the body is empty.
func (b Body) IsZero() bool { return len(b.data) == 0 }

// Equal reports whether b and o have the same kind and content.
func (b Body) Equal(o Body) bool { return b.kind == o.kind && bytes.Equal(b.data, o.data) }

// compactJSON returns raw compacted when it is exactly one JSON object or
// array in valid UTF-8.
func compactJSON(raw []byte) ([]byte, bool) {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') || !utf8.Valid(raw) {
		return nil, false
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

func isJSONType(contentType string) bool {
	if strings.TrimSpace(contentType) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return true
}
