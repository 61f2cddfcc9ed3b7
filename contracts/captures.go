package contracts

import (
	"encoding/json"
	"fmt"
)

// User is a user as the platform holds it after an integration created or
// updated it.
type User struct {
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	PictureURL string            `json:"pictureUrl,omitempty"`
	Tags       map[string]string `json:"tags"`
}

// Conversation is a conversation on one of the integration's channels.
type Conversation struct {
	ID      string            `json:"id"`
	Channel string            `json:"channel"`
	Tags    map[string]string `json:"tags"`
}

// Message is a message in a conversation. Incoming messages are created by
// the integration; outgoing ones by the bot.
type Message struct {
	ID             string            `json:"id"`
	Channel        string            `json:"channel"` // the conversation's channel
	Type           string            `json:"type"`
	Direction      string            `json:"direction"` // "incoming" or "outgoing"
	Payload        json.RawMessage   `json:"payload"`
	ConversationID string            `json:"conversationId"`
	UserID         string            `json:"userId"`
	Tags           map[string]string `json:"tags"`
}

// Event is an event an integration fired with createEvent. Type is the bare
// event name as declared in the definition.
type Event struct {
	ID             string          `json:"id"`
	Type           string          `json:"type"`
	Payload        json.RawMessage `json:"payload"`
	ConversationID string          `json:"conversationId,omitempty"`
	UserID         string          `json:"userId,omitempty"`
	MessageID      string          `json:"messageId,omitempty"`
}

// StateChange is a state written through setState, getOrSetState or
// patchState. Payload is the state after the change; JSON null means deleted.
type StateChange struct {
	Scope   string          `json:"type"` // "conversation", "user", "integration", "bot"
	ID      string          `json:"id"`   // id of the conversation, user, integration or bot
	Name    string          `json:"name"`
	Payload json.RawMessage `json:"payload"`
}

// ActionCall is one action_triggered invocation and what the integration
// answered.
type ActionCall struct {
	Type   string          `json:"type"` // the action name
	Input  json.RawMessage `json:"input"`
	Output json.RawMessage `json:"output,omitempty"`
	Error  string          `json:"error,omitempty"` // set when the integration failed
}

// Violation is a capture that breaks the integration's definition. It is a
// value, not a string: Capture names what was checked ("message.create
// msg_01J…", "configuration"), Pointer is the JSON pointer inside that
// capture ("/payload/options/0/value"), Message says what is wrong.
type Violation struct {
	Capture string `json:"capture"`
	Pointer string `json:"pointer"`
	Message string `json:"message"`
}

// Error renders the violation so that it can be returned as an error.
func (v Violation) Error() string {
	p := v.Pointer
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("contract violation in %s at %s: %s", v.Capture, p, v.Message)
}
