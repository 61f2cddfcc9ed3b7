// Package contracts holds the integration definition (the JSON that `bp read`
// prints), its loading from JSON or YAML, the normalized capture types the
// mock platform records (User, Conversation, Message, Event, StateChange,
// ActionCall) and their validation against the definition's JSON Schemas.
// Violations are values that name the capture and the JSON pointer.
//
//	def, err := contracts.LoadFile("examples/telegram/definition.json")
//	if errors.Is(err, contracts.ErrDefinition) { … } // file:line:col: field: what is wrong
//	v, err := def.Validator()     // the schemas LoadFile compiled; no remote $refs
//	for _, viol := range v.CheckMessage("message.create "+msg.ID, msg) {
//		fmt.Println(viol)         // contract violation in message.create msg_… at /payload/text: …
//	}
//
// A Validator is built once per definition and is safe for concurrent use;
// each Check* call decodes the capture's JSON once and returns the
// violations sorted by pointer, or nil.
package contracts
