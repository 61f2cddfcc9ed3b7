// Package contracts holds the integration definition (the JSON that `bp read`
// prints), its loading from JSON or YAML, the normalized capture types the
// mock platform records (User, Conversation, Message, Event, StateChange,
// ActionCall) and their validation against the definition's JSON Schemas.
// Violations are values that name the capture and the JSON pointer.
//
//	def, err := contracts.LoadFile("examples/telegram/definition.json")
//	if err != nil { … }           // names the file, line and field
//	v, err := def.Validator()     // compiles every schema once
//	for _, viol := range v.CheckMessage(msg) {
//		fmt.Println(viol)         // contract violation in message.create msg_… at /payload/text: …
//	}
package contracts
