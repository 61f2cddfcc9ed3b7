package features_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
)

// TestStressParallelScenarios runs the project's whole suite with 100
// scenarios at a time (run it under -race): every scenario has a World of
// its own, so running them together must change nothing — each passes and
// its golden journals match byte for byte, as when they run one by one.
func TestStressParallelScenarios(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(),
		Paths:       []string{"."},
		Concurrency: 100,
		Output:      &out,
		NoColor:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios < 100 {
		t.Fatalf("the suite has %d scenarios; the stress test wants 100 or more", res.Scenarios)
	}
	if !res.OK() || res.Undefined > 0 {
		t.Fatalf("%s with 100 at a time:\n%s\n%s", res.Summary(), strings.Join(res.Failures, "\n---\n"), out.String())
	}
}
