package sim_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// replayBundled replays one cassette of a bundled integration in a fresh
// World.
func replayBundled(tb testing.TB, in sim.Integration, name string) *sim.Result {
	tb.Helper()
	res, err := tryReplayBundled(in, name)
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// tryReplayBundled is replayBundled for a goroutine of its own: it returns
// the error.
func tryReplayBundled(in sim.Integration, name string) (*sim.Result, error) {
	f, err := in.Cassettes.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := cassette.NewReader(f, in.Name+"/cassettes/"+name)
	if err != nil {
		return nil, err
	}
	return sim.ReplayCassette(context.Background(), r, sim.Options{Integration: in})
}

// bundledCassettes calls fn for every cassette of every bundled
// integration, as a parallel subtest named "<integration>/<cassette>".
func bundledCassettes(t *testing.T, fn func(t *testing.T, in sim.Integration, name string)) {
	all, err := bundled.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range all {
		names, err := fs.Glob(in.Cassettes, "*.cassette")
		if err != nil {
			t.Fatal(err)
		}
		if len(names) == 0 {
			t.Errorf("%s bundles no cassettes", in.Name)
		}
		for _, name := range names {
			t.Run(strings.TrimPrefix(in.Name, "examples/")+"/"+strings.TrimSuffix(name, ".cassette"), func(t *testing.T) {
				t.Parallel()
				fn(t, in, name)
			})
		}
	}
}

// goldenDir is where the golden journals of a bundled integration's
// cassettes live: beside them, in <integration>/cassettes, read from disk
// so that -update can rewrite them.
func goldenDir(in sim.Integration) string {
	return filepath.Join("..", filepath.FromSlash(in.Name), "cassettes")
}

// update is goldie's -update flag, which goldie registers in the test
// binary: the diff is sim.DiffGolden's, the one every golden check shows.
func update() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	on, _ := g.Get().(bool)
	return on
}

// TestReplayGolden replays every cassette of every bundled integration and
// compares the journal with the golden file beside it,
// <integration>/cassettes/<cassette>.golden (regenerate with -update). A replay fails exactly when its golden journal
// holds a contract violation or an integration error: the cassettes that
// must fail say so in their golden file.
func TestReplayGolden(t *testing.T) {
	t.Parallel()
	bundledCassettes(t, func(t *testing.T, in sim.Integration, name string) {
		res := replayBundled(t, in, name)
		base := strings.TrimSuffix(name, ".cassette")
		g := goldie.New(t, goldie.WithFixtureDir(goldenDir(in)), goldie.WithNameSuffix(".golden"))
		if update() {
			g.Update(t, base, []byte(res.Journal))
		}
		path := filepath.Join(goldenDir(in), base+".golden")
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v: create it with -update", err)
		}
		if d := sim.DiffGolden(path, want, []byte(res.Journal)); d != "" {
			t.Error(d)
		}
		mustFail := false
		for _, line := range strings.Split(res.Journal, "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 && (f[0] == "contract" && f[1] == "violation" || strings.Contains(line, "integration error")) {
				mustFail = true
			}
		}
		if res.Failed() != mustFail {
			t.Errorf("Failed() = %v, but the journal's violations and integration errors say %v:\n%v\n%v", res.Failed(), mustFail, res.ViolationLines, res.Failures)
		}
	})
}

// TestReplayDeterministic replays every bundled cassette twenty times, in
// parallel, and demands byte-identical journals.
func TestReplayDeterministic(t *testing.T) {
	t.Parallel()
	bundledCassettes(t, func(t *testing.T, in sim.Integration, name string) {
		const runs = 20
		out := make([]string, runs)
		t.Run("runs", func(t *testing.T) {
			for i := range runs {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					t.Parallel()
					out[i] = replayBundled(t, in, name).Journal
				})
			}
		})
		for i := 1; i < runs; i++ {
			if out[i] != out[0] {
				t.Fatalf("run %d rendered a different journal:\n--- run 0 ---\n%s\n--- run %d ---\n%s", i, out[0], i, out[i])
			}
		}
	})
}

// TestReplayStreamsTheGoldenJournal replays every bundled cassette with a
// writer for its journal: the writer gets the golden journal, byte for
// byte, a step at a time, and the World holds only the last step.
func TestReplayStreamsTheGoldenJournal(t *testing.T) {
	t.Parallel()
	bundledCassettes(t, func(t *testing.T, in sim.Integration, name string) {
		f, err := in.Cassettes.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := cassette.NewReader(f, name)
		if err != nil {
			t.Fatal(err)
		}
		opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: in})
		if err != nil {
			t.Fatal(err)
		}
		w, err := sim.Start(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		var out writes
		res, err := sim.Replay(context.Background(), w, r, sim.ReplayOptions{Journal: &out})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(goldenDir(in), strings.TrimSuffix(name, ".cassette")+".golden")
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := sim.DiffGolden(path, want, out.Bytes()); d != "" {
			t.Error(d)
		}
		if res.Journal != "" {
			t.Errorf("Result.Journal holds %d bytes beside the writer", len(res.Journal))
		}
		if res.Deliveries > 1 && (out.n < 2 || w.Journal.Dropped() == 0) {
			t.Errorf("%d deliveries written in %d writes with %d observations let go of: the journal was not streamed", res.Deliveries, out.n, w.Journal.Dropped())
		}
		if held, last := w.Journal.Observations(), w.LastStepSeq(); len(held) == 0 || held[0].Seq != last {
			t.Errorf("the World holds %d observations from seq %d, want the last step's, from %d", len(held), held[0].Seq, last)
		}
	})
}

// writes is a bytes.Buffer that counts the writes it was given.
type writes struct {
	bytes.Buffer
	n int
}

func (w *writes) Write(p []byte) (int, error) {
	w.n++
	return w.Buffer.Write(p)
}
