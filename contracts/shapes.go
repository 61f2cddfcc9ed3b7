package contracts

import (
	"encoding/json"
	"reflect"
)

// The fields of a Definition that chatsim keeps as raw JSON (or drops) are
// still checked as strictly as the rest: each is decoded once into one of the
// shapes below, which mirror the createIntegration body of @botpress/client
// and the definition types of @botpress/sdk, and the result is thrown away.
// A json.RawMessage field of a shape is opaque: a "schema" (any JSON Schema
// keywords) or esbuild's options.

// configIdentifierShape is configuration.identifier.
type configIdentifierShape struct {
	Required           bool   `json:"required"`
	LinkTemplateScript string `json:"linkTemplateScript"`
}

// creationShape is user.creation and channels.*.conversation.creation.
type creationShape struct {
	Enabled      bool     `json:"enabled"`
	RequiredTags []string `json:"requiredTags"`
}

// entityShape is one of entities.
type entityShape struct {
	Title       string          `json:"title"`
	Description string          `json:"description"`
	Schema      json.RawMessage `json:"schema"`
}

// interfaceShape is one of interfaces: which of the integration's items
// implement the interface's.
type interfaceShape struct {
	ID       string                         `json:"id"`
	Name     string                         `json:"name"`
	Version  string                         `json:"version"`
	Entities map[string]implementationShape `json:"entities"`
	Actions  map[string]implementationShape `json:"actions"`
	Events   map[string]implementationShape `json:"events"`
	Channels map[string]implementationShape `json:"channels"`
}

// implementationShape names the integration's item that implements one of
// an interface's.
type implementationShape struct {
	Name string `json:"name"`
}

// integrationIdentifierShape is the top-level identifier: VRL scripts the
// platform runs on shared webhooks.
type integrationIdentifierShape struct {
	ExtractScript         string `json:"extractScript"`
	FallbackHandlerScript string `json:"fallbackHandlerScript"`
}

// extraOperationShape is one of extraOperations.
type extraOperationShape struct {
	Enabled bool `json:"enabled"`
}

// advancedShape is __advanced, the SDK's build options.
type advancedShape struct {
	Esbuild                 json.RawMessage                `json:"esbuild"` // esbuild's BuildOptions
	ExtraOperations         map[string]extraOperationShape `json:"extraOperations"`
	UseLegacyZuiTransformer bool                           `json:"useLegacyZuiTransformer"`
}

// shapesOf lists the members of an object of type t that are checked
// against a shape: a raw JSON field of t, or a member `bp read` prints that
// t has no field for, which is checked and dropped.
func shapesOf(t reflect.Type) map[string]reflect.Type {
	switch t {
	case reflect.TypeFor[Definition]():
		return map[string]reflect.Type{
			"entities":        reflect.TypeFor[map[string]entityShape](),
			"interfaces":      reflect.TypeFor[map[string]interfaceShape](),
			"identifier":      reflect.TypeFor[integrationIdentifierShape](),
			"extraOperations": reflect.TypeFor[map[string]extraOperationShape](),
			"__advanced":      reflect.TypeFor[advancedShape](),
		}
	case reflect.TypeFor[ConfigurationDef]():
		return map[string]reflect.Type{"identifier": reflect.TypeFor[configIdentifierShape]()}
	case reflect.TypeFor[UserDef](), reflect.TypeFor[ConversationDef]():
		return map[string]reflect.Type{"creation": reflect.TypeFor[creationShape]()}
	}
	return nil
}
