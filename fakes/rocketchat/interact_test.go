package rocketchat_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

var menuBlocks = []map[string]any{
	{"type": "actions", "blockId": "pick", "elements": []map[string]any{
		{"type": "static_select", "actionId": "size", "placeholder": map[string]any{"type": "plain_text", "text": "Size"},
			"options": []map[string]any{
				{"text": map[string]any{"type": "plain_text", "text": "Small"}, "value": "s"},
				{"text": map[string]any{"type": "plain_text", "text": "Large"}, "value": "l"},
			}},
		{"type": "overflow", "actionId": "more", "options": []map[string]any{
			{"text": map[string]any{"type": "plain_text", "text": "Help"}, "value": "help"},
		}},
		{"type": "datepicker", "actionId": "when", "initial_date": "2026-01-01"},
	}},
}

// interactionBot decodes every payload with slack-go and answers through
// response_url with answer(cb), before acknowledging.
func interactionBot(t *testing.T, answer func(cb slack.InteractionCallback) map[string]any) (*bot, *[]slack.InteractionCallback) {
	var mu sync.Mutex
	var got []slack.InteractionCallback
	b := newBot(t, func(r *http.Request, body []byte) (int, string, string) {
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			t.Errorf("payload is not a form: %v", err)
			return 400, "", ""
		}
		var cb slack.InteractionCallback
		if err := json.Unmarshal([]byte(vs.Get("payload")), &cb); err != nil {
			t.Errorf("slack-go cannot decode the payload: %v\n%s", err, vs.Get("payload"))
			return 400, "", ""
		}
		mu.Lock()
		got = append(got, cb)
		mu.Unlock()
		if answer != nil {
			if a := answer(cb); a != nil {
				status, raw := postJSON(t, cb.ResponseURL, a)
				if status != 200 {
					t.Errorf("response_url: %d %s", status, raw)
				}
			}
		}
		return 200, "text/plain", "ok"
	})
	return b, &got
}

func TestInteractionClickReplacesMessage(t *testing.T) {
	t.Parallel()
	b, got := interactionBot(t, func(cb slack.InteractionCallback) map[string]any {
		return map[string]any{"replace_original": true, "text": "One " + cb.ActionCallback.BlockActions[0].Value + " coming up.",
			"blocks": []map[string]any{{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "Done"}}}}
	})
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	_, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "What would you like?", "blocks": teaCoffee})
	id := out["message"].(map[string]any)["_id"].(string)
	w.settle(t)
	if _, err := w.srv.Click("ada", id, "Coffee"); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if len(*got) != 1 {
		t.Fatalf("bot got %d payloads", len(*got))
	}
	cb := (*got)[0]
	a := cb.ActionCallback.BlockActions[0]
	if cb.Type != slack.InteractionTypeBlockActions || cb.Channel.ID != rocketchat.GeneralID || cb.Channel.Name != "general" ||
		cb.User.Name != "Ada Lovelace" || cb.User.ID == "" || cb.TriggerID == "" ||
		a.ActionID != "coffee" || a.BlockID != "drink" || a.Value != "coffee" || a.Text.Text != "Coffee" || a.ActionTs == "" {
		t.Fatalf("callback = %+v action %+v", cb, a)
	}
	if cb.OriginalMessage.Text != "What would you like?" || len(cb.OriginalMessage.Blocks.BlockSet) != 2 {
		t.Fatalf("original_message = %+v", cb.OriginalMessage)
	}
	m, err := w.srv.Message(id)
	if err != nil || m.Text != "One coffee coming up." || !strings.Contains(string(m.Blocks), "Done") || strings.Contains(string(m.Blocks), "button") {
		t.Fatalf("message after replace = %+v (%s), %v", m, m.Blocks, err)
	}
	w.hasLine(t, "deliver block_actions click [Coffee] (action_id=coffee) on msg="+id+" in #general from ada")
	w.hasLine(t, "response_url replace msg="+id+` "What would you like?" [Tea][Coffee] → "One coffee coming up."`)
	if len(m.History) != 1 || m.History[0].Text != "What would you like?" || !strings.Contains(string(m.History[0].Blocks), "button") {
		t.Fatalf("history after replace = %+v", m.History)
	}
}

func TestInteractionSelectAndDate(t *testing.T) {
	t.Parallel()
	b, got := interactionBot(t, func(cb slack.InteractionCallback) map[string]any {
		return map[string]any{"text": "noted"} // a new message
	})
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	_, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "@ada", "text": "Options", "blocks": menuBlocks})
	id := out["message"].(map[string]any)["_id"].(string)
	w.hasLine(t, `chat.postMessage @ada "Options" select[Small|Large]overflow[Help]datepicker[2026-01-01]`)
	if _, err := w.srv.Select("ada", id, "", "Large"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Select("ada", id, "more", "help"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.PickDate("ada", id, "", "2026-02-03"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.Select("ada", id, "", "Medium"); err == nil {
		t.Fatal("select of a missing option: no error")
	}
	w.settle(t)
	if len(*got) != 3 {
		t.Fatalf("bot got %d payloads", len(*got))
	}
	sel, ovf, date := (*got)[0].ActionCallback.BlockActions[0], (*got)[1].ActionCallback.BlockActions[0], (*got)[2].ActionCallback.BlockActions[0]
	if sel.Type != "static_select" || sel.SelectedOption.Value != "l" || sel.SelectedOption.Text.Text != "Large" || sel.BlockID != "pick" {
		t.Errorf("select action %+v", sel)
	}
	if ovf.Type != "overflow" || ovf.SelectedOption.Value != "help" {
		t.Errorf("overflow action %+v", ovf)
	}
	if date.Type != "datepicker" || date.SelectedDate != "2026-02-03" || date.InitialDate != "2026-01-01" {
		t.Errorf("date action %+v", date)
	}
	if (*got)[0].Channel.Name != rocketchat.DefaultBotUsername { // the DM as ada sees it
		t.Errorf("DM channel = %+v", (*got)[0].Channel)
	}
	msgs, _ := w.srv.Messages("@ada")
	if len(msgs) != 4 || msgs[3].Text != "noted" {
		t.Fatalf("DM holds %+v", msgs)
	}
}

func TestResponseURLLimits(t *testing.T) {
	t.Parallel()
	b, got := interactionBot(t, nil)
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	_, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": "Pick", "blocks": teaCoffee})
	id := out["message"].(map[string]any)["_id"].(string)
	for range 2 {
		if _, err := w.srv.Click("ada", id, "tea"); err != nil {
			t.Fatal(err)
		}
	}
	w.settle(t)
	usedUp, expired := (*got)[0].ResponseURL, (*got)[1].ResponseURL
	for i := range rocketchat.ResponseURLUses {
		if status, body := postJSON(t, usedUp, map[string]any{"text": "follow-up"}); status != 200 {
			t.Fatalf("use %d: %d %s", i+1, status, body)
		}
	}
	tests := []struct {
		name string
		url  string
		wait time.Duration
	}{
		{"used up", usedUp, 0},
		{"expired", expired, rocketchat.ResponseURLTTL + time.Second},
		{"unknown", w.srv.URL() + "/api/apps/public/chatsim-interactions/response/nope", 0},
	}
	for _, tt := range tests { // sequential: they share the clock
		w.clock.Advance(tt.wait)
		status, body := postJSON(t, tt.url, map[string]any{"text": "late"})
		if status != 400 || len(body) != 0 {
			t.Errorf("%s: %d %q, want 400 and an empty body", tt.name, status, body)
		}
	}
	w.hasLine(t, "response_url → 400 response_url used up")
	w.hasLine(t, "response_url → 400 response_url expired")
}
