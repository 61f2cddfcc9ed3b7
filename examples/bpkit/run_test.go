package bpkit_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// healthOnly is a Program whose handler answers GET /health with "ok" and
// everything else with 404.
var healthOnly = bpkit.Program{Name: "test-integration", DefaultPort: "8072",
	Handler: func(func(string) string) (http.Handler, error) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
		return mux, nil
	}}

// TestRunServesUntilCancelled starts Run on a kernel-chosen port, calls it,
// cancels it, and checks the exit status and the log lines.
func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Run logs to a pipe; a reader keeps every line and reports the URL of
	// the "listening" line as soon as it is written.
	pr, pw := io.Pipe()
	logged := &syncBuffer{}
	urls := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			logged.Write(append(sc.Bytes(), '\n'))
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	done := make(chan int, 1)
	go func() {
		done <- bpkit.Run(ctx, healthOnly, func(k string) string { return map[string]string{"PORT": "0"}[k] }, pw)
		pw.Close()
	}()

	var url string
	select {
	case url = <-urls:
	case code := <-done:
		t.Fatalf("Run returned %d before listening; stderr:\n%s", code, logged)
	case <-time.After(10 * time.Second):
		t.Fatalf("no listening line after 10s; stderr so far:\n%s", logged)
	}
	for _, path := range []string{"/health", "/missing"} {
		req, _ := http.NewRequest(http.MethodGet, url+path, nil)
		req.Header.Set("x-bp-operation", "ping")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("Run = %d after cancel, want 0; stderr:\n%s", code, logged)
	}
	for _, want := range []string{"path=/health operation=ping status=200", "path=/missing operation=ping status=404", "msg=stopped"} {
		if !strings.Contains(logged.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, logged)
		}
	}
}

// TestRunExitStatus checks the statuses Run returns before it serves.
func TestRunExitStatus(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() }) // after the parallel subtests, not before them
	_, busyPort, _ := net.SplitHostPort(busy.Addr().String())
	broken := healthOnly
	broken.Handler = func(func(string) string) (http.Handler, error) {
		return nil, errors.New("SECRET_TOKEN: required")
	}
	tests := []struct {
		name string
		p    bpkit.Program
		port string
		code int
		want string
	}{
		{"bad port", healthOnly, "eighty", 2, `test-integration: PORT: want a port number, got "eighty"`},
		{"port out of range", healthOnly, "65536", 2, "test-integration: PORT"},
		{"bad environment", broken, "0", 2, "test-integration: SECRET_TOKEN: required"},
		{"port in use", healthOnly, busyPort, 1, "test-integration: listen tcp 127.0.0.1:" + busyPort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			code := bpkit.Run(context.Background(), tt.p, func(k string) string { return map[string]string{"PORT": tt.port}[k] }, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("Run = %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, tt.want)
			}
		})
	}
}
