package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressAfter is how long a run goes quietly before it shows progress: a
// replay that ends in a second or two needs none.
const progressAfter = 2 * time.Second

// progressEvery is how often the progress line is redrawn.
const progressEvery = 500 * time.Millisecond

// progress draws one self-erasing status line on a terminal: deliveries
// done of the total (once known), their rate and the time elapsed. It
// prints nothing until progressAfter has passed, and nothing at all on a
// writer that is not a terminal, so that logs and pipes stay clean.
type progress struct {
	w     io.Writer
	start time.Time
	now   func() time.Time

	mu    sync.Mutex
	done  int
	total int // 0 while unknown
	drawn bool
	stop  chan struct{}
	over  chan struct{}
}

// startProgress returns a progress line on w, redrawn on its own until
// Stop, or nil when w is not a terminal (a nil *progress does nothing).
func startProgress(w io.Writer) *progress {
	if !isTerminalWriter(w) {
		return nil
	}
	t := time.NewTicker(progressEvery)
	p := newProgress(w, time.Now, t.C)
	go func() { <-p.over; t.Stop() }()
	return p
}

// newProgress draws on w on every tick, with now as its clock.
func newProgress(w io.Writer, now func() time.Time, tick <-chan time.Time) *progress {
	p := &progress{w: w, start: now(), now: now, stop: make(chan struct{}), over: make(chan struct{})}
	go p.loop(tick)
	return p
}

func (p *progress) loop(tick <-chan time.Time) {
	defer close(p.over)
	for {
		select {
		case <-p.stop:
			return
		case <-tick:
			p.draw()
		}
	}
}

// Step counts one delivery done.
func (p *progress) Step() {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
}

// SetTotal says how many deliveries the run has, once it is known.
func (p *progress) SetTotal(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.total = n
	p.mu.Unlock()
}

// draw redraws the line, once progressAfter has passed.
func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := p.now().Sub(p.start)
	if elapsed < progressAfter {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K%s", progressLine(p.done, p.total, elapsed))
	p.drawn = true
}

// progressLine renders "12/40 deliveries · 3.0/s · 4s".
func progressLine(done, total int, elapsed time.Duration) string {
	count := fmt.Sprintf("%d %s", done, plural(done, "delivery", "deliveries"))
	if total > 0 {
		count = fmt.Sprintf("%d/%d %s", done, total, plural(total, "delivery", "deliveries"))
	}
	rate := float64(done) / elapsed.Seconds()
	return fmt.Sprintf("%s · %.1f/s · %s", count, rate, elapsed.Round(time.Second))
}

// Stop ends the line and erases it, leaving the terminal as it was.
func (p *progress) Stop() {
	if p == nil {
		return
	}
	select {
	case <-p.stop:
		return
	default:
	}
	close(p.stop)
	<-p.over
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// isTerminalWriter reports whether w is a terminal (not a file, a pipe or
// /dev/null).
func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// plural returns one when n is 1 and many otherwise.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// count renders "1 delivery", "3 deliveries".
func count(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, plural(n, one, many))
}
