package sim_test

import (
	"testing"

	"github.com/chatsim/chatsim/sim"
)

// TestConversationSoFar pins the one transcript every report shows:
// replay's conversation, a failed step's and an interrupted run's.
func TestConversationSoFar(t *testing.T) {
	t.Parallel()
	turns := sim.Turns([]sim.Line{
		{Who: "ada", Incoming: true, Text: "menu"},
		{Who: "bot", Text: "What would you like?  [Tea] [Coffee]"},
	})
	tests := []struct {
		name   string
		got    string
		expect string
	}{
		{"transcript", sim.Transcript(turns, "  "), "  ada  ▸ menu\n  bot  ◂ What would you like?  [Tea] [Coffee]\n"},
		{"empty transcript", sim.Transcript(nil, "  "), ""},
		{"so far", sim.ConversationSoFar(append(turns, "ada  ▸ (taps Coffee)"), "  "),
			"  conversation so far:\n    ada  ▸ menu\n    bot  ◂ What would you like?  [Tea] [Coffee]\n    ada  ▸ (taps Coffee)\n"},
		{"nothing said", sim.ConversationSoFar(nil, ""), "conversation so far: (nothing was said)\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.expect {
				t.Errorf("got\n%q\nwant\n%q", tc.got, tc.expect)
			}
		})
	}
}
