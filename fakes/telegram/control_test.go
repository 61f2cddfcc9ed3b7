package telegram_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
)

func TestControlAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	type updated struct {
		Message       telegram.Message       `json:"message"`
		CallbackQuery telegram.CallbackQuery `json:"callback_query"`
		UpdateIDs     []int64                `json:"update_ids"`
		Error         string                 `json:"error"`
	}
	var out updated
	steps := []struct {
		name   string
		method string
		path   string
		body   any
		status int
		check  func(t *testing.T, out updated)
	}{
		{"add a user", "POST", "users", map[string]any{"id": 1003, "first_name": "Cy", "username": "cy"}, 201, nil},
		{"a duplicate user", "POST", "users", map[string]any{"id": 1003, "first_name": "Cy"}, 409, func(t *testing.T, out updated) {
			if out.Error != "add user 1003: already exists" {
				t.Errorf("error %q", out.Error)
			}
		}},
		{"a typo in a field", "POST", "users", map[string]any{"id": 1004, "firstname": "Dee"}, 400, nil},
		{"add a group", "POST", "chats", map[string]any{"id": -4001, "type": "group", "title": "Tea lovers", "members": []int64{ada}}, 201, nil},
		{"a group with a positive id", "POST", "chats", map[string]any{"id": 4001, "type": "group", "title": "x"}, 400, nil},
		{"send text in the private chat", "POST", "chats/1001/messages", map[string]any{"from": ada, "text": "menu"}, 201, func(t *testing.T, out updated) {
			if out.Message.MessageID != 1 || out.Message.Chat.Type != "private" || len(out.UpdateIDs) != 1 || out.UpdateIDs[0] != telegram.FirstUpdateID {
				t.Errorf("got %+v", out)
			}
		}},
		{"send a command", "POST", "chats/1001/commands", map[string]any{"from": ada, "command": "start", "args": "promo"}, 201, func(t *testing.T, out updated) {
			if out.Message.Text != "/start promo" || len(out.Message.Entities) != 1 || out.Message.Entities[0].Type != "bot_command" {
				t.Errorf("got %+v", out.Message)
			}
		}},
		{"send a photo", "POST", "chats/1001/messages", map[string]any{"from": ada, "photo": pngBytes(t, 64, 48), "caption": "my tea"}, 201, func(t *testing.T, out updated) {
			if n := len(out.Message.Photo); n != 1 || out.Message.Photo[0].Width != 64 || out.Message.Caption != "my tea" {
				t.Errorf("got %+v", out.Message)
			}
		}},
		{"edit a message", "POST", "chats/1001/messages/1/edit", map[string]any{"from": ada, "text": "menu please"}, 200, func(t *testing.T, out updated) {
			if out.Message.EditDate == 0 || out.Message.Text != "menu please" || len(out.UpdateIDs) != 1 {
				t.Errorf("got %+v", out)
			}
		}},
		{"edit someone else's message", "POST", "chats/1001/messages/1/edit", map[string]any{"from": bob, "text": "x"}, 409, nil},
		{"a message that does not exist", "POST", "chats/1001/messages/99/edit", map[string]any{"from": ada, "text": "x"}, 404, nil},
		{"a chat that does not exist", "POST", "chats/5/messages", map[string]any{"from": ada, "text": "x"}, 404, nil},
		{"bob writes in a group he is not in", "POST", "chats/-4001/messages", map[string]any{"from": bob, "text": "hi"}, 409, nil},
		{"bob joins", "POST", "chats/-4001/join", map[string]any{"user": bob}, 200, func(t *testing.T, out updated) {
			if len(out.UpdateIDs) != 1 { // the service message; chat_member is not allowed by default
				t.Errorf("got %+v", out)
			}
		}},
		{"bob's plain text is hidden by privacy mode", "POST", "chats/-4001/messages", map[string]any{"from": bob, "text": "hi all"}, 201, func(t *testing.T, out updated) {
			if len(out.UpdateIDs) != 0 {
				t.Errorf("got %+v", out)
			}
		}},
		{"a mention of the bot reaches it", "POST", "chats/-4001/messages", map[string]any{"from": bob, "text": "@chatsim_bot hi"}, 201, func(t *testing.T, out updated) {
			if len(out.UpdateIDs) != 1 {
				t.Errorf("got %+v", out)
			}
		}},
		{"bob leaves", "POST", "chats/-4001/leave", map[string]any{"user": bob}, 200, nil},
		{"block", "POST", "users/1001/block", nil, 200, func(t *testing.T, out updated) {
			if len(out.UpdateIDs) != 1 {
				t.Errorf("got %+v", out)
			}
		}},
		{"a blocked user cannot write", "POST", "chats/1001/messages", map[string]any{"from": ada, "text": "x"}, 409, nil},
		{"unblock", "POST", "users/1001/unblock", nil, 200, nil},
		{"an unknown route", "POST", "chats/1001/dance", nil, 404, nil},
	}
	for _, s := range steps { // sequential: a scene built step by step
		out = updated{}
		if got := w.control(t, s.method, s.path, s.body, &out); got != s.status {
			t.Fatalf("%s: status %d, want %d (%s)", s.name, got, s.status, out.Error)
		}
		if s.check != nil {
			s.check(t, out)
		}
	}

	// Tap: the bot sends a keyboard, ada taps it by text and by data.
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": "What would you like?",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Tea", "callback_data": "tea"}, {"text": "Coffee", "callback_data": "coffee"}}}}})
	var sent telegram.Message
	mustOK(t, status, r, &sent)
	for _, button := range []string{"Coffee", "tea"} {
		out = updated{}
		if got := w.control(t, "POST", "chats/1001/messages/"+itoa(sent.MessageID)+"/tap", map[string]any{"from": ada, "button": button}, &out); got != 200 {
			t.Fatalf("tap %s: %d %s", button, got, out.Error)
		}
		if out.CallbackQuery.ID == "" || out.CallbackQuery.Message.MessageID != sent.MessageID || len(out.UpdateIDs) != 1 {
			t.Errorf("tap %s: %+v", button, out)
		}
	}
	if got := w.control(t, "POST", "chats/1001/messages/"+itoa(sent.MessageID)+"/tap", map[string]any{"from": ada, "button": "Milk"}, &out); got != 404 ||
		out.Error != "tap on message 4 in chat 1001: no such button \"Milk\" (buttons: Tea, Coffee)" {
		t.Errorf("tap Milk: %d %q", got, out.Error)
	}

	// Inspect.
	var chat struct {
		Chat     telegram.Chat     `json:"chat"`
		Members  map[string]string `json:"members"`
		Messages []telegram.Entry  `json:"messages"`
	}
	if got := w.control(t, "GET", "chats/1001", nil, &chat); got != 200 {
		t.Fatalf("get chat: %d", got)
	}
	var lines []string
	for _, e := range chat.Messages {
		lines = append(lines, e.Line)
	}
	want := []string{
		"@ada  ▸ menu please  (edited)",
		"@ada  ▸ /start promo",
		"@ada  ▸ (photo) my tea",
		"bot  ◂ What would you like?  [Tea] [Coffee]",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("chat lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if taps := chat.Messages[3].Taps; len(taps) != 2 || taps[0].Data != "coffee" || taps[0].Answered {
		t.Errorf("taps: %+v", taps)
	}
	var group struct {
		Members map[string]string `json:"members"`
	}
	w.control(t, "GET", "chats/-4001", nil, &group)
	if group.Members["1002"] != "left" || group.Members["1001"] != "member" || group.Members["123456789"] != "member" {
		t.Errorf("group members: %v", group.Members)
	}
	var calls struct {
		Calls []telegram.Call `json:"calls"`
	}
	w.control(t, "GET", "calls", nil, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0].Method != "sendMessage" || calls.Calls[0].Params["chat_id"] != "1001" {
		t.Errorf("calls: %+v", calls.Calls)
	}
	var pending struct {
		Pending []json.RawMessage `json:"pending"`
	}
	w.control(t, "GET", "updates", nil, &pending)
	if len(pending.Pending) != 11 {
		t.Errorf("pending updates: %d, want 11", len(pending.Pending))
	}
	var hook struct {
		telegram.WebhookInfo
		SecretTokenSet bool `json:"secret_token_set"`
	}
	w.control(t, "GET", "webhook", nil, &hook)
	if hook.URL != "" || hook.PendingUpdateCount != 11 {
		t.Errorf("webhook: %+v", hook)
	}
	var index struct {
		Routes []fakes.ControlRoute `json:"routes"`
	}
	if got := w.control(t, "GET", "", nil, &index); got != http.StatusOK || len(index.Routes) == 0 {
		t.Errorf("index: %d %v", got, index)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
