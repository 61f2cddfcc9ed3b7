package main

import (
	"bytes"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// fakeTime is a clock a test moves by hand.
type fakeTime struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeTime) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeTime) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// TestProgressLine: nothing in the first seconds; then done/total, rate
// and elapsed on one self-erasing line, erased at the end.
func TestProgressLine(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	clock := &fakeTime{t: time.Unix(0, 0)}
	// The test draws itself, as a tick does, so that no draw of the
	// loop's can come late.
	p := newProgress(&out, clock.now, nil)
	p.Step()
	p.draw()
	clock.add(4 * time.Second)
	for range 11 {
		p.Step()
	}
	p.SetTotal(40)
	p.draw()
	p.Stop()
	got := out.String()
	want := "\r\033[K12/40 deliveries · 3.0/s · 4s" + "\r\033[K"
	if got != want {
		t.Fatalf("progress wrote %q, want %q", got, want)
	}
	if l := progressLine(1, 0, time.Second); l != "1 delivery · 1.0/s · 1s" {
		t.Errorf("progressLine(1, unknown total) = %q", l)
	}
}

// TestProgressOnlyOnATerminal: a pipe, a file or /dev/null gets no
// progress; a terminal does.
func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	for name, f := range map[string]*os.File{"pipe": w, "/dev/null": null} {
		if p := startProgress(f); p != nil {
			p.Stop()
			t.Errorf("%s: startProgress drew progress on a non-terminal", name)
		}
	}
	if p := startProgress(&bytes.Buffer{}); p != nil {
		t.Error("startProgress drew progress on a buffer")
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	p := startProgress(tty)
	if p == nil {
		t.Fatal("startProgress drew nothing on a terminal")
	}
	p.Stop()
}

// TestSummaryPlurals: one of a thing is singular.
func TestSummaryPlurals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0 deliveries"}, {1, "1 delivery"}, {3, "3 deliveries"}} {
		if got := count(tc.n, "delivery", "deliveries"); got != tc.want {
			t.Errorf("count(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
