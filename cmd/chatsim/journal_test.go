package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestTailLines keeps the last lines of a journal written in pieces.
func TestTailLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pieces  []string
		want    string
		dropped int
	}{
		{"nothing", nil, "", 0},
		{"fewer than kept", []string{"a\nb\n"}, "a\nb\n", 0},
		{"as many as kept", []string{"a\n", "b\nc\n"}, "a\nb\nc\n", 0},
		{"more than kept", []string{"a\nb", "\nc\nd\n", "e\n"}, "c\nd\ne\n", 2},
		{"a last line cut short", []string{"a\nb\nc\nd\ne"}, "b\nc\nd\ne\n", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tl := &tailLines{max: 3}
			for _, p := range tc.pieces {
				if _, err := fmt.Fprint(tl, p); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Join(tl.lines(), ""); got != tc.want || tl.dropped != tc.dropped {
				t.Errorf("kept %q, dropped %d; want %q, %d", got, tl.dropped, tc.want, tc.dropped)
			}
		})
	}
}
