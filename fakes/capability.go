package fakes

import (
	"bytes"
	"encoding/json"
	"slices"
)

// SwapJSONStrings replaces every string under key, at any depth of the JSON
// document doc, with what fn makes of it, in place: the rest of the document
// stays byte for byte, and a string written with its slashes escaped (`\/`,
// as Slack writes URLs), or with & < > escaped or not, is found too. It
// calls fn once for each string it finds written in doc, and reports
// whether anything changed; doc that is not JSON is returned as it is.
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
		var to []byte
		for _, f := range jsonForms(s) {
			if bytes.Contains(doc, f) {
				if to == nil {
					to, _ = json.Marshal(fn(s))
				}
				doc = bytes.ReplaceAll(doc, f, to)
				changed = true
			}
		}
	}
	return doc, changed
}

// jsonForms returns the ways a JSON encoder may write s: with &, < and >
// escaped (\u0026, as Go's does) or not, and with its slashes escaped
// (\/, as Slack's does) or not.
func jsonForms(s string) [][]byte {
	escaped, _ := json.Marshal(s)
	var plain bytes.Buffer
	enc := json.NewEncoder(&plain)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	var out [][]byte
	for _, f := range [][]byte{escaped, bytes.TrimSuffix(plain.Bytes(), []byte("\n"))} {
		for _, g := range [][]byte{f, bytes.ReplaceAll(f, []byte("/"), []byte(`\/`))} {
			if !slices.ContainsFunc(out, func(o []byte) bool { return bytes.Equal(o, g) }) {
				out = append(out, g)
			}
		}
	}
	return out
}
