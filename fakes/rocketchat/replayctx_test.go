package rocketchat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// TestReplayHonoursContext checks that a delivery replayed with a
// cancelled context is refused with the context's error and queues
// nothing: the bot hears nothing and the room learns nothing.
func TestReplayHonoursContext(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t)
	if err := w.srv.SetWebhookTarget(context.Background(), b.srv.URL); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	recorded := `{"token":"REDACTED","bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":"RecMsg00000000001",
		"timestamp":"2025-05-05T10:00:00.000Z","user_id":"RecUser0000000001","user_name":"linus","text":"hi"}`
	if _, err := w.srv.Replay(ctx, fakes.Delivery{Kind: "outgoing", Body: []byte(recorded)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Replay with a cancelled context = %v, want context.Canceled", err)
	}
	w.settle(t)
	if got := b.bodies(); len(got) != 0 {
		t.Errorf("delivered %d bodies after a cancelled replay", len(got))
	}
	if msgs, _ := w.srv.Messages("#general"); len(msgs) != 0 {
		t.Errorf("#general learned %+v from a cancelled replay", msgs)
	}
}

// TestReplayKeepsIDsApart: a delivery recorded on a server with the same
// seed names a message by the id this fake draws next; the message the bot
// then posts gets another one, so the two stay apart.
func TestReplayKeepsIDsApart(t *testing.T) {
	t.Parallel()
	first := newWorld(t)
	m, err := first.srv.Send("ada", "general", "menu")
	if err != nil {
		t.Fatal(err)
	}
	b := newBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	recorded := `{"token":"REDACTED","bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":"` + m.ID + `",
		"timestamp":"2025-05-05T10:00:00.000Z","user_id":"` + m.User.ID + `","user_name":"ada","text":"menu"}`
	if _, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "outgoing", Body: []byte(recorded)}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	reply, err := w.srv.Send(rocketchat.DefaultBotUsername, "general", "What would you like?")
	if err != nil {
		t.Fatal(err)
	}
	msgs, _ := w.srv.Messages("general")
	if reply.ID == m.ID || len(msgs) != 2 || msgs[0].Text != "menu" {
		t.Errorf("the bot's message took the recorded id %s: #general holds %+v", m.ID, msgs)
	}
}
