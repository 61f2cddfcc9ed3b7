package fakes_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Both clocks are Clocks: callers wait on the interface, never on a type.
var (
	_ fakes.Clock = (*fakes.VirtualClock)(nil)
	_ fakes.Clock = fakes.RealClock{}
)

func TestRealClockWaitsOnTheWallClock(t *testing.T) {
	t.Parallel()
	var c fakes.Clock = fakes.RealClock{}
	start := time.Now()
	if err := c.Sleep(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := time.Since(start); got < 20*time.Millisecond {
		t.Errorf("Sleep(20ms) returned after %v", got)
	}

	due, forget := c.Until(c.Now().Add(20 * time.Millisecond))
	defer forget()
	select {
	case <-due:
		t.Fatal("Until fired before its time")
	default:
	}
	select {
	case <-due:
	case <-time.After(5 * time.Second):
		t.Fatal("Until(now+20ms) did not fire within 5s")
	}

	past, _ := c.Until(c.Now().Add(-time.Second))
	select {
	case <-past:
	default:
		t.Error("Until of a past instant is not closed at once")
	}
}

func TestWithTimeout(t *testing.T) {
	t.Parallel()
	const d = 20 * time.Millisecond
	tests := []struct {
		name  string
		clock func() fakes.Clock
		move  func(fakes.Clock) // what happens after the wait starts
		// quiet is how long of wall time the context must stay live.
		quiet time.Duration
	}{
		{"the virtual clock moves past the timeout", func() fakes.Clock { return fakes.NewVirtualClock(time.Time{}) },
			func(c fakes.Clock) { c.(*fakes.VirtualClock).Advance(time.Second) }, 0},
		{"an unmoved virtual clock ends at the wall backstop", func() fakes.Clock { return fakes.NewVirtualClock(time.Time{}) },
			func(fakes.Clock) {}, 3 * d},
		{"the wall clock ends after the timeout", func() fakes.Clock { return fakes.RealClock{} },
			func(fakes.Clock) {}, d / 2},
		{"no clock is the wall clock", func() fakes.Clock { return nil }, func(fakes.Clock) {}, d / 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.clock()
			start := time.Now()
			ctx, cancel := fakes.WithTimeout(context.Background(), c, d)
			defer cancel()
			tt.move(c)
			select {
			case <-ctx.Done():
			case <-time.After(10 * time.Second):
				t.Fatal("the context did not end within 10s")
			}
			if got := time.Since(start); got < tt.quiet {
				t.Errorf("ended after %v of wall time, want at least %v", got, tt.quiet)
			}
			if cause := context.Cause(ctx); !errors.Is(cause, context.DeadlineExceeded) {
				t.Errorf("cause = %v, want context.DeadlineExceeded", cause)
			}
		})
	}
}
