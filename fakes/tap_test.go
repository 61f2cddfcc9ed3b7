package fakes_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestTap: a tap set on a World's Activity sees every request a tracked
// fake serves, with its body and answer, and the handler still reads the
// body; without a tap nothing is read ahead.
func TestTap(t *testing.T) {
	t.Parallel()
	a := fakes.NewActivity()
	var mu sync.Mutex
	var seen []fakes.Exchange
	a.Tap(func(x fakes.Exchange) { mu.Lock(); seen = append(seen, x); mu.Unlock() })
	srv, err := fakes.Listen("", fakes.Track(a, "demo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, "got "+string(b))
	})))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/send?x=1", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "got hello" {
		t.Errorf("the handler answered %q", b)
	}
	a.Tap(nil)
	if resp, err := http.Post(srv.URL+"/quiet", "text/plain", strings.NewReader("x")); err == nil {
		resp.Body.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Fatalf("the tap saw %d exchanges, want 1", len(seen))
	}
	x := seen[0]
	if x.Service != "demo" || x.Method != "POST" || x.Target != "/send?x=1" || string(x.Body) != "hello" || x.Status != 201 || string(x.Answer) != "got hello" {
		t.Errorf("the tap saw %+v", x)
	}
}
