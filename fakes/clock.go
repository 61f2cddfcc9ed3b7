package fakes

import (
	"sync"
	"time"
)

// EpochUnix is the instant (2026-01-01T00:00:00Z) at which every virtual
// clock starts unless told otherwise, so recorded times are the same on every
// run.
const EpochUnix = 1767225600

// Clock tells the time. Fakes stamp everything they create with it.
type Clock interface {
	Now() time.Time
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

// RealClock is a Clock reading the wall clock, for `chatsim serve` sessions
// driven by people rather than recordings.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }
