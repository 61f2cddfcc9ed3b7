package sim

import (
	"strings"
	"testing"
)

// TestOutboundCompare: placeholders and volatile fields match anything,
// forms compare by field (JSON fields decoded), identical calls are
// matched in recorded order and a difference says which call is missing
// and which is extra.
func TestOutboundCompare(t *testing.T) {
	t.Parallel()
	o := &outboundCheck{volatile: map[string]bool{"ts": true}}
	rec := func(target, body string) call {
		return call{kind: "k", method: "POST", target: target, body: decodeBody([]byte(body), "")}
	}
	for _, tc := range []struct {
		name      string
		want, got []call
		diff      string // "" for a match, else part of the mismatch
	}{
		{"placeholder in path and body", []call{rec("/bot${T}/send", `{"text":"hi ${NAME}","chat":1}`)}, []call{rec("/bot123:abc/send", `{"chat":1,"text":"hi Ada"}`)}, ""},
		{"volatile field", []call{rec("/x", `{"ts":"1.0001","text":"a"}`)}, []call{rec("/x", `{"ts":"9.9999","text":"a"}`)}, ""},
		{"form with JSON field", []call{rec("/x", `channel=C1&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D`)}, []call{rec("/x", `blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D&channel=C1`)}, ""},
		{"any order of different calls", []call{rec("/a", `{}`), rec("/b", `{}`)}, []call{rec("/b", `{}`), rec("/a", `{}`)}, ""},
		{"a different text", []call{rec("/x", `{"text":"a"}`)}, []call{rec("/x", `{"text":"b"}`)}, "- k {\"text\":\"a\"}\n  + k {\"text\":\"b\"}"},
		{"one call too many", []call{rec("/x", `{"n":1}`)}, []call{rec("/x", `{"n":1}`), rec("/x", `{"n":1}`)}, "+ k {\"n\":1}"},
		{"a call missing", []call{rec("/x", `{}`), rec("/y", `{}`)}, []call{rec("/y", `{}`)}, "- k {}"},
		{"another path", []call{rec("/bot${T}/send", `{}`)}, []call{rec("/bot1/edit", `{}`)}, "+ k {}"},
	} {
		m := o.compare(3, "step", tc.want, tc.got)
		switch {
		case tc.diff == "" && m != nil:
			t.Errorf("%s: %s", tc.name, m)
		case tc.diff != "" && (m == nil || !strings.Contains(m.String(), tc.diff)):
			t.Errorf("%s: %v, want a mismatch with %q", tc.name, m, tc.diff)
		case m != nil && !strings.HasPrefix(m.String(), "turn 3 (step):"):
			t.Errorf("%s: %q does not name the turn", tc.name, m)
		}
	}
}
