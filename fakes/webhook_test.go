package fakes_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

func TestSend(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		case "/fail":
			http.Error(w, "boom", http.StatusInternalServerError)
		default:
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Echo", r.Header.Get("X-Sig"))
			w.Write(b)
		}
	}))
	// Subtests run in parallel after this function returns: clean up
	// when they are done, not on return.
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	refused := fakes.RefusedURL(t)

	tests := []struct {
		name     string
		out      fakes.Outgoing
		ok       bool
		outcome  string
		wantBody string
	}{
		{"answered", fakes.Outgoing{URL: srv.URL + "/", Header: http.Header{"X-Sig": {"v0=1"}}, Body: []byte("hi")}, true, "200", "hi"},
		{"error status", fakes.Outgoing{URL: srv.URL + "/fail"}, false, "500 Internal Server Error", "boom\n"},
		{"timeout", fakes.Outgoing{URL: srv.URL + "/slow", Timeout: 20 * time.Millisecond}, false, "timeout", ""},
		{"refused", fakes.Outgoing{URL: refused + "/"}, false, "connection refused", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := fakes.Send(context.Background(), srv.Client(), tt.out)
			if r.OK() != tt.ok || r.Outcome() != tt.outcome || string(r.Body) != tt.wantBody {
				t.Errorf("Send = ok %v outcome %q body %q (err %v), want %v %q %q", r.OK(), r.Outcome(), r.Body, r.Err, tt.ok, tt.outcome, tt.wantBody)
			}
			if tt.ok && r.Header.Get("X-Echo") != "v0=1" {
				t.Errorf("headers were not sent: %v", r.Header)
			}
		})
	}
}

func TestSleepAdvancesVirtualClock(t *testing.T) {
	t.Parallel()
	c := fakes.NewVirtualClock(time.Time{})
	before := c.Now()
	if err := c.Sleep(context.Background(), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := c.Now().Sub(before); got != 5*time.Minute {
		t.Errorf("virtual clock moved %v, want 5m", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (fakes.RealClock{}).Sleep(ctx, time.Hour); err != context.Canceled {
		t.Errorf("Sleep on a cancelled context = %v, want context.Canceled", err)
	}
}

// TestSendTimeoutOnTheVirtualClock: on a virtual clock a platform's
// timeout is virtual time. An answer that takes longer on the wall clock
// than the timeout is not a timeout (a busy machine changes nothing); an
// integration that sleeps past it on the clock is.
func TestSendTimeoutOnTheVirtualClock(t *testing.T) {
	t.Parallel()
	clock := fakes.NewVirtualClock(time.Time{})
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
			w.WriteHeader(http.StatusOK)
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()

	// Slow on the wall clock, the virtual clock still: answered.
	done := make(chan fakes.Reply, 1)
	go func() {
		done <- fakes.Send(context.Background(), nil, fakes.Outgoing{URL: srv.URL, Timeout: 10 * time.Millisecond, Clock: clock})
	}()
	<-arrived
	wall := time.NewTimer(50 * time.Millisecond) // five times the timeout, on the wall clock
	<-wall.C
	close(release)
	if r := <-done; !r.OK() {
		t.Fatalf("a slow answer on an unmoved virtual clock: %s, want 200", r.Outcome())
	}

	// The integration sleeps 4s on the clock past a 3s timeout: timeout.
	release = make(chan struct{})
	go func() {
		done <- fakes.Send(context.Background(), nil, fakes.Outgoing{URL: srv.URL, Timeout: 3 * time.Second, Clock: clock})
	}()
	<-arrived
	clock.Advance(4 * time.Second)
	r := <-done
	if !r.TimedOut() || r.Outcome() != "timeout" {
		t.Fatalf("after the clock moved past the timeout: %s (%v), want a timeout", r.Outcome(), r.Err)
	}
	close(release)
}
