package sim_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// TestWorldOnTheWallClock: Options.Clock puts a World on another clock (the
// wall clock, as `chatsim serve` does); a replay, which moves the clock to
// each entry's recorded time, refuses a clock it cannot set.
func TestWorldOnTheWallClock(t *testing.T) {
	t.Parallel()
	w, err := sim.Start(context.Background(), sim.Options{Integration: sim.Integration{Platforms: []string{"telegram"}}, Clock: fakes.RealClock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if d := time.Since(w.Clock.Now()); d < 0 || d > time.Minute {
		t.Errorf("the World's clock reads %s, want now", w.Clock.Now())
	}
	f, err := os.Open("testdata/poll.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, "poll.cassette")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Replay(context.Background(), w, r, sim.ReplayOptions{}); !errors.Is(err, sim.ErrConfig) {
		t.Errorf("replay on the wall clock = %v, want sim.ErrConfig", err)
	}
}
