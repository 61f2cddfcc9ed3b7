package slack_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// What a scenario declares is there from the start: the Web API shows it,
// and the app gets no event for it.
func TestDeclare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, w *world) error
		want error
	}{
		{"a channel with members", func(t *testing.T, w *world) error {
			if _, err := w.srv.AddUser(slack.User{ID: "U0BOB", Name: "bob"}); err != nil {
				return err
			}
			c, err := w.srv.DeclareChannel(slack.Channel{ID: "G0TEA", Name: "#tea", Private: true, Members: []string{"bob", "bot"}, Creator: "bob"})
			if err != nil {
				return err
			}
			info, err := w.api.GetConversationInfo(&slackgo.GetConversationInfoInput{ChannelID: c.ID})
			if err != nil || !info.IsPrivate || info.Name != "tea" || !info.IsMember {
				t.Errorf("conversations.info = %+v, %v", info, err)
			}
			return nil
		}, nil},
		{"a DM", func(t *testing.T, w *world) error {
			c, err := w.srv.DeclareChannel(slack.Channel{IM: "grace"})
			if err != nil {
				return err
			}
			if !strings.HasPrefix(c.ID, "D") || len(c.Members) != 2 {
				t.Errorf("DM = %+v", c)
			}
			_, err = w.srv.DeclareChannel(slack.Channel{IM: "grace"})
			return err
		}, slack.ErrExists},
		{"a channel name taken", func(t *testing.T, w *world) error {
			_, err := w.srv.DeclareChannel(slack.Channel{Name: "general"})
			return err
		}, slack.ErrExists},
		{"an unknown member", func(t *testing.T, w *world) error {
			_, err := w.srv.DeclareChannel(slack.Channel{Name: "tea", Members: []string{"nobody"}})
			return err
		}, slack.ErrUnknownUser},
		{"the bot leaves a channel", func(t *testing.T, w *world) error {
			if err := w.srv.DeclareMember("general", "bot", false); err != nil {
				return err
			}
			if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hello"}); err != nil {
				return err
			}
			_, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("x", false))
			if err == nil || err.Error() != "not_in_channel" {
				t.Errorf("post outside the channel: %v, want not_in_channel", err)
			}
			return nil
		}, nil},
		{"a profile", func(t *testing.T, w *world) error {
			u, err := w.srv.DeclareUser(slack.User{Name: "ada", RealName: "Ada Byron"})
			if err != nil {
				return err
			}
			got, err := w.api.GetUserInfo(u.ID)
			if err != nil || got.RealName != "Ada Byron" || got.Profile.Email != "ada@example.com" {
				t.Errorf("users.info = %+v, %v", got, err)
			}
			_, err = w.srv.DeclareUser(slack.User{Name: "bot"})
			return err
		}, slack.ErrUnknownUser},
		{"a modal", func(t *testing.T, w *world) error {
			v, err := w.srv.OpenModal("ada", map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": "Order"},
				"blocks": []any{map[string]any{"type": "input", "block_id": "drink", "label": map[string]any{"type": "plain_text", "text": "Drink"},
					"element": map[string]any{"type": "plain_text_input", "action_id": "drink"}}}})
			if err != nil {
				return err
			}
			if vs := w.srv.Views(); len(vs) != 1 || vs[0].ID != v.ID || vs[0].Title != "Order" || vs[0].Closed {
				t.Errorf("views = %+v", vs)
			}
			if _, err := w.srv.Submit(slack.Submission{User: "ada", Values: map[string]string{"Drink": "tea"}}); err != nil {
				return err
			}
			_, err = w.srv.OpenModal("ada", map[string]any{"type": "home"})
			return err
		}, slack.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			a := newApp(t, w.srv.SigningSecret(), nil)
			if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
				t.Fatal(err)
			}
			if err := tc.run(t, w); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			w.settle(t)
			for _, r := range a.requests() {
				if r.Kind == "event" {
					t.Errorf("an event for a declaration: %s", r.Body)
				}
			}
		})
	}
}

// Redeliver sends an event again as Slack's retry: same event_id, the
// retry headers counting up.
func TestRedeliver(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	evs := w.srv.Events()
	if len(evs) != 1 || evs[0].Type != "message" || evs[0].User != "U0ADA" || evs[0].Text != "hi" || evs[0].Channel != "C0GENERAL" {
		t.Fatalf("events = %+v", evs)
	}
	for _, reason := range []string{"", "http_error"} {
		if _, err := w.srv.Redeliver(evs[0].ID, reason); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
	}
	if _, err := w.srv.Redeliver("Ev0NOPE", ""); !errors.Is(err, slack.ErrUnknownMessage) {
		t.Errorf("unknown event: %v", err)
	}
	if got := strings.Join(retryHeaders(a.requests()), " "); got != "/ 1/http_timeout 2/http_error" {
		t.Errorf("deliveries = %s", got)
	}
	var ids []string
	for _, r := range a.requests() {
		if r.Kind == "event" {
			if r.VerifyErr != nil || r.ParseErr != nil {
				t.Errorf("verify %v, parse %v", r.VerifyErr, r.ParseErr)
			}
			ids = append(ids, r.Event.InnerEvent.Type+" "+eventID(r))
		}
	}
	if len(ids) != 3 || ids[0] != ids[1] || ids[1] != ids[2] {
		t.Errorf("deliveries = %v, want one event three times", ids)
	}
}

func eventID(r received) string {
	if cb, ok := r.Event.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return "?"
}
