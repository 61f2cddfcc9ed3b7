package fakes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
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

// DecodeStrict decodes data into v, refusing unknown fields and trailing data.
func DecodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return errors.New("decode body: empty body, want a JSON object")
		case errors.As(err, &se):
			return fmt.Errorf("decode body: %w (at byte %d)", err, se.Offset)
		case errors.As(err, &te):
			return fmt.Errorf("decode body: field %q: want %s, got JSON %s", te.Field, te.Type, te.Value)
		}
		return fmt.Errorf("decode body: %w", err)
	}
	if dec.More() {
		return errors.New("decode body: trailing data after the JSON value")
	}
	return nil
}

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
