package botpress

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestControlAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	info := e.mustCall("GET", "/_chatsim/info", nil)
	if info.str("webhookUrl") != e.p.WebhookURL() || info.str("botUserId") != e.p.BotUserID() || info.str("apiUrl") != e.p.URL() {
		t.Errorf("info: %s", info.raw)
	}
	// No integration yet: invocations answer 409.
	if r := e.call("POST", "/_chatsim/ping", nil); r.status != http.StatusConflict {
		t.Errorf("ping without an integration: %d %s", r.status, r.raw)
	}
	fi := chatIntegration(t, e)
	if r := e.call("PUT", "/_chatsim/integration", map[string]string{"url": fi.URL()}); r.status != 200 {
		t.Fatalf("set integration: %d %s", r.status, r.raw)
	}
	for _, op := range []string{"ping", "register", "unregister"} {
		if r := e.call("POST", "/_chatsim/"+op, nil); r.status != 200 {
			t.Errorf("%s: %d %s", op, r.status, r.raw)
		}
	}
	// Rules: a bad body is refused with its location, a good one replaces them.
	bad := e.call("PUT", "/_chatsim/bot/rules", []byte(`[{"when":{"text":"menu"},"reply":[{"typ":"text"}]}]`))
	if bad.status != 400 || !strings.Contains(bad.str("error"), `unknown field "typ"`) {
		t.Errorf("bad rules: %d %s", bad.status, bad.raw)
	}
	rules := e.call("PUT", "/_chatsim/bot/rules", []byte(`[{"when":{"any":true},"reply":[{"type":"text","payload":{"text":"got {{text}}"}}]}]`))
	if rules.status != 200 || len(rules.list("rules")) != 1 {
		t.Fatalf("set rules: %d %s", rules.status, rules.raw)
	}
	e.deliver("1001", "1001", "Ada", "hi", "1")
	e.settle()
	users := e.mustCall("GET", "/_chatsim/users", nil).list("users")
	if len(users) != 2 {
		t.Errorf("users: %v", users)
	}
	convs := e.mustCall("GET", "/_chatsim/conversations", nil).list("conversations")
	if len(convs) != 1 {
		t.Fatalf("conversations: %v", convs)
	}
	cid := convs[0].(map[string]any)["id"].(string)
	msgs := e.mustCall("GET", "/_chatsim/messages?conversationId="+cid, nil).list("messages")
	if len(msgs) != 2 || msgs[1].(map[string]any)["payload"].(map[string]any)["text"] != "got hi" {
		t.Errorf("messages: %v", msgs)
	}
	sent := e.call("POST", "/_chatsim/bot/messages", map[string]any{"conversationId": cid, "type": "text", "payload": map[string]any{"text": "ping"}})
	if sent.status != 200 || sent.str("message", "direction") != "outgoing" {
		t.Errorf("bot send: %d %s", sent.status, sent.raw)
	}
	if r := e.call("POST", "/_chatsim/bot/messages", map[string]any{"conversationId": "conv_x", "type": "text", "payload": map[string]any{}}); r.status != 404 {
		t.Errorf("bot send to an unknown conversation: %d %s", r.status, r.raw)
	}
	if r := e.call("POST", "/_chatsim/actions/missing", map[string]any{}); r.status != 502 || r.obj("invocation") == nil {
		t.Errorf("failing action: %d %s", r.status, r.raw)
	}
	for _, path := range []string{"events", "states", "violations", "actions", "bot/rules", "faults"} {
		if r := e.call("GET", "/_chatsim/"+path, nil); r.status != 200 {
			t.Errorf("GET %s: %d %s", path, r.status, r.raw)
		}
	}
	if r := e.call("GET", "/_chatsim/nothing", nil); r.status != 404 {
		t.Errorf("unknown control route: %d", r.status)
	}
	e.settle()
}

func TestControlAction(t *testing.T) {
	t.Parallel()
	fi := newIntegration(t, map[string]func(invocation) (int, http.Header, string){
		"action_triggered": func(inv invocation) (int, http.Header, string) {
			in := inv.body["input"].(map[string]any)
			b, _ := json.Marshal(map[string]any{"output": map[string]any{"echo": in["x"]}})
			return 200, nil, string(b)
		},
	})
	e := newEnv(t)
	e.p.SetIntegrationURL(fi.URL())
	r := e.call("POST", "/_chatsim/actions/echo", map[string]any{"x": "y"})
	if r.status != 200 || r.str("output", "echo") != "y" {
		t.Errorf("action: %d %s", r.status, r.raw)
	}
	if a := e.p.Actions(); len(a) != 1 || a[0].Type != "echo" || string(a[0].Output) != `{"echo":"y"}` {
		t.Errorf("Actions() = %+v", a)
	}
}

func TestParseBotRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		n       int
		wantErr string
	}{
		{"array", `[{"when":{"text":"menu"},"reply":[{"type":"text","payload":{"text":"Menu"}}]}]`, 1, ""},
		{"object with rules", `{"rules":[{"when":{"any":true},"reply":[]}]}`, 1, ""},
		{"empty array", `[]`, 0, ""},
		{"state", `[{"when":{"type":"text"},"reply":[],"state":{"scope":"user","name":"seen","payload":null}}]`, 1, ""},
		{"unknown field", `[{"when":{"txt":"menu"},"reply":[]}]`, 0, `unknown field "txt"`},
		{"syntax error with line", "[\n {\"when\": {\"text\": \"a\"},\n  \"reply\": [,]}]", 0, "line 3"},
		{"wrong type", `[{"when":{"any":"yes"},"reply":[]}]`, 0, `field "when.any"`},
		{"empty when", `[{"when":{},"reply":[]}]`, 0, "rule 0: \"when\" must set"},
		{"reply without type", `[{"when":{"any":true},"reply":[{"payload":{}}]}]`, 0, "rule 0: reply 0: \"type\" is required"},
		{"payload not an object", `[{"when":{"any":true},"reply":[{"type":"text","payload":"hi"}]}]`, 0, "must be a JSON object"},
		{"bad state scope", `[{"when":{"any":true},"state":{"scope":"bot","name":"x","payload":{}}}]`, 0, `"scope" must be`},
		{"event mixed with text", `[{"when":{"event":"x","text":"y"}}]`, 0, "cannot be combined"},
		{"trailing data", `[] []`, 0, "trailing data"},
		{"empty", ``, 0, "empty input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rules, err := ParseBotRules([]byte(tc.in), "rules.json")
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(rules) != tc.n {
					t.Errorf("%d rules, want %d", len(rules), tc.n)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "rules.json: ") || !errors.Is(err, ErrInvalidRules) {
				t.Errorf("err = %v, want one naming rules.json and %q", err, tc.wantErr)
			}
		})
	}
}
