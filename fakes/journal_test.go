package fakes_test

import (
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestJournalTally counts observations by the class their recorder gave
// them, never by their Source or Kind.
func TestJournalTally(t *testing.T) {
	t.Parallel()
	j := fakes.NewJournal()
	for _, o := range []fakes.Observation{
		{Source: "step", Kind: "header", Class: fakes.ClassHeader},
		{Source: "telegram", Kind: "sendMessage", Class: fakes.ClassCall},
		{Source: "telegram", Kind: "getUpdates"},
		{Source: "platform", Kind: "message.create", Class: fakes.ClassCapture},
		{Source: "platform", Kind: "user.create", Class: fakes.ClassCapture},
		{Source: "telegram", Kind: "deliver", Class: fakes.ClassDelivery},
	} {
		j.Record(o)
	}
	for _, tc := range []struct {
		class fakes.Class
		want  int
	}{
		{fakes.ClassNote, 1}, {fakes.ClassHeader, 1}, {fakes.ClassCall, 1}, {fakes.ClassCapture, 2}, {fakes.ClassDelivery, 1}, {fakes.Class(99), 0},
	} {
		if got := j.Tally(tc.class); got != tc.want {
			t.Errorf("Tally(%s) = %d, want %d", tc.class, got, tc.want)
		}
	}
	var nilJournal *fakes.Journal
	if nilJournal.Tally(fakes.ClassCall) != 0 {
		t.Error("a nil journal counts something")
	}
}
