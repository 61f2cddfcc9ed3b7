package contracts

import "encoding/json"

// Validator checks captures against a definition. Build it once with
// Definition.Validator (it compiles every schema); it is safe for concurrent
// use. A nil *Validator checks nothing and reports no violations.
type Validator struct {
	def *Definition
}

// Validator compiles every schema of the definition. An error names the
// schema that does not compile by its JSON pointer in the definition.
func (d *Definition) Validator() (*Validator, error) {
	// STUB: replaced by the contracts implementation.
	return &Validator{def: d}, nil
}

// Definition returns the definition the validator checks against.
func (v *Validator) Definition() *Definition {
	if v == nil {
		return nil
	}
	return v.def
}

// CheckConfiguration validates a configuration object against the default
// configuration schema (typ "") or the named entry of `configurations`.
func (v *Validator) CheckConfiguration(typ string, cfg json.RawMessage) []Violation { return nil }

// CheckUser checks that every user tag key is declared under user.tags.
// capture names the capture in violations ("user.get-or-create user_…").
func (v *Validator) CheckUser(capture string, u User) []Violation { return nil }

// CheckConversation checks that the channel is declared and every
// conversation tag key is declared for it.
func (v *Validator) CheckConversation(capture string, c Conversation) []Violation { return nil }

// CheckMessage checks that the message type is declared for the channel, the
// payload matches its schema (pointers are rooted at the message:
// "/payload/text") and every message tag key is declared.
func (v *Validator) CheckMessage(capture string, m Message) []Violation { return nil }

// CheckEvent checks that the event type is declared and its payload matches
// the schema (pointers rooted at the event: "/payload/order_id").
func (v *Validator) CheckEvent(capture string, e Event) []Violation { return nil }

// CheckState checks that a state of that name is declared with that scope and
// its payload matches the schema. States in the "bot" scope and deletions
// (null payload) are not checked against the definition.
func (v *Validator) CheckState(capture string, s StateChange) []Violation { return nil }

// CheckActionInput checks that the action is declared and its input matches
// the input schema (pointers rooted at "/input").
func (v *Validator) CheckActionInput(capture string, a ActionCall) []Violation { return nil }

// CheckActionOutput checks the action's output against the output schema
// (pointers rooted at "/output").
func (v *Validator) CheckActionOutput(capture string, a ActionCall) []Violation { return nil }
