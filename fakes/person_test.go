package fakes_test

import (
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

func TestShownString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		m    fakes.Shown
		want string
	}{
		{fakes.Shown{From: "ada", Text: "menu"}, "ada  ▸ menu"},
		{fakes.Shown{From: "bot", Text: "What would you like?", Buttons: []string{"Tea", "Coffee"}}, "bot  ◂ What would you like?  [Tea] [Coffee]"},
		{fakes.Shown{From: "ada", Text: "menu please", Edits: []string{"menu"}, Reactions: []string{"👍"}}, "ada  ▸ menu please  (edited)  👍"},
		{fakes.Shown{From: "ada", Media: "(photo)", Text: "my cat"}, "ada  ▸ (photo) my cat"},
	}
	for _, tc := range cases {
		if got := tc.m.String(); got != tc.want {
			t.Errorf("%+v renders %q, want %q", tc.m, got, tc.want)
		}
	}
}
