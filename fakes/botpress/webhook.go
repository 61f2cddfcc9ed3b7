package botpress

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// webhookRequest is the req of a webhook_received body.
type webhookRequest struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Query   string            `json:"query"`
	Headers map[string]string `json:"headers"`
	Body    *string           `json:"body,omitempty"`
}

// hopHeader reports whether the canonical header k is one not passed back
// from the integration to the sender.
func hopHeader(k string) bool {
	switch k {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "Upgrade", "Te", "Trailer", "Content-Length":
		return true
	}
	return false
}

// serveWebhook wraps any request to /<webhookId>[/…] as webhook_received
// and passes the integration's answer (status, headers, body) back to the
// sender, as the platform's webhook gateway does.
func (s *Server) serveWebhook(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeAPIError(w, newAPIError("PayloadTooLarge", "The webhook body exceeds %d bytes", mbe.Limit))
			return
		}
		s.writeAPIError(w, invalidPayload("Could not read the webhook body: %v", err))
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/"+s.webhookID)
	if path == "" {
		path = "/"
	}
	req := webhookRequest{Method: r.Method, Path: path, Query: r.URL.RawQuery, Headers: lowerHeaders(r)}
	if len(raw) > 0 {
		body := string(raw)
		req.Body = &body
	}
	line := "webhook_received " + r.Method + " " + path
	if r.URL.RawQuery != "" {
		line += "?" + r.URL.RawQuery
	}
	a, err := s.invoke(r.Context(), "webhook_received", line, map[string]any{"req": req})
	if a == nil {
		// No answer at all: the platform answers for the integration.
		msg := "the integration did not answer"
		var ie *InvocationError
		if errors.As(err, &ie) {
			msg = ie.Message
		}
		s.writeAPIError(w, newAPIError("Internal", "%s", msg))
		return
	}
	for k, vs := range a.header {
		if hopHeader(http.CanonicalHeaderKey(k)) {
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	body := a.body
	if len(body) == 0 && a.status == http.StatusOK {
		body = []byte(`{}`)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
}

// lowerHeaders returns the request's headers with lower-case names, several
// values joined by ", " as Node does, and the host.
func lowerHeaders(r *http.Request) map[string]string {
	out := make(map[string]string, len(r.Header)+1)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[strings.ToLower(k)] = strings.Join(r.Header[k], ", ")
	}
	if r.Host != "" {
		out["host"] = r.Host
	}
	return out
}
