package sim_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"

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
	res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: telegramExample(), Definition: telegramDefinition(tb)})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

func TestReplayGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cassette   string
		violations []string // expected violation pointers; the replay must fail when set
	}{
		{cassette: "text.cassette"},
		{cassette: "order.cassette"},
		{cassette: "photo.cassette"},
		{cassette: "group-join.cassette"},
		{cassette: "edit.cassette"},
		{cassette: "violation.cassette", violations: []string{"/payload/options/0/value"}},
	}
	names, err := fs.Glob(tgexample.Cassettes(), "*.cassette")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != len(cases) {
		t.Fatalf("bundled cassettes %v, but the test covers %d: add the new ones to the table", names, len(cases))
	}
	for _, tc := range cases {
		t.Run(strings.TrimSuffix(tc.cassette, ".cassette"), func(t *testing.T) {
			t.Parallel()
			res := replayCassette(t, tc.cassette)
			g := goldie.New(t, goldie.WithFixtureDir("testdata/telegram"), goldie.WithNameSuffix(".golden"))
			g.Assert(t, strings.TrimSuffix(tc.cassette, ".cassette"), []byte(res.Journal))
			var got []string
			for _, v := range res.Violations {
				got = append(got, v.Pointer)
			}
			if strings.Join(got, ",") != strings.Join(tc.violations, ",") {
				t.Errorf("violations at %v, want %v:\n%v", got, tc.violations, res.Violations)
			}
			if res.Failed() != (len(tc.violations) > 0) {
				t.Errorf("Failed() = %v with violations %v", res.Failed(), res.Violations)
			}
		})
	}
}

// TestReplayDeterministic replays every bundled cassette twenty times, in
// parallel, and demands byte-identical journals.
func TestReplayDeterministic(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(tgexample.Cassettes(), "*.cassette")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		t.Run(strings.TrimSuffix(name, ".cassette"), func(t *testing.T) {
			t.Parallel()
			const runs = 20
			out := make([]string, runs)
			t.Run("runs", func(t *testing.T) {
				for i := range runs {
					t.Run(fmt.Sprint(i), func(t *testing.T) {
						t.Parallel()
						out[i] = replayCassette(t, name).Journal
					})
				}
			})
			if t.Failed() {
				return
			}
			for i := 1; i < runs; i++ {
				if out[i] != out[0] {
					t.Fatalf("run %d rendered a different journal:\n--- run 0 ---\n%s\n--- run %d ---\n%s", i, out[0], i, out[i])
				}
			}
		})
	}
}
