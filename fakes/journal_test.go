package fakes_test

import (
	"strings"
	"sync"
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

// TestJournalStreams hands each step to the sinks once the next begins and
// holds only the running step, unless told to keep more.
func TestJournalStreams(t *testing.T) {
	t.Parallel()
	header := func(text string) fakes.Observation {
		return fakes.Observation{Source: "step", Kind: "header", Text: text, Class: fakes.ClassHeader}
	}
	call := func(text string) fakes.Observation {
		return fakes.Observation{Source: "telegram", Kind: "sendMessage", Text: text, Class: fakes.ClassCall}
	}
	tests := []struct {
		name     string
		keep     int64 // Keep's argument before anything is recorded
		wantHeld []string
	}{
		{"the running step by default", -1, []string{"step 3", "c"}},
		{"all of it with Keep(0)", 0, []string{"before", "step 1", "a", "step 2 (named)", "b", "step 3", "c"}},
		{"from a position with Keep(n)", 3, []string{"step 2 (named)", "b", "step 3", "c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := fakes.NewJournal()
			j.Keep(tc.keep)
			var streamed []string
			var batches int
			j.Stream(func(batch []fakes.Observation) {
				batches++
				for _, o := range batch {
					if o.Seq != int64(len(streamed))+1 {
						t.Errorf("streamed seq %d after %d", o.Seq, len(streamed))
					}
					streamed = append(streamed, o.Text)
				}
			})
			j.Record(call("before"))
			j.Record(header("step 1"))
			j.Record(call("a"))
			h := j.Record(header("step 2"))
			j.Record(call("b"))
			if !j.SetText(h.Seq, "step 2 (named)") {
				t.Error("SetText of the running step's header failed")
			}
			if got := strings.Join(streamed, ","); got != "before,step 1,a" {
				t.Errorf("streamed %q before step 3, want the steps before step 2", got)
			}
			j.Record(header("step 3"))
			if j.SetText(h.Seq, "too late") {
				t.Error("SetText changed a streamed observation")
			}
			j.Record(call("c"))
			var held []string
			for _, o := range j.Observations() {
				held = append(held, o.Text)
			}
			if got, want := strings.Join(held, ","), strings.Join(tc.wantHeld, ","); got != want {
				t.Errorf("holds %q, want %q", got, want)
			}
			if got, want := j.Dropped(), int64(7-len(tc.wantHeld)); got != want {
				t.Errorf("Dropped = %d, want %d", got, want)
			}
			if got := len(j.Since(5)); got != 2 {
				t.Errorf("Since(5) has %d observations, want 2", got)
			}
			j.Flush()
			j.Flush()
			if got := strings.Join(streamed, ","); got != "before,step 1,a,step 2 (named),b,step 3,c" || batches != 4 {
				t.Errorf("streamed %q in %d batches, want every observation once in 4", got, batches)
			}
			if j.Len() != 7 || j.Flushed() != 7 || j.Tally(fakes.ClassCall) != 4 {
				t.Errorf("Len %d, Flushed %d, calls %d; want 7, 7, 4", j.Len(), j.Flushed(), j.Tally(fakes.ClassCall))
			}
		})
	}
}

// TestJournalStreamsInOrderUnderLoad: observations recorded from many
// goroutines while steps begin reach a sink each once, in order.
func TestJournalStreamsInOrderUnderLoad(t *testing.T) {
	t.Parallel()
	j := fakes.NewJournal()
	var next int64 = 1
	j.Stream(func(batch []fakes.Observation) {
		for _, o := range batch {
			if o.Seq != next {
				t.Errorf("streamed seq %d, want %d", o.Seq, next)
			}
			next = o.Seq + 1
		}
	})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				j.Record(fakes.Observation{Source: "telegram", Kind: "sendMessage", Class: fakes.ClassCall})
			}
		}()
	}
	for range 100 {
		j.Record(fakes.Observation{Source: "step", Class: fakes.ClassHeader})
	}
	wg.Wait()
	j.Flush()
	if next != int64(j.Len())+1 || j.Len() != 2100 {
		t.Errorf("streamed up to %d of %d observations", next-1, j.Len())
	}
	if held := len(j.Observations()); held > 2100 {
		t.Errorf("holds %d observations", held)
	}
}
