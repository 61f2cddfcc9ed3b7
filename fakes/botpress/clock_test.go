package botpress

import (
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// TestFaultDelayIsOnTheClock: an injected delay moves a virtual clock by
// the delay at once instead of holding the answer back in wall time.
func TestFaultDelayIsOnTheClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.p.Faults().Add(fakes.Fault{Op: "user.list", Delay: fakes.Duration(time.Hour), Times: 1})
	before := e.clock.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.call("GET", "/v1/chat/users", nil)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a 1h delay on the virtual clock held the call back for 5s of wall time")
	}
	if moved := e.clock.Now().Sub(before); moved != time.Hour {
		t.Errorf("the virtual clock moved %v, want the 1h delay", moved)
	}
}
