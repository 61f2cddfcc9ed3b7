package rocketchat_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func TestReplay(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t)
	if err := w.srv.SetWebhookTarget(context.Background(), b.srv.URL); err != nil {
		t.Fatal(err)
	}
	env := w.srv.Env()
	for _, k := range []string{"ROCKETCHAT_URL", "ROCKETCHAT_USER", "ROCKETCHAT_PASSWORD", "ROCKETCHAT_USER_ID", "ROCKETCHAT_AUTH_TOKEN", "ROCKETCHAT_WEBHOOK_TOKEN"} {
		if env[k] == "" {
			t.Errorf("Env()[%s] is empty", k)
		}
	}
	recorded := `{"token":"REDACTED","bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":"RecMsg00000000001",
		"timestamp":"2025-05-05T10:00:00.000Z","user_id":"RecUser0000000001","user_name":"linus","text":"hi"}`
	title, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "outgoing", Body: []byte(recorded)})
	if err != nil {
		t.Fatal(err)
	}
	if title != `rocketchat → integration: message in #general from linus: "hi"` {
		t.Fatalf("title %q", title)
	}
	w.settle(t)
	got := b.outgoing(t)
	if len(got) != 1 || got[0]["token"] != w.srv.WebhookToken() || got[0]["message_id"] != "RecMsg00000000001" {
		t.Fatalf("delivered %v", got)
	}
	msgs, _ := w.srv.Messages("#general")
	if len(msgs) != 1 || msgs[0].User.Username != "linus" {
		t.Fatalf("#general %+v", msgs)
	}
	action := `payload=` + strings.ReplaceAll(`{"type":"block_actions","user":{"id":"RecUser0000000001","username":"linus","name":"Linus"},
		"channel":{"id":"GENERAL","name":"general"},"response_url":"https://old/x","original_message":{"_id":"RecMsg00000000002","msg":"Pick",
		"blocks":[{"type":"actions","blockId":"b","elements":[{"type":"button","actionId":"tea","text":{"type":"plain_text","text":"Tea"}}]}]},
		"actions":[{"type":"button","block_id":"b","action_id":"tea","text":{"type":"plain_text","text":"Tea"},"action_ts":"1"}]}`, "\n", "")
	title, err = w.srv.Replay(context.Background(), fakes.Delivery{Kind: "block_actions", Body: []byte(action)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "block_actions click [Tea] (action_id=tea) on msg=RecMsg00000000002 in #general from linus") {
		t.Fatalf("title %q", title)
	}
	w.settle(t)
	if n := len(b.bodies()); n != 2 || !strings.Contains(string(b.bodies()[1]), "chatsim-interactions%2Fresponse%2F") {
		t.Fatalf("interaction not delivered with a fresh response_url: %d %s", n, b.bodies()[n-1])
	}
	if _, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "outgoing", Body: []byte("{"), Location: "x.cassette:3"}); err == nil ||
		!strings.HasPrefix(err.Error(), "x.cassette:3: ") {
		t.Fatalf("bad body: %v", err)
	}
}

func TestControlAPI(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	base := w.srv.URL() + fakes.ControlPrefix
	tests := []struct {
		name, path string
		body       any
		want       int
	}{
		{"add user", "users", map[string]any{"username": "linus", "name": "Linus", "password": "pw"}, 201},
		{"duplicate user", "users", map[string]any{"username": "linus"}, 409},
		{"unknown field", "users", map[string]any{"nick": "x"}, 400},
		{"add room", "rooms", map[string]any{"name": "ops", "type": "p", "members": []string{"linus", "ada"}}, 201},
		{"send", "rooms/ops/messages", map[string]any{"from": "linus", "text": "hi ops"}, 201},
		{"send as a non-member", "rooms/ops/messages", map[string]any{"from": "grace", "text": "x"}, 409},
		{"dm the bot", "dms", map[string]any{"from": "ada", "text": "hello"}, 201},
		{"unknown room", "rooms/nope/messages", map[string]any{"from": "ada", "text": "x"}, 404},
		{"declare outgoing", "integrations/outgoing", map[string]any{"name": "words", "triggerWords": []string{"!x"}}, 201},
		{"add a channel", "rooms", map[string]any{"name": "tea", "members": []string{"ada"}}, 201},
		{"join it", "rooms/tea/join", map[string]any{"from": "grace"}, 201},
		{"leave it", "rooms/tea/leave", map[string]any{"from": "grace"}, 201},
		{"join a private group", "rooms/ops/join", map[string]any{"from": "grace"}, 409},
		{"react with a raw emoji", "messages/nope/react", map[string]any{"from": "ada", "emoji": "x"}, 404},
		{"delete an unknown message", "messages/nope/delete", map[string]any{"from": "ada"}, 404},
	}
	for _, tt := range tests { // in order: they build on each other
		status, body := postJSON(t, base+tt.path, tt.body)
		if status != tt.want {
			t.Fatalf("%s: %d %s, want %d", tt.name, status, body, tt.want)
		}
	}
	resp, err := http.Get(base + "rooms/ops")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Messages []map[string]any `json:"messages"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if len(out.Messages) != 1 || out.Messages[0]["msg"] != "hi ops" {
		t.Fatalf("room ops: %+v", out)
	}
	w.settle(t)
	if n := len(b.bodies()); n != 2 { // "hi ops" and the DM; the trigger-word integration matched neither
		t.Fatalf("bot got %d deliveries", n)
	}
}

func TestDeterministicIDs(t *testing.T) {
	t.Parallel()
	run := func() string {
		w := newWorld(t)
		m, err := w.srv.Send("ada", "#general", "x")
		if err != nil {
			t.Fatal(err)
		}
		return w.srv.BotUser().ID + " " + w.srv.BotToken() + " " + m.ID
	}
	a, b := run(), run()
	if a != b || len(strings.Fields(a)[0]) != 17 {
		t.Fatalf("ids differ between runs or are malformed: %q vs %q", a, b)
	}
}
