package slack_test

import (
	"fmt"
	"testing"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

// TestHistoryIsBounded keeps the last messages of a channel and the last
// calls: a message it forgot is message_not_found, as one Slack no longer
// has.
func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, slack.WithHistory(3))
	var ts []string
	for i := range 5 {
		_, id, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText(fmt.Sprint("answer ", i), false))
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, id)
	}
	msgs, err := w.srv.Messages("general")
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 || msgs[0].TS != ts[2] {
		t.Errorf("the channel holds %d messages, want the last 3", len(msgs))
	}
	tests := []struct {
		name    string
		ts      string
		wantErr string
	}{
		{"a forgotten message", ts[0], "message_not_found"},
		{"a kept message", ts[4], ""},
	}
	for _, tc := range tests {
		_, _, _, err := w.api.UpdateMessage("C0GENERAL", tc.ts, slackgo.MsgOptionText("x", false))
		if got := fmt.Sprint(err); (tc.wantErr == "" && err != nil) || (tc.wantErr != "" && got != tc.wantErr) {
			t.Errorf("%s: chat.update = %v, want %q", tc.name, err, tc.wantErr)
		}
	}
	calls := w.srv.Calls()
	if len(calls) != 3 || calls[2].Seq != 7 {
		t.Errorf("keeps %d calls, the last numbered %d; want 3, the last 7", len(calls), calls[len(calls)-1].Seq)
	}
	w.settle(t)
	if n := len(w.srv.Deliveries()); n > 3 {
		t.Errorf("keeps %d deliveries, want at most 3", n)
	}
}
