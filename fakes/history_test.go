package fakes_test

import (
	"fmt"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestHistory keeps the last entries of a log, counts those it let go of
// and hands back each one it drops.
func TestHistory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		limit, add       int
		want             string // the entries held
		dropped, evicted int    // counted, and handed back by Add
	}{
		{"under the limit", 3, 2, "[1 2]", 0, 0},
		{"at the limit", 3, 3, "[1 2 3]", 0, 0},
		{"past the limit", 3, 8, "[6 7 8]", 5, 5},
		{"no limit", 0, 8, "[1 2 3 4 5 6 7 8]", 0, 0},
		{"a limit of one", 1, 4, "[4]", 3, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := fakes.NewHistory[int](tc.limit)
			evicted, last := 0, 0
			for i := 1; i <= tc.add; i++ {
				if old, ok := h.Add(i); ok {
					evicted++
					if old != last+1 {
						t.Errorf("Add(%d) dropped %d, want %d", i, old, last+1)
					}
					last = old
				}
			}
			var each []int
			h.Each(func(v int) bool { each = append(each, v); return true })
			if got := fmt.Sprint(h.All()); got != tc.want || fmt.Sprint(each) != tc.want {
				t.Errorf("All %s, Each %v; want %s", got, each, tc.want)
			}
			if h.Dropped() != tc.dropped || evicted != tc.evicted || h.Total() != tc.add || h.Len() != tc.add-tc.dropped {
				t.Errorf("Dropped %d, evicted %d, Total %d, Len %d; want %d, %d, %d, %d",
					h.Dropped(), evicted, h.Total(), h.Len(), tc.dropped, tc.evicted, tc.add, tc.add-tc.dropped)
			}
			h.Clear()
			if h.Len() != 0 || h.Total() != tc.add || len(h.All()) != 0 {
				t.Errorf("after Clear: Len %d, Total %d", h.Len(), h.Total())
			}
			h.Add(99)
			if got := fmt.Sprint(h.All()); got != "[99]" {
				t.Errorf("after Clear and Add: %s", got)
			}
		})
	}
}
