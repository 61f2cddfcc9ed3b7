package fakes

import (
	"bytes"
	"encoding/json"
)

// SwapJSONStrings replaces every string under key, at any depth of the JSON
// document doc, with what fn makes of it, in place: the rest of the document
// stays byte for byte, and a string written with its slashes escaped (`\/`,
// as Slack writes URLs) is found too. It reports whether anything changed;
// doc that is not JSON is returned as it is.
func SwapJSONStrings(doc []byte, key string, fn func(string) string) ([]byte, bool) {
	var v any
	if json.Unmarshal(doc, &v) != nil {
		return doc, false
	}
	var found []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				if s, ok := e.(string); ok && k == key && s != "" {
					found = append(found, s)
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range t {
				walk(e)
			}
		}
	}
	walk(v)
	changed, seen := false, map[string]bool{}
	for _, s := range found {
		if seen[s] {
			continue
		}
		seen[s] = true
		from, _ := json.Marshal(s)
		to, _ := json.Marshal(fn(s))
		for _, f := range [][]byte{from, bytes.ReplaceAll(from, []byte("/"), []byte(`\/`))} {
			if bytes.Contains(doc, f) {
				doc = bytes.ReplaceAll(doc, f, to)
				changed = true
			}
		}
	}
	return doc, changed
}
