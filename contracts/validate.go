package contracts

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaBase is the URL under which each schema is registered with the
// compiler, followed by its JSON pointer in the definition. Nothing is ever
// fetched from it.
const schemaBase = "https://definition.chatsim.invalid"

// Validator checks captures against a definition. Build it once with
// Definition.Validator (it compiles every schema); it is safe for concurrent
// use. A nil *Validator checks nothing and reports no violations.
type Validator struct {
	def *Definition

	config     *jsonschema.Schema            // nil: any object
	configs    map[string]*jsonschema.Schema // nil value: any object
	configList string

	userTags    tagSet
	channels    map[string]*channelRules
	channelList string
	events      map[string]*jsonschema.Schema
	eventList   string
	states      map[string]stateRules
	stateList   string
	actions     map[string]actionRules
	actionList  string
}

type tagSet struct {
	keys map[string]bool
	list string // "chatId, id" or "none"
}

type channelRules struct {
	messages map[string]*jsonschema.Schema
	typeList string
	message  tagSet
	conv     tagSet
}

type stateRules struct {
	scope  string
	schema *jsonschema.Schema
}

type actionRules struct {
	input, output *jsonschema.Schema
}

// refuseLoader is the compiler's only loader: schemas may reference
// themselves ("#/properties/text") and the JSON Schema metaschemas, which the
// library embeds, but nothing on the network or on disk.
type refuseLoader struct{}

func (refuseLoader) Load(u string) (any, error) {
	return nil, errors.New("refused: a definition's schemas may only use internal $refs")
}

// Validator compiles every schema of the definition once, as draft 7 unless
// a schema names its own $schema. $refs inside a schema are resolved;
// anything else (remote or file refs) is refused. Unknown keywords such as
// x-zui are ignored. Entity schemas are compiled too, though nothing is
// checked against them. An error is a *DefinitionError wrapping
// ErrDefinition that names the schema by its JSON pointer in the definition
// ("/channels/channel/messages/text/schema"), or the keyword in it that
// breaks the metaschema (".../schema/properties/text/minLength").
// A nil definition gives a nil validator, which checks nothing.
//
// A Definition from Parse or LoadFile was compiled when it was loaded (Parse
// reports a schema that does not compile, with its line) and hands every
// caller the same Validator (it is safe for concurrent use), so a thousand
// Worlds sharing one definition compile it once; such a Definition must not
// be modified afterwards. A Definition built in Go is compiled on each call.
func (d *Definition) Validator() (*Validator, error) {
	if d == nil {
		return nil, nil
	}
	if d.compiled != nil {
		d.compiled.once.Do(func() { d.compiled.v, d.compiled.err = d.compile(nil) })
		return d.compiled.v, d.compiled.err
	}
	return d.compile(nil)
}

// compile builds the validator. root is the tree d was decoded from, which
// gives errors their line and column; nil for a Definition built in Go.
func (d *Definition) compile(root *node) (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.UseLoader(refuseLoader{})
	fail := func(at []string, msg string) error {
		var p position
		if n := root.at(at); n != nil {
			p = n.pos
		}
		return &DefinitionError{Source: d.Source, Line: p.Line, Column: p.Col, Field: pointerOf(at), Msg: msg}
	}
	compile := func(raw json.RawMessage, path ...string) (*jsonschema.Schema, error) {
		if len(raw) == 0 || string(raw) == "null" {
			return nil, nil
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fail(path, "invalid JSON: "+err.Error())
		}
		if _, ok := doc.(map[string]any); !ok {
			if _, ok := doc.(bool); !ok {
				return nil, fail(path, "want an object or a boolean (a JSON Schema)")
			}
		}
		u := schemaURL(path)
		if err := c.AddResource(u, doc); err != nil {
			return nil, fail(path, "add schema: "+tidy(err))
		}
		s, err := c.Compile(u)
		if err != nil {
			if at, msg, ok := metaschemaError(path, err); ok {
				return nil, fail(at, msg)
			}
			return nil, fail(path, "compile schema: "+tidy(err))
		}
		return s, nil
	}

	v := &Validator{
		def:      d,
		configs:  map[string]*jsonschema.Schema{},
		userTags: newTagSet(d.User.Tags),
		channels: map[string]*channelRules{},
		events:   map[string]*jsonschema.Schema{},
		states:   map[string]stateRules{},
		actions:  map[string]actionRules{},
	}
	var err error
	if v.config, err = compile(d.Configuration.Schema, "configuration", "schema"); err != nil {
		return nil, err
	}
	for _, name := range sortedKeys(d.Configurations) {
		if v.configs[name], err = compile(d.Configurations[name].Schema, "configurations", name, "schema"); err != nil {
			return nil, err
		}
	}
	v.configList = declared(sortedKeys(d.Configurations))
	for _, ch := range sortedKeys(d.Channels) {
		cd := d.Channels[ch]
		r := &channelRules{
			messages: map[string]*jsonschema.Schema{},
			typeList: declared(sortedKeys(cd.Messages)),
			message:  newTagSet(cd.Message.Tags),
			conv:     newTagSet(cd.Conversation.Tags),
		}
		for _, typ := range sortedKeys(cd.Messages) {
			if r.messages[typ], err = compile(cd.Messages[typ].Schema, "channels", ch, "messages", typ, "schema"); err != nil {
				return nil, err
			}
		}
		v.channels[ch] = r
	}
	v.channelList = declared(sortedKeys(d.Channels))
	for _, name := range sortedKeys(d.Events) {
		if v.events[name], err = compile(d.Events[name].Schema, "events", name, "schema"); err != nil {
			return nil, err
		}
	}
	v.eventList = declared(sortedKeys(d.Events))
	for _, name := range sortedKeys(d.States) {
		s, err := compile(d.States[name].Schema, "states", name, "schema")
		if err != nil {
			return nil, err
		}
		v.states[name] = stateRules{scope: d.States[name].Type, schema: s}
	}
	v.stateList = declared(sortedKeys(d.States))
	for _, name := range sortedKeys(d.Actions) {
		var r actionRules
		if r.input, err = compile(d.Actions[name].Input.Schema, "actions", name, "input", "schema"); err != nil {
			return nil, err
		}
		if r.output, err = compile(d.Actions[name].Output.Schema, "actions", name, "output", "schema"); err != nil {
			return nil, err
		}
		v.actions[name] = r
	}
	v.actionList = declared(sortedKeys(d.Actions))
	for _, name := range sortedKeys(d.Entities) {
		var e struct {
			Schema json.RawMessage `json:"schema"`
		}
		if err := json.Unmarshal(d.Entities[name], &e); err != nil {
			return nil, fail([]string{"entities", name}, "want an object with a schema")
		}
		if _, err := compile(e.Schema, "entities", name, "schema"); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// metaschemaError explains a schema that breaks its metaschema, naming the
// first keyword that is wrong by its pointer below path (the schema's own
// pointer) and adding the others to the message. ok is false for any other
// compile error.
func metaschemaError(path []string, err error) (at []string, msg string, ok bool) {
	var sve *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if !errors.As(err, &sve) || !errors.As(sve.Err, &ve) {
		return nil, "", false
	}
	vs := sorted(flatten(nil, "", "", ve))
	if len(vs) == 0 {
		return nil, "", false
	}
	at = append(slices.Clip(path), splitPointer(vs[0].Pointer)...)
	var b strings.Builder
	b.WriteString("not a valid JSON Schema: ")
	b.WriteString(vs[0].Message)
	for _, v := range vs[1:] {
		b.WriteString("; ")
		if v.Pointer != vs[0].Pointer {
			b.WriteString(pointerOf(path) + v.Pointer)
			b.WriteString(": ")
		}
		b.WriteString(v.Message)
	}
	return at, b.String(), true
}

// schemaURL is where the schema at path is registered with the compiler.
func schemaURL(path []string) string {
	var b strings.Builder
	b.WriteString(schemaBase)
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(escapePointer(p)))
	}
	return b.String()
}

// tidy renders a compiler error on one line and without the made-up URLs.
// A schema that breaks its metaschema is explained like a violation.
func tidy(err error) string {
	var sve *jsonschema.SchemaValidationError
	var ve *jsonschema.ValidationError
	if errors.As(err, &sve) && errors.As(sve.Err, &ve) {
		var parts []string
		for _, v := range sorted(flatten(nil, "", "", ve)) {
			parts = append(parts, "at "+cmp.Or(v.Pointer, "/")+": "+v.Message)
		}
		return "not a valid JSON Schema: " + strings.Join(parts, "; ")
	}
	s := strings.ReplaceAll(err.Error(), schemaBase, "")
	return strings.Join(strings.Fields(s), " ")
}

func newTagSet(tags map[string]TagDef) tagSet {
	ts := tagSet{keys: make(map[string]bool, len(tags)), list: declared(sortedKeys(tags))}
	for k := range tags {
		ts.keys[k] = true
	}
	return ts
}

func declared(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
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
// Violations name the capture "configuration" (or "configuration <typ>") and
// point inside the configuration object ("/botToken"). An undeclared typ is a
// violation; without a schema any object is accepted. An empty cfg is taken
// as {}.
func (v *Validator) CheckConfiguration(typ string, cfg json.RawMessage) []Violation {
	if v == nil {
		return nil
	}
	capture := "configuration"
	sch := v.config
	if typ != "" {
		capture += " " + typ
		var ok bool
		if sch, ok = v.configs[typ]; !ok {
			return []Violation{{Capture: capture, Message: fmt.Sprintf("configuration type %q is not declared (declared: %s)", typ, v.configList)}}
		}
	}
	if len(bytes.TrimSpace(cfg)) == 0 {
		cfg = json.RawMessage("{}")
	}
	var out []Violation
	if sch == nil {
		val, err := jsonschema.UnmarshalJSON(bytes.NewReader(cfg))
		switch {
		case err != nil:
			out = append(out, Violation{Capture: capture, Message: "invalid JSON: " + err.Error()})
		case jsonType(val) != "object":
			out = append(out, Violation{Capture: capture, Message: "want object, got " + jsonType(val)})
		}
		return out
	}
	return sorted(validate(out, capture, "", sch, cfg))
}

// CheckUser checks that every user tag key is declared under user.tags.
// capture names the capture in violations ("user.get-or-create user_…").
func (v *Validator) CheckUser(capture string, u User) []Violation {
	if v == nil {
		return nil
	}
	return sorted(checkTags(nil, capture, u.Tags, v.userTags, "users"))
}

// CheckConversation checks that the channel is declared and every
// conversation tag key is declared for it.
func (v *Validator) CheckConversation(capture string, c Conversation) []Violation {
	if v == nil {
		return nil
	}
	ch, out := v.channel(capture, c.Channel)
	if ch == nil {
		return out
	}
	return sorted(checkTags(out, capture, c.Tags, ch.conv, fmt.Sprintf("channel %q conversations", c.Channel)))
}

// CheckMessage checks that the message type is declared for the channel, the
// payload matches its schema (pointers are rooted at the message:
// "/payload/text") and every message tag key is declared.
func (v *Validator) CheckMessage(capture string, m Message) []Violation {
	if v == nil {
		return nil
	}
	ch, out := v.channel(capture, m.Channel)
	if ch == nil {
		return out
	}
	if sch, ok := ch.messages[m.Type]; !ok {
		out = append(out, Violation{Capture: capture, Pointer: "/type",
			Message: fmt.Sprintf("message type %q is not declared for channel %q (declared: %s)", m.Type, m.Channel, ch.typeList)})
	} else {
		out = validate(out, capture, "/payload", sch, m.Payload)
	}
	return sorted(checkTags(out, capture, m.Tags, ch.message, fmt.Sprintf("channel %q messages", m.Channel)))
}

func (v *Validator) channel(capture, name string) (*channelRules, []Violation) {
	if ch, ok := v.channels[name]; ok {
		return ch, nil
	}
	return nil, []Violation{{Capture: capture, Pointer: "/channel",
		Message: fmt.Sprintf("channel %q is not declared (declared: %s)", name, v.channelList)}}
}

// CheckEvent checks that the event type is declared and its payload matches
// the schema (pointers rooted at the event: "/payload/order_id").
func (v *Validator) CheckEvent(capture string, e Event) []Violation {
	if v == nil {
		return nil
	}
	sch, ok := v.events[e.Type]
	if !ok {
		return []Violation{{Capture: capture, Pointer: "/type",
			Message: fmt.Sprintf("event type %q is not declared (declared: %s)", e.Type, v.eventList)}}
	}
	return sorted(validate(nil, capture, "/payload", sch, e.Payload))
}

// CheckState checks that a state of that name is declared with that scope and
// its payload matches the schema. States in the "bot" scope and deletions
// (null payload) are not checked against the definition. An undeclared name
// is reported at "/name", a different scope at "/type".
func (v *Validator) CheckState(capture string, s StateChange) []Violation {
	if v == nil || s.Scope == "bot" {
		return nil
	}
	if p := bytes.TrimSpace(s.Payload); len(p) == 0 || string(p) == "null" {
		return nil
	}
	st, ok := v.states[s.Name]
	if !ok {
		return []Violation{{Capture: capture, Pointer: "/name",
			Message: fmt.Sprintf("state %q is not declared (declared: %s)", s.Name, v.stateList)}}
	}
	if st.scope != s.Scope {
		return []Violation{{Capture: capture, Pointer: "/type",
			Message: fmt.Sprintf("state %q is declared with type %q, not %q", s.Name, st.scope, s.Scope)}}
	}
	return sorted(validate(nil, capture, "/payload", st.schema, s.Payload))
}

// CheckActionInput checks that the action is declared and its input matches
// the input schema (pointers rooted at "/input"). An undeclared action is
// reported at "/type". An empty input is taken as {}.
func (v *Validator) CheckActionInput(capture string, a ActionCall) []Violation {
	if v == nil {
		return nil
	}
	r, ok := v.actions[a.Type]
	if !ok {
		return []Violation{{Capture: capture, Pointer: "/type",
			Message: fmt.Sprintf("action %q is not declared (declared: %s)", a.Type, v.actionList)}}
	}
	return sorted(validate(nil, capture, "/input", r.input, orEmptyObject(a.Input)))
}

// CheckActionOutput checks the action's output against the output schema
// (pointers rooted at "/output"). A failed call (Error set) has no output to
// check, and an undeclared action is left to CheckActionInput so that it is
// reported once. An empty output is taken as {}.
func (v *Validator) CheckActionOutput(capture string, a ActionCall) []Violation {
	if v == nil || a.Error != "" {
		return nil
	}
	r, ok := v.actions[a.Type]
	if !ok {
		return nil
	}
	return sorted(validate(nil, capture, "/output", r.output, orEmptyObject(a.Output)))
}

func orEmptyObject(raw json.RawMessage) json.RawMessage {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}")
	}
	return raw
}

// checkTags reports every key of tags that is not declared.
func checkTags(out []Violation, capture string, tags map[string]string, decl tagSet, what string) []Violation {
	for k := range tags {
		if !decl.keys[k] {
			out = append(out, Violation{Capture: capture, Pointer: "/tags/" + escapePointer(k),
				Message: fmt.Sprintf("tag key %q is not declared for %s (declared: %s)", k, what, decl.list)})
		}
	}
	return out
}

// validate checks raw against sch (nil accepts anything) and appends one
// violation per leaf cause, with pointers under root.
func validate(out []Violation, capture, root string, sch *jsonschema.Schema, raw json.RawMessage) []Violation {
	if sch == nil {
		return out
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = json.RawMessage("null")
	}
	val, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return append(out, Violation{Capture: capture, Pointer: root, Message: "invalid JSON: " + err.Error()})
	}
	err = sch.Validate(val)
	if err == nil {
		return out
	}
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return append(out, Violation{Capture: capture, Pointer: root, Message: err.Error()})
	}
	return flatten(out, capture, root, ve)
}

func sorted(vs []Violation) []Violation {
	slices.SortFunc(vs, func(a, b Violation) int {
		return cmp.Or(strings.Compare(a.Pointer, b.Pointer), strings.Compare(a.Message, b.Message))
	})
	return slices.CompactFunc(vs, func(a, b Violation) bool { return a == b })
}
