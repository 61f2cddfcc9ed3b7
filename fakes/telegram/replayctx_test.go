package telegram_test

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestReplayHonoursContext checks that an update replayed with a
// cancelled context is refused with the context's error and queues
// nothing for the bot.
func TestReplayHonoursContext(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := w.srv.Replay(ctx, fakes.Delivery{Body: []byte(recordedMessage)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Replay with a cancelled context = %v, want context.Canceled", err)
	}
	if s := w.srv.Stalled(); s != "" {
		t.Errorf("an update was queued by a cancelled replay: %s", s)
	}
}
