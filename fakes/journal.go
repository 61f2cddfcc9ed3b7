package fakes

import (
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
	// header, is the step's.
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
type Journal struct {
	mu    sync.Mutex
	obs   []Observation
	subs  []chan struct{}
	tally [numClasses]int
	out   outcomes
}

// NewJournal returns an empty journal.
func NewJournal() *Journal { return &Journal{} }

// Record appends o, assigning its Seq, and returns it.
func (j *Journal) Record(o Observation) Observation {
	if j == nil {
		return o
	}
	j.mu.Lock()
	o.Seq = int64(len(j.obs)) + 1
	if o.Class < numClasses {
		j.tally[o.Class]++
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

// Len returns the number of observations recorded so far.
func (j *Journal) Len() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.obs)
}

// Observations returns a copy of every observation, in order.
func (j *Journal) Observations() []Observation { return j.Since(0) }

// Since returns a copy of the observations whose Seq is greater than seq.
func (j *Journal) Since(seq int64) []Observation {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq < 0 {
		seq = 0
	}
	if seq >= int64(len(j.obs)) {
		return nil
	}
	out := make([]Observation, int64(len(j.obs))-seq)
	copy(out, j.obs[seq:])
	return out
}

// Tally returns how many observations of class c were recorded.
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
// replayed delivery describes itself). It reports whether seq exists.
func (j *Journal) SetText(seq int64, text string) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if seq < 1 || seq > int64(len(j.obs)) {
		return false
	}
	j.obs[seq-1].Text = text
	return true
}
