package contracts

import (
	"encoding/json"
	"sync"
)

// Definition is an integration definition in the shape that `bp read` prints
// (and the same fields as YAML), plus `secrets`, which `bp read` leaves out but
// the integration's source declares.
type Definition struct {
	Name           string                      `json:"name"`
	Version        string                      `json:"version"`
	Title          string                      `json:"title,omitempty"`
	Description    string                      `json:"description,omitempty"`
	Icon           string                      `json:"icon,omitempty"`
	Readme         string                      `json:"readme,omitempty"`
	Configuration  ConfigurationDef            `json:"configuration"`
	Configurations map[string]ConfigurationDef `json:"configurations,omitempty"`
	User           UserDef                     `json:"user"`
	Channels       map[string]ChannelDef       `json:"channels"`
	Actions        map[string]ActionDef        `json:"actions,omitempty"`
	Events         map[string]EventDef         `json:"events,omitempty"`
	States         map[string]StateDef         `json:"states,omitempty"`
	Entities       map[string]json.RawMessage  `json:"entities,omitempty"`
	Interfaces     map[string]json.RawMessage  `json:"interfaces,omitempty"`
	Secrets        map[string]SecretDef        `json:"secrets,omitempty"`
	Attributes     map[string]string           `json:"attributes,omitempty"`
	Identifier     json.RawMessage             `json:"identifier,omitempty"`

	// Source is the file the definition was loaded from, for error messages.
	Source string `json:"-"`

	// compiled holds the validator once Validator has built it. It is a
	// pointer so that copies of a parsed Definition share it.
	compiled *compiledValidator
}

// compiledValidator is a Definition's validator, built once.
type compiledValidator struct {
	once sync.Once
	v    *Validator
	err  error
}

// ConfigurationDef is the configuration (or one named configuration) an
// install carries.
type ConfigurationDef struct {
	Title       string          `json:"title,omitempty"`
	Description string          `json:"description,omitempty"`
	Schema      json.RawMessage `json:"schema,omitempty"`
	Identifier  json.RawMessage `json:"identifier,omitempty"`
}

// TagDef declares one tag key.
type TagDef struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// UserDef declares the user tags.
type UserDef struct {
	Tags     map[string]TagDef `json:"tags,omitempty"`
	Creation json.RawMessage   `json:"creation,omitempty"`
}

// ChannelDef declares one channel: its message types and the tags of its
// messages and conversations.
type ChannelDef struct {
	Title        string                `json:"title,omitempty"`
	Description  string                `json:"description,omitempty"`
	Messages     map[string]MessageDef `json:"messages"`
	Message      TagsDef               `json:"message"`
	Conversation ConversationDef       `json:"conversation"`
}

// MessageDef is one message type with the schema of its payload.
type MessageDef struct {
	Schema json.RawMessage `json:"schema"`
}

// TagsDef is a set of declared tag keys.
type TagsDef struct {
	Tags map[string]TagDef `json:"tags,omitempty"`
}

// ConversationDef declares the conversation tags of a channel.
type ConversationDef struct {
	Tags     map[string]TagDef `json:"tags,omitempty"`
	Creation json.RawMessage   `json:"creation,omitempty"`
}

// ActionDef declares an action with its input and output schemas.
type ActionDef struct {
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	Input       SchemaDef         `json:"input"`
	Output      SchemaDef         `json:"output"`
	Billable    bool              `json:"billable,omitempty"`
	Cacheable   bool              `json:"cacheable,omitempty"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// SchemaDef wraps a JSON Schema.
type SchemaDef struct {
	Schema json.RawMessage `json:"schema"`
}

// EventDef declares an event type with the schema of its payload.
type EventDef struct {
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	Schema      json.RawMessage   `json:"schema"`
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// StateDef declares a state: its scope and the schema of its payload.
type StateDef struct {
	Type   string          `json:"type"` // "conversation", "user" or "integration"
	Schema json.RawMessage `json:"schema"`
}

// SecretDef declares a secret, handed to the integration as SECRET_<NAME>.
type SecretDef struct {
	Optional    bool   `json:"optional,omitempty"`
	Description string `json:"description,omitempty"`
}
