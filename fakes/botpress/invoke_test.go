package botpress

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestInvokerHeadersAndBodies(t *testing.T) {
	t.Parallel()
	fi := newIntegration(t, nil)
	e := newEnv(t, WithConfiguration(json.RawMessage(`{"botToken":"123:abc"}`), "manual"),
		WithIDs("0b6d7e0c-6a53-4a5e-9d55-1d2a3b4c5d6e", "", "", "telegram", "3f1e7a52-2b7c-4c1e-9d0a-7e6f5d4c3b2a"))
	e.p.SetIntegrationURL(fi.URL())
	ctx := ctxT(t)
	for _, op := range []struct {
		name string
		run  func() error
		body string
	}{
		{"ping", func() error { return e.p.Ping(ctx) }, `{}`},
		{"register", func() error { return e.p.Register(ctx) }, `{"webhookUrl":"` + e.p.WebhookURL() + `"}`},
		{"unregister", func() error { return e.p.Unregister(ctx) }, `{"webhookUrl":"` + e.p.WebhookURL() + `"}`},
	} {
		if err := op.run(); err != nil {
			t.Fatalf("%s: %v", op.name, err)
		}
		calls := fi.invocations(op.name)
		if len(calls) != 1 {
			t.Fatalf("%s: %d invocations", op.name, len(calls))
		}
		h := calls[0].header
		want := map[string]string{
			"x-bp-operation": op.name, "x-bot-id": "0b6d7e0c-6a53-4a5e-9d55-1d2a3b4c5d6e", "x-bot-user-id": e.p.BotUserID(),
			"x-integration-id": e.p.IntegrationID(), "x-integration-alias": "telegram",
			"x-webhook-id": "3f1e7a52-2b7c-4c1e-9d0a-7e6f5d4c3b2a", "x-bp-configuration": b64(`{"botToken":"123:abc"}`),
			"x-bp-configuration-type": "manual", "content-type": "application/json",
		}
		for k, v := range want {
			if got := h.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", op.name, k, got, v)
			}
		}
		if got := string(calls[0].raw); got != op.body {
			t.Errorf("%s: body %s, want %s", op.name, got, op.body)
		}
		e.wantLine("platform | → integration | " + op.name)
	}
	if !strings.HasSuffix(e.p.WebhookURL(), "/3f1e7a52-2b7c-4c1e-9d0a-7e6f5d4c3b2a") {
		t.Errorf("webhook URL %s", e.p.WebhookURL())
	}
}

func TestInvokerDefaultConfiguration(t *testing.T) {
	t.Parallel()
	fi := newIntegration(t, nil)
	e := newEnv(t)
	e.p.SetIntegrationURL(fi.URL())
	if err := e.p.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	h := fi.invocations("ping")[0].header
	if cfg, _ := base64.StdEncoding.DecodeString(h.Get("x-bp-configuration")); string(cfg) != "{}" {
		t.Errorf("default configuration %q", cfg)
	}
	if _, present := h["X-Bp-Configuration-Type"]; present {
		t.Errorf("x-bp-configuration-type sent without a configuration type")
	}
	if h.Get("x-integration-alias") != "integration" {
		t.Errorf("default alias %q", h.Get("x-integration-alias"))
	}
}

func TestInvocationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                   string
		status                 int
		body                   string
		wantStatus             int
		wantType, wantMsg      string
		wantUnreachable, noURL bool
	}{
		{"runtime error", 400, `{"id":"err_1","code":400,"type":"Runtime","message":"An error occurred"}`, 400, "Runtime", "An error occurred", false, false},
		{"sdk context error", 500, `{"error":"Missing operation header"}`, 500, "", "Missing operation header", false, false},
		{"plain text", 502, `bad gateway`, 502, "", "bad gateway", false, false},
		{"unreachable", 0, ``, 0, "", "unreachable", true, false},
		{"no integration URL", 0, ``, 0, "", "no integration URL", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fi := newIntegration(t, map[string]func(invocation) (int, http.Header, string){
				"ping": func(invocation) (int, http.Header, string) { return tc.status, nil, tc.body },
			})
			e := newEnv(t)
			switch {
			case tc.wantUnreachable:
				e.p.SetIntegrationURL(fakes.RefusedURL(t))
			case !tc.noURL:
				e.p.SetIntegrationURL(fi.URL())
			}
			err := e.p.Ping(ctxT(t))
			var ie *InvocationError
			if !errors.As(err, &ie) {
				t.Fatalf("Ping: %v, want an *InvocationError", err)
			}
			if ie.Operation != "ping" || ie.Status != tc.wantStatus || ie.Type != tc.wantType || !strings.Contains(ie.Message, tc.wantMsg) {
				t.Errorf("got %+v", ie)
			}
			if tc.noURL && !errors.Is(err, ErrNoIntegration) {
				t.Errorf("want ErrNoIntegration, got %v", err)
			}
			e.wantLine("platform | integration error | ping: ")
		})
	}
}

func TestTriggerAction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		answer   string
		status   int
		want     string
		wantErr  string
		malfomed bool
	}{
		{"output", `{"output":{"sum":3},"meta":{"cost":0}}`, 200, `{"sum":3}`, "", false},
		{"empty output object", `{"output":{}}`, 200, `{}`, "", false},
		{"not an object", `[1,2]`, 200, "", "not a JSON object", true},
		{"no output field", `{"result":3}`, 200, "", `without an "output" field`, true},
		{"not JSON", `ok`, 200, "", "not a JSON object", true},
		{"integration error", `{"id":"err_1","code":400,"type":"Runtime","message":"no such chat"}`, 400, "", "no such chat", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fi := newIntegration(t, map[string]func(invocation) (int, http.Header, string){
				"action_triggered": func(invocation) (int, http.Header, string) { return tc.status, nil, tc.answer },
			})
			e := newEnv(t)
			e.p.SetIntegrationURL(fi.URL())
			out, err := e.p.TriggerAction(ctxT(t), "add", json.RawMessage(`{"a": 1, "b": 2}`))
			if got := string(fi.invocations("action_triggered")[0].raw); got != `{"input":{"a":1,"b":2},"type":"add"}` {
				t.Errorf("action_triggered body %s", got)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				if tc.malfomed != errors.Is(err, ErrMalformedResponse) {
					t.Errorf("errors.Is(err, ErrMalformedResponse) = %v", !tc.malfomed)
				}
				if a := e.p.Actions(); len(a) != 1 || a[0].Error == "" {
					t.Errorf("Actions() = %+v", a)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.want {
				t.Errorf("output %s, want %s", out, tc.want)
			}
			e.wantLine("platform | → integration | action_triggered add {\"a\":1,\"b\":2}")
			e.wantLine("platform | ← integration | action_triggered add output " + tc.want)
		})
	}
}

func TestWebhookPassthrough(t *testing.T) {
	t.Parallel()
	fi := newIntegration(t, map[string]func(invocation) (int, http.Header, string){
		"webhook_received": func(inv invocation) (int, http.Header, string) {
			req := inv.body["req"].(map[string]any)
			switch req["path"] {
			case "/challenge":
				return 202, http.Header{"Content-Type": {"text/plain"}, "X-Bp-Integration-Identifier": {"T1"}}, "challenge-" + req["query"].(string)
			case "/empty":
				return 200, nil, ""
			case "/fail":
				return 400, http.Header{"Content-Type": {"application/json"}}, `{"id":"err_1","code":400,"type":"Runtime","message":"bad signature"}`
			}
			return 200, nil, `{"ok":true}`
		},
	})
	e := newEnv(t)
	e.p.SetIntegrationURL(fi.URL())
	post := func(method, path, body string, hdr map[string]string) (int, http.Header, string) {
		req, _ := http.NewRequest(method, e.p.URL()+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	wid := "/" + e.p.WebhookID()

	status, hdr, body := post("POST", wid+"/challenge?code=1&state=x", `{"type":"url_verification"}`, map[string]string{"X-Slack-Signature": "v0=abc", "Content-Type": "application/json"})
	if status != 202 || body != "challenge-code=1&state=x" || hdr.Get("Content-Type") != "text/plain" || hdr.Get("X-Bp-Integration-Identifier") != "T1" {
		t.Errorf("passthrough: %d %v %q", status, hdr, body)
	}
	inv := fi.invocations("webhook_received")[0]
	req := inv.body["req"].(map[string]any)
	headers := req["headers"].(map[string]any)
	if req["method"] != "POST" || req["path"] != "/challenge" || req["query"] != "code=1&state=x" || req["body"] != `{"type":"url_verification"}` ||
		headers["x-slack-signature"] != "v0=abc" || headers["content-type"] != "application/json" || headers["host"] == nil {
		t.Errorf("webhook_received req = %s", inv.raw)
	}
	e.wantLine("platform | → integration | webhook_received POST /challenge?code=1&state=x")

	status, _, body = post("GET", wid, "", nil)
	if status != 200 || body != `{"ok":true}` {
		t.Errorf("GET webhook: %d %q", status, body)
	}
	req = fi.invocations("webhook_received")[1].body["req"].(map[string]any)
	if req["path"] != "/" || req["method"] != "GET" || req["query"] != "" {
		t.Errorf("bare webhook URL: %v", req)
	}
	if _, has := req["body"]; has {
		t.Errorf("a request without a body has req.body: %v", req)
	}
	if status, _, body = post("POST", wid+"/empty", "x", nil); status != 200 || body != "{}" {
		t.Errorf("empty answer: %d %q, want 200 {}", status, body)
	}
	if status, _, body = post("POST", wid+"/fail", "x", nil); status != 400 || !strings.Contains(body, "bad signature") {
		t.Errorf("failing answer: %d %q", status, body)
	}
	e.wantLine("platform | integration error | webhook_received POST /fail: 400 Runtime: bad signature")
	if status, _, body = post("POST", "/0000-not-the-webhook", "x", nil); status != 404 || !strings.Contains(body, "ResourceNotFound") {
		t.Errorf("unknown webhook id: %d %q", status, body)
	}
	e.p.SetIntegrationURL(fakes.RefusedURL(t)) // the integration is down
	if status, _, body = post("POST", wid, "x", nil); status != 500 || !strings.Contains(body, "unreachable") {
		t.Errorf("integration down: %d %q", status, body)
	}
}

// chatIntegration is a fake integration that behaves like a Telegram one:
// a webhook {"chat","from","name","text","id"} becomes a conversation, a
// user and an incoming message (then a user update); message_created is
// acked with a message id tag.
func chatIntegration(t testing.TB, e *testEnv) *fakeIntegration {
	var fi *fakeIntegration
	fi = newIntegration(t, map[string]func(invocation) (int, http.Header, string){
		"webhook_received": func(inv invocation) (int, http.Header, string) {
			var u struct {
				Chat, From, Name, Text, ID string
			}
			req := inv.body["req"].(map[string]any)
			_ = json.Unmarshal([]byte(req["body"].(string)), &u)
			api := func(method, path string, body any) map[string]any {
				return e.apiFrom(inv, method, path, body)
			}
			conv := api("POST", "/v1/chat/conversations/get-or-create", map[string]any{"channel": "channel", "tags": map[string]string{"id": u.Chat, "chatId": u.Chat}})
			user := api("POST", "/v1/chat/users/get-or-create", map[string]any{"tags": map[string]string{"id": u.From}, "name": u.Name})
			cid := conv["conversation"].(map[string]any)["id"].(string)
			uid := user["user"].(map[string]any)["id"].(string)
			api("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": u.Text}, "userId": uid, "conversationId": cid, "tags": map[string]string{"id": u.ID, "chatId": u.Chat}})
			api("PUT", "/v1/chat/users/"+uid, map[string]any{"tags": map[string]string{"id": u.From}})
			return 200, nil, "{}"
		},
		"message_created": func(inv invocation) (int, http.Header, string) {
			msg := inv.body["message"].(map[string]any)
			n := len(fi.invocations("message_created"))
			e.apiFrom(inv, "PUT", "/v1/chat/messages/"+msg["id"].(string), map[string]any{"tags": map[string]string{"id": "sent-" + string(rune('0'+n))}})
			return 200, nil, "{}"
		},
	})
	e.p.SetIntegrationURL(fi.URL())
	return fi
}

// deliver posts a chat update to the webhook and checks the answer.
func (e *testEnv) deliver(chat, from, name, text, id string) {
	e.t.Helper()
	b, _ := json.Marshal(map[string]string{"chat": chat, "from": from, "name": name, "text": text, "id": id})
	resp, err := e.client.Post(e.p.WebhookURL(), "application/json", strings.NewReader(string(b)))
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		e.t.Fatalf("webhook answered %d", resp.StatusCode)
	}
}

func TestEchoBotRepliesAfterTheWebhook(t *testing.T) {
	t.Parallel()
	e := newEnvToken(t, "tok")
	fi := chatIntegration(t, e)
	e.deliver("1001", "1001", "Ada Lovelace", "hello there", "1")
	e.settle()

	mc := fi.invocations("message_created")
	if len(mc) != 1 {
		t.Fatalf("%d message_created invocations, want 1", len(mc))
	}
	body := mc[0].body
	msg := body["message"].(map[string]any)
	conv := body["conversation"].(map[string]any)
	user := body["user"].(map[string]any)
	if body["type"] != "text" || body["payload"].(map[string]any)["text"] != "hello there" {
		t.Errorf("message_created type/payload: %s", mc[0].raw)
	}
	if msg["direction"] != "outgoing" || msg["userId"] != e.p.BotUserID() || user["id"] != e.p.BotUserID() || msg["conversationId"] != conv["id"] {
		t.Errorf("message_created objects: %s", mc[0].raw)
	}
	if tags := conv["tags"].(map[string]any); tags["chatId"] != "1001" {
		t.Errorf("conversation tags must be bare: %v", tags)
	}
	for _, obj := range []map[string]any{msg, conv, user} {
		for _, k := range []string{"id", "createdAt", "updatedAt", "tags"} {
			if _, ok := obj[k]; !ok {
				t.Errorf("message_created object lacks %s: %v", k, obj)
			}
		}
	}
	// The ack (PUT on the outgoing message) succeeded.
	msgs := e.p.Messages()
	if len(msgs) != 2 || msgs[1].Direction != "outgoing" || msgs[1].Tags["id"] != "sent-1" {
		t.Fatalf("messages after the echo: %+v", msgs)
	}
	// The bot's reply comes after everything the webhook call did.
	hook := e.wantLine("platform | → integration | webhook_received POST /")
	create := e.wantLine("platform | message.create | ", `incoming text {"text":"hello there"}`, "tags{chatId=1001, id=1}")
	update := e.wantLine("platform | user.update | ")
	reply := e.wantLine("bot | reply | " + msgs[1].ID + "  outgoing text {\"text\":\"hello there\"}")
	created := e.wantLine("platform | → integration | message_created " + msgs[1].ID)
	ack := e.wantLine("platform | message.update | "+msgs[1].ID, "tags{id=sent-1}")
	if !(hook < create && create < update && update < reply && reply < created && created < ack) {
		t.Errorf("journal order wrong:\n%s", strings.Join(e.lines(), "\n"))
	}
}

func TestBotRules(t *testing.T) {
	t.Parallel()
	menu := BotRule{When: BotMatch{Text: "menu"}, Reply: []Reply{
		{Type: "choice", Payload: json.RawMessage(`{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}`)},
	}, State: &StateWrite{Scope: "conversation", Name: "order", Payload: json.RawMessage(`{"step":"menu"}`)}}
	tests := []struct {
		name    string
		rules   []BotRule
		text    string
		replies []string // canonical payloads
	}{
		{"echo by default", nil, "hi", []string{`{"text":"hi"}`}},
		{"exact text, trimmed, any case", []BotRule{menu}, "  MENU ", []string{`{"options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}],"text":"What would you like?"}`}},
		{"no rule matches: silent", []BotRule{menu}, "hello", nil},
		{"contains", []BotRule{{When: BotMatch{Contains: "coffee"}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"One {{text}} coming up."}`)}}}}, "a Coffee please", []string{`{"text":"One a Coffee please coming up."}`}},
		{"first match wins", []BotRule{{When: BotMatch{Type: "text"}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"first"}`)}}}, {When: BotMatch{Any: true}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"second"}`)}}}}, "x", []string{`{"text":"first"}`}},
		{"any catches the rest", []BotRule{menu, {When: BotMatch{Any: true}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"Say menu"}`)}}}}, "hello", []string{`{"text":"Say menu"}`}},
		{"several replies in order", []BotRule{{When: BotMatch{Any: true}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"1"}`)}, {Type: "text", Payload: json.RawMessage(`{"text":"2"}`)}}}}, "x", []string{`{"text":"1"}`, `{"text":"2"}`}},
		{"empty reply stays silent", []BotRule{{When: BotMatch{Any: true}}}, "x", nil},
		{"event rules ignore messages", []BotRule{{When: BotMatch{Event: "*"}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"ev"}`)}}}}, "x", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, WithBot(tc.rules))
			fi := chatIntegration(t, e)
			e.deliver("1001", "1001", "Ada", tc.text, "1")
			e.settle()
			var got []string
			for _, m := range e.p.Messages() {
				if m.Direction == "outgoing" {
					got = append(got, string(m.Payload))
				}
			}
			canon := make([]string, len(got))
			for i, g := range got {
				canon[i] = canonical(g)
			}
			if strings.Join(canon, "|") != strings.Join(tc.replies, "|") {
				t.Errorf("replies %v, want %v", canon, tc.replies)
			}
			if n := len(fi.invocations("message_created")); n != len(tc.replies) {
				t.Errorf("%d message_created, want %d", n, len(tc.replies))
			}
			if tc.name == "exact text, trimmed, any case" {
				st := e.p.States()
				if len(st) != 1 || st[0].Name != "order" || string(st[0].Payload) != `{"step":"menu"}` || st[0].Scope != "conversation" {
					t.Errorf("bot state: %+v", st)
				}
				e.wantLine(`bot | state.set | conversation conv_`, `"order" {"step":"menu"}`)
			}
		})
	}
}

func canonical(s string) string {
	var v any
	_ = json.Unmarshal([]byte(s), &v)
	b, _ := json.Marshal(v)
	return string(b)
}

func TestBotAnswersEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBot([]BotRule{{When: BotMatch{Event: "reactionAdded"}, Reply: []Reply{{Type: "text", Payload: json.RawMessage(`{"text":"thanks"}`)}},
		State: &StateWrite{Scope: "user", Name: "liked", Payload: json.RawMessage(`{"yes":true}`)}}}))
	fi := newIntegration(t, nil)
	e.p.SetIntegrationURL(fi.URL())
	uid, cid := e.seed()
	id := e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "reactionAdded", "payload": map[string]any{}, "conversationId": cid, "userId": uid}).str("event", "id")
	other := e.mustCall("POST", "/v1/chat/events", map[string]any{"type": "memberJoined", "payload": map[string]any{}}).str("event", "id")
	e.settle()
	mc := fi.invocations("message_created")
	if len(mc) != 1 || mc[0].body["payload"].(map[string]any)["text"] != "thanks" {
		t.Fatalf("event reply: %d invocations", len(mc))
	}
	if _, ok := e.p.State("user", uid, "liked"); !ok {
		t.Errorf("the rule's user state was not written")
	}
	if s := e.mustCall("GET", "/v1/chat/events/"+id, nil).str("event", "status"); s != "processed" {
		t.Errorf("answered event status %q", s)
	}
	if s := e.mustCall("GET", "/v1/chat/events/"+other, nil).str("event", "status"); s != "ignored" {
		t.Errorf("unanswered event status %q", s)
	}
}

func TestSendMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, WithBot([]BotRule{}))
	fi := chatIntegration(t, e)
	_, cid := e.seed()
	m, err := e.p.SendMessage(ctxT(t), cid, "text", json.RawMessage(`{"text":"Hello!"}`))
	if err != nil {
		t.Fatal(err)
	}
	if m.Direction != "outgoing" || m.UserID != e.p.BotUserID() || m.Channel != "channel" {
		t.Errorf("sent message %+v", m)
	}
	if len(fi.invocations("message_created")) != 1 {
		t.Fatal("no message_created")
	}
	got := e.mustCall("GET", "/v1/chat/messages/"+m.ID, nil)
	if got.str("message", "tags", "id") != "sent-1" {
		t.Errorf("ack did not land: %s", got.raw)
	}
	e.wantLine("bot | send | " + m.ID)
	if _, err := e.p.SendMessage(ctxT(t), "conv_01KDXXXXXXXXXXXXXXXXXXXXXX", "text", json.RawMessage(`{"text":"x"}`)); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown conversation: %v", err)
	}
	if _, err := e.p.SendMessage(ctxT(t), cid, "text", json.RawMessage(`"x"`)); err == nil {
		t.Errorf("a non-object payload was accepted")
	}
}

func TestBotCreatedOutgoingMessageIsDelivered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fi := newIntegration(t, nil)
	e.p.SetIntegrationURL(fi.URL())
	_, cid := e.seed()
	// A bot's own call carries no x-integration-id: its message is outgoing.
	m := e.mustCall("POST", "/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]any{"text": "from the bot"},
		"userId": e.p.BotUserID(), "conversationId": cid, "tags": map[string]string{}}, "x-integration-id", "")
	e.settle()
	if m.str("message", "direction") != "outgoing" {
		t.Errorf("direction %q", m.str("message", "direction"))
	}
	if mc := fi.invocations("message_created"); len(mc) != 1 || mc[0].body["message"].(map[string]any)["id"] != m.str("message", "id") {
		t.Errorf("message_created for a bot's message: %d", len(mc))
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	t.Parallel()
	var nilServer *Server
	if err := nilServer.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Ping(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close: %v", err)
	}
}
