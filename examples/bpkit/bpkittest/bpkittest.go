// Package bpkittest checks an integration's command built on bpkit.Run:
// that each bad environment exits 2 with a message naming what is wrong,
// and that a good one gives a handler answering GET /health.
package bpkittest

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// Bad is one bad environment: the good one with Set applied (an empty
// value unsets the variable), whose error message must contain Want.
type Bad struct {
	Name string
	Set  map[string]string
	Want string
}

// CheckProgram checks p against the complete environment good and every
// bad one, plus a PORT that is not a number.
func CheckProgram(t *testing.T, p bpkit.Program, good map[string]string, bad ...Bad) {
	t.Helper()
	bad = append(bad, Bad{Name: "bad port", Set: map[string]string{"PORT": "eighty"}, Want: "PORT"})
	for _, b := range bad {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			env := With(good, b.Set)
			var stderr bytes.Buffer
			code := bpkit.Run(context.Background(), p, func(k string) string { return env[k] }, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), b.Want) || !strings.HasPrefix(stderr.String(), p.Name+": ") {
				t.Errorf("Run = %d, stderr %q; want 2 and a message from %s naming %s", code, stderr.String(), p.Name, b.Want)
			}
		})
	}
	t.Run("health", func(t *testing.T) {
		t.Parallel()
		h, err := p.Handler(func(k string) string { return good[k] })
		if err != nil {
			t.Fatalf("the good environment: %v", err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "ok" {
			t.Errorf("GET /health = %d %q, want 200 ok", rec.Code, rec.Body.String())
		}
	})
}

// With returns a copy of env with set applied.
func With(env, set map[string]string) map[string]string {
	out := make(map[string]string, len(env)+len(set))
	for k, v := range env {
		out[k] = v
	}
	for k, v := range set {
		out[k] = v
	}
	return out
}
