package rocketchat_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func TestPeopleEditDeleteMention(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m, err := w.srv.Send("ada", "#general", "hi @grace and @chatsim.bot, not @nobody")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Mentions) != 2 || m.Mentions[0].Username != "grace" || m.Mentions[1].Username != rocketchat.DefaultBotUsername {
		t.Fatalf("mentions = %+v", m.Mentions)
	}
	if _, err := w.srv.Edit("ada", m.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	got, err := w.srv.Message(m.ID)
	if err != nil || got.Text != "hello" || len(got.History) != 1 || got.History[0].Text != m.Text || got.History[0].By.Username != "ada" ||
		len(got.Mentions) != 0 {
		t.Fatalf("after edit %+v, %v", got, err)
	}
	tests := []struct {
		name string
		user string
		want error
	}{
		{"someone else's message", "grace", rocketchat.ErrInvalid},
		{"an unknown user", "zed", rocketchat.ErrUnknownUser},
		{"the author", "ada", nil},
		{"a deleted message", "ada", rocketchat.ErrUnknownMessage},
	}
	for _, tt := range tests { // in order: the author deletes it
		if err := w.srv.Delete(tt.user, m.ID); !errors.Is(err, tt.want) {
			t.Errorf("%s: Delete = %v, want %v", tt.name, err, tt.want)
		}
	}
	if msgs, _ := w.srv.Messages("#general"); len(msgs) != 0 {
		t.Fatalf("#general still shows %+v", msgs)
	}
}

func TestReactionsTakeShortcodes(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m, err := w.srv.Send("ada", "#general", "tea?")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, emoji string
		ok          bool
	}{
		{"a shortcode", "+1", true},
		{"with colons", ":tada:", true},
		{"a raw emoji", "👍", false},
		{"empty", "::", false},
		{"spaces", "thumbs up", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.srv.React("grace", m.ID, tt.emoji)
			if tt.ok != (err == nil) || !tt.ok && !errors.Is(err, rocketchat.ErrInvalid) {
				t.Fatalf("React(%q) = %v", tt.emoji, err)
			}
			status, out := rest(t, w.srv, "POST", "chat.react", map[string]any{"messageId": m.ID, "emoji": tt.emoji})
			if tt.ok != (status == 200) {
				t.Fatalf("chat.react %q: %d %v", tt.emoji, status, out)
			}
			if !tt.ok && (out["error"] != "Invalid emoji provided. [error-not-allowed]" || out["errorType"] != "error-not-allowed") {
				t.Fatalf("chat.react %q: %v", tt.emoji, out)
			}
		})
	}
}

func TestJoinAndLeave(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	for _, ev := range []string{"roomJoined", "roomLeft"} {
		if _, err := w.srv.AddOutgoing(rocketchat.Outgoing{Name: ev, Event: ev, Channels: []string{"all_public_channels"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.srv.AddUser(rocketchat.User{Username: "cleo", Name: "Cleo Patra"}); err != nil {
		t.Fatal(err)
	}
	room, err := w.srv.AddRoom("tea", "c", "ada", rocketchat.DefaultBotUsername)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		do   func() (rocketchat.Message, error)
		want error
		sys  string
	}{
		{"cleo joins", func() (rocketchat.Message, error) { return w.srv.Join("cleo", "#tea") }, nil, "uj"},
		{"cleo joins again", func() (rocketchat.Message, error) { return w.srv.Join("cleo", "#tea") }, rocketchat.ErrExists, ""},
		{"a private group", func() (rocketchat.Message, error) { return w.srv.Join("cleo", "#team") }, rocketchat.ErrNotMember, ""},
		{"cleo leaves", func() (rocketchat.Message, error) { return w.srv.Leave("cleo", "tea") }, nil, "ul"},
		{"cleo leaves again", func() (rocketchat.Message, error) { return w.srv.Leave("cleo", "tea") }, rocketchat.ErrNotMember, ""},
		{"a DM", func() (rocketchat.Message, error) { return w.srv.Leave("ada", "@ada") }, rocketchat.ErrInvalid, ""},
	}
	for _, tt := range tests { // in order: they change the room
		m, err := tt.do()
		if !errors.Is(err, tt.want) || err == nil && (m.Type != tt.sys || m.Text != "cleo") {
			t.Errorf("%s: %+v, %v; want %v", tt.name, m, err, tt.want)
		}
	}
	w.settle(t)
	got := b.outgoing(t)
	if len(got) != 2 || got[0]["user_name"] != "cleo" || got[0]["channel_id"] != room.ID || got[0]["channel_name"] != "tea" ||
		got[0]["token"] == "" || got[0]["message_id"] != nil || got[0]["room"] == nil || got[0]["user"] == nil {
		t.Fatalf("room events delivered %v", got)
	}
	w.hasLine(t, "deliver outgoing roomJoined #tea cleo")
	w.hasLine(t, "deliver outgoing roomLeft #tea cleo")
	msgs, _ := w.srv.Messages("#tea")
	if len(msgs) != 2 || msgs[0].Type != "uj" || msgs[1].Type != "ul" {
		t.Fatalf("#tea shows %+v", msgs)
	}
}

func TestUpdateOutgoingKeepsTokenAndURL(t *testing.T) {
	t.Parallel()
	b := newBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	before := w.srv.Outgoings()[0]
	after, err := w.srv.UpdateOutgoing(before.ID, func(o *rocketchat.Outgoing) {
		o.TriggerWords, o.RunOnEdits = []string{"!menu"}, true
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Token != before.Token || after.ID != before.ID || len(after.URLs) != 1 || after.URLs[0] != b.srv.URL || !after.RunOnEdits {
		t.Fatalf("updated %+v from %+v", after, before)
	}
	if _, err := w.srv.UpdateOutgoing(before.ID, func(o *rocketchat.Outgoing) { o.Event = "fileUploaded" }); !errors.Is(err, rocketchat.ErrInvalid) {
		t.Fatalf("bad event: %v", err)
	}
	if _, err := w.srv.UpdateOutgoing("nope", func(*rocketchat.Outgoing) {}); !errors.Is(err, rocketchat.ErrUnknownIntegration) {
		t.Fatalf("unknown id: %v", err)
	}
	if len(w.srv.Outgoings()) != 1 || !w.srv.Outgoings()[0].RunOnEdits {
		t.Fatalf("outgoings %+v", w.srv.Outgoings())
	}
	for _, text := range []string{"hello", "!menu please"} {
		if _, err := w.srv.Send("ada", "#general", text); err != nil {
			t.Fatal(err)
		}
	}
	w.settle(t)
	if got := b.outgoing(t); len(got) != 1 || got[0]["trigger_word"] != "!menu" {
		t.Fatalf("delivered %v", got)
	}
}

func TestResponseURLExpiresAtOnceWithNoTTL(t *testing.T) {
	t.Parallel()
	b, got := interactionBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	w.srv.SetResponseURLTTL(0)
	_, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "Pick", "blocks": teaCoffee})
	id := out["message"].(map[string]any)["_id"].(string)
	if _, err := w.srv.Click("ada", id, "Tea"); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	status, body := postJSON(t, (*got)[0].ResponseURL, map[string]any{"replace_original": true, "text": "late"})
	if status != 400 || len(body) != 0 {
		t.Fatalf("%d %q, want 400 and an empty body", status, body)
	}
	w.hasLine(t, "response_url → 400 response_url expired")
}

func TestReplayedClickActsOnTheLiveMessage(t *testing.T) {
	t.Parallel()
	b, got := interactionBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	_, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "What would you like?", "blocks": teaCoffee})
	live := out["message"].(map[string]any)["_id"].(string)
	recorded := `{"type":"block_actions","user":{"id":"RecUser0000000001","username":"ada","name":"Ada Lovelace"},
		"channel":{"id":"GENERAL","name":"general","type":"c"},"response_url":"https://old/x",
		"original_message":{"_id":"RecMsg00000000002","msg":"What would you like?","blocks":[]},
		"actions":[{"type":"button","block_id":"drink","action_id":"coffee","value":"coffee","text":{"type":"plain_text","text":"Coffee"}}]}`
	title, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "block_actions", Body: []byte(strings.ReplaceAll(recorded, "\n", ""))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "on msg="+live+" in #general from ada") {
		t.Fatalf("title %q, want the click on the live message %s", title, live)
	}
	w.settle(t)
	if len(*got) != 1 {
		t.Fatalf("delivered %d payloads", len(*got))
	}
	if msgs, _ := w.srv.Messages("#general"); len(msgs) != 1 || msgs[0].ID != live {
		t.Fatalf("#general holds %d messages, want only the live one", len(msgs))
	}
}

func TestContextBlocksAreSummarized(t *testing.T) {
	t.Parallel()
	blocks := `[{"type":"section","text":{"type":"mrkdwn","text":"What would you like?"}},
		{"type":"context","elements":[{"type":"mrkdwn","text":"✓ Coffee"},{"type":"plain_text","text":"chosen by @ada"}]},
		{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Again"}}]}]`
	if got := rocketchat.SummarizeBlocks([]byte(blocks)); got != `[Again] context["✓ Coffee chosen by @ada"]` {
		t.Fatalf("SummarizeBlocks = %s", got)
	}
	if got := rocketchat.ContextTexts([]byte(blocks)); len(got) != 1 || got[0] != "✓ Coffee chosen by @ada" {
		t.Fatalf("ContextTexts = %q", got)
	}
}
