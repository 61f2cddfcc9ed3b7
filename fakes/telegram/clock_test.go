package telegram_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
)

// TestWaitsAreOnTheClock: a delivery retry's backoff and a fault's delay
// are waited on the Server's clock, so on a virtual clock an hour of
// backoff or delay moves the clock by an hour and costs no wall time.
func TestWaitsAreOnTheClock(t *testing.T) {
	t.Parallel()
	t.Run("delivery retry", func(t *testing.T) {
		t.Parallel()
		clock := fakes.NewVirtualClock(time.Time{})
		w := newWorld(t, telegram.WithClock(clock), telegram.WithDeliveryRetry(2, time.Hour))
		rc := newReceiver(t, "", func(rw http.ResponseWriter, _ telegram.Update, n int) {
			if n == 1 {
				rw.WriteHeader(http.StatusInternalServerError)
			}
		})
		status, r := w.api(t, "setWebhook", map[string]any{"url": rc.url})
		mustOK(t, status, r, nil)
		before := clock.Now()
		if _, err := w.srv.SendText(ada, ada, "hi"); err != nil {
			t.Fatal(err)
		}
		rc.next(t)
		rc.next(t) // within 5s of wall time, not an hour
		if moved := clock.Now().Sub(before); moved != time.Hour {
			t.Errorf("the virtual clock moved %v, want the 1h backoff", moved)
		}
	})
	t.Run("fault delay", func(t *testing.T) {
		t.Parallel()
		clock := fakes.NewVirtualClock(time.Time{})
		w := newWorld(t, telegram.WithClock(clock))
		w.srv.Faults().Add(fakes.Fault{Op: "getMe", Delay: fakes.Duration(time.Hour), Times: 1})
		before := clock.Now()
		done := make(chan int, 1)
		go func() {
			status, _ := w.api(t, "getMe", nil)
			done <- status
		}()
		select {
		case status := <-done:
			if status != http.StatusOK {
				t.Errorf("getMe = %d, want 200", status)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a 1h delay on the virtual clock held getMe back for 5s of wall time")
		}
		if moved := clock.Now().Sub(before); moved != time.Hour {
			t.Errorf("the virtual clock moved %v, want the 1h delay", moved)
		}
	})
}
