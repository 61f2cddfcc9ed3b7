package rocketchat_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func TestOutgoingWebhook(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		declare  rocketchat.Outgoing
		reply    func(r *http.Request, body []byte) (int, string, string)
		act      func(t *testing.T, w *world)
		wantSent []string // texts the bot received
		wantRoom []string // texts #general holds afterwards
		wantLine string
	}{
		{
			name: "reply in the response is posted",
			reply: func(*http.Request, []byte) (int, string, string) {
				return 200, "application/json", `{"text":"hello ada"}`
			},
			act: func(t *testing.T, w *world) {
				mustSend(t, w, "ada", "#general", "hi")
			},
			wantSent: []string{"hi"},
			wantRoom: []string{"hi", "hello ada"},
			wantLine: `webhook reply #general "hello ada"`,
		},
		{
			name:  "a text/plain answer is not posted",
			reply: func(*http.Request, []byte) (int, string, string) { return 200, "text/plain", `{"text":"nope"}` },
			act: func(t *testing.T, w *world) {
				mustSend(t, w, "ada", "#general", "hi")
			},
			wantSent: []string{"hi"},
			wantRoom: []string{"hi"},
		},
		{
			name:    "trigger words at the start only",
			declare: rocketchat.Outgoing{Name: "menu", TriggerWords: []string{"!menu", "!help"}},
			act: func(t *testing.T, w *world) {
				mustSend(t, w, "ada", "#general", "please !menu")
				mustSend(t, w, "ada", "#general", "!help me")
			},
			wantSent: []string{"!help me"},
			wantRoom: []string{"please !menu", "!help me"},
			wantLine: `deliver outgoing message in #general from ada: "!help me" (trigger_word=!help)`,
		},
		{
			name: "the bot's own messages are not sent back",
			act: func(t *testing.T, w *world) {
				rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "from the bot"})
				mustSend(t, w, "grace", "#general", "from grace")
			},
			wantSent: []string{"from grace"},
			wantRoom: []string{"from the bot", "from grace"},
		},
		{
			name:  "410 disables the integration",
			reply: func(*http.Request, []byte) (int, string, string) { return 410, "text/plain", "gone" },
			act: func(t *testing.T, w *world) {
				mustSend(t, w, "ada", "#general", "one")
				w.settle(t)
				mustSend(t, w, "ada", "#general", "two")
			},
			wantSent: []string{"one"},
			wantRoom: []string{"one", "two"},
			wantLine: "→ 410 Gone (integration",
		},
		{
			name:    "edits go out only with runOnEdits",
			declare: rocketchat.Outgoing{Name: "edits", RunOnEdits: true},
			act: func(t *testing.T, w *world) {
				m := mustSend(t, w, "ada", "#general", "draft")
				w.settle(t)
				if _, err := w.srv.Edit("ada", m.ID, "final"); err != nil {
					t.Fatal(err)
				}
			},
			wantSent: []string{"draft", "final"},
			wantRoom: []string{"final"},
			wantLine: `deliver outgoing edited message in #general from ada: "final"`,
		},
		{
			name:    "retries on the clock",
			declare: rocketchat.Outgoing{Name: "retry", RetryFailedCalls: true, RetryCount: 2, RetryDelay: "powers-of-two"},
			reply:   func(*http.Request, []byte) (int, string, string) { return 503, "text/plain", "" },
			act: func(t *testing.T, w *world) {
				mustSend(t, w, "ada", "#general", "again")
			},
			wantSent: []string{"again", "again", "again"},
			wantRoom: []string{"again"},
			wantLine: "→ 503 Service Unavailable (dropped after 3 attempts)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newBot(t, tt.reply)
			w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
			if tt.declare.Name != "" {
				w.srv.ClearOutgoing()
				if _, err := w.srv.AddOutgoing(tt.declare); err != nil {
					t.Fatal(err)
				}
			}
			tt.act(t, w)
			w.settle(t)
			var sent []string
			for _, m := range b.outgoing(t) {
				if m["token"] != w.srv.WebhookToken() || m["channel_name"] != "general" || m["user_id"] == "" {
					t.Errorf("body %v lacks token, channel_name or user_id", m)
				}
				sent = append(sent, m["text"].(string))
			}
			if strings.Join(sent, "|") != strings.Join(tt.wantSent, "|") {
				t.Errorf("bot got %q, want %q", sent, tt.wantSent)
			}
			msgs, _ := w.srv.Messages("#general")
			var room []string
			for _, m := range msgs {
				room = append(room, m.Text)
			}
			if strings.Join(room, "|") != strings.Join(tt.wantRoom, "|") {
				t.Errorf("#general holds %q, want %q", room, tt.wantRoom)
			}
			if tt.wantLine != "" {
				w.hasLine(t, tt.wantLine)
			}
		})
	}
}

func mustSend(t *testing.T, w *world, user, room, text string) rocketchat.Message {
	t.Helper()
	m, err := w.srv.Send(user, room, text)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOutgoingBodyShape(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	m, err := w.srv.SendDM("ada", "hello bot")
	if err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	got := b.outgoing(t)
	if len(got) != 1 {
		t.Fatalf("bot got %d bodies", len(got))
	}
	want := map[string]any{"token": w.srv.WebhookToken(), "bot": false, "channel_id": m.RoomID, "message_id": m.ID,
		"timestamp": "2026-01-01T00:00:00.000Z", "user_id": m.User.ID, "user_name": "ada", "text": "hello bot", "siteUrl": w.srv.URL()}
	wb, _ := json.Marshal(want)
	gb, _ := json.Marshal(got[0])
	if string(wb) != string(gb) {
		t.Fatalf("body\n got %s\nwant %s", gb, wb)
	}
	if ct := b.ctype[0]; ct != "application/json" {
		t.Fatalf("content type %q", ct)
	}
}

func TestIncomingWebhook(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	hook := w.srv.Incomings()[0]
	base := w.srv.URL() + "/hooks/" + hook.ID + "/"
	if status, body := postJSON(t, base+hook.Token, map[string]any{"text": "deployed", "alias": "CI"}); status != 200 || string(body) != `{"success":true}` {
		t.Fatalf("json hook: %d %s", status, body)
	}
	form := url.Values{"payload": {`{"text":"from a form","channel":"#team"}`}}
	resp, err := http.PostForm(base+hook.Token, form)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("form hook: %v %v", resp, err)
	}
	resp.Body.Close()
	if status, _ := postJSON(t, base+"wrong", map[string]any{"text": "x"}); status != 404 {
		t.Fatalf("bad token: %d", status)
	}
	general, _ := w.srv.Messages("#general")
	team, _ := w.srv.Messages("#team")
	if len(general) != 1 || general[0].Text != "deployed" || general[0].Alias != "CI" || len(team) != 1 || team[0].Text != "from a form" {
		t.Fatalf("general %+v team %+v", general, team)
	}
}
