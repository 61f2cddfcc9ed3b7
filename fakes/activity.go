package fakes

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Activity counts the work in flight across a World: requests a fake is
// serving, deliveries it has queued, bot replies the platform owes. A step is
// over when Wait returns, never after a fixed sleep. A nil *Activity tracks
// nothing. It is safe for concurrent use.
//
// Work is busy (Begin: a request being served, an invocation of the
// integration) or queued (Queue: a delivery or a bot reply waiting its
// turn, held as a Ticket). A worker that sends queued work takes the
// ticket's Turn first: one delivery at a time across the World, only once
// nothing is busy, and in the order the work was queued. So a fake's event
// about the bot's own message reaches the integration after the
// integration has finished the call that posted it, two fakes' deliveries
// queued in one call go out in the order the call queued them, and the
// journal's order is the same on every run.
type Activity struct {
	mu      sync.Mutex
	next    uint64
	pending map[uint64]string
	idle    chan struct{}                  // closed while nothing is pending
	last    string                         // the last piece of work that began
	busy    int                            // pending work that is busy (Begin, a held Turn)
	turn    bool                           // a Turn is held
	quiet   chan struct{}                  // closed when busy drops to 0, a Turn is released or the line's head leaves
	line    []uint64                       // tickets in line for the Turn, oldest first
	tap     atomic.Pointer[func(Exchange)] // read on every request a fake serves
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
func (a *Activity) Begin(what string) (end func()) {
	_, end = a.begin(what, true)
	return end
}

// Queue records queued work named what (a delivery, a bot reply owed) and
// returns its Ticket: it keeps Wait waiting until the ticket ends, but holds
// no Turn back until it is in line (Ready, Turn). A nil *Activity returns a
// nil *Ticket, which does nothing.
func (a *Activity) Queue(what string) *Ticket {
	if a == nil {
		return nil
	}
	id, end := a.begin(what, false)
	return &Ticket{a: a, id: id, what: what, end: end}
}

func (a *Activity) begin(what string, busy bool) (id uint64, end func()) {
	if a == nil {
		return 0, func() {}
	}
	a.mu.Lock()
	a.next++
	id = a.next
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
	return id, func() {
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

// enterLocked puts ticket id in line, in id order. a.mu must be held.
func (a *Activity) enterLocked(id uint64) {
	i, found := slices.BinarySearch(a.line, id)
	if !found {
		a.line = slices.Insert(a.line, i, id)
	}
}

// leaveLocked takes ticket id out of the line, waking the workers waiting
// for a Turn when it was the head. a.mu must be held.
func (a *Activity) leaveLocked(id uint64) {
	i, found := slices.BinarySearch(a.line, id)
	if !found {
		return
	}
	a.line = slices.Delete(a.line, i, i+1)
	if i == 0 {
		a.wakeLocked()
	}
}

// Ticket is one piece of queued work (Activity.Queue). Its worker sends it
// after taking its Turn, then calls End; a ticket dropped unsent is ended
// too. A nil *Ticket does nothing and is granted its Turn at once. A
// Ticket's methods are safe for concurrent use.
type Ticket struct {
	a    *Activity
	id   uint64
	what string
	end  func()
}

// Ready puts the ticket in line for the Turn before its worker asks for
// it: from then on, no ticket queued after this one takes the Turn first.
// A worker calls it when the work is queued if it sends its tickets in the
// order they were queued and will call Turn or End on this one; so the
// order holds even while the worker is still busy elsewhere.
func (t *Ticket) Ready() {
	if t == nil {
		return
	}
	t.a.mu.Lock()
	defer t.a.mu.Unlock()
	if _, live := t.a.pending[t.id]; live {
		t.a.enterLocked(t.id)
	}
}

// End records that the work is done, sent or dropped. Calling it more than
// once is harmless.
func (t *Ticket) End() {
	if t == nil {
		return
	}
	t.a.mu.Lock()
	t.a.leaveLocked(t.id)
	t.a.mu.Unlock()
	t.end()
}

// Turn waits until nothing is busy, no other worker holds the Turn and no
// ticket queued earlier is in line, then takes it: the caller may send the
// ticket's work and must call release when the delivery and its answer are
// done. The Turn counts as busy work while held. The error is ctx's,
// naming what was busy.
func (t *Ticket) Turn(ctx context.Context) (release func(), err error) {
	if t == nil {
		return func() {}, nil
	}
	a := t.a
	a.mu.Lock()
	a.enterLocked(t.id)
	for {
		if a.busy == 0 && !a.turn && a.line[0] == t.id {
			a.leaveLocked(t.id)
			a.turn = true
			a.mu.Unlock()
			_, end := a.begin(t.what, true)
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
			a.mu.Lock()
		case <-ctx.Done():
			a.mu.Lock()
			a.leaveLocked(t.id)
			a.mu.Unlock()
			return nil, fmt.Errorf("wait for a turn to send %s: %w (busy: %s)", t.what, ctx.Err(), strings.Join(a.Pending(), ", "))
		}
	}
}

// Pending returns the names of the work in flight, sorted, each name once:
// a queued delivery whose worker holds its Turn is one piece of work.
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
	return slices.Compact(out)
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
		r = r.WithContext(context.WithValue(r.Context(), activityKey{}, end))
		tap := a.tapFunc()
		if tap == nil {
			h.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
		if err != nil {
			http.Error(w, "read the request: "+err.Error(), http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		tw := &tapWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(tw, r)
		tap(Exchange{Service: name, Method: r.Method, Target: r.URL.RequestURI(), Header: r.Header.Clone(), Body: body,
			Status: tw.status, Answer: tw.body.Bytes()})
	})
}

// Exchange is one request a fake served and its answer, as a tap sees it.
type Exchange struct {
	// Service is the name the fake's requests are tracked under: "telegram".
	Service string
	Method  string
	// Target is the request's path and query.
	Target string
	Header http.Header
	Body   []byte
	// Status and Answer are the fake's answer.
	Status int
	Answer []byte
}

// Tap has fn told of every request a fake tracked by a serves, with its
// answer, once it is answered (a replay that compares the integration's
// calls with a recording's); nil stops it. Requests are read whole for it
// only while a tap is set.
func (a *Activity) Tap(fn func(Exchange)) {
	if a == nil {
		return
	}
	if fn == nil {
		a.tap.Store(nil)
		return
	}
	a.tap.Store(&fn)
}

func (a *Activity) tapFunc() func(Exchange) {
	if fn := a.tap.Load(); fn != nil {
		return *fn
	}
	return nil
}

// tapWriter keeps the status and body a handler writes, for a tap.
type tapWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (t *tapWriter) WriteHeader(code int) {
	t.status = code
	t.ResponseWriter.WriteHeader(code)
}

func (t *tapWriter) Write(p []byte) (int, error) {
	if t.body.Len() < MaxBody {
		t.body.Write(p)
	}
	return t.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (a WebSocket
// upgrade, a flush).
func (t *tapWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// Idle stops the request r from counting as work in flight, for handlers that
// wait on purpose (a long poll with nothing to deliver yet). It is a no-op for
// requests not wrapped by Track.
func Idle(r *http.Request) {
	if end, ok := r.Context().Value(activityKey{}).(func()); ok {
		end()
	}
}

// Hijack hands over the connection (a WebSocket upgrade).
func (t *tapWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(t.ResponseWriter).Hijack()
}

// Flush sends what is buffered (a streamed answer).
func (t *tapWriter) Flush() { _ = http.NewResponseController(t.ResponseWriter).Flush() }
