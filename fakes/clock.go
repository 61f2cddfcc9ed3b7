package fakes

import (
	"context"
	"sync"
	"time"
)

// EpochUnix is the instant (2026-01-01T00:00:00Z) at which every virtual
// clock starts unless told otherwise, so recorded times are the same on every
// run.
const EpochUnix = 1767225600

// Clock tells the time and waits on it. Fakes stamp everything they create
// with Now, wait out their retry schedules and fault delays with Sleep, and
// measure a timeout they give the other side with Until (see WithTimeout).
// A VirtualClock moves only when told to, for replay and tests; a RealClock
// follows the wall clock, for `chatsim serve`.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits d on the clock, or returns ctx.Err() if ctx ends first.
	// A VirtualClock moves forward by d at once instead of waiting.
	Sleep(ctx context.Context, d time.Duration) error
	// Until returns a channel that is closed once the clock reads t or
	// later, and a func that forgets the wait. It never moves the clock.
	Until(t time.Time) (<-chan struct{}, func())
}

// VirtualClock is a Clock that moves only when told to. It is safe for
// concurrent use; the zero value starts at EpochUnix.
type VirtualClock struct {
	mu      sync.Mutex
	now     time.Time
	inited  bool
	waiters map[*clockWaiter]struct{}
}

// clockWaiter is one Until: its channel closes once the clock reaches at.
type clockWaiter struct {
	at time.Time
	ch chan struct{}
}

// NewVirtualClock returns a clock reading start; a zero start means EpochUnix.
func NewVirtualClock(start time.Time) *VirtualClock {
	c := &VirtualClock{}
	if !start.IsZero() {
		c.now, c.inited = start.UTC(), true
	}
	return c
}

func (c *VirtualClock) init() {
	if !c.inited {
		c.now, c.inited = time.Unix(EpochUnix, 0).UTC(), true
	}
}

// Now returns the current virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	return c.now
}

// Advance moves the clock forward by d (a negative d is ignored) and returns
// the new time.
func (c *VirtualClock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	if d > 0 {
		c.now = c.now.Add(d)
		c.wakeLocked()
	}
	return c.now
}

// Sleep moves the clock forward by d at once (a retry schedule of hours
// takes no time) and returns nil, or ctx.Err() if ctx has already ended.
func (c *VirtualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Set moves the clock to t if t is later than the current time, and returns
// the current time. Virtual time never goes backwards.
func (c *VirtualClock) Set(t time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	if t.After(c.now) {
		c.now = t.UTC()
		c.wakeLocked()
	}
	return c.now
}

// Until returns a channel that is closed once the clock reads t or later
// (at once if it already does), and a func that forgets the wait.
// Virtual time moves only when told to, so the channel closes only when
// something advances the clock past t: a platform's timeout on the
// virtual clock fires when the integration sleeps past it, never because
// the machine is busy.
func (c *VirtualClock) Until(t time.Time) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	w := &clockWaiter{at: t, ch: make(chan struct{})}
	if !c.now.Before(t) {
		close(w.ch)
		return w.ch, func() {}
	}
	if c.waiters == nil {
		c.waiters = map[*clockWaiter]struct{}{}
	}
	c.waiters[w] = struct{}{}
	return w.ch, func() {
		c.mu.Lock()
		delete(c.waiters, w)
		c.mu.Unlock()
	}
}

// wakeLocked closes the channels of the waits that are due.
func (c *VirtualClock) wakeLocked() {
	for w := range c.waiters {
		if !c.now.Before(w.at) {
			close(w.ch)
			delete(c.waiters, w)
		}
	}
}

// RealClock is a Clock that follows the wall clock, for `chatsim serve`
// sessions driven by people rather than recordings: dates are current,
// Sleep really waits and rate-limit windows drain as time passes.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits d on a real timer, or returns ctx.Err() if ctx ends first.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Until returns a channel that a real timer closes at t (at once if t has
// passed), and a func that stops the timer.
func (RealClock) Until(t time.Time) (<-chan struct{}, func()) {
	ch := make(chan struct{})
	d := time.Until(t)
	if d <= 0 {
		close(ch)
		return ch, func() {}
	}
	timer := time.AfterFunc(d, func() { close(ch) })
	return ch, func() { timer.Stop() }
}

// WithTimeout returns a copy of ctx that ends once d has passed on clock,
// with context.DeadlineExceeded as its cause, and a func that releases it.
// On a VirtualClock the timeout fires when something (the integration
// sleeping on the clock, a replay moving it) takes the clock past it, never
// because the machine is busy; a process that hangs cannot move the clock,
// so the context also ends after WallBackstop times d of wall time. A nil
// clock measures d on the wall clock.
func WithTimeout(ctx context.Context, clock Clock, d time.Duration) (context.Context, context.CancelFunc) {
	if clock == nil {
		return context.WithTimeout(ctx, d)
	}
	wctx, wcancel := context.WithTimeout(ctx, d*WallBackstop)
	due, forget := clock.Until(clock.Now().Add(d))
	cctx, ccancel := context.WithCancelCause(wctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-due:
			ccancel(context.DeadlineExceeded)
		case <-cctx.Done():
		}
	}()
	return cctx, func() {
		ccancel(nil)
		<-done
		forget()
		wcancel()
	}
}
