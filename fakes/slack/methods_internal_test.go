package slack

import (
	"slices"
	"testing"
)

// TestMethodsHaveTiers checks that Methods and methodTier list the same
// methods, sorted, each once.
func TestMethodsHaveTiers(t *testing.T) {
	t.Parallel()
	ms := Methods()
	if !slices.IsSorted(ms) || len(slices.Compact(slices.Clone(ms))) != len(ms) {
		t.Errorf("Methods() is not sorted and unique: %q", ms)
	}
	for _, m := range ms {
		if _, ok := methodTier(m); !ok {
			t.Errorf("%s is listed but has no tier", m)
		}
	}
	if _, ok := methodTier("chat.nope"); ok {
		t.Error("an unknown method has a tier")
	}
}
