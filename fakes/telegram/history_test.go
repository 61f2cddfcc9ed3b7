package telegram_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
)

// TestHistoryIsBounded keeps the last messages of a chat, the last calls
// and callback queries: what it forgot answers as Telegram answers for
// what it no longer has.
func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, telegram.WithHistory(3))
	if _, err := w.srv.SendText(ada, ada, "hi"); err != nil { // message 1 opens the chat
		t.Fatal(err)
	}
	for i := range 5 { // messages 2 to 6
		status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": fmt.Sprint("answer ", i)})
		mustOK(t, status, r, nil)
	}
	if got := len(w.srv.Transcript(ada)); got != 3 {
		t.Errorf("the chat shows %d messages, want the last 3", got)
	}
	if h := w.srv.History(ada); len(h) != 3 || h[0].Message.MessageID != 4 {
		t.Errorf("the history holds %d messages from %d, want 3 from 4", len(h), h[0].Message.MessageID)
	}
	tests := []struct {
		name, method string
		body         map[string]any
		status       int
		desc         string
	}{
		{"a forgotten message", "editMessageText", map[string]any{"chat_id": ada, "message_id": 2, "text": "x"}, 400, "Bad Request: message to edit not found"},
		{"a kept message", "editMessageText", map[string]any{"chat_id": ada, "message_id": 6, "text": "x"}, 200, ""},
		{"a forgotten message deleted", "deleteMessage", map[string]any{"chat_id": ada, "message_id": 3}, 400, "Bad Request: message to delete not found"},
	}
	for _, tc := range tests {
		status, r := w.api(t, tc.method, tc.body)
		if status != tc.status || r.Description != tc.desc {
			t.Errorf("%s: %s = %d %q, want %d %q", tc.name, tc.method, status, r.Description, tc.status, tc.desc)
		}
	}
	calls := w.srv.Calls()
	if len(calls) != 3 || calls[2].Seq != 8 {
		t.Errorf("keeps %d calls, the last numbered %d; want 3, the last 8", len(calls), calls[len(calls)-1].Seq)
	}
	for i := range 4 {
		raw, _ := json.Marshal(map[string]any{"update_id": 200000000 + i, "callback_query": map[string]any{
			"id": fmt.Sprint("cb", i), "from": map[string]any{"id": ada, "is_bot": false, "first_name": "Ada"}, "chat_instance": "1", "data": "x"}})
		if _, err := w.srv.InjectUpdate(raw); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		id     string
		status int
	}{{"cb0", 400}, {"cb3", 200}} {
		if status, r := w.api(t, "answerCallbackQuery", map[string]any{"callback_query_id": tc.id}); status != tc.status {
			t.Errorf("answerCallbackQuery %s = %d %q, want %d", tc.id, status, r.Description, tc.status)
		}
	}
}
