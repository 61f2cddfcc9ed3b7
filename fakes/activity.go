package fakes

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Activity counts the work in flight across a World: requests a fake is
// serving, deliveries it has queued, bot replies the platform owes. A step is
// over when Wait returns, never after a fixed sleep. A nil *Activity tracks
// nothing. It is safe for concurrent use.
//
// Work is busy (Begin: a request being served, an invocation of the
// integration) or queued (Queue: a delivery or a bot reply waiting its
// turn). A worker that sends queued work takes the Turn first: one delivery
// at a time across the World, and only once nothing is busy. So a fake's
// event about the bot's own message reaches the integration after the
// integration has finished the call that posted it, and the journal's
// order is the same on every run.
type Activity struct {
	mu      sync.Mutex
	next    uint64
	pending map[uint64]string
	idle    chan struct{} // closed while nothing is pending
	last    string        // the last piece of work that began
	busy    int           // pending work that is busy (Begin, a held Turn)
	turn    bool          // a Turn is held
	quiet   chan struct{} // closed when busy drops to 0 or a Turn is released
}

// NewActivity returns a tracker with nothing in flight.
func NewActivity() *Activity {
	c := make(chan struct{})
	close(c)
	return &Activity{pending: map[uint64]string{}, idle: c}
}

// Begin records that the busy work named what has started and returns the
// function that ends it. Calling the end function more than once is
// harmless.
func (a *Activity) Begin(what string) (end func()) { return a.begin(what, true) }

// Queue records queued work named what (a delivery, a bot reply owed): it
// keeps Wait waiting but does not hold a Turn back. The worker that sends it
// takes the Turn.
func (a *Activity) Queue(what string) (end func()) { return a.begin(what, false) }

func (a *Activity) begin(what string, busy bool) (end func()) {
	if a == nil {
		return func() {}
	}
	a.mu.Lock()
	a.next++
	id := a.next
	if len(a.pending) == 0 {
		a.idle = make(chan struct{})
	}
	a.pending[id] = what
	a.last = what
	if busy {
		a.busy++
	}
	a.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			a.mu.Lock()
			delete(a.pending, id)
			if busy {
				a.busy--
				if a.busy == 0 {
					a.wakeLocked()
				}
			}
			if len(a.pending) == 0 {
				close(a.idle)
			}
			a.mu.Unlock()
		})
	}
}

// wakeLocked tells the workers waiting for a Turn to look again. a.mu must
// be held.
func (a *Activity) wakeLocked() {
	if a.quiet != nil {
		close(a.quiet)
		a.quiet = nil
	}
}

// Turn waits until nothing is busy and no other worker holds the Turn, then
// takes it: the caller may send one queued delivery, named what, and must
// call release when the delivery and its answer are done. The Turn counts as
// busy work while held. A nil *Activity grants it at once. The error is
// ctx's, naming what was busy.
func (a *Activity) Turn(ctx context.Context, what string) (release func(), err error) {
	if a == nil {
		return func() {}, nil
	}
	for {
		a.mu.Lock()
		if a.busy == 0 && !a.turn {
			a.turn = true
			a.mu.Unlock()
			end := a.Begin(what)
			var once sync.Once
			return func() {
				once.Do(func() {
					a.mu.Lock()
					a.turn = false
					a.wakeLocked()
					a.mu.Unlock()
					end()
				})
			}, nil
		}
		if a.quiet == nil {
			a.quiet = make(chan struct{})
		}
		quiet := a.quiet
		a.mu.Unlock()
		select {
		case <-quiet:
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for a turn to send %s: %w (busy: %s)", what, ctx.Err(), strings.Join(a.Pending(), ", "))
		}
	}
}

// Pending returns the names of the work in flight, sorted.
func (a *Activity) Pending() []string {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, 0, len(a.pending))
	for _, w := range a.pending {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// Wait blocks until nothing is in flight or ctx is done. The error on a
// deadline names what was still pending.
func (a *Activity) Wait(ctx context.Context) error {
	if a == nil {
		return nil
	}
	for {
		a.mu.Lock()
		idle := a.idle
		a.mu.Unlock()
		select {
		case <-idle:
			return nil
		case <-ctx.Done():
			p := a.Pending()
			return fmt.Errorf("wait for work in flight to finish: %w (still pending: %s)", ctx.Err(), strings.Join(p, ", "))
		}
	}
}

type activityKey struct{}

// Track wraps h so that every request it serves counts as work in flight named
// "<name> <METHOD> <path>" while it runs. A handler that parks a request on
// purpose (a long poll) calls Idle to stop it counting.
func Track(a *Activity, name string, h http.Handler) http.Handler {
	if a == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		end := a.Begin(name + " " + r.Method + " " + r.URL.Path)
		defer end()
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), activityKey{}, end)))
	})
}

// Idle stops the request r from counting as work in flight, for handlers that
// wait on purpose (a long poll with nothing to deliver yet). It is a no-op for
// requests not wrapped by Track.
func Idle(r *http.Request) {
	if end, ok := r.Context().Value(activityKey{}).(func()); ok {
		end()
	}
}
