package contracts_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/contracts"
)

// FuzzParse checks that no input crashes Parse or Validator and that every
// failure is an ErrDefinition.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"name":"x","version":"1","user":{"tags":{"id":{}}},"channels":{"channel":{"messages":{"text":{"schema":{"type":"object","properties":{"text":{"type":"string","maxLength":4}}}}}}}}`), "d.json")
	f.Add([]byte("name: x\nversion: '1'\nstates:\n  s: {type: user, schema: {type: object}}\n"), "d.yaml")
	f.Add([]byte(`{"name":"x","version":"1","channels":{"c":{"messages":{"m":{"schema":{"$ref":"#"}}}}}}`), "d.json")
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
		if err != nil {
			if !errors.Is(err, contracts.ErrDefinition) {
				t.Fatalf("Validator error %v does not wrap ErrDefinition", err)
			}
			return
		}
		v.CheckMessage("m", contracts.Message{Channel: "channel", Type: "text", Payload: json.RawMessage(`{"text":1}`)})
	})
}
