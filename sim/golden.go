package sim

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// DiffGolden compares a rendered journal got with the golden journal want,
// read from the file name. It returns "" when they are the same bytes, else
// what every golden check in chatsim reports (`chatsim replay`, `chatsim
// test`, the tests of the bundled cassettes): a line naming the file, then
// a unified diff with three lines of context, - want, + got:
//
//	the journal differs from order.golden (- want, + got; `--update` rewrites it):
//	--- want
//	+++ got
//	@@ -1,3 +1,3 @@
//	 # step 1  telegram → integration: update 1
//	-telegram   sendMessage …
//	+telegram   sendPhoto …
func DiffGolden(name string, want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: splitLines(want), B: splitLines(got),
		FromFile: "want", ToFile: "got", Context: 3,
	})
	if err != nil || diff == "" {
		// The lines are the same; only the final newline differs.
		diff = fmt.Sprintf("--- want\n+++ got\n(only the final newline differs: want %d bytes, got %d)\n", len(want), len(got))
	}
	return fmt.Sprintf("the journal differs from %s (- want, + got; `--update` rewrites it):\n%s", name, diff)
}

// splitLines splits b into lines that each end in "\n", the last one
// given its newline if it lacks one, and no empty line after it (which
// difflib.SplitLines would add).
func splitLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n"
	}
	return lines
}
