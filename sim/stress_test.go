package sim_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/sim"
)

// TestStressParallelReplays starts 100 replays at once, cycling through
// every bundled cassette of every platform, and demands that each journal
// is byte for byte its golden file: Worlds share nothing, so load changes
// nothing.
func TestStressParallelReplays(t *testing.T) {
	t.Parallel()
	type job struct {
		in     sim.Integration
		name   string
		path   string
		golden []byte
	}
	var jobs []job
	all, err := bundled.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range all {
		names, err := fs.Glob(in.Cassettes, "*.cassette")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			path := filepath.Join(goldenDir(in), strings.TrimSuffix(name, ".cassette")+".golden")
			g, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, job{in, name, path, g})
		}
	}
	const runs = 100
	got := make([]string, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start // all 100 at once, not -parallel at a time
			j := jobs[i%len(jobs)]
			res, err := tryReplayBundled(j.in, j.name)
			if err != nil {
				errs[i] = err
				return
			}
			got[i] = res.Journal
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for i := range runs {
		j := jobs[i%len(jobs)]
		if d := sim.DiffGolden(j.path, j.golden, []byte(got[i])); d != "" {
			t.Errorf("replay %d of %s/%s, under load: %s", i, j.in.Name, j.name, d)
		}
	}
}
