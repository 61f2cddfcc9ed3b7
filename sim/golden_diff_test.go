package sim_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/sim"
)

// TestDiffGolden pins the one golden-diff message every golden check
// prints: the file, then a unified diff, - want, + got.
func TestDiffGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		want, got string
		out       string
	}{
		{name: "equal", want: "a\nb\n", got: "a\nb\n", out: ""},
		{
			name: "a line changed", want: "# step 1\nbot  hi\n", got: "# step 1\nbot  ho\n",
			out: "the journal differs from x.golden (- want, + got; `--update` rewrites it):\n" +
				"--- want\n+++ got\n@@ -1,2 +1,2 @@\n # step 1\n-bot  hi\n+bot  ho\n",
		},
		{
			name: "empty golden", want: "", got: "# step 1\n",
			out: "the journal differs from x.golden (- want, + got; `--update` rewrites it):\n" +
				"--- want\n+++ got\n@@ -0,0 +1 @@\n+# step 1\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sim.DiffGolden("x.golden", []byte(tc.want), []byte(tc.got)); got != tc.out {
				t.Errorf("DiffGolden =\n%s\nwant\n%s", got, tc.out)
			}
		})
	}
	t.Run("only the final newline", func(t *testing.T) {
		t.Parallel()
		got := sim.DiffGolden("x.golden", []byte("a\n"), []byte("a"))
		if !strings.HasPrefix(got, "the journal differs from x.golden") || !strings.Contains(got, "\n") {
			t.Errorf("DiffGolden = %q, want a message naming the file", got)
		}
	})
}
