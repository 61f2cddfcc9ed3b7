package fakes

import (
	"slices"
	"strconv"
	"sync"
	"time"
)

// Observation is one thing a fake saw or did: a platform capture, an API call
// an integration made to a chat platform, a reply of the scripted bot, a
// contract violation, a step boundary.
//
// Text is a one-line human rendering with the real ids in it (sim aliases ids
// such as user_01J… to user#1 when it renders a golden journal). Data holds
// the same facts as a JSON-marshallable value for assertions.
type Observation struct {
	Seq    int64     // position in the journal, from 1, assigned by Record
	At     time.Time // virtual time when it happened
	Source string    // who: "platform", "telegram", "bot", "contract", "step", …
	Kind   string    // what: "message.create", "sendMessage", "reply", …
	Text   string    // the rest of the rendered line, ids unaliased
	Data   any       // structured detail, JSON-marshallable; may be nil
	// Class says what it is for the counts a run reports, set by whoever
	// records it: a run counts captures and calls by Class (Journal.Tally),
	// never by reading Source and Kind back.
	Class Class
}

// Class says what an Observation is, for the counts a run reports.
type Class uint8

// The classes of observations.
const (
	// ClassNote is anything not counted: a scripted bot's reply, a contract
	// violation (the platform counts those), a socket connecting, a long
	// poll, the integration's answer to a delivery.
	ClassNote Class = iota
	// ClassHeader opens a step: every observation after it, up to the next
	// header, is the step's. The journal streams and lets go of what came
	// before a header (see Journal).
	ClassHeader
	// ClassCapture is a change the platform captured from the integration: a
	// user, conversation, message, event or state written, an action's
	// output, the integration's configuration.
	ClassCapture
	// ClassCall is an API call the integration made to a chat platform's fake
	// (failed ones included), other than a long poll for updates.
	ClassCall
	// ClassDelivery is a delivery attempt a fake or the platform made to the
	// integration's side: a webhook, an event, an operation invoked.
	ClassDelivery
	numClasses
)

// String names the class for people.
func (c Class) String() string {
	switch c {
	case ClassNote:
		return "note"
	case ClassHeader:
		return "header"
	case ClassCapture:
		return "capture"
	case ClassCall:
		return "call"
	case ClassDelivery:
		return "delivery"
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// Journal is the ordered, append-only record of a World's observations. It is
// safe for concurrent use; a nil *Journal discards everything.
//
// A journal streams rather than grows: each observation is handed, once and
// in order, to every sink (Stream) when its step is over — when the next
// step's header is recorded, or at Flush — and the journal then holds only
// the observations since the last header, which is all a step looks back
// at, unless a caller asks it to hold more (Keep). Its counts (Tally, Count)
// and the outcomes it keeps (Outcomes, capped) cover the whole run.
type Journal struct {
	mu      sync.Mutex
	obs     []Observation // what the journal holds, in order, ending at Seq n
	n       int64         // observations recorded
	flushed int64         // the last Seq handed to the sinks
	keep    int64         // hold every observation after keep; -1: since the last header only
	header  int64         // Seq of the last header, 0 before the first
	sinks   []func([]Observation)
	subs    []chan struct{}
	tally   [numClasses]int
	out     outcomes

	flushMu sync.Mutex // held while sinks run, so that they see batches in order
}

// NewJournal returns an empty journal that holds observations since the
// last step header.
func NewJournal() *Journal { return &Journal{keep: -1} }

// Record appends o, assigning its Seq, and returns it. Recording a step
// header (ClassHeader) first streams everything before it to the sinks
// and lets go of what no one keeps.
func (j *Journal) Record(o Observation) Observation {
	if j == nil {
		return o
	}
	if o.Class == ClassHeader {
		j.Flush()
	}
	j.mu.Lock()
	j.n++
	o.Seq = j.n
	if o.Class < numClasses {
		j.tally[o.Class]++
	}
	if o.Class == ClassHeader {
		j.header = o.Seq
		j.trimLocked()
	}
	j.obs = append(j.obs, o)
	subs := j.subs
	j.subs = nil
	j.mu.Unlock()
	for _, c := range subs {
		close(c)
	}
	return o
}

// trimLocked lets go of the observations that have been streamed and that
// neither the current step nor Keep needs. j.mu must be held.
func (j *Journal) trimLocked() {
	from := j.header // the oldest Seq to hold
	if j.keep >= 0 {
		from = min(from, j.keep+1)
	}
	from = min(from, j.flushed+1) // never what the sinks have not had
	drop := 0
	for drop < len(j.obs) && j.obs[drop].Seq < from {
		drop++
	}
	if drop > 0 {
		j.obs = slices.Delete(j.obs, 0, drop)
	}
}

// Len returns the number of observations recorded so far, which is the
// Seq of the last one; the journal may hold fewer (Dropped).
func (j *Journal) Len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return int(j.n)
}

// Dropped returns how many observations, from the first, the journal has
// let go of: Since(seq) has none at or before it.
func (j *Journal) Dropped() int64 {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.obs) == 0 {
		return j.n
	}
	return j.obs[0].Seq - 1
}

// Observations returns a copy of every observation the journal holds, in
// order: the whole journal when Keep(0) was called before anything was let
// go of, else those since the last step header.
func (j *Journal) Observations() []Observation { return j.Since(0) }

// Since returns a copy of the observations the journal holds whose Seq is
// greater than seq.
func (j *Journal) Since(seq int64) []Observation {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	i, _ := slices.BinarySearchFunc(j.obs, seq+1, func(o Observation, s int64) int {
		switch {
		case o.Seq < s:
			return -1
		case o.Seq > s:
			return 1
		}
		return 0
	})
	if i >= len(j.obs) {
		return nil
	}
	return slices.Clone(j.obs[i:])
}

// Keep makes the journal hold every observation after seq from now on, as
// well as those since the last step header: Keep(0) holds the whole
// journal, for a caller that looks back further than a step (a scenario
// asserting on the journal since step N). What was let go of already does
// not come back. Keep(-1) restores the default. It returns the previous
// setting.
func (j *Journal) Keep(seq int64) int64 {
	if j == nil {
		return -1
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	prev := j.keep
	j.keep = max(seq, -1)
	return prev
}

// Stream adds a sink: from now on it is handed every observation once its
// step is over, in order, each once, in batches. A sink runs in the
// goroutine that recorded the header or called Flush; it must not record
// in the journal. Observations streamed before it was added are not
// handed to it.
func (j *Journal) Stream(sink func(batch []Observation)) {
	if j == nil || sink == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.sinks = append(j.sinks, sink)
}

// Flush hands the sinks every observation they have not had yet, the
// running step's included; call it when a run ends. An observation's Text
// cannot change after it has been flushed (SetText).
func (j *Journal) Flush() {
	if j == nil {
		return
	}
	j.flushMu.Lock()
	defer j.flushMu.Unlock()
	j.mu.Lock()
	var batch []Observation
	if j.flushed < j.n {
		i := len(j.obs) - int(j.n-j.flushed)
		batch = slices.Clone(j.obs[max(i, 0):])
		j.flushed = j.n
	}
	sinks := slices.Clone(j.sinks)
	j.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	for _, s := range sinks {
		s(batch)
	}
}

// Flushed returns the Seq of the last observation handed to the sinks.
func (j *Journal) Flushed() int64 {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.flushed
}

// Tally returns how many observations of class c were recorded, whether
// the journal still holds them or not.
func (j *Journal) Tally(c Class) int {
	if j == nil || c >= numClasses {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.tally[c]
}

// Changed returns a channel closed at the next Record, for waiting on a
// condition over the journal with a deadline.
func (j *Journal) Changed() <-chan struct{} {
	c := make(chan struct{})
	if j == nil {
		return c
	}
	j.mu.Lock()
	j.subs = append(j.subs, c)
	j.mu.Unlock()
	return c
}

// SetText replaces the Text of the observation numbered seq, for a step
// header whose title is known only once the step's action has begun (a
// replayed delivery describes itself). It reports whether the journal
// holds seq and has not streamed it yet.
func (j *Journal) SetText(seq int64, text string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq <= j.flushed || seq > j.n || len(j.obs) == 0 {
		return false
	}
	i := int(seq - j.obs[0].Seq)
	if i < 0 {
		return false
	}
	j.obs[i].Text = text
	return true
}
