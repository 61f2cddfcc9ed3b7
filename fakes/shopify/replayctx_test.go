package shopify_test

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestReplayHonoursContext checks that a delivery replayed with a
// cancelled context is refused with the context's error and queues
// nothing: no webhook is sent and the store learns nothing.
func TestReplayHonoursContext(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recorded := []byte(`{"id":820982911946154508,"name":"#1001","order_number":1001,"total_price":"25.00","currency":"USD"}`)
	if _, err := w.srv.Replay(ctx, fakes.Delivery{Kind: "orders/create", Body: recorded}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Replay with a cancelled context = %v, want context.Canceled", err)
	}
	w.settle(t)
	if seen := w.recv.got(); len(seen) != 0 {
		t.Errorf("%d webhooks sent after a cancelled replay", len(seen))
	}
	if ds := w.srv.Deliveries(); len(ds) != 0 {
		t.Errorf("deliveries after a cancelled replay: %+v", ds)
	}
}
