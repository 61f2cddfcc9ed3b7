package fakes

import "fmt"

// OutcomeKind says what an Outcome is.
type OutcomeKind int

// The outcomes that decide whether a run passed.
const (
	// Delivered is a delivery the integration side accepted (a 2xx answer,
	// perhaps after retries).
	Delivered OutcomeKind = iota + 1
	// Refused is a delivery the integration side answered with an error
	// status on the last attempt the platform made (a 401 to a signature it
	// cannot check, a 500).
	Refused
	// Undelivered is a delivery that got no answer at all on its last
	// attempt (nothing listened, a timeout) or had nowhere to go (no URL set).
	Undelivered
	// IntegrationFailed is an operation of the platform's that the
	// integration failed: message_created answered 500, an action answered
	// no output, or it could not be reached at all.
	IntegrationFailed
)

// String names the kind for people.
func (k OutcomeKind) String() string {
	switch k {
	case Delivered:
		return "delivered"
	case Refused:
		return "refused"
	case Undelivered:
		return "not delivered"
	case IntegrationFailed:
		return "integration error"
	}
	return fmt.Sprintf("OutcomeKind(%d)", int(k))
}

// Outcome is one typed result the fakes and the platform report as they
// happen — how a delivery ended after every retry, an operation the
// integration failed — so that a replay or a scenario decides on values,
// never by reading journal lines back.
type Outcome struct {
	// Seq is the journal's length (Len) when it was recorded: the outcome
	// comes after the observations up to Seq.
	Seq  int64
	Kind OutcomeKind
	// Source is who saw it: a fake's name ("slack") or "platform".
	Source string
	// What names the delivery or the operation, run-dependent ids
	// included ("event_callback Ev0CHATSIM0003", "message_created msg_…").
	What string
	// Status is the last HTTP status; 0 when there was no answer.
	Status int
	// Detail is the end as the journal says it ("401 Unauthorized",
	// "connection refused", "no URL set for events_api").
	Detail string
	// Err is the error behind an IntegrationFailed outcome, if any.
	Err error
}

// String renders the outcome as one line for people.
func (o Outcome) String() string {
	return fmt.Sprintf("%s %s: %s", o.Source, o.What, o.Detail)
}

// MaxOutcomes bounds the outcomes a journal keeps one by one (Outcomes);
// past it, they are only counted (Count), so that a long replay's memory
// stays flat.
const MaxOutcomes = 1_000

// outcomes is the journal's typed side: counts by kind, and every outcome
// but the deliveries that went well, up to maxOutcomes.
type outcomes struct {
	counts   map[OutcomeKind]int
	kept     []Outcome
	noAnswer int // failures and undelivered deliveries with no status at all
}

// Outcome records o (its Seq is set here). A nil *Journal discards it.
func (j *Journal) Outcome(o Outcome) {
	if j == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	o.Seq = j.n
	if j.out.counts == nil {
		j.out.counts = map[OutcomeKind]int{}
	}
	j.out.counts[o.Kind]++
	if o.NoAnswer() {
		j.out.noAnswer++
	}
	if o.Kind != Delivered && len(j.out.kept) < MaxOutcomes {
		j.out.kept = append(j.out.kept, o)
	}
}

// Outcomes returns the outcomes recorded so far, but the deliveries that
// went well (Count has those), in order; at most the first MaxOutcomes.
func (j *Journal) Outcomes() []Outcome {
	if j == nil {
		return nil
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Outcome(nil), j.out.kept...)
}

// NoAnswer reports whether o is an operation or a delivery the
// integration's side did not answer at all (no status: refused, reset,
// closed), the way a process that died leaves them.
func (o Outcome) NoAnswer() bool {
	return (o.Kind == IntegrationFailed || o.Kind == Undelivered) && o.Status == 0
}

// NoAnswers returns how many outcomes were recorded that NoAnswer, over
// the whole run.
func (j *Journal) NoAnswers() int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.out.noAnswer
}

// Count returns how many outcomes of kind were recorded.
func (j *Journal) Count(kind OutcomeKind) int {
	if j == nil {
		return 0
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.out.counts[kind]
}

// DeliveryOutcome is the Outcome of a delivery that ended with rep on its
// last attempt: Delivered, Refused or Undelivered.
func DeliveryOutcome(source, what string, rep Reply) Outcome {
	o := Outcome{Source: source, What: what, Status: rep.Status, Detail: rep.Outcome()}
	switch {
	case rep.OK():
		o.Kind = Delivered
	case rep.Err == nil:
		o.Kind = Refused
	default:
		o.Kind = Undelivered
	}
	return o
}
