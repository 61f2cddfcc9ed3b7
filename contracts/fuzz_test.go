package contracts_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/contracts"
)

// FuzzParse checks that no input crashes Parse or Validator, that every
// failure of Parse is an ErrDefinition, and that a definition Parse accepts
// has a Validator (schemas are compiled at load).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"name":"x","version":"1","user":{"tags":{"id":{}}},"channels":{"channel":{"messages":{"text":{"schema":{"type":"object","properties":{"text":{"type":"string","maxLength":4}}}}}}}}`), "d.json")
	f.Add([]byte("name: x\nversion: '1'\nstates:\n  s: {type: user, schema: {type: object}}\n"), "d.yaml")
	f.Add([]byte(`{"name":"x","version":"1","channels":{"c":{"messages":{"m":{"schema":{"$ref":"#"}}}}}}`), "d.json")
	f.Add([]byte("name: x\nversion: '1'\nevents:\n  e:\n    schema: {properties: {a: {pattern: '(', minLength: -1}}}\n"), "d.yaml")
	f.Add([]byte(`{"name":"x","version":"1","entities":{"t":{"schema":{"type":5}}}}`), "d.json")
	f.Add([]byte(`{"name":"x","version":"1","interfaces":{"i":{"id":"","actions":{"a":{"nam":"a"}}}},"user":{"creation":{"enabled":true,"requiredTags":["id"]}}}`), "d.json")
	f.Add([]byte(`{"name":"x","version":"1","channels":{"c":{"messages":{},"conversation":{"tags":{"t":{"titel":""}}}}},"__advanced":{"esbuild":{"x":1}}}`), "d.json")
	f.Add([]byte("name: x\nversion: '1'\nchannels:\n  c:\n    messages: {m: {schema: &s {type: object}}}\n    message:\n      <<: *s\n"), "d.yaml")
	f.Add([]byte("a: &a [*a]\n"), "d.yaml")
	f.Add([]byte("{\"name\": \"x\",\n"), "d")
	f.Fuzz(func(t *testing.T, data []byte, source string) {
		d, err := contracts.Parse(data, source)
		if err != nil {
			if !errors.Is(err, contracts.ErrDefinition) {
				t.Fatalf("Parse error %v does not wrap ErrDefinition", err)
			}
			return
		}
		v, err := d.Validator()
		if err != nil { // Parse compiles every schema: it should have said so
			t.Fatalf("Parse accepted a definition whose Validator fails: %v", err)
		}
		v.CheckMessage("m", contracts.Message{Channel: "channel", Type: "text", Payload: json.RawMessage(`{"text":1}`)})
	})
}
