package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRunBadEnvironment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no token", withEnv(map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": ""}), "ROCKETCHAT_WEBHOOK_TOKEN"},
		{"bad port", withEnv(map[string]string{"PORT": "eighty"}), "PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			code := run(context.Background(), func(k string) string { return tt.env[k] }, &stderr)
			if code != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("run = %d, stderr %q; want 2 naming %s", code, stderr.String(), tt.want)
			}
		})
	}
}

// withEnv is a complete environment with the changes in over.
func withEnv(over map[string]string) map[string]string {
	env := map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": "s"}
	for k, v := range over {
		env[k] = v
	}
	return env
}

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

func TestRunServesUntilCancelled(t *testing.T) {
	t.Parallel()
	env := withEnv(map[string]string{"PORT": "0"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// run logs to a pipe; a reader keeps every line and reports the URL
	// of the "listening" line as soon as it is written.
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
		done <- run(ctx, func(k string) string { return env[k] }, pw)
		pw.Close()
	}()

	var url string
	select {
	case url = <-urls:
	case code := <-done:
		t.Fatalf("run returned %d before listening; stderr:\n%s", code, logged)
	case <-time.After(10 * time.Second):
		t.Fatalf("no listening line after 10s; stderr so far:\n%s", logged)
	}

	res, err := http.Get(url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(body) != "ok" {
		t.Errorf("GET /health = %d %q, want 200 ok", res.StatusCode, body)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Errorf("run = %d after cancel, want 0; stderr:\n%s", code, logged)
	}
	if !strings.Contains(logged.String(), "path=/health") {
		t.Errorf("stderr does not log the request:\n%s", logged)
	}
}
