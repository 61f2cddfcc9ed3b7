package fakes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Server is a loopback HTTP server shaped like httptest.Server: it binds
// 127.0.0.1:0 and holds the listener (no port races), URL is ready as soon as
// Listen returns, and Close blocks until in-flight requests have finished. The
// zero value is safe to Close.
type Server struct {
	// URL is the base URL, "http://127.0.0.1:PORT", with no trailing slash.
	URL string

	srv    *http.Server
	ln     net.Listener
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once

	mu    sync.Mutex
	fresh map[net.Conn]struct{} // accepted, no request read yet
	idle  map[net.Conn]struct{} // between requests
}

// Listen serves h on addr ("" means 127.0.0.1:0) until Close. Request contexts
// are cancelled when the server closes, so long polls end promptly.
func Listen(addr string, h http.Handler) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		URL:    "http://" + ln.Addr().String(),
		ln:     ln,
		cancel: cancel,
		done:   make(chan struct{}),
		fresh:  map[net.Conn]struct{}{},
		idle:   map[net.Conn]struct{}{},
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return base },
		},
	}
	// Shutdown waits for connections that were accepted but never sent a
	// request (a keep-alive pool's spare); Close closes those itself, as
	// httptest does, so it never waits out its timeout for them.
	s.srv.ConnState = func(c net.Conn, st http.ConnState) {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.fresh, c)
		delete(s.idle, c)
		switch st {
		case http.StateNew:
			s.fresh[c] = struct{}{}
		case http.StateIdle:
			s.idle[c] = struct{}{}
		}
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed on Close
	}()
	return s, nil
}

// Addr returns the listener's address, or "" on a zero Server.
func (s *Server) Addr() string {
	if s == nil || s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops accepting connections, cancels the contexts of requests in
// flight and waits (up to five seconds) for their handlers to return.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	var err error
	s.once.Do(func() {
		s.cancel()
		s.mu.Lock()
		// Connections with nothing in flight are reset rather than closed:
		// a World opens a few dozen connections and a suite starts
		// thousands of Worlds, and each orderly close would leave a socket
		// in TIME_WAIT for a minute, until new ports come slowly.
		for c := range s.idle {
			abort(c)
		}
		for c := range s.fresh {
			abort(c)
			_ = c.Close()
		}
		s.mu.Unlock()
		ctx, stop := context.WithTimeout(context.Background(), 5*time.Second)
		defer stop()
		if e := s.srv.Shutdown(ctx); e != nil && !errors.Is(e, http.ErrServerClosed) {
			err = fmt.Errorf("shut down %s: %w", s.URL, e)
			_ = s.srv.Close()
		}
		<-s.done
	})
	return err
}

// abort makes closing c reset the connection (SO_LINGER 0), leaving no
// TIME_WAIT behind; c must have nothing left to send.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
}

// ForTest starts a fake with start for a test and closes it when the test
// ends, reporting a close error; it fails the test if the fake cannot
// start. Every fake's New is this over its Start.
func ForTest[S interface{ Close() error }](tb testing.TB, name string, start func() (S, error)) S {
	tb.Helper()
	s, err := start()
	if err != nil {
		tb.Fatalf("%s.New: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close %s fake: %v", name, err)
		}
	})
	return s
}
