package contracts_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/contracts"
)

func loadFile(tb testing.TB, path string) *contracts.Definition {
	tb.Helper()
	d, err := contracts.LoadFile(path)
	if err != nil {
		tb.Fatalf("LoadFile(%q): %v", path, err)
	}
	return d
}

func marshal(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("marshal: %v", err)
	}
	return string(b)
}

func TestLoadFileJSONAndYAMLAgree(t *testing.T) {
	t.Parallel()
	fromJSON := loadFile(t, "testdata/telegram.definition.json")
	fromYAML := loadFile(t, "testdata/telegram.definition.yaml")
	if got, want := marshal(t, fromYAML), marshal(t, fromJSON); got != want {
		t.Errorf("YAML and JSON definitions differ:\nyaml: %s\njson: %s", got, want)
	}
	tests := []struct {
		name string
		def  *contracts.Definition
		src  string
	}{
		{"json", fromJSON, "testdata/telegram.definition.json"},
		{"yaml", fromYAML, "testdata/telegram.definition.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := tt.def
			if d.Source != tt.src {
				t.Errorf("Source = %q, want %q", d.Source, tt.src)
			}
			if d.Name != "telegram" || d.Version != "0.6.0" {
				t.Errorf("name/version = %q/%q", d.Name, d.Version)
			}
			ch, ok := d.Channels["channel"]
			if !ok {
				t.Fatalf("no channel %q", "channel")
			}
			if got := strings.Join(keys(ch.Messages), ","); got != "card,choice,dropdown,image,text" {
				t.Errorf("message types = %s", got)
			}
			if got := strings.Join(keys(ch.Message.Tags), ","); got != "chatId,id" {
				t.Errorf("message tags = %s", got)
			}
			if got := string(ch.Messages["text"].Schema); !strings.Contains(got, `"maxLength":4096`) {
				t.Errorf("text schema = %s", got)
			}
			if _, ok := d.Secrets["WEBHOOK_SECRET"]; !ok {
				t.Errorf("secrets = %v", d.Secrets)
			}
			if d.States["selection"].Type != "conversation" {
				t.Errorf("state selection = %+v", d.States["selection"])
			}
			if d.Actions["stopTypingIndicator"].Attributes["bpActionHiddenInStudio"] != "true" {
				t.Errorf("action attributes = %v", d.Actions["stopTypingIndicator"].Attributes)
			}
			if string(d.Actions["stopTypingIndicator"].Input.Schema) != string(d.Actions["startTypingIndicator"].Input.Schema) {
				t.Errorf("typing indicator inputs differ")
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out { // insertion sort keeps the helper dependency-free
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func TestParseAcceptsWhatBpReadPrints(t *testing.T) {
	t.Parallel()
	// The composed example of reference/botpress-protocol.md §3, plus
	// every other field the createIntegration body and the SDK's
	// definition types have at any level, and keywords of every kind in
	// the schemas, which are left alone.
	const example = `{
  "name": "rocketchat-sim", "version": "0.1.0", "title": "Rocket.Chat (sim)",
  "configuration": {
    "schema": {"type":"object","additionalProperties":false,"required":["serverUrl"],
      "properties":{"serverUrl":{"type":"string","x-zui":{"title":"Server URL"}},
                    "replyInThread":{"type":"boolean","default":false}}},
    "identifier": {"required": false}
  },
  "channels": {"room": {"title": "Room", "description": "A room",
    "messages": {"text": {"schema": {"type":"object","additionalProperties":false,"required":["text"],
                                      "properties":{"text":{"type":"string","minLength":1}}}}},
    "message": {"tags": {"id": {}}},
    "conversation": {"tags": {"roomId": {"title": "Room", "description": "The room id"}, "threadId": {}},
                     "creation": {"enabled": true, "requiredTags": ["roomId"]}}}},
  "configurations": {"oauth": {"title": "OAuth", "description": "Installed with OAuth",
    "schema": {"type": "object", "x-whatever": {"nested": [1, {"deep": true}]}},
    "identifier": {"required": true, "linkTemplateScript": "x"}}},
  "actions": {"archiveRoom": {"title": "Archive room", "description": "Archives a room",
    "billable": true, "cacheable": false, "attributes": {"bpActionHiddenInStudio": "true"},
    "input":  {"schema": {"type":"object","properties":{"roomId":{"type":"string"}},"required":["roomId"]}},
    "output": {"schema": {"type":"object","properties":{}}}}},
  "events": {"userJoined": {"title": "User joined", "description": "A user joined a room", "attributes": {},
    "schema": {"type":"object","properties":{"userId":{"type":"string"}}}}},
  "states": {"auth": {"type": "integration", "schema": {"type":"object","properties":{"token":{"type":"string"}}}}},
  "entities": {"ticket": {"title": "Ticket", "description": "A support ticket", "schema": {"type": "object", "unknownKeyword": 1}}},
  "interfaces": {"typingIndicator": {"id": "", "name": "typing-indicator", "version": "0.0.1",
    "entities": {}, "actions": {"startTypingIndicator": {"name": "startTypingIndicator"}},
    "events": {}, "channels": {"room": {"name": "room"}}}},
  "attributes": {"category": "Communication & Channels"},
  "user": {"tags": {"id": {"title": "Rocket.Chat user id"}}, "creation": {"enabled": false, "requiredTags": []}},
  "secrets": {"TOKEN": {"optional": false, "description": "The bot's token"}},
  "identifier": {"extractScript": "x", "fallbackHandlerScript": "y"},
  "extraOperations": {"getOrCreateConversation": {"enabled": true}},
  "__advanced": {"useLegacyZuiTransformer": false, "extraOperations": {"x": {"enabled": false}},
    "esbuild": {"minify": true, "define": {"X": "1"}}},
  "icon": "", "readme": "", "description": ""
}`
	tests := []struct{ name, source string }{
		{"json extension", "definition.json"},
		{"sniffed", "definition"},
		{"as yaml", "definition.yaml"}, // JSON is YAML too
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := contracts.Parse([]byte(example), tt.source)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d.Name != "rocketchat-sim" || d.Source != tt.source {
				t.Errorf("Name, Source = %q, %q", d.Name, d.Source)
			}
			if got := strings.Join(keys(d.Channels["room"].Conversation.Tags), ","); got != "roomId,threadId" {
				t.Errorf("conversation tags = %s", got)
			}
			if _, err := d.Validator(); err != nil {
				t.Errorf("Validator: %v", err)
			}
		})
	}
}

func TestParseYAMLAnchorsAndMerges(t *testing.T) {
	t.Parallel()
	const doc = `
name: merged
version: "1.0"
channels:
  channel:
    messages:
      text:
        schema: &text {type: object, properties: {text: {type: string}}}
      markdown:
        schema:
          <<: *text
          required: [text]
`
	d, err := contracts.Parse([]byte(doc), "definition.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	msgs := d.Channels["channel"].Messages
	if got, want := string(msgs["text"].Schema), `{"type":"object","properties":{"text":{"type":"string"}}}`; got != want {
		t.Errorf("text schema = %s, want %s", got, want)
	}
	if got, want := string(msgs["markdown"].Schema), `{"required":["text"],"type":"object","properties":{"text":{"type":"string"}}}`; got != want {
		t.Errorf("markdown schema = %s, want %s", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, source, data, want string
	}{
		{
			name:   "json syntax error",
			source: "definition.json",
			data:   "{\"name\": \"x\",\n  \"version\": 1.0.0}",
			want:   "definition.json:2:17: invalid JSON: invalid character '.' after object key:value pair",
		},
		{
			name:   "json trailing comma",
			source: "definition.json",
			data:   "{\"name\": \"x\",\n  \"version\": \"1\",\n}",
			want:   "definition.json:3:1: invalid JSON: invalid character '}' looking for beginning of object key string",
		},
		{
			name:   "json truncated",
			source: "definition.json",
			data:   "{\"name\": \"x\",\n  \"version\": \"1\"",
			want:   "definition.json:2:17: invalid JSON: unexpected end of input",
		},
		{
			name:   "json trailing data",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\"}\n{}",
			want:   "definition.json:2:1: invalid JSON: unexpected data after the top-level value",
		},
		{
			name:   "empty json",
			source: "definition.json",
			data:   "",
			want:   "definition.json:1:1: invalid JSON: unexpected end of input",
		},
		{
			name:   "json duplicate key",
			source: "definition.json",
			data:   "{\"name\": \"x\",\n \"name\": \"y\"}",
			want:   `definition.json:2:2: duplicate key "name"`,
		},
		{
			name:   "schema of the wrong type",
			source: "definition.json",
			data: `{"name": "x", "version": "1",
  "channels": {
    "channel": {
      "messages": {"text": {"schema": "text"}}
    }
  }
}`,
			want: "definition.json:4:39: channels.channel.messages.text.schema: want an object or a boolean (a JSON Schema), got a string",
		},
		{
			name:   "tags of the wrong type",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"user\": {\"tags\": [\"id\"]}}",
			want:   "definition.json:2:20: user.tags: want an object, got an array",
		},
		{
			name:   "unknown top-level field",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"chanels\": {}}",
			want:   `definition.json:2:3: chanels: unknown field (did you mean "channels"?)`,
		},
		{
			name:   "unknown top-level field without a close match",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\", \"flavour\": 1}",
			want:   `definition.json:1:31: flavour: unknown field`,
		},
		{
			name:   "missing version",
			source: "definition.json",
			data:   `{"name": "x"}`,
			want:   "definition.json:1:1: version: missing required field",
		},
		{
			name:   "empty name",
			source: "definition.json",
			data:   `{"name": "", "version": "1"}`,
			want:   "definition.json:1:10: name: must not be empty",
		},
		{
			name:   "channel without messages",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"channels\": {\"channel\": {\"message\": {}}}}",
			want:   "definition.json:2:27: channels.channel.messages: missing required field",
		},
		{
			name:   "state with a bad scope",
			source: "definition.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"states\": {\"s\": {\"type\": \"bot\", \"schema\": {}}}}",
			want:   `definition.json:2:28: states.s.type: want "conversation", "user" or "integration", got "bot"`,
		},
		{
			name:   "event schema an array",
			source: "definition.json",
			data:   `{"name": "x", "version": "1", "events": {"e": {"schema": []}}}`,
			want:   "definition.json:1:58: events.e.schema: want an object or a boolean (a JSON Schema), got an array",
		},
		{
			name:   "yaml syntax error",
			source: "definition.yaml",
			data:   "name: x\nversion: '1'\nchannels:\n  channel:\n    messages:\n    text: : :\n",
			want:   "definition.yaml:6: invalid YAML: mapping values are not allowed in this context",
		},
		{
			name:   "yaml wrong type",
			source: "definition.yml",
			data:   "name: x\nversion: 1\n",
			want:   "definition.yml:2:10: version: want a string, got a number",
		},
		{
			name:   "yaml bad schema",
			source: "definition.yaml",
			data:   "name: x\nversion: '1'\nactions:\n  a:\n    input:\n      schema: 5\n",
			want:   "definition.yaml:6:15: actions.a.input.schema: want an object or a boolean (a JSON Schema), got a number",
		},
		{
			name:   "yaml unknown field",
			source: "definition.yaml",
			data:   "name: x\nversion: '1'\nsecret:\n  A: {}\n",
			want:   `definition.yaml:3:1: secret: unknown field (did you mean "secrets"?)`,
		},
		{
			name:   "yaml duplicate key",
			source: "definition.yaml",
			data:   "name: x\nname: y\n",
			want:   `definition.yaml:2:1: duplicate key "name"`,
		},
		{
			name:   "yaml not a mapping",
			source: "definition.yaml",
			data:   "- name\n",
			want:   "definition.yaml:1:1: want an object, got an array",
		},
		{
			name:   "yaml empty",
			source: "definition.yaml",
			data:   "",
			want:   "definition.yaml:1:1: empty document",
		},
		{
			name:   "yaml two documents",
			source: "definition.yaml",
			data:   "name: x\nversion: '1'\n---\nname: y\n",
			want:   "definition.yaml:3:1: invalid YAML: more than one document",
		},
		{
			name:   "yaml infinity",
			source: "definition.yaml",
			data:   "name: x\nversion: '1'\nconfiguration:\n  schema: {maximum: .inf}\n",
			want:   "definition.yaml:4:21: invalid YAML: .inf has no JSON equivalent",
		},
		{
			name:   "yaml alias bomb",
			source: "definition.yaml",
			data:   "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
			want:   "definition.yaml:1:20: invalid YAML: more than 250000 values once aliases are expanded",
		},
		{
			name:   "sniffed yaml",
			source: "definition",
			data:   "name: x\n",
			want:   "definition:1:1: version: missing required field",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := contracts.Parse([]byte(tt.data), tt.source)
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", d, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, contracts.ErrDefinition) {
				t.Errorf("error %v does not wrap ErrDefinition", err)
			}
			var de *contracts.DefinitionError
			if !errors.As(err, &de) || de.Source != tt.source || de.Line == 0 {
				t.Errorf("error %#v is not a DefinitionError with source and line", err)
			}
		})
	}
}

// TestParseUnknownFields checks that a field a definition cannot have is an
// error wherever it is, named by its line, column and path, with the closest
// allowed name when there is one; inside schemas anything goes.
func TestParseUnknownFields(t *testing.T) {
	t.Parallel()
	// d puts members into a definition's top level, on line 2.
	d := func(members string) string {
		return "{\"name\": \"x\", \"version\": \"1\",\n  " + members + "}"
	}
	tests := []struct {
		name, source, data, want string
	}{
		{
			name:   "conversation",
			source: "d.json",
			data:   d(`"channels": {"c": {"messages": {}, "conversation": {"tags": {}, "someNewField": 1}}}`),
			want:   `d.json:2:67: channels.c.conversation.someNewField: unknown field`,
		},
		{
			name:   "channel, with a suggestion",
			source: "d.json",
			data:   d(`"channels": {"c": {"mesages": {}}}`),
			want:   `d.json:2:22: channels.c.mesages: unknown field (did you mean "messages"?)`,
		},
		{
			name:   "message type",
			source: "d.json",
			data:   d(`"channels": {"c": {"messages": {"text": {"schema": {}, "title": "Text"}}}}`),
			want:   `d.json:2:58: channels.c.messages.text.title: unknown field`,
		},
		{
			name:   "tag",
			source: "d.json",
			data:   d(`"user": {"tags": {"id": {"titel": "Id"}}}`),
			want:   `d.json:2:28: user.tags.id.titel: unknown field (did you mean "title"?)`,
		},
		{
			name:   "action input",
			source: "d.json",
			data:   d(`"actions": {"a": {"input": {"shema": {}}, "output": {"schema": {}}}}`),
			want:   `d.json:2:31: actions.a.input.shema: unknown field (did you mean "schema"?)`,
		},
		{
			name:   "state",
			source: "d.json",
			data:   d(`"states": {"s": {"typ": "user", "schema": {}}}`),
			want:   `d.json:2:20: states.s.typ: unknown field (did you mean "type"?)`,
		},
		{
			name:   "event",
			source: "d.json",
			data:   d(`"events": {"e": {"schema": {}, "attributs": {}}}`),
			want:   `d.json:2:34: events.e.attributs: unknown field (did you mean "attributes"?)`,
		},
		{
			name:   "secret",
			source: "d.json",
			data:   d(`"secrets": {"TOKEN": {"Optional": true}}`),
			want:   `d.json:2:25: secrets.TOKEN.Optional: unknown field (did you mean "optional"?)`,
		},
		{
			name:   "configuration identifier",
			source: "d.json",
			data:   d(`"configuration": {"identifier": {"requierd": true}}`),
			want:   `d.json:2:36: configuration.identifier.requierd: unknown field (did you mean "required"?)`,
		},
		{
			name:   "named configuration",
			source: "d.json",
			data:   d(`"configurations": {"oauth": {"schema": {}, "tilte": "OAuth"}}`),
			want:   `d.json:2:46: configurations.oauth.tilte: unknown field (did you mean "title"?)`,
		},
		{
			name:   "user creation",
			source: "d.json",
			data:   d(`"user": {"creation": {"enabled": true, "required_tags": []}}`),
			want:   `d.json:2:42: user.creation.required_tags: unknown field (did you mean "requiredTags"?)`,
		},
		{
			name:   "user creation of the wrong type",
			source: "d.json",
			data:   d(`"user": {"creation": {"requiredTags": "id"}}`),
			want:   `d.json:2:41: user.creation.requiredTags: want an array, got a string`,
		},
		{
			name:   "entity",
			source: "d.json",
			data:   d(`"entities": {"ticket": {"schema": {}, "name": "t"}}`),
			want:   `d.json:2:41: entities.ticket.name: unknown field`,
		},
		{
			name:   "entity schema of the wrong type",
			source: "d.json",
			data:   d(`"entities": {"ticket": {"schema": "object"}}`),
			want:   `d.json:2:37: entities.ticket.schema: want an object or a boolean (a JSON Schema), got a string`,
		},
		{
			name:   "interface implementation",
			source: "d.json",
			data:   d(`"interfaces": {"typing": {"id": "", "actions": {"start": {"nam": "start"}}}}`),
			want:   `d.json:2:61: interfaces.typing.actions.start.nam: unknown field (did you mean "name"?)`,
		},
		{
			name:   "integration identifier",
			source: "d.json",
			data:   d(`"identifier": {"extract_script": "x"}`),
			want:   `d.json:2:18: identifier.extract_script: unknown field (did you mean "extractScript"?)`,
		},
		{
			name:   "extra operation",
			source: "d.json",
			data:   d(`"extraOperations": {"op": {"enable": true}}`),
			want:   `d.json:2:30: extraOperations.op.enable: unknown field (did you mean "enabled"?)`,
		},
		{
			name:   "advanced",
			source: "d.json",
			data:   d(`"__advanced": {"esbuild": {"anything": 1}, "useLegacyZui": true}`),
			want:   `d.json:2:46: __advanced.useLegacyZui: unknown field`,
		},
		{
			name:   "no far-fetched suggestion",
			source: "d.json",
			data:   d(`"interfaces": {"i": {"xy": ""}}`),
			want:   `d.json:2:24: interfaces.i.xy: unknown field`,
		},
		{
			name:   "yaml",
			source: "d.yaml",
			data:   "name: x\nversion: '1'\nchannels:\n  c:\n    messages:\n      text:\n        schema: {type: object}\n    message:\n      tag: {}\n",
			want:   `d.yaml:9:7: channels.c.message.tag: unknown field (did you mean "tags"?)`,
		},
		{
			name:   "yaml merge names the key where it is written",
			source: "d.yaml",
			data:   "name: x\nversion: '1'\nchannels:\n  c:\n    messages:\n      text:\n        schema: &s {type: object}\n    conversation:\n      <<: *s\n",
			want:   `d.yaml:7:21: channels.c.conversation.type: unknown field`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := contracts.Parse([]byte(tt.data), tt.source)
			if err == nil {
				t.Fatalf("Parse = %+v, want error %q", d, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, contracts.ErrDefinition) {
				t.Errorf("error %v does not wrap ErrDefinition", err)
			}
			var de *contracts.DefinitionError
			if !errors.As(err, &de) || de.Source != tt.source || de.Line == 0 || de.Column == 0 || de.Field == "" {
				t.Errorf("error %#v is not a DefinitionError with source, line, column and field", err)
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	t.Parallel()
	_, err := contracts.LoadFile("testdata/does-not-exist.json")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("LoadFile error = %v, want fs.ErrNotExist", err)
	}
	if !strings.Contains(err.Error(), "testdata/does-not-exist.json") {
		t.Errorf("error %q does not name the file", err)
	}
}

// TestParseSchemaErrors checks that a schema that does not compile fails
// Parse itself (not the first validation), naming the file, the line and
// the JSON pointer of the schema or of the keyword in it that is wrong.
func TestParseSchemaErrors(t *testing.T) {
	t.Parallel()
	// m is a message schema starting at 3:21.
	m := func(schema string) string {
		return "{\"name\": \"x\", \"version\": \"1\",\n  \"channels\": {\"c\": {\"messages\": {\n    \"m\": {\"schema\": " + schema + "}}}}}"
	}
	tests := []struct {
		name, source, data, want string
	}{
		{
			name:   "remote ref refused",
			source: "d.json",
			data:   m(`{"$ref": "https://example.com/schema.json"}`),
			want:   `d.json:3:21: /channels/c/messages/m/schema: compile schema: failing loading "https://example.com/schema.json": refused: a definition's schemas may only use internal $refs`,
		},
		{
			name:   "file ref refused",
			source: "d.json",
			data:   m(`{"$ref": "file:///etc/passwd"}`),
			want:   `d.json:3:21: /channels/c/messages/m/schema: compile schema: failing loading "file:///etc/passwd": refused: a definition's schemas may only use internal $refs`,
		},
		{
			name:   "relative ref refused",
			source: "d.json",
			data:   m(`{"properties": {"a": {"$ref": "other.json#/a"}}}`),
			want:   `d.json:3:21: /channels/c/messages/m/schema: compile schema: failing loading "/channels/c/messages/m/other.json": refused: a definition's schemas may only use internal $refs`,
		},
		{
			name:   "unknown metaschema refused",
			source: "d.json",
			data:   m(`{"$schema": "https://example.com/meta", "type": "object"}`),
			want:   `d.json:3:21: /channels/c/messages/m/schema: compile schema: failing loading "https://example.com/meta": refused: a definition's schemas may only use internal $refs`,
		},
		{
			name:   "dangling internal ref",
			source: "d.json",
			data:   m(`{"$ref": "#/definitions/nope"}`),
			want:   `d.json:3:21: /channels/c/messages/m/schema: compile schema: json-pointer in "/channels/c/messages/m/schema#/definitions/nope" not found`,
		},
		{
			name:   "keyword of the wrong type",
			source: "d.json",
			data:   m(`{"type": "object", "required": "text"}`),
			want:   `d.json:3:52: /channels/c/messages/m/schema/required: not a valid JSON Schema: want array, got string`,
		},
		{
			name:   "bad regex deep inside",
			source: "d.json",
			data:   m(`{"properties": {"a~b/c": {"pattern": "("}}}`),
			want:   `d.json:3:58: /channels/c/messages/m/schema/properties/a~0b~1c/pattern: not a valid JSON Schema: "(" is not a valid regex`,
		},
		{
			name:   "two wrong keywords",
			source: "d.json",
			data:   m(`{"minLength": -1, "required": "text"}`),
			want:   `d.json:3:35: /channels/c/messages/m/schema/minLength: not a valid JSON Schema: -1 is less than minimum 0; /channels/c/messages/m/schema/required: want array, got string`,
		},
		{
			name:   "configuration schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"configuration\": {\"schema\": {\"type\": \"obj\"}}}",
			want:   `d.json:2:40: /configuration/schema/type: not a valid JSON Schema: value "obj" is not one of "array", "boolean", "integer", "null", "number", "object", "string"; want array, got string`,
		},
		{
			name:   "named configuration schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"configurations\": {\"oauth\": {\"schema\": {\"maxLength\": \"5\"}}}}",
			want:   `d.json:2:56: /configurations/oauth/schema/maxLength: not a valid JSON Schema: want integer, got string`,
		},
		{
			name:   "event schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"events\": {\"e\": {\"schema\": {\"enum\": 1}}}}",
			want:   `d.json:2:39: /events/e/schema/enum: not a valid JSON Schema: want array, got number`,
		},
		{
			name:   "state schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"states\": {\"s\": {\"type\": \"user\", \"schema\": {\"required\": [1]}}}}",
			want:   `d.json:2:60: /states/s/schema/required/0: not a valid JSON Schema: want string, got number`,
		},
		{
			name:   "action output schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"actions\": {\"a\": {\"input\": {\"schema\": {}}, \"output\": {\"schema\": {\"$ref\": \"#/nope\"}}}}}",
			want:   `d.json:2:67: /actions/a/output/schema: compile schema: json-pointer in "/actions/a/output/schema#/nope" not found`,
		},
		{
			name:   "entity schema",
			source: "d.json",
			data:   "{\"name\": \"x\", \"version\": \"1\",\n  \"entities\": {\"ticket\": {\"schema\": {\"type\": 5}}}}",
			want:   `d.json:2:46: /entities/ticket/schema/type: not a valid JSON Schema: value 5 is not one of "array", "boolean", "integer", "null", "number", "object", "string"; want array, got number`,
		},
		{
			name:   "yaml",
			source: "d.yaml",
			data:   "name: x\nversion: '1'\nchannels:\n  c:\n    messages:\n      m:\n        schema:\n          type: object\n          properties:\n            text: {type: string, minLength: x}\n",
			want:   `d.yaml:10:45: /channels/c/messages/m/schema/properties/text/minLength: not a valid JSON Schema: want integer, got string`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := contracts.Parse([]byte(tt.data), tt.source)
			if err == nil {
				_, verr := d.Validator()
				t.Fatalf("Parse = %+v, nil; want error %q (Validator says %v)", d, tt.want, verr)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
			if !errors.Is(err, contracts.ErrDefinition) {
				t.Errorf("error %v does not wrap ErrDefinition", err)
			}
			var de *contracts.DefinitionError
			if !errors.As(err, &de) || de.Source != tt.source || de.Line == 0 || !strings.HasPrefix(de.Field, "/") {
				t.Errorf("error %#v is not a DefinitionError with source, line and pointer", err)
			}
		})
	}
}

// TestValidatorSchemaErrorWithoutSource checks a Definition built in Go,
// which has no lines to name: Validator still compiles it and names the
// pointer.
func TestValidatorSchemaErrorWithoutSource(t *testing.T) {
	t.Parallel()
	d := &contracts.Definition{
		Name: "x", Version: "1", Source: "built.json",
		Events: map[string]contracts.EventDef{"e": {Schema: json.RawMessage(`{"enum": 1}`)}},
	}
	_, err := d.Validator()
	const want = "built.json: /events/e/schema/enum: not a valid JSON Schema: want array, got number"
	if err == nil || err.Error() != want {
		t.Fatalf("Validator error = %v, want %s", err, want)
	}
	if !errors.Is(err, contracts.ErrDefinition) {
		t.Errorf("error %v does not wrap ErrDefinition", err)
	}
}
