package contracts_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/chatsim/chatsim/contracts"
)

// telegram returns a validator for testdata/telegram.definition.json.
func telegram(tb testing.TB) *contracts.Validator {
	tb.Helper()
	return validatorFor(tb, loadFile(tb, "testdata/telegram.definition.json"))
}

func validatorFor(tb testing.TB, d *contracts.Definition) *contracts.Validator {
	tb.Helper()
	v, err := d.Validator()
	if err != nil {
		tb.Fatalf("Validator: %v", err)
	}
	return v
}

func parse(tb testing.TB, data string) *contracts.Definition {
	tb.Helper()
	d, err := contracts.Parse([]byte(data), "inline.json")
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return d
}

func assertViolations(tb testing.TB, got, want []contracts.Violation) {
	tb.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		tb.Errorf("violations:\n got %s\nwant %s", render(got), render(want))
	}
}

func render(vs []contracts.Violation) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString("\n  ")
		b.WriteString(v.Capture + " | " + v.Pointer + " | " + v.Message)
	}
	return b.String()
}

// at builds the violations of one capture from pointer, message pairs.
func at(capture string, pairs ...string) []contracts.Violation {
	var out []contracts.Violation
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, contracts.Violation{Capture: capture, Pointer: pairs[i], Message: pairs[i+1]})
	}
	return out
}

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	const capture = "message.create msg_1"
	msg := func(typ, payload string, tags map[string]string) contracts.Message {
		return contracts.Message{ID: "msg_1", Channel: "channel", Type: typ, Direction: "incoming",
			Payload: json.RawMessage(payload), ConversationID: "conv_1", UserID: "user_1", Tags: tags}
	}
	tests := []struct {
		name string
		msg  contracts.Message
		want []contracts.Violation
	}{
		{
			name: "text",
			msg:  msg("text", `{"text":"menu"}`, map[string]string{"id": "1", "chatId": "1001"}),
		},
		{
			name: "choice with $ref'd option values",
			msg:  msg("choice", `{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}`, nil),
		},
		{
			name: "outgoing card",
			msg: contracts.Message{Channel: "channel", Type: "card", Direction: "outgoing",
				Payload: json.RawMessage(`{"title":"Tea","actions":[{"action":"postback","label":"Order","value":"tea"}]}`)},
		},
		{
			name: "text too long",
			msg:  msg("text", `{"text":"`+strings.Repeat("a", 4097)+`"}`, nil),
			want: at(capture, "/payload/text", "length 4097 exceeds maxLength 4096"),
		},
		{
			name: "option without value",
			msg:  msg("choice", `{"text":"?","options":[{"label":"Tea"}]}`, nil),
			want: at(capture, "/payload/options/0/value", `missing property "value"`),
		},
		{
			name: "$ref dereferenced for option value type",
			msg:  msg("dropdown", `{"text":"?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":2}]}`, nil),
			want: at(capture, "/payload/options/1/value", "want string, got number"),
		},
		{
			name: "several causes, sorted",
			msg:  msg("card", `{"title":"","subtitle":3,"actions":[{"action":"call","label":"x","value":"y","extra":true}],"zzz":1}`, nil),
			want: at(capture,
				"/payload/actions/0/action", `value "call" is not one of "postback", "url", "say"`,
				"/payload/actions/0/extra", `property "extra" is not allowed`,
				"/payload/subtitle", "want string, got number",
				"/payload/title", "length 0 is below minLength 1",
				"/payload/zzz", `property "zzz" is not allowed`,
			),
		},
		{
			name: "payload not an object",
			msg:  msg("image", `"https://example.com/a.png"`, nil),
			want: at(capture, "/payload", "want object, got string"),
		},
		{
			name: "payload missing",
			msg:  msg("image", ``, nil),
			want: at(capture, "/payload", "want object, got null"),
		},
		{
			name: "payload not JSON",
			msg:  msg("text", `{text}`, nil),
			want: at(capture, "/payload", "invalid JSON: invalid character 't' looking for beginning of object key string"),
		},
		{
			name: "undeclared message type",
			msg:  msg("carousel", `{"items":[]}`, map[string]string{"id": "1"}),
			want: at(capture, "/type", `message type "carousel" is not declared for channel "channel" (declared: card, choice, dropdown, image, text)`),
		},
		{
			name: "undeclared tag keys",
			msg:  msg("text", `{"text":"hi"}`, map[string]string{"id": "1", "foo": "x", "a/b": "y"}),
			want: at(capture,
				"/tags/a~1b", `tag key "a/b" is not declared for channel "channel" messages (declared: chatId, id)`,
				"/tags/foo", `tag key "foo" is not declared for channel "channel" messages (declared: chatId, id)`,
			),
		},
		{
			name: "undeclared channel",
			msg:  contracts.Message{Channel: "dm", Type: "text", Payload: json.RawMessage(`{"text":"hi"}`), Tags: map[string]string{"foo": "x"}},
			want: at(capture, "/channel", `channel "dm" is not declared (declared: channel)`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, v.CheckMessage(capture, tt.msg), tt.want)
		})
	}
}

func TestCheckConversationAndUser(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	tests := []struct {
		name  string
		check func() []contracts.Violation
		want  []contracts.Violation
	}{
		{
			name: "conversation ok",
			check: func() []contracts.Violation {
				return v.CheckConversation("c", contracts.Conversation{ID: "conv_1", Channel: "channel", Tags: map[string]string{"id": "1001"}})
			},
		},
		{
			name: "conversation with undeclared tag",
			check: func() []contracts.Violation {
				return v.CheckConversation("c", contracts.Conversation{Channel: "channel", Tags: map[string]string{"id": "1001", "chatId": "1001"}})
			},
			want: at("c", "/tags/chatId", `tag key "chatId" is not declared for channel "channel" conversations (declared: id)`),
		},
		{
			name: "conversation on undeclared channel",
			check: func() []contracts.Violation {
				return v.CheckConversation("c", contracts.Conversation{Channel: "group", Tags: map[string]string{"id": "1"}})
			},
			want: at("c", "/channel", `channel "group" is not declared (declared: channel)`),
		},
		{
			name: "user ok",
			check: func() []contracts.Violation {
				return v.CheckUser("u", contracts.User{ID: "user_1", Name: "Ada", Tags: map[string]string{"id": "1001"}})
			},
		},
		{
			name: "user with undeclared tags",
			check: func() []contracts.Violation {
				return v.CheckUser("u", contracts.User{Tags: map[string]string{"id": "1", "username": "ada", "lang": "en"}})
			},
			want: at("u",
				"/tags/lang", `tag key "lang" is not declared for users (declared: id)`,
				"/tags/username", `tag key "username" is not declared for users (declared: id)`,
			),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, tt.check(), tt.want)
		})
	}
}

func TestCheckEvent(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	tests := []struct {
		name string
		ev   contracts.Event
		want []contracts.Violation
	}{
		{
			name: "declared",
			ev:   contracts.Event{ID: "evt_1", Type: "memberJoined", Payload: json.RawMessage(`{"userId":"1","chatId":"2"}`)},
		},
		{
			name: "bad payload",
			ev:   contracts.Event{Type: "memberJoined", Payload: json.RawMessage(`{"userId":1}`)},
			want: at("e", "/payload/chatId", `missing property "chatId"`, "/payload/userId", "want string, got number"),
		},
		{
			name: "undeclared",
			ev:   contracts.Event{Type: "memberLeft", Payload: json.RawMessage(`{}`)},
			want: at("e", "/type", `event type "memberLeft" is not declared (declared: memberJoined)`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, v.CheckEvent("e", tt.ev), tt.want)
		})
	}
}

func TestCheckState(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	state := func(scope, name, payload string) contracts.StateChange {
		return contracts.StateChange{Scope: scope, ID: "conv_1", Name: name, Payload: json.RawMessage(payload)}
	}
	tests := []struct {
		name string
		s    contracts.StateChange
		want []contracts.Violation
	}{
		{name: "declared", s: state("conversation", "selection", `{"value":"tea"}`)},
		{name: "bot scope is not checked", s: state("bot", "anything", `[1]`)},
		{name: "deletion is not checked", s: state("conversation", "selection", `null`)},
		{
			name: "bad payload",
			s:    state("conversation", "selection", `{"value":"tea","at":1}`),
			want: at("s", "/payload/at", `property "at" is not allowed`),
		},
		{
			name: "undeclared",
			s:    state("conversation", "order", `{}`),
			want: at("s", "/name", `state "order" is not declared (declared: selection)`),
		},
		{
			name: "wrong scope",
			s:    state("user", "selection", `{"value":"tea"}`),
			want: at("s", "/type", `state "selection" is declared with type "conversation", not "user"`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, v.CheckState("s", tt.s), tt.want)
		})
	}
}

func TestCheckAction(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	tests := []struct {
		name    string
		call    contracts.ActionCall
		in, out []contracts.Violation
	}{
		{
			name: "declared",
			call: contracts.ActionCall{Type: "startTypingIndicator", Input: json.RawMessage(`{"conversationId":"conv_1","messageId":"msg_1"}`), Output: json.RawMessage(`{}`)},
		},
		{
			name: "missing output taken as empty object",
			call: contracts.ActionCall{Type: "stopTypingIndicator", Input: json.RawMessage(`{"conversationId":"conv_1","messageId":"msg_1"}`)},
		},
		{
			name: "bad input and output",
			call: contracts.ActionCall{Type: "startTypingIndicator", Input: json.RawMessage(`{"chatId":"1"}`), Output: json.RawMessage(`{"ok":true}`)},
			in: at("a",
				"/input/chatId", `property "chatId" is not allowed`,
				"/input/conversationId", `missing property "conversationId"`,
				"/input/messageId", `missing property "messageId"`,
			),
			out: at("a", "/output/ok", `property "ok" is not allowed`),
		},
		{
			name: "failed call has no output to check",
			call: contracts.ActionCall{Type: "startTypingIndicator", Input: json.RawMessage(`{"conversationId":"c","messageId":"m"}`), Output: json.RawMessage(`5`), Error: "boom"},
		},
		{
			name: "undeclared action reported once",
			call: contracts.ActionCall{Type: "sendSticker", Input: json.RawMessage(`{}`)},
			in:   at("a", "/type", `action "sendSticker" is not declared (declared: startTypingIndicator, stopTypingIndicator)`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, v.CheckActionInput("a", tt.call), tt.in)
			assertViolations(t, v.CheckActionOutput("a", tt.call), tt.out)
		})
	}
}

func TestCheckConfiguration(t *testing.T) {
	t.Parallel()
	tg := telegram(t)
	multi := validatorFor(t, parse(t, `{"name":"x","version":"1",
		"configurations":{"oauth":{"schema":{"type":"object","required":["clientId"]}},"manual":{}}}`))
	tests := []struct {
		name string
		v    *contracts.Validator
		typ  string
		cfg  string
		want []contracts.Violation
	}{
		{name: "ok", v: tg, cfg: `{"botToken":"123:abc"}`},
		{
			name: "missing token",
			v:    tg, cfg: `{}`,
			want: at("configuration", "/botToken", `missing property "botToken"`),
		},
		{
			name: "empty configuration taken as {}",
			v:    tg, cfg: ``,
			want: at("configuration", "/botToken", `missing property "botToken"`),
		},
		{
			name: "wrong type and extra field",
			v:    tg, cfg: `{"botToken":42,"webhook":"x"}`,
			want: at("configuration", "/botToken", "want string, got number", "/webhook", `property "webhook" is not allowed`),
		},
		{
			name: "undeclared configuration type",
			v:    tg, typ: "oauth", cfg: `{}`,
			want: at("configuration oauth", "", `configuration type "oauth" is not declared (declared: none)`),
		},
		{
			name: "named configuration",
			v:    multi, typ: "oauth", cfg: `{}`,
			want: at("configuration oauth", "/clientId", `missing property "clientId"`),
		},
		{name: "no default schema accepts any object", v: multi, cfg: `{"anything":[1,2]}`},
		{name: "named configuration without schema", v: multi, typ: "manual", cfg: `{"a":1}`},
		{
			name: "no schema still wants an object",
			v:    multi, cfg: `"token"`,
			want: at("configuration", "", "want object, got string"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, tt.v.CheckConfiguration(tt.typ, json.RawMessage(tt.cfg)), tt.want)
		})
	}
}

func TestSchemaKeywords(t *testing.T) {
	t.Parallel()
	v := validatorFor(t, parse(t, `{"name":"x","version":"1","channels":{"c":{"messages":{
		"zui": {"schema": {"type":"object","x-zui":{"title":"T","hidden":true,"weird":[1,{"a":null}]},
			"properties":{"text":{"type":"string","x-zui":5}},"required":["text"]}},
		"defs": {"schema": {"type":"object","definitions":{"id":{"type":"string","pattern":"^[0-9]+$"}},
			"properties":{"a":{"$ref":"#/definitions/id"},"b":{"$ref":"#/properties/a"}}}},
		"draft2020": {"schema": {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
			"$defs":{"n":{"type":"integer","minimum":1}},"properties":{"n":{"$ref":"#/$defs/n"}}}},
		"any": {"schema": true},
		"none": {"schema": false},
		"absent": {}
	}}}}`))
	m := func(typ, payload string) contracts.Message {
		return contracts.Message{Channel: "c", Type: typ, Payload: json.RawMessage(payload)}
	}
	tests := []struct {
		name string
		msg  contracts.Message
		want []contracts.Violation
	}{
		{name: "x-zui ignored", msg: m("zui", `{"text":"hi"}`)},
		{name: "x-zui ignored, schema still applies", msg: m("zui", `{}`), want: at("m", "/payload/text", `missing property "text"`)},
		{name: "definitions ref", msg: m("defs", `{"a":"12","b":"34"}`)},
		{
			name: "chained refs",
			msg:  m("defs", `{"a":"x","b":"y"}`),
			want: at("m", "/payload/a", `"x" does not match pattern "^[0-9]+$"`, "/payload/b", `"y" does not match pattern "^[0-9]+$"`),
		},
		{name: "$schema honoured", msg: m("draft2020", `{"n":0}`), want: at("m", "/payload/n", "0 is less than minimum 1")},
		{name: "true schema", msg: m("any", `[1]`)},
		{name: "false schema", msg: m("none", `{}`), want: at("m", "/payload", "no value is allowed here")},
		{name: "absent schema accepts anything", msg: m("absent", `"x"`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assertViolations(t, v.CheckMessage("m", tt.msg), tt.want)
		})
	}
}

func TestNilValidator(t *testing.T) {
	t.Parallel()
	var d *contracts.Definition
	v, err := d.Validator()
	if err != nil || v != nil {
		t.Fatalf("nil Definition.Validator() = %v, %v; want nil, nil", v, err)
	}
	if v.Definition() != nil {
		t.Errorf("Definition() = %v, want nil", v.Definition())
	}
	bad := json.RawMessage(`nope`)
	got := [][]contracts.Violation{
		v.CheckConfiguration("x", bad),
		v.CheckUser("u", contracts.User{Tags: map[string]string{"x": "y"}}),
		v.CheckConversation("c", contracts.Conversation{Channel: "x"}),
		v.CheckMessage("m", contracts.Message{Channel: "x"}),
		v.CheckEvent("e", contracts.Event{Type: "x"}),
		v.CheckState("s", contracts.StateChange{Scope: "user", Name: "x", Payload: bad}),
		v.CheckActionInput("a", contracts.ActionCall{Type: "x"}),
		v.CheckActionOutput("a", contracts.ActionCall{Type: "x"}),
	}
	for i, vs := range got {
		if vs != nil {
			t.Errorf("check %d on nil validator = %v, want nil", i, vs)
		}
	}
}

func TestValidatorConcurrentUse(t *testing.T) {
	t.Parallel()
	v := telegram(t)
	want := at("m", "/payload/options/0/value", `missing property "value"`)
	msg := contracts.Message{Channel: "channel", Type: "choice", Payload: json.RawMessage(`{"text":"?","options":[{"label":"Tea"}]}`)}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if got := v.CheckMessage("m", msg); !reflect.DeepEqual(got, want) {
					errs <- render(got)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent CheckMessage = %s", e)
	}
}

func BenchmarkCheckMessage(b *testing.B) {
	v := telegram(b)
	msg := contracts.Message{Channel: "channel", Type: "choice", Tags: map[string]string{"id": "1", "chatId": "1001"},
		Payload: json.RawMessage(`{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}`)}
	b.ReportAllocs()
	for b.Loop() {
		if vs := v.CheckMessage("m", msg); vs != nil {
			b.Fatal(render(vs))
		}
	}
}
