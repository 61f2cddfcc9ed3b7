package sim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/telegrampoll"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// TestReplayDirectBot replays a delivery to a go-telegram-bot-api bot on
// long polling: no platform hop, the journal is what the Telegram fake saw,
// and the step waits for the calls the recording holds.
func TestReplayDirectBot(t *testing.T) {
	t.Parallel()
	r, err := cassette.Open("testdata/poll.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx := context.Background()
	w, err := sim.Start(ctx, sim.Options{Integration: sim.Integration{Launcher: sim.Func("examples/telegrampoll", telegrampoll.Run)}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if !w.Direct() {
		t.Fatal("a Func bot should make a direct world")
	}
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Journal, `sendMessage`) || !strings.Contains(res.Journal, `"You said: hello"`) {
		t.Fatalf("journal lacks the bot's reply:\n%s", res.Journal)
	}
	if res.Captures != 0 {
		t.Errorf("a direct bot made %d platform captures", res.Captures)
	}
}
