package fakes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// ControlPrefix is the path prefix every fake reserves for its control API:
// acting as a user, inspecting state, injecting faults. It can never collide
// with a real platform path.
const ControlPrefix = "/_chatsim/"

// MaxBody is the largest request body a fake reads (64 MiB).
const MaxBody = 64 << 20

// WriteJSON writes v as the JSON body of a response with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": "encode response: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// ControlError answers a control-API request with {"error": message}.
func ControlError(w http.ResponseWriter, status int, format string, args ...any) {
	WriteJSON(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// DecodeControl decodes a control call's body into v as DecodeJSON does,
// answering 400 with the error when it cannot; it reports whether v holds
// the body.
func DecodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := DecodeJSON(r, v); err != nil {
		ControlError(w, http.StatusBadRequest, "%v", err)
		return false
	}
	return true
}

// DecodeJSON reads r's body into v, refusing unknown fields and trailing data
// so that a typo in a control call is an error, not a silent default. The
// error names the field or the byte offset.
func DecodeJSON(r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	return DecodeStrict(body, v)
}

// DecodeStrict decodes data into v, refusing unknown fields and trailing
// data. Its errors name the field and the JSON types, never a Go type:
// decode body: field "limit": want an integer, got a string.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("decode body: empty body, want a JSON object")
		}
		return fmt.Errorf("decode body: %w", JSONError(err))
	}
	if dec.More() {
		return errors.New("decode body: trailing data after the JSON value")
	}
	return nil
}

// JSONError rewrites an error from encoding/json in words a client of a
// fake understands: a type mismatch names the field and the JSON types
// (field "chat.id": want an integer, got a string; body: want an object,
// got an array), a syntax error its byte offset, and the "json: " prefix
// goes. No Go type or function is named. The original error stays
// reachable with errors.As; nil stays nil.
func JSONError(err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te):
		return &jsonError{msg: describeTypeError(te), err: err}
	case errors.As(err, &se):
		return &jsonError{msg: fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset), err: err}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &jsonError{msg: "the JSON value ends too early", err: err}
	}
	return &jsonError{msg: strings.TrimPrefix(err.Error(), "json: "), err: err}
}

// describeTypeError says what a JSON type mismatch is without Go types:
// field "limit": want an integer, got a string. The field is the dotted
// path encoding/json reports; at the top level it is "body".
func describeTypeError(te *json.UnmarshalTypeError) string {
	where := "body"
	if te.Field != "" {
		where = fmt.Sprintf("field %q", te.Field)
	}
	want, got := JSONMismatch(te)
	return fmt.Sprintf("%s: want %s, got %s", where, want, got)
}

// JSONMismatch names, in JSON's words, what a type mismatch wanted and
// what it got: ("an integer", "a string"), ("an object", "an array"),
// ("an integer", "1.5"). For a message in a platform's own format (a JSON
// pointer, a line and column) beside te.Field and te.Offset.
func JSONMismatch(te *json.UnmarshalTypeError) (want, got string) {
	want = "another JSON type"
	if te.Type != nil {
		want = jsonTypeOf(te.Type)
	}
	got = te.Value
	switch {
	case got == "string" || got == "number" || got == "object" || got == "array":
		got = article(got) + " " + got
	case got == "bool":
		got = "a boolean"
	case strings.HasPrefix(got, "number "):
		n := strings.TrimPrefix(got, "number ")
		got = n
		if want == "an integer" && !strings.ContainsAny(n, ".eE") {
			got = n + ", out of range"
		}
	}
	return want, got
}

// jsonTypeOf names the JSON a value of Go type t decodes from: "a string",
// "an integer", "a number", "a boolean", "an array", "an object", "a
// base64 string" for []byte.
func jsonTypeOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array"
	case reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another JSON type"
}

func article(word string) string {
	if strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// jsonError is JSONError's rewording, wrapping the original.
type jsonError struct {
	msg string
	err error
}

func (e *jsonError) Error() string { return e.msg }
func (e *jsonError) Unwrap() error { return e.err }

// CheckURL reports what is wrong with raw as the address of an HTTP
// endpoint a fake will call: it must be an absolute http or https URL with
// a host and, when it has a port, a port from 1 to 65535. The error says
// in words what is wrong ("ftp://x": scheme "ftp" is not http or https).
func CheckURL(raw string) error {
	const want = "want an absolute http or https URL such as http://127.0.0.1:8080/hook"
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%q is not a URL: %v (%s)", raw, err, want)
	}
	switch {
	case u.Scheme == "" || u.Opaque != "":
		return fmt.Errorf("%q is not an absolute URL (%s)", raw, want)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q: scheme %q is not http or https", raw, u.Scheme)
	case u.Hostname() == "":
		return fmt.Errorf("%q has no host (%s)", raw, want)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%q: port %s is not a port number (1–65535)", raw, p)
		}
	}
	return nil
}
