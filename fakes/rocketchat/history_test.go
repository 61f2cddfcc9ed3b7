package rocketchat_test

import (
	"fmt"
	"testing"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// TestHistoryIsBounded keeps the last messages of a room and the last
// calls: a message it forgot answers as one Rocket.Chat no longer has.
func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, rocketchat.WithHistory(3))
	var ids []string
	for i := range 5 {
		status, out := rest(t, w.srv, "POST", "chat.postMessage", map[string]any{"channel": "#general", "text": fmt.Sprint("answer ", i)})
		if status != 200 {
			t.Fatalf("chat.postMessage = %d %v", status, out)
		}
		msg, _ := out["message"].(map[string]any)
		id, _ := msg["_id"].(string)
		ids = append(ids, id)
	}
	msgs, err := w.srv.Messages("#general")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].ID != ids[2] {
		t.Errorf("the room holds %d messages, want the last 3", len(msgs))
	}
	tests := []struct {
		name   string
		id     string
		status int
	}{
		{"a forgotten message", ids[0], 400},
		{"a kept message", ids[4], 200},
	}
	for _, tc := range tests {
		status, out := rest(t, w.srv, "POST", "chat.update", map[string]any{"roomId": "GENERAL", "msgId": tc.id, "text": "x"})
		if status != tc.status {
			t.Errorf("%s: chat.update = %d %v, want %d", tc.name, status, out, tc.status)
		}
	}
	if _, err := w.srv.Message(ids[0]); err == nil {
		t.Errorf("Message(%s) found the forgotten message", ids[0])
	}
	if n := len(w.srv.Calls()); n != 3 {
		t.Errorf("keeps %d calls, want 3", n)
	}
}
