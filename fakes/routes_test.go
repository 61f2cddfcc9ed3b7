package fakes_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// server builds one fake's routes, named so its answers say whose they are.
func server(name string, reversed bool) *fakes.Routes {
	var rs fakes.Routes
	add := []func(){
		func() {
			rs.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, name+" item "+r.PathValue("id"))
			})
		},
		func() {
			rs.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, name+" created") })
		},
	}
	if reversed {
		add[0], add[1] = add[1], add[0]
	}
	for _, f := range add {
		f()
	}
	return &rs
}

func serve(h http.Handler, method, path string) (int, string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Code, rec.Body.String()
}

// TestRouteTable checks that servers sharing one table each get their own
// handlers, whatever order they added the routes in, with path values and
// ServeMux's own 404 and 405, and that routes with other patterns are
// routed by a mux of their own.
func TestRouteTable(t *testing.T) {
	t.Parallel()
	m := fakes.NewRouteTable(server("table", false))
	a, b := m.Handler(server("a", false)), m.Handler(server("b", true))
	var rs fakes.Routes
	rs.HandleFunc("GET /other", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "c other") })
	c := m.Handler(&rs)
	tests := []struct {
		h            http.Handler
		method, path string
		code         int
		body         string
	}{
		{a, "GET", "/items/7", 200, "a item 7"},
		{b, "GET", "/items/8", 200, "b item 8"},
		{b, "POST", "/items", 200, "b created"},
		{a, "POST", "/items", 200, "a created"},
		{a, "DELETE", "/items/7", 405, "Method Not Allowed\n"},
		{b, "GET", "/nothing", 404, "404 page not found\n"},
		{c, "GET", "/other", 200, "c other"},
		{c, "GET", "/items/7", 404, "404 page not found\n"},
	}
	for _, tt := range tests {
		if code, body := serve(tt.h, tt.method, tt.path); code != tt.code || body != tt.body {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, code, body, tt.code, tt.body)
		}
	}
}

// TestRoutesRefuseADuplicate checks that a pattern added twice panics, as
// it would on a ServeMux, rather than one handler silently winning.
func TestRoutesRefuseADuplicate(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("adding GET /x twice did not panic")
		}
	}()
	var rs fakes.Routes
	rs.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {})
	rs.HandleFunc("GET /x", func(http.ResponseWriter, *http.Request) {})
}
