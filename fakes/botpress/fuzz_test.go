package botpress

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\b(botpress|json)\.[A-Z]\w*`)

// FuzzParseBotRules reads arbitrary bot rules, as a cassette header's
// bot.rules, a feature's "the bot rules are" and the control API pass
// them. A failure must wrap ErrInvalidRules, name the source and where
// (a line and column, or a rule), and speak JSON, not Go. Rules that
// parse must write back as JSON that parses to the same rules, and the
// bot must be able to apply them to any message: the first matching rule
// wins, and every reply and state it writes is a JSON object (or null).
func FuzzParseBotRules(f *testing.F) {
	// The shapes the docs, the features and the cassettes use.
	f.Add([]byte(`[{"when": {"text": "hours"}, "reply": [{"type": "text", "payload": {"text": "We open at 8."}}, {"type": "text", "payload": {"text": "We close at 18."}}]}]`), "hours")
	f.Add([]byte(`{"rules":[{"when":{"any":true},"reply":[{"type":"text","payload":{"text":"got {{text}}"}}]}]}`), `say "hi" \ {{text}}`)
	f.Add([]byte(`[{"when":{"contains":"menu","type":"text"},"reply":[{"type":"choice","payload":{"text":"Pick","options":[{"label":"Tea","value":"tea"}]}}],"state":{"scope":"conversation","name":"lastAsked","payload":{"q":"{{text}}","n":1.50}}}]`), "the MENU please")
	f.Add([]byte(`[{"when":{"event":"reactionAdded"},"reply":[],"state":{"scope":"user","name":"reacted","payload":null}}]`), "")
	f.Add([]byte(`[{"when":{"event":"*"}},{"when":{"type":"image"},"reply":[{"type":"text","payload":{"text":"nice picture"}}]}]`), "")
	f.Add([]byte("[\n  {\"when\": {\"text\": 5}}\n]"), "")
	f.Add([]byte(`[{"when":{"text":"x"},"reply":[{"type":"text"}]}] []`), "")
	f.Add([]byte(``), "")
	f.Fuzz(func(t *testing.T, data []byte, text string) {
		rules, err := ParseBotRules(data, "fuzz rules")
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrInvalidRules) {
				t.Fatalf("error %q does not wrap ErrInvalidRules", msg)
			}
			if !strings.HasPrefix(msg, "fuzz rules: ") {
				t.Fatalf("error %q does not name its source", msg)
			}
			if !strings.Contains(msg, "line ") && !strings.Contains(msg, "rule ") && !strings.Contains(msg, "empty input") {
				t.Fatalf("error %q does not say where", msg)
			}
			for _, w := range goWords.FindAllString(msg, -1) {
				if !bytes.Contains(data, []byte(w)) {
					t.Fatalf("error %q names Go internals (%q)", msg, w)
				}
			}
			return
		}
		b, err := json.Marshal(rules)
		if err != nil {
			t.Fatalf("rules do not write back: %v", err)
		}
		again, err := ParseBotRules(b, "again")
		if err != nil {
			t.Fatalf("rules written back do not parse: %v\n%s", err, b)
		}
		if !sameRules(rules, again) {
			t.Fatalf("rules change on the way back:\n%+v\n%+v", rules, again)
		}
		for _, typ := range []string{"text", "image"} {
			if r := matchMessage(rules, typ, text); r != nil {
				checkFilled(t, r, text)
			}
		}
		if r := matchEvent(rules, "reactionAdded"); r != nil {
			checkFilled(t, r, "")
		}
	})
}

// sameRules compares rules with their JSON payloads compared as values.
func sameRules(a, b []BotRule) bool {
	if len(a) != len(b) {
		return false
	}
	canon := func(raw json.RawMessage) any {
		var v any
		_ = json.Unmarshal(raw, &v)
		return v
	}
	for i := range a {
		if a[i].When != b[i].When || len(a[i].Reply) != len(b[i].Reply) || (a[i].State == nil) != (b[i].State == nil) {
			return false
		}
		for j := range a[i].Reply {
			if a[i].Reply[j].Type != b[i].Reply[j].Type || !reflect.DeepEqual(canon(a[i].Reply[j].Payload), canon(b[i].Reply[j].Payload)) {
				return false
			}
		}
		if s, u := a[i].State, b[i].State; s != nil && (s.Scope != u.Scope || s.Name != u.Name || !reflect.DeepEqual(canon(s.Payload), canon(u.Payload))) {
			return false
		}
	}
	return true
}

// checkFilled applies a rule's {{text}} to its replies and state: each
// must stay a JSON object (a state may be null), and a payload that is
// only {"text":"{{text}}"} must carry the text exactly.
func checkFilled(t *testing.T, r *BotRule, text string) {
	t.Helper()
	for i, rep := range r.Reply {
		out := fill(rep.Payload, text)
		if !isObject(out) {
			t.Fatalf("reply %d of %+v filled with %q is %s, not an object", i, r.When, text, out)
		}
		if string(rep.Payload) == `{"text":"{{text}}"}` {
			var p struct{ Text string }
			if err := json.Unmarshal(out, &p); err != nil || p.Text != strings.ToValidUTF8(text, "\uFFFD") {
				t.Fatalf("echo of %q is %s", text, out)
			}
		}
	}
	if st := r.State; st != nil {
		out := fill(st.Payload, text)
		if string(bytes.TrimSpace(out)) != "null" && !isObject(out) {
			t.Fatalf("state of %+v filled with %q is %s", r.When, text, out)
		}
	}
}
