package sim

import (
	"strings"
	"testing"
)

// TestAndMore caps a list with a line counting the rest.
func TestAndMore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		list  []string
		total int
		want  string
	}{
		{"all listed", []string{"a", "b"}, 2, "a|b"},
		{"one more", []string{"a"}, 2, "a|… and 1 more integration error"},
		{"many more", []string{"a", "b"}, 100_000, "a|b|… and 99,998 more integration errors"},
		{"none listed", nil, 1_234_567, "… and 1,234,567 more integration errors"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := strings.Join(andMore(tc.list, tc.total, "integration error", "integration errors"), "|")
			if got != tc.want {
				t.Errorf("andMore = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestResultTurns counts the turns a replay's conversation leaves out.
func TestResultTurns(t *testing.T) {
	t.Parallel()
	lines := []Line{{Who: "ada", Incoming: true, Text: "hi"}, {Who: "bot", Text: "hi"}}
	tests := []struct {
		name    string
		earlier int
		want    string
	}{
		{"whole", 0, "ada  ▸ hi|bot  ◂ hi"},
		{"one earlier", 1, "… 1 earlier turn|ada  ▸ hi|bot  ◂ hi"},
		{"many earlier", 198_000, "… 198,000 earlier turns|ada  ▸ hi|bot  ◂ hi"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := &Result{Conversation: lines, EarlierTurns: tc.earlier}
			if got := strings.Join(r.Turns(), "|"); got != tc.want {
				t.Errorf("Turns = %q, want %q", got, tc.want)
			}
		})
	}
}
