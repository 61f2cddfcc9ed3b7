package botpress

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
)

// BotRule is one rule of the scripted bot: when an incoming message (or an
// event) matches When, the bot sends Reply, in order, into the same
// conversation, after optionally writing a state. The first matching rule
// wins.
type BotRule struct {
	When  BotMatch    `json:"when"`
	Reply []Reply     `json:"reply"`           // empty: match and stay silent
	State *StateWrite `json:"state,omitempty"` // optional state the bot sets first
}

// BotMatch is the condition of a rule. Every field that is set must hold.
// Text, Contains and Type match incoming messages; Event matches events
// (createEvent) and never messages; Any matches every incoming message.
type BotMatch struct {
	// Text matches a message whose payload text equals it, trimmed and
	// case-insensitively.
	Text string `json:"text,omitempty"`
	// Contains matches a message whose payload text contains it,
	// case-insensitively.
	Contains string `json:"contains,omitempty"`
	// Type matches the message type ("text", "image", …).
	Type string `json:"type,omitempty"`
	// Event matches an event of that type (bare name, "reactionAdded"), or
	// any event with "*".
	Event string `json:"event,omitempty"`
	// Any matches every incoming message.
	Any bool `json:"any,omitempty"`
}

// Reply is one message the bot sends. Strings anywhere in Payload may hold
// {{text}}, replaced by the incoming message's text.
type Reply struct {
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// StateWrite is a state the bot sets when its rule matches: Scope
// "conversation" (the conversation of the message or event) or "user" (its
// author), Name, and Payload (an object, or null to delete; {{text}} is
// replaced as in replies).
type StateWrite struct {
	Scope   string          `json:"scope"`
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload"`
}

// EchoRules returns the default rules: reply to a text message with the
// same text.
func EchoRules() []BotRule {
	return []BotRule{{
		When:  BotMatch{Type: "text"},
		Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"{{text}}"}`)}},
	}}
}

// ParseBotRules reads bot rules from JSON: an array of rules, or an object
// {"rules": [...]}. Decoding is strict (unknown fields are errors) and every
// rule is checked; errors name source, the line and column or the rule and
// field, and wrap ErrInvalidRules.
func ParseBotRules(data []byte, source string) ([]BotRule, error) {
	if source == "" {
		source = "bot rules"
	}
	trimmed := bytes.TrimSpace(data)
	var rules []BotRule
	var err error
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var wrap struct {
			Rules []BotRule `json:"rules"`
		}
		err = decodeStrictAt(data, &wrap)
		rules = wrap.Rules
	} else {
		err = decodeStrictAt(data, &rules)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", source, ErrInvalidRules, err)
	}
	if rules == nil {
		rules = []BotRule{}
	}
	for i, r := range rules {
		if err := r.check(); err != nil {
			return nil, fmt.Errorf("%s: %w: rule %d: %w", source, ErrInvalidRules, i, err)
		}
	}
	return rules, nil
}

// check reports what is wrong with a rule.
func (r BotRule) check() error {
	w := r.When
	if w.Text == "" && w.Contains == "" && w.Type == "" && w.Event == "" && !w.Any {
		return errors.New(`"when" must set at least one of text, contains, type, event, any`)
	}
	if w.Event != "" && (w.Text != "" || w.Contains != "" || w.Type != "" || w.Any) {
		return errors.New(`"when.event" cannot be combined with text, contains, type or any`)
	}
	for j, rep := range r.Reply {
		if rep.Type == "" {
			return fmt.Errorf("reply %d: \"type\" is required", j)
		}
		if !isObject(rep.Payload) {
			return fmt.Errorf("reply %d: \"payload\" must be a JSON object, got %s", j, orNothing(rep.Payload))
		}
	}
	if st := r.State; st != nil {
		if st.Scope != "conversation" && st.Scope != "user" {
			return fmt.Errorf("state: \"scope\" must be \"conversation\" or \"user\", got %q", st.Scope)
		}
		if st.Name == "" {
			return errors.New(`state: "name" is required`)
		}
		if string(bytes.TrimSpace(st.Payload)) != "null" && !isObject(st.Payload) {
			return fmt.Errorf("state: \"payload\" must be a JSON object or null, got %s", orNothing(st.Payload))
		}
	}
	return nil
}

func isObject(raw json.RawMessage) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(raw, &m) == nil && m != nil
}

func orNothing(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "nothing"
	}
	return string(raw)
}

// decodeStrictAt decodes data into v, refusing unknown fields and trailing
// data; errors carry the line and column.
func decodeStrictAt(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			return fmt.Errorf("%s: trailing data after the JSON value", lineCol(data, dec.InputOffset()))
		}
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return errors.New("empty input, want a JSON array of rules")
	case errors.As(err, &se):
		return fmt.Errorf("%s: %w", lineCol(data, se.Offset), err)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: field %q: want %s, got JSON %s", lineCol(data, te.Offset), field, ruleFieldKind(te.Type), te.Value)
	}
	// The decoder's other errors (an unknown field) are plain texts that
	// start with its package's name.
	return fmt.Errorf("%s: %s", lineCol(data, dec.InputOffset()), strings.TrimPrefix(err.Error(), "json: "))
}

// ruleFieldKind names what a Go type reads from JSON, as a rule's author
// writes it: "an object", not "botpress.BotMatch".
func ruleFieldKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "an object"
}

// lineCol renders a byte offset as "line L, column C".
func lineCol(data []byte, off int64) string {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// SetBot replaces the scripted bot's rules: nil restores EchoRules, an
// empty list silences the bot.
func (s *Server) SetBot(rules []BotRule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rules == nil {
		s.rules = EchoRules()
		return
	}
	s.rules = slices.Clone(rules)
}

// BotRules returns the scripted bot's current rules.
func (s *Server) BotRules() []BotRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.rules)
}

// matchMessage returns the first rule matching an incoming message.
func matchMessage(rules []BotRule, typ, text string) *BotRule {
	for i := range rules {
		w := rules[i].When
		if w.Event != "" {
			continue
		}
		if w.Any {
			return &rules[i]
		}
		if w.Text != "" && !strings.EqualFold(strings.TrimSpace(text), strings.TrimSpace(w.Text)) {
			continue
		}
		if w.Contains != "" && !strings.Contains(strings.ToLower(text), strings.ToLower(w.Contains)) {
			continue
		}
		if w.Type != "" && w.Type != typ {
			continue
		}
		return &rules[i]
	}
	return nil
}

// matchEvent returns the first rule matching an event.
func matchEvent(rules []BotRule, typ string) *BotRule {
	for i := range rules {
		if e := rules[i].When.Event; e != "" && (e == "*" || e == typ) {
			return &rules[i]
		}
	}
	return nil
}

// fill replaces {{text}} in every string of a JSON value.
func fill(raw json.RawMessage, text string) json.RawMessage {
	if !bytes.Contains(raw, []byte("{{text}}")) {
		return cloneRaw(raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return cloneRaw(raw)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			return strings.ReplaceAll(t, "{{text}}", text)
		case map[string]any:
			for k, e := range t {
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		}
		return v
	}
	out, err := json.Marshal(walk(v))
	if err != nil {
		return cloneRaw(raw)
	}
	return out
}

// botJob is one piece of work for the bot: answer an incoming message,
// answer an event, or deliver an outgoing message created by a bot's call.
type botJob struct {
	messageID, eventID, deliverID string
	ticket                        *fakes.Ticket
}

// botQueue runs the bot's jobs one at a time, in the order they were
// queued, on a goroutine of its own. It waits while any invocation of the
// integration is in flight, so replies come after everything the
// integration did in the call that created the message: the journal order
// is the same on every run.
type botQueue struct {
	s       *Server
	mu      sync.Mutex
	cond    *sync.Cond
	jobs    []botJob
	holds   int
	running bool
	closed  bool
	wg      sync.WaitGroup
}

func newBotQueue(s *Server) *botQueue {
	q := &botQueue{s: s}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// enqueue adds a job; it counts as activity until it is done.
func (q *botQueue) enqueue(j botJob) {
	what := "bot reply to " + j.messageID + j.eventID
	if j.deliverID != "" {
		what = "platform deliver " + j.deliverID
	}
	j.ticket = q.s.activity.Queue(what)
	j.ticket.Ready() // the queue runs in order, once the holds are released
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		j.ticket.End()
		return
	}
	q.jobs = append(q.jobs, j)
	if !q.running {
		q.running = true
		q.wg.Add(1)
		go q.run()
	}
}

// hold counts an invocation in flight until the returned function is called.
func (q *botQueue) hold() (release func()) {
	q.mu.Lock()
	q.holds++
	q.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			q.mu.Lock()
			q.holds--
			q.mu.Unlock()
			q.cond.Broadcast()
		})
	}
}

func (q *botQueue) run() {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		for !q.closed && q.holds > 0 {
			q.cond.Wait()
		}
		if q.closed || len(q.jobs) == 0 {
			q.running = false
			rest := q.jobs
			q.jobs = nil
			q.mu.Unlock()
			for _, j := range rest {
				j.ticket.End()
			}
			return
		}
		j := q.jobs[0]
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		// One delivery at a time across the World, once nothing is busy
		// (fakes.Ticket.Turn): a fake's own deliveries and the bot's
		// replies never interleave.
		release, err := j.ticket.Turn(q.s.ctx)
		if err == nil {
			q.s.runJob(j)
			release()
		}
		j.ticket.End()
	}
}

// close stops the queue, drops jobs not started and waits for the running
// one.
func (q *botQueue) close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.cond.Broadcast()
	q.wg.Wait()
}

// runJob does one job. Failures of message_created are in the journal.
func (s *Server) runJob(j botJob) {
	ctx := s.ctx
	switch {
	case j.deliverID != "":
		_ = s.deliver(ctx, j.deliverID)
	case j.messageID != "":
		for _, id := range s.answerMessage(j.messageID) {
			_ = s.deliver(ctx, id)
		}
	case j.eventID != "":
		for _, id := range s.answerEvent(j.eventID) {
			_ = s.deliver(ctx, id)
		}
	}
}

// answerMessage applies the first matching rule to an incoming message: it
// writes the rule's state and stores the replies, returning their ids.
func (s *Server) answerMessage(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.st.msgsBy[id]
	if m == nil || s.st.convsBy[m.convID] == nil {
		return nil
	}
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(m.payload, &p)
	r := matchMessage(s.rules, m.typ, p.Text)
	if r == nil {
		return nil
	}
	return s.applyRule(r, m.convID, m.userID, p.Text)
}

// answerEvent applies the first rule matching an event. Replies go to the
// event's conversation; without one, the bot only writes its state.
func (s *Server) answerEvent(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := s.st.eventsBy[id]
	if ev == nil {
		return nil
	}
	r := matchEvent(s.rules, ev.typ)
	if r == nil {
		ev.status = "ignored"
		return nil
	}
	ev.status = "processed"
	if s.st.convsBy[ev.convID] == nil { // no conversation to answer in
		return s.applyRule(&BotRule{State: r.State}, "", ev.userID, "")
	}
	return s.applyRule(r, ev.convID, ev.userID, "")
}

// applyRule writes the rule's state and stores its replies. Callers hold
// s.mu.
func (s *Server) applyRule(r *BotRule, convID, userID, text string) []string {
	if st := r.State; st != nil {
		owner := convID
		if st.Scope == "user" {
			owner = userID
		}
		if owner != "" {
			payload := fill(st.Payload, text)
			if string(bytes.TrimSpace(payload)) == "null" {
				payload = nil
			}
			s.writeState("state.set", "bot", stateKey{st.Scope, owner, st.Name}, payload, optExpiry{})
		}
	}
	if convID == "" {
		return nil
	}
	var ids []string
	for _, rep := range r.Reply {
		m := s.botMessage("reply", convID, rep.Type, fill(rep.Payload, text))
		ids = append(ids, m.id)
	}
	return ids
}
