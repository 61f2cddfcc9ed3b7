package sim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/chatsim/chatsim/contracts"
	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// telegramExample launches the bundled Telegram example in process.
func telegramExample() sim.Launcher {
	return sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
		return tgexample.New(getenv)
	})
}

func telegramDefinition(tb testing.TB) *contracts.Definition {
	tb.Helper()
	def, err := contracts.Parse(tgexample.Definition(), "examples/telegram/definition.json")
	if err != nil {
		tb.Fatal(err)
	}
	return def
}

// replayCassette replays one bundled cassette in a fresh World.
func replayCassette(tb testing.TB, name string) *sim.Result {
	tb.Helper()
	f, err := tgexample.Cassettes().Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, name)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: sim.Integration{Launcher: telegramExample(), Definition: telegramDefinition(tb)}})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// TestReplayStopsWhenTheJournalCannotBeWritten: a writer that fails (a full
// disk) stops the replay at the step after, with its error.
func TestReplayStopsWhenTheJournalCannotBeWritten(t *testing.T) {
	t.Parallel()
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	w := echoWorld(t, client, telegramDefinition(t))
	defer w.Close()
	res, err := sim.Replay(context.Background(), w, conversation(t, 1, 10), sim.ReplayOptions{Journal: failingWriter{}})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Replay = %v, want the writer's error", err)
	}
	if res.Deliveries >= 10 {
		t.Errorf("replayed all %d deliveries past the failed write", res.Deliveries)
	}
}

var errDiskFull = errors.New("disk full")

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }
