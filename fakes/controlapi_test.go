package fakes_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// controlAPI builds a small control API the way a fake does.
func controlAPI() http.Handler {
	var c fakes.Control
	ok := func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]string{"path": r.URL.Path})
	}
	c.HandleFunc("GET", "users", "{users}", ok)
	c.HandleFunc("POST", "users", "User → 201 {user}", ok)
	c.HandleFunc("POST", "users/{id}/block", "→ {}", ok)
	c.HandleFunc("DELETE", "users/{id}", "→ {}", ok)
	c.HandleFunc("GET", "files/{path...}", "a file", ok)
	var rs fakes.Routes
	c.Mount(&rs)
	return fakes.NewRouteTable(&rs).Handler(&rs)
}

func TestControlListsWhatItServes(t *testing.T) {
	t.Parallel()
	h := controlAPI()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/_chatsim/", nil))
	var index struct {
		Routes []fakes.ControlRoute `json:"routes"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &index); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("GET /_chatsim/ = %d %s (%v)", rec.Code, rec.Body, err)
	}
	var got []string
	for _, rt := range index.Routes {
		got = append(got, rt.Method+" "+rt.Path)
		if rt.Doc == "" {
			t.Errorf("%s %s has no doc", rt.Method, rt.Path)
		}
	}
	want := []string{"GET /_chatsim/", "GET /_chatsim/users", "POST /_chatsim/users", "POST /_chatsim/users/{id}/block",
		"DELETE /_chatsim/users/{id}", "GET /_chatsim/files/{path...}"}
	if !slices.Equal(got, want) {
		t.Errorf("routes = %q, want %q", got, want)
	}
	// Every route listed is served.
	for _, rt := range index.Routes {
		path := strings.NewReplacer("{id}", "7", "{path...}", "a/b").Replace(rt.Path)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(rt.Method, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s %s = %d %s", rt.Method, path, rec.Code, rec.Body)
		}
	}
}

func TestControlWrongMethodAndUnknownPath(t *testing.T) {
	t.Parallel()
	h := controlAPI()
	tests := []struct {
		name, method, path string
		status             int
		allow              string
	}{
		{"wrong method", "DELETE", "/_chatsim/users", 405, "GET, HEAD, POST"},
		{"wrong method on a wildcard route", "GET", "/_chatsim/users/7/block", 405, "POST"},
		{"two routes under one wildcard", "PUT", "/_chatsim/users/7", 405, "DELETE"},
		{"the list", "POST", "/_chatsim/", 405, "GET, HEAD"},
		{"a rest wildcard", "POST", "/_chatsim/files/a/b/c", 405, "GET, HEAD"},
		{"unknown path", "GET", "/_chatsim/nope", 404, ""},
		{"unknown action", "POST", "/_chatsim/users/7/frobnicate", 404, ""},
		{"empty wildcard segment", "DELETE", "/_chatsim/users/", 404, ""},
		{"longer than any route", "GET", "/_chatsim/users/7/block/x", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			if rec.Code != tt.status || rec.Header().Get("Allow") != tt.allow {
				t.Fatalf("%s %s = %d Allow %q, want %d Allow %q", tt.method, tt.path, rec.Code, rec.Header().Get("Allow"), tt.status, tt.allow)
			}
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body) != 1 || body["error"] == "" {
				t.Fatalf("body = %s, want {\"error\": …} (%v)", rec.Body, err)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type = %q", rec.Header().Get("Content-Type"))
			}
			if tt.status == 405 && !strings.Contains(body["error"], tt.method) {
				t.Errorf("error %q does not name the method", body["error"])
			}
		})
	}
}

func TestControlHeadIsServedByGet(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	controlAPI().ServeHTTP(rec, httptest.NewRequest("HEAD", "/_chatsim/users", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("HEAD = %d", rec.Code)
	}
}

func TestControlRefusesARouteTwice(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	var c fakes.Control
	c.HandleFunc("GET", "x", "", nil)
	c.HandleFunc("GET", "x", "", nil)
}
