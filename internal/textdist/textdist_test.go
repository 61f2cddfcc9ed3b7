package textdist_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/internal/textdist"
)

func TestLevenshtein(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"configuraton", "configuration", 1}, {"same", "same", 0}, {"ab", "ba", 2},
	} {
		if got := textdist.Levenshtein([]byte(tc.a), []byte(tc.b)); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	words := func(s string) []string { return strings.Fields(s) }
	if got := textdist.Levenshtein(words(`"ada" whispers "hi"`), words(`"ada" says "hi"`)); got != 1 {
		t.Errorf("word distance = %d, want 1", got)
	}
}
