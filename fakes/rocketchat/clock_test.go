package rocketchat_test

import (
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// TestFaultDelayIsOnTheClock: an injected delay moves a virtual clock by
// the delay at once instead of holding the answer back in wall time.
func TestFaultDelayIsOnTheClock(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Faults().Add(fakes.Fault{Op: "chat.postMessage", Delay: fakes.Duration(time.Hour), Times: 1})
	before := w.clock.Now()
	done := make(chan int, 1)
	go func() {
		status, _ := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "x"})
		done <- status
	}()
	select {
	case status := <-done:
		if status != 200 {
			t.Errorf("chat.postMessage = %d, want 200", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a 1h delay on the virtual clock held the call back for 5s of wall time")
	}
	if moved := w.clock.Now().Sub(before); moved != time.Hour {
		t.Errorf("the virtual clock moved %v, want the 1h delay", moved)
	}
}
