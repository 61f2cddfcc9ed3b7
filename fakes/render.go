package fakes

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// CanonicalJSON renders raw JSON on one line with object keys sorted, so the
// same value always renders the same way. Invalid JSON is returned quoted, as
// a string, so nothing is lost.
func CanonicalJSON(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return strconv.Quote(string(raw))
	}
	b, err := json.Marshal(v) // maps marshal with sorted keys
	if err != nil {
		return strconv.Quote(string(raw))
	}
	return string(b)
}

// FormatTags renders tags as tags{a=1, b=2} with keys sorted; values that
// contain spaces, commas or braces are quoted.
func FormatTags(tags map[string]string) string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("tags{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k)
		b.WriteByte('=')
		v := tags[k]
		if v == "" || strings.ContainsAny(v, " ,{}=\"\t\n") {
			v = strconv.Quote(v)
		}
		b.WriteString(v)
	}
	b.WriteByte('}')
	return b.String()
}
