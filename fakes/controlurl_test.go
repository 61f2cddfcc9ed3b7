package fakes_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestControlRoutesRefuseNonURLs checks that every control route taking a
// URL refuses what is not one with a 400 that says what is wrong, and takes
// a loopback http URL.
func TestControlRoutesRefuseNonURLs(t *testing.T) {
	t.Parallel()
	srv := map[string]controlled{}
	for _, svc := range services(t) {
		srv[svc.key] = svc.srv
	}
	routes := []struct {
		svc, method, path, field string
		body                     func(u string) any
	}{
		{"platform", "PUT", "integration", "url", func(u string) any { return map[string]string{"url": u} }},
		{"shopify", "POST", "webhook-target", "url", func(u string) any { return map[string]string{"url": u} }},
		{"shopify", "POST", "subscriptions", "address", func(u string) any { return map[string]string{"topic": "orders/create", "address": u} }},
		{"rocketchat", "PUT", "integrations/interaction", "url", func(u string) any { return map[string]string{"url": u} }},
		{"rocketchat", "POST", "integrations/outgoing", "urls", func(u string) any { return map[string]any{"urls": []string{u}} }},
		{"slack", "POST", "request-url", "events", func(u string) any { return map[string]string{"events": u} }},
		{"slack", "POST", "request-url", "interactivity", func(u string) any { return map[string]string{"interactivity": u} }},
		{"slack", "POST", "request-url", "commands", func(u string) any { return map[string]string{"commands": u} }},
	}
	bad := []struct{ url, says string }{
		{"notaurl", "not an absolute URL"},
		{"/hooks/relative", "not an absolute URL"},
		{"ftp://x", `scheme "ftp" is not http or https`},
		{"http://", "has no host"},
		{"http://127.0.0.1:99999/hook", "port 99999"},
		{"http://127.0.0.1:abc/hook", "invalid port"},
	}
	for _, rt := range routes {
		t.Run(rt.svc+" "+rt.path+" "+rt.field, func(t *testing.T) {
			base := srv[rt.svc].URL() + fakes.ControlPrefix + rt.path
			for _, b := range bad {
				status, msg := send(t, rt.method, base, rt.body(b.url))
				if status != http.StatusBadRequest || !strings.Contains(msg, b.says) || !strings.Contains(msg, rt.field) {
					t.Errorf("%s %s with %q = %d %q, want 400 naming %q and saying %q", rt.method, rt.path, b.url, status, msg, rt.field, b.says)
				}
			}
			if status, msg := send(t, rt.method, base, rt.body("http://127.0.0.1:9/hook")); status >= 300 {
				t.Errorf("%s %s with a loopback URL = %d %q", rt.method, rt.path, status, msg)
			}
		})
	}
}

// send calls a control route with a JSON body and returns the status and
// the error, if the answer is one.
func send(t *testing.T, method, url string, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Error string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out.Error
}
