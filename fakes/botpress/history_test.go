package botpress

import (
	"fmt"
	"testing"
)

// TestHistoryIsBounded keeps the last messages of each conversation and
// the last events: a message it forgot is 404 as a deleted one is, and
// get-or-create makes a new one; another conversation keeps its own.
func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		history int
		held    int // of the 5 messages sent to the first conversation
	}{
		{"bounded", 3, 3},
		{"the default", 0, 5},
		{"unbounded", -1, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.history != 0 {
				opts = append(opts, WithHistory(tc.history))
			}
			e := newEnv(t, append(opts, WithBot([]BotRule{}))...)
			uid, cid := e.seed()
			other := e.mustCall("POST", "/v1/chat/conversations/get-or-create", map[string]any{"channel": "channel", "tags": map[string]string{"id": "2002"}}).str("conversation", "id")
			var ids []string
			for i := range 5 {
				body := map[string]any{"type": "text", "payload": map[string]any{"text": fmt.Sprint("hi ", i)}, "userId": uid, "conversationId": cid, "tags": map[string]string{"id": fmt.Sprint(i)}}
				ids = append(ids, e.mustCall("POST", "/v1/chat/messages/get-or-create", body).str("message", "id"))
			}
			e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": "elsewhere"}, "userId": uid, "conversationId": other, "tags": map[string]string{}})
			for i := range 5 {
				e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "reactionAdded", "payload": map[string]any{"n": i}})
			}
			msgs := e.p.Messages()
			if got, want := len(msgs), tc.held+1; got != want {
				t.Fatalf("holds %d messages, want %d", got, want)
			}
			if got, want := e.p.DroppedMessages(), 5-tc.held; got != want {
				t.Errorf("DroppedMessages = %d, want %d", got, want)
			}
			if got := len(e.p.Events()); got != tc.held {
				t.Errorf("holds %d events, want %d", got, tc.held)
			}
			if msgs[len(msgs)-1].ConversationID != other {
				t.Errorf("the other conversation's message is gone")
			}
			first := e.call("GET", "/v1/chat/messages/"+ids[0], nil)
			again := e.mustCall("POST", "/v1/chat/messages/get-or-create", map[string]any{"type": "text", "payload": map[string]any{"text": "hi 0"}, "userId": uid, "conversationId": cid, "tags": map[string]string{"id": "0"}}).str("message", "id")
			if tc.held < 5 {
				wantError(t, first, 404, "ResourceNotFound")
				if again == ids[0] {
					t.Errorf("get-or-create found the forgotten message %s", again)
				}
			} else if first.status != 200 || again != ids[0] {
				t.Errorf("the first message: %d, get-or-create %s; want it found", first.status, again)
			}
			if e.p.st.history > 0 && len(e.p.st.msgsByTag) > e.p.st.history+1 {
				t.Errorf("the tag index holds %d keys for %d messages", len(e.p.st.msgsByTag), len(e.p.Messages()))
			}
		})
	}
}
