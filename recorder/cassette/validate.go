package cassette

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Validate reports the first problem with h, as an *Error naming the field,
// such as "header.redactions[0].placeholder: want the form ${NAME}". A zero
// Version stands for the current one.
func (h Header) Validate() error {
	if err := validateHeader(&h); err != nil {
		return err
	}
	return nil
}

// Validate reports the first problem with e, as an *Error naming the field,
// such as "entry.request.method: required". It does not know the entries
// around e, so it cannot check that At never decreases; Reader and Writer do.
func (e Entry) Validate() error {
	if err := validateEntry(&e); err != nil {
		return err
	}
	return nil
}

func validateHeader(h *Header) *Error {
	if h.Version != 0 && h.Version != Version {
		return &Error{Field: "header.chatsim_cassette", Err: versionError(h.Version)}
	}
	if h.Platform != "" && !isPlatformName(h.Platform) {
		return fieldError("header.platform", "%q is not a platform name (lower-case letters, digits, '-' and '_', starting with a letter)", h.Platform)
	}
	if len(h.Configuration) > 0 && !isJSONObject(h.Configuration) {
		return fieldError("header.configuration", "want an object")
	}
	if len(h.Bot) > 0 && !isJSONObject(h.Bot) {
		return fieldError("header.bot", "want an object")
	}
	if len(h.Seed) > 0 && !isJSONObject(h.Seed) {
		return fieldError("header.seed", "want an object")
	}
	for i, r := range h.Redactions {
		if err := validateRedaction(r, "header.redactions["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func isJSONObject(raw json.RawMessage) bool {
	c, ok := compactJSON(raw)
	return ok && c[0] == '{'
}

func validateRedaction(r Redaction, field string) *Error {
	if r.Placeholder == "" {
		return fieldError(field+".placeholder", "required")
	}
	if !isPlaceholder(r.Placeholder) {
		return fieldError(field+".placeholder", "%q is not of the form ${NAME} (NAME in upper-case letters, digits and '_')", r.Placeholder)
	}
	switch r.Kind {
	case RedactHeader:
		if r.Name == "" {
			return fieldError(field+".name", "required for kind %q", r.Kind)
		}
		if err := checkHeaderName(r.Name); err != "" {
			return fieldError(field+".name", "%s", err)
		}
		if r.Pointer != "" {
			return fieldError(field+".pointer", "only for kind %q", RedactBody)
		}
	case RedactQuery:
		if r.Name == "" {
			return fieldError(field+".name", "required for kind %q", r.Kind)
		}
		if r.Pointer != "" {
			return fieldError(field+".pointer", "only for kind %q", RedactBody)
		}
	case RedactPath:
		if r.Name != "" {
			return fieldError(field+".name", "not for kind %q", r.Kind)
		}
		if r.Pointer != "" {
			return fieldError(field+".pointer", "only for kind %q", RedactBody)
		}
	case RedactBody:
		if r.Name != "" && r.Pointer != "" {
			return fieldError(field, "name (a form field) and pointer (a JSON pointer) are both set")
		}
		if r.Pointer != "" && r.Pointer[0] != '/' {
			return fieldError(field+".pointer", "%q is not a JSON pointer (it starts with '/')", r.Pointer)
		}
	case "":
		return fieldError(field+".kind", "required")
	default:
		return fieldError(field+".kind", "%q is not one of header, query, path, body", r.Kind)
	}
	return nil
}

func validateEntry(e *Entry) *Error {
	if err := validateEntryHead(e); err != nil {
		return err
	}
	if err := validateRequest(&e.Request); err != nil {
		return err
	}
	if e.Response == nil {
		if e.Direction == Outbound {
			return fieldError("entry.response", "required for an outbound entry")
		}
		return nil
	}
	if s := e.Response.Status; s < 100 || s > 599 {
		if s == 0 {
			return fieldError("entry.response.status", "required")
		}
		return fieldError("entry.response.status", "%d is not an HTTP status (100 to 599)", s)
	}
	return validateHeaders(e.Response.Headers, "entry.response.headers")
}

// validateEntryHead checks the fields before the request.
func validateEntryHead(e *Entry) *Error {
	if e.At < 0 {
		return fieldError("entry.at", "%q is negative", e.At.String())
	}
	if e.Turn < 0 {
		return fieldError("entry.turn", "%d is negative", e.Turn)
	}
	if e.Verified && e.Direction == Outbound {
		return fieldError("entry.verified", "only an inbound entry is verified")
	}
	switch {
	case e.Platform == "":
		return fieldError("entry.platform", "required")
	case !isPlatformName(e.Platform):
		return fieldError("entry.platform", "%q is not a platform name (lower-case letters, digits, '-' and '_', starting with a letter)", e.Platform)
	}
	switch e.Direction {
	case Inbound, Outbound:
	case "":
		return fieldError("entry.direction", "required")
	default:
		return fieldError("entry.direction", "%q is not %q or %q", e.Direction, Inbound, Outbound)
	}
	return nil
}

func validateRequest(r *Request) *Error {
	switch {
	case r.Method == "":
		return fieldError("entry.request.method", "required")
	case !isMethod(r.Method):
		return fieldError("entry.request.method", "%q is not an HTTP method in upper case, such as \"POST\"", r.Method)
	}
	switch {
	case r.URL == "":
		return fieldError("entry.request.url", "required")
	case r.URL[0] != '/' || strings.HasPrefix(r.URL, "//"):
		return fieldError("entry.request.url", "%q is not a path and query such as \"/webhook?x=1\"", r.URL)
	case strings.ContainsRune(r.URL, '#'):
		return fieldError("entry.request.url", "%q has a fragment", r.URL)
	}
	if _, err := url.ParseRequestURI(r.URL); err != nil {
		return fieldError("entry.request.url", "%q: %v", r.URL, unwrapURLError(err))
	}
	return validateHeaders(r.Headers, "entry.request.headers")
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

func validateHeaders(h http.Header, field string) *Error {
	if len(h) == 0 {
		return nil
	}
	// Check keys in sorted order, so the first problem reported is stable.
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := checkHeaderName(k); err != "" {
			return fieldError(field, "%s", err)
		}
		vs := h[k]
		if len(vs) == 0 {
			return fieldError(field, "%q has no values", k)
		}
		for i, v := range vs {
			if strings.ContainsAny(v, "\r\n\x00") {
				return fieldError(field, "%q value %d holds a CR, LF or NUL", k, i)
			}
		}
	}
	return nil
}

// checkHeaderName returns a problem with a header name, or "".
func checkHeaderName(k string) string {
	if k == "" {
		return "empty header name"
	}
	for i := 0; i < len(k); i++ {
		if !isTokenChar(k[i]) {
			return strconv.Quote(k) + " is not a valid header name"
		}
	}
	if c := http.CanonicalHeaderKey(k); c != k {
		return strconv.Quote(k) + " is not in canonical form (want " + strconv.Quote(c) + ")"
	}
	return ""
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 5.6.2).
func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isMethod(m string) bool {
	for i := 0; i < len(m); i++ {
		if m[i] < 'A' || m[i] > 'Z' {
			return false
		}
	}
	return m != ""
}

func isPlatformName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func isPlaceholder(s string) bool {
	if len(s) < 4 || !strings.HasPrefix(s, "${") || s[len(s)-1] != '}' {
		return false
	}
	name := s[2 : len(s)-1]
	if name[0] >= '0' && name[0] <= '9' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
