package sim_test

import (
	"context"
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
