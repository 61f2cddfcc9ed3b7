package slack_test

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestReplayHonoursContext checks that a delivery replayed with a
// cancelled context is refused with the context's error and queues
// nothing: the app receives no event.
func TestReplayHonoursContext(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	before := len(a.requests())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recorded := `{"token":"OLDTOKEN","team_id":"T0CHATSIM","api_app_id":"A0CHATSIM","type":"event_callback","event_id":"Ev0RECORDED1","event_time":1700000000,` +
		`"event":{"type":"message","user":"U0ADA","text":"recorded hi","ts":"1700000000.000200","channel":"C0GENERAL","channel_type":"channel","event_ts":"1700000000.000200"}}`
	if _, err := w.srv.Replay(ctx, fakes.Delivery{Kind: "event_callback", Body: []byte(recorded)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Replay with a cancelled context = %v, want context.Canceled", err)
	}
	w.settle(t)
	if n := len(a.requests()) - before; n != 0 {
		t.Errorf("the app received %d requests after a cancelled replay", n)
	}
}
