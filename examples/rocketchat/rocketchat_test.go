package rocketchat_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/fakes/botpress"
)

const (
	adaHello = `incoming text {"text":"hello"} tags{id=rcmsg000000000001, roomId=GENERAL}`
	// choiceOrig is the bot's choice as the interaction payload carries it.
	choiceOrig = `{"_id":"rcmsg000000000100","rid":"GENERAL","msg":"What would you like?","blocks":[` +
		`{"type":"section","block_id":"text","text":{"type":"mrkdwn","text":"What would you like?"}},` +
		`{"type":"actions","block_id":"actions","elements":[{"type":"button","action_id":"choice-0","text":{"type":"plain_text","text":"Tea"},"value":"tea"},` +
		`{"type":"button","action_id":"choice-1","text":{"type":"plain_text","text":"Coffee"},"value":"coffee"}]}]}`
)

// interactionJSON is a block_actions payload: ada clicks Coffee.
func interactionJSON(responseURL, id string) string {
	return `{"type":"block_actions","id":"` + id + `","trigger_id":"trigger0000000001","response_url":"` + responseURL + `",` +
		`"user":{"id":"ada0000000000000A","username":"ada","name":"Ada Lovelace","roles":["user"]},` +
		`"channel":{"id":"GENERAL","name":"general","type":"c"},"original_message":` + choiceOrig + `,` +
		`"actions":[{"type":"button","block_id":"actions","action_id":"choice-1","value":"coffee","text":{"type":"plain_text","text":"Coffee"},"action_ts":"1767225604.000000"}]}`
}

func form(payload string) string { return url.Values{"payload": {payload}}.Encode() }

func TestWebhookRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		contentType string
		body        func(w *world) string
		wantStatus  int
		wantBody    string
	}{
		{"wrong token", "application/json", func(*world) string { return outgoing("guess", "rcmsg000000000001", "hello") }, 401, `{"error":"invalid token","success":false}`},
		{"token prefix", "application/json", func(*world) string { return outgoing(secret[:5], "rcmsg000000000001", "hello") }, 401, `{"error":"invalid token","success":false}`},
		{"no token", "application/json", func(*world) string {
			return `{"channel_id":"GENERAL","message_id":"rcmsg000000000001","user_id":"u","text":"hello"}`
		}, 401, `{"error":"invalid token","success":false}`},
		{"not JSON", "application/json", func(*world) string { return `hello` }, 400, `{"error":"the body is not a JSON object","success":false}`},
		{"form without payload", "application/x-www-form-urlencoded", func(*world) string { return `text=hello` }, 400,
			`{"error":"a form body must have a payload field holding JSON","success":false}`},
		{"interaction with a wrong token", "application/json", func(w *world) string {
			return strings.Replace(interactionJSON(w.rc.responseURL(), "interact000000001"), `{"type":"block_actions",`, `{"type":"block_actions","token":"guess",`, 1)
		}, 401, `{"error":"invalid token","success":false}`},
		{"interaction with a foreign response_url", "application/x-www-form-urlencoded", func(*world) string {
			return form(interactionJSON("http://attacker.example/collect", "interact000000001"))
		}, 400, `{"error":"response_url is not on the Rocket.Chat server","success":false}`},
		{"interaction without a user", "application/x-www-form-urlencoded", func(w *world) string {
			return form(strings.Replace(interactionJSON(w.rc.responseURL(), "interact000000001"), `"id":"ada0000000000000A"`, `"id":""`, 1))
		}, 400, `{"error":"block_actions without user.id or channel.id","success":false}`},
		{"interaction without an id", "application/x-www-form-urlencoded", func(w *world) string {
			p := strings.Replace(interactionJSON(w.rc.responseURL(), ""), `"trigger_id":"trigger0000000001"`, `"trigger_id":""`, 1)
			return form(p)
		}, 400, `{"error":"block_actions without id or trigger_id","success":false}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldConfig{rules: botpress.EchoRules()})
			status, body := w.deliver(t, tt.contentType, tt.body(w))
			if status != tt.wantStatus || body != tt.wantBody {
				t.Errorf("answer = %d %s, want %d %s", status, body, tt.wantStatus, tt.wantBody)
			}
			diff(t, "platform messages", w.messages(), nil)
			diff(t, "Rocket.Chat calls", w.rc.recorded(), nil)
		})
	}
}

// Messages the bot must not answer: its own, other bots', and messages
// without text. They are acknowledged (200 {}) so Rocket.Chat does not
// retry them.
func TestWebhookIgnores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
	}{
		{"the bot's own message", strings.Replace(outgoing(secret, "rcmsg000000000001", "hi"), `"user_id":"ada0000000000000A"`, `"user_id":"`+botID+`"`, 1)},
		{"another bot's message", strings.Replace(outgoing(secret, "rcmsg000000000001", "hi"), `"bot":false`, `"bot":{"i":"integ0000000000001"}`, 1)},
		{"bot true", strings.Replace(outgoing(secret, "rcmsg000000000001", "hi"), `"bot":false`, `"bot":true`, 1)},
		{"no text", outgoing(secret, "rcmsg000000000001", "  ")},
		{"the bot clicking its own button", form(strings.Replace(interactionJSON("", "interact000000001"), `"id":"ada0000000000000A"`, `"id":"`+botID+`"`, 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldConfig{rules: botpress.EchoRules()})
			ct := "application/json"
			if strings.HasPrefix(tt.body, "payload=") {
				ct = "application/x-www-form-urlencoded"
			}
			if status, body := w.deliver(t, ct, tt.body); status != 200 || body != "{}" {
				t.Errorf("answer = %d %s, want 200 {}", status, body)
			}
			diff(t, "platform messages", w.messages(), nil)
			diff(t, "Rocket.Chat calls", w.rc.recorded(), nil)
		})
	}
}

// A re-delivered message (Rocket.Chat retries when the integration is set
// to) is recorded once; an edit changes the stored message's text.
func TestRedeliveryAndEdit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldConfig{})
	for range 2 {
		if status, body := w.deliver(t, "application/json", outgoing(secret, "rcmsg000000000001", "hello")); status != 200 || body != "{}" {
			t.Fatalf("answer = %d %s", status, body)
		}
	}
	diff(t, "after a re-delivery", w.messages(), []string{adaHello})

	edited := strings.Replace(outgoing(secret, "rcmsg000000000001", "hello there"), `"bot":false`, `"bot":false,"isEdited":true`, 1)
	if status, _ := w.deliver(t, "application/json", edited); status != 200 {
		t.Fatalf("edit answered %d", status)
	}
	diff(t, "after the edit", w.messages(), []string{`incoming text {"text":"hello there"} tags{id=rcmsg000000000001, roomId=GENERAL}`})

	// An edit of a message never seen is recorded as a new message.
	edited = strings.Replace(outgoing(secret, "rcmsg000000000007", "late"), `"bot":false`, `"bot":false,"isEdited":true`, 1)
	w.deliver(t, "application/json", edited)
	diff(t, "after an unknown edit", w.messages(), []string{
		`incoming text {"text":"hello there"} tags{id=rcmsg000000000001, roomId=GENERAL}`,
		`incoming text {"text":"late"} tags{id=rcmsg000000000007, roomId=GENERAL}`,
	})
	w.noViolations(t)
	if users := w.platform.Users(); len(users) != 2 || users[1].Name != "Ada Lovelace" || users[1].Tags["username"] != "ada" {
		t.Errorf("users = %+v, want the bot and ada, named after users.info", users)
	}
	// users.info once, when ada was met: she has a name since.
	diff(t, "Rocket.Chat calls", w.rc.recorded(), []string{"GET users.info?userId=ada0000000000000A"})
}

// An interaction arrives as JSON or as a payload= form; either way it
// becomes one incoming message, even when delivered twice, and the rich
// message is marked through response_url each time it is delivered.
func TestInteraction(t *testing.T) {
	t.Parallel()
	const marked = `POST response_url {"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
		`{"block_id":"chosen","elements":[{"text":"✓ Coffee chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"What would you like?"}`
	tests := []struct {
		name        string
		contentType string
		wrap        func(string) string
	}{
		{"form", "application/x-www-form-urlencoded", form},
		{"form with charset", "application/x-www-form-urlencoded; charset=utf-8", form},
		{"JSON", "application/json", func(s string) string { return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldConfig{})
			body := tt.wrap(interactionJSON(w.rc.responseURL(), "interact000000001"))
			for range 2 {
				if status, answer := w.deliver(t, tt.contentType, body); status != 200 || answer != "{}" {
					t.Fatalf("answer = %d %s, want 200 {}", status, answer)
				}
			}
			diff(t, "platform messages", w.messages(), []string{`incoming text {"text":"coffee"} tags{id=interaction:interact000000001, roomId=GENERAL}`})
			diff(t, "Rocket.Chat calls", w.rc.recorded(), []string{marked, marked})
			for _, c := range w.rc.all() {
				if c.Header.Get("X-Auth-Token") != "" || c.Header.Get("X-User-Id") != "" {
					t.Errorf("the bot's credentials were sent to response_url")
				}
				if c.Header.Get("Content-Type") != "application/json" {
					t.Errorf("response_url Content-Type = %q", c.Header.Get("Content-Type"))
				}
			}
			users := w.platform.Users()
			if len(users) != 2 || users[1].Name != "Ada Lovelace" {
				t.Errorf("users = %+v, want ada named Ada Lovelace", users)
			}
			w.noViolations(t)
		})
	}
}

func TestInteractionVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		config       string
		payload      func(w *world) string
		setup        func(w *world)
		wantStatus   int
		wantMessages []string
		wantRC       []string
	}{
		{
			name:         "markChoices off: no response_url post",
			config:       `{"markChoices":false}`,
			payload:      func(w *world) string { return interactionJSON(w.rc.responseURL(), "interact000000001") },
			wantStatus:   200,
			wantMessages: []string{`incoming text {"text":"coffee"} tags{id=interaction:interact000000001, roomId=GENERAL}`},
		},
		{
			name:         "no response_url",
			payload:      func(*world) string { return interactionJSON("", "interact000000001") },
			wantStatus:   200,
			wantMessages: []string{`incoming text {"text":"coffee"} tags{id=interaction:interact000000001, roomId=GENERAL}`},
		},
		{
			name: "a link button carries nothing",
			payload: func(w *world) string {
				return strings.Replace(interactionJSON(w.rc.responseURL(), "interact000000001"), `"value":"coffee","text"`, `"url":"https://example.com","text"`, 1)
			},
			wantStatus: 200,
		},
		{
			name: "overflow menu pick, trigger_id as key",
			payload: func(w *world) string {
				p := strings.Replace(interactionJSON(w.rc.responseURL(), ""), `"type":"button","block_id":"actions","action_id":"choice-1","value":"coffee","text":{"type":"plain_text","text":"Coffee"}`,
					`"type":"overflow","block_id":"actions","action_id":"more","selected_option":{"text":{"type":"plain_text","text":"Decaf"},"value":"decaf"}`, 1)
				return p
			},
			wantStatus:   200,
			wantMessages: []string{`incoming text {"text":"decaf"} tags{id=interaction:trigger0000000001, roomId=GENERAL}`},
			wantRC: []string{`POST response_url {"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"chosen","elements":[{"text":"✓ Decaf chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"What would you like?"}`},
		},
		{
			name: "response_url fails: the choice is kept, the delivery fails",
			payload: func(w *world) string {
				return interactionJSON(w.rc.responseURL(), "interact000000001")
			},
			setup:        func(w *world) { w.rc.on("response_url", rcAnswer{status: 400}) },
			wantStatus:   400,
			wantMessages: []string{`incoming text {"text":"coffee"} tags{id=interaction:interact000000001, roomId=GENERAL}`},
			wantRC: []string{`POST response_url {"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"chosen","elements":[{"text":"✓ Coffee chosen by @ada","type":"mrkdwn"}],"type":"context"}],"replace_original":true,"text":"What would you like?"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldConfig{config: tt.config})
			if tt.setup != nil {
				tt.setup(w)
			}
			status, answer := w.deliver(t, "application/json", tt.payload(w))
			if status != tt.wantStatus {
				t.Errorf("answer = %d %s, want %d", status, answer, tt.wantStatus)
			}
			diff(t, "platform messages", w.messages(), tt.wantMessages)
			diff(t, "Rocket.Chat calls", w.rc.recorded(), tt.wantRC)
			w.noViolations(t)
		})
	}
}

// sendWorld is a world with one conversation (#general), for the bot to
// send into.
func sendWorld(tb testing.TB) (*world, string) {
	tb.Helper()
	w := newWorld(tb, worldConfig{})
	w.deliver(tb, "application/json", outgoing(secret, "rcmsg000000000001", "hello"))
	convs := w.platform.Conversations()
	if len(convs) != 1 {
		tb.Fatalf("conversations = %+v", convs)
	}
	w.rc.reset() // the users.info that named ada
	return w, convs[0].ID
}

func TestMessageCreated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		typ     string
		payload string
		wantRC  string
	}{
		{"text", "text", `{"text":"Hello Ada"}`, `POST chat.postMessage {"roomId":"GENERAL","text":"Hello Ada"}`},
		{"image", "image", `{"imageUrl":"https://example.com/cat.png","title":"A cat"}`,
			`POST chat.postMessage {"attachments":[{"image_url":"https://example.com/cat.png","title":"A cat"}],"roomId":"GENERAL"}`},
		{"card with image, postback and url", "card",
			`{"title":"Espresso","subtitle":"Short and strong","imageUrl":"https://example.com/espresso.png","actions":[{"action":"postback","label":"Order","value":"order-espresso"},{"action":"url","label":"Menu","value":"https://example.com/menu"}]}`,
			`POST chat.sendMessage {"message":{"blocks":[{"accessory":{"alt_text":"Espresso","image_url":"https://example.com/espresso.png","type":"image"},"block_id":"text","text":{"text":"*Espresso*\nShort and strong","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"actions","elements":[{"action_id":"card-0","text":{"text":"Order","type":"plain_text"},"type":"button","value":"order-espresso"},` +
				`{"action_id":"card-1","text":{"text":"Menu","type":"plain_text"},"type":"button","url":"https://example.com/menu"}],"type":"actions"}],"msg":"Espresso\nShort and strong","rid":"GENERAL"}}`},
		{"card without actions", "card", `{"title":"Closed","actions":[]}`,
			`POST chat.sendMessage {"message":{"blocks":[{"block_id":"text","text":{"text":"*Closed*","type":"mrkdwn"},"type":"section"}],"msg":"Closed","rid":"GENERAL"}}`},
		{"datepicker without initial date", "datepicker", `{"text":"When?"}`,
			`POST chat.sendMessage {"message":{"blocks":[{"block_id":"text","text":{"text":"When?","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"actions","elements":[{"action_id":"datepicker","placeholder":{"text":"Pick a date","type":"plain_text"},"type":"datepicker"}],"type":"actions"}],"msg":"When?","rid":"GENERAL"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, conv := sendWorld(t)
			m, err := w.platform.SendMessage(context.Background(), conv, tt.typ, json.RawMessage(tt.payload))
			if err != nil {
				t.Fatalf("SendMessage: %v", err)
			}
			diff(t, "Rocket.Chat calls", w.rc.recorded(), []string{tt.wantRC})
			msgs := w.platform.Messages()
			if last := msgs[len(msgs)-1]; last.ID != m.ID || last.Tags["id"] != "rcmsg000000000100" || last.Tags["roomId"] != "GENERAL" {
				t.Errorf("the sent message is tagged %v, want the ack {id: rcmsg000000000100, roomId: GENERAL}", last.Tags)
			}
			calls := w.rc.all()
			if c := calls[0]; c.Header.Get("X-User-Id") != botID || c.Header.Get("X-Auth-Token") != authToken || c.Header.Get("Content-Type") != "application/json" {
				t.Errorf("headers = %v", c.Header)
			}
			if calls[0].Endpoint == "chat.sendMessage" {
				var p struct {
					Message struct {
						Blocks json.RawMessage `json:"blocks"`
					} `json:"message"`
				}
				if err := json.Unmarshal([]byte(calls[0].Body), &p); err != nil {
					t.Fatal(err)
				}
				checkBlockKit(t, p.Message.Blocks)
			}
			w.noViolations(t)
		})
	}
}

func TestMessageCreatedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		typ       string
		payload   string
		setup     func(w *world)
		wantErr   string
		wantCalls int
		wantSleep []time.Duration
	}{
		{
			name: "not allowed", typ: "text", payload: `{"text":"hi"}`,
			setup: func(w *world) {
				w.rc.on("chat.postMessage", rcAnswer{status: 400, body: `{"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed"}`})
			},
			wantErr: "rocket.chat chat.postMessage: 400 error-not-allowed: Not allowed", wantCalls: 1,
		},
		{
			name: "rate limited twice, then sent", typ: "text", payload: `{"text":"hi"}`,
			setup: func(w *world) {
				limited := rcAnswer{status: 429, header: map[string]string{"Retry-After": "2"}, body: `{"success":false,"error":"Error, too many requests. [too-many-requests]"}`}
				w.rc.on("chat.postMessage", limited, rcAnswer{status: 429, body: `{}`},
					rcAnswer{status: 200, body: `{"message":{"_id":"rcmsg000000000100","rid":"GENERAL"},"success":true}`})
			},
			wantCalls: 3, wantSleep: []time.Duration{2 * time.Second, 2 * time.Second},
		},
		{
			name: "rate limited for good", typ: "text", payload: `{"text":"hi"}`,
			setup:   func(w *world) { w.rc.on("chat.postMessage", rcAnswer{status: 429, body: `{"success":false}`}) },
			wantErr: "rocket.chat chat.postMessage: 429", wantCalls: 4,
			wantSleep: []time.Duration{time.Second, 2 * time.Second, 3 * time.Second},
		},
		{
			name: "success false on 200", typ: "text", payload: `{"text":"hi"}`,
			setup: func(w *world) {
				w.rc.on("chat.postMessage", rcAnswer{status: 200, body: `{"success":false,"error":"room archived"}`})
			},
			wantErr: "rocket.chat chat.postMessage: 200: room archived", wantCalls: 1,
		},
		{
			name: "answer without a message id", typ: "text", payload: `{"text":"hi"}`,
			setup:   func(w *world) { w.rc.on("chat.postMessage", rcAnswer{status: 200, body: `{"success":true}`}) },
			wantErr: "the answer has no message._id", wantCalls: 1,
		},
		{
			name: "button label over 75 characters", typ: "choice",
			payload: `{"text":"Pick","options":[{"label":"` + strings.Repeat("x", 76) + `","value":"x"}]}`,
			wantErr: "76 characters, Block Kit shows at most 75",
		},
		{
			name: "unknown card action", typ: "card",
			payload: `{"title":"T","actions":[{"action":"call","label":"Call","value":"1"}]}`,
			wantErr: `card action "Call": unknown action "call"`,
		},
		{
			name: "unsupported type", typ: "carousel", payload: `{"items":[]}`,
			wantErr: `message type "carousel" is not supported`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, conv := sendWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			_, err := w.platform.SendMessage(context.Background(), conv, tt.typ, json.RawMessage(tt.payload))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("SendMessage: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("SendMessage error = %v, want one containing %q", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), authToken) {
				t.Errorf("the error shows the auth token: %v", err)
			}
			if n := len(w.rc.recorded()); n != tt.wantCalls {
				t.Errorf("%d Rocket.Chat calls, want %d", n, tt.wantCalls)
			}
			if strings.Join(durations(*w.sleeps), " ") != strings.Join(durations(tt.wantSleep), " ") {
				t.Errorf("sleeps = %v, want %v", *w.sleeps, tt.wantSleep)
			}
		})
	}
}

func durations(ds []time.Duration) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.String()
	}
	return out
}

func TestRegister(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldConfig{})
	if err := w.platform.Register(context.Background()); err != nil {
		t.Fatalf("Register: %v", err)
	}
	diff(t, "Rocket.Chat calls", w.rc.recorded(), []string{"GET me"})
	if c := w.rc.all()[0]; c.Header.Get("X-User-Id") != botID || c.Header.Get("X-Auth-Token") != authToken {
		t.Errorf("headers = %v", c.Header)
	}
	if id, ok := w.platform.Identifier(); !ok || id != botID {
		t.Errorf("identifier = %q, %v; want %q", id, ok, botID)
	}
}

func TestRegisterBadCredentials(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldConfig{})
	w.rc.on("me", rcAnswer{status: 401, body: `{"status":"error","message":"You must be logged in to do this."}`})
	err := w.platform.Register(context.Background())
	if err == nil || !strings.Contains(err.Error(), "check ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN") ||
		!strings.Contains(err.Error(), "You must be logged in to do this.") {
		t.Errorf("Register error = %v, want one naming the credentials and quoting Rocket.Chat", err)
	}
	if err != nil && strings.Contains(err.Error(), authToken) {
		t.Errorf("the error shows the auth token: %v", err)
	}
	if _, ok := w.platform.Identifier(); ok {
		t.Error("an identifier was configured after a failed register")
	}
}

func TestInvalidConfiguration(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldConfig{config: `{"markChoices":"yes"}`})
	if err := w.platform.Register(context.Background()); !errors.Is(err, botpress.ErrInvalidConfiguration) {
		t.Errorf("Register = %v, want ErrInvalidConfiguration", err)
	}
}

func TestOtherOperations(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldConfig{})
	ctx := context.Background()
	if err := w.platform.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if err := w.platform.Unregister(ctx); err != nil {
		t.Errorf("Unregister: %v", err)
	}
	if _, err := w.platform.TriggerAction(ctx, "startTypingIndicator", nil); err == nil || !strings.Contains(err.Error(), `action "startTypingIndicator" not found`) {
		t.Errorf("TriggerAction = %v, want action not found", err)
	}
	diff(t, "Rocket.Chat calls", w.rc.recorded(), nil)
}

func TestNewEnvironment(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"BP_API_URL": "http://127.0.0.1:1", "ROCKETCHAT_URL": "http://127.0.0.1:2", "ROCKETCHAT_USER_ID": botID,
		"ROCKETCHAT_AUTH_TOKEN": authToken, "SECRET_WEBHOOK_TOKEN": secret,
	}
	tests := []struct {
		name    string
		change  map[string]string
		wantIs  error
		wantVar string
	}{
		{"complete", nil, nil, ""},
		{"trailing slash", map[string]string{"ROCKETCHAT_URL": "https://chat.example.com/"}, nil, ""},
		{"no BP_API_URL", map[string]string{"BP_API_URL": ""}, rocketchat.ErrMissingEnv, "BP_API_URL"},
		{"no ROCKETCHAT_URL", map[string]string{"ROCKETCHAT_URL": ""}, rocketchat.ErrMissingEnv, "ROCKETCHAT_URL"},
		{"no user id", map[string]string{"ROCKETCHAT_USER_ID": ""}, rocketchat.ErrMissingEnv, "ROCKETCHAT_USER_ID"},
		{"no auth token", map[string]string{"ROCKETCHAT_AUTH_TOKEN": ""}, rocketchat.ErrMissingEnv, "ROCKETCHAT_AUTH_TOKEN"},
		{"no webhook token", map[string]string{"SECRET_WEBHOOK_TOKEN": ""}, rocketchat.ErrMissingEnv, "SECRET_WEBHOOK_TOKEN"},
		{"URL without scheme", map[string]string{"ROCKETCHAT_URL": "chat.example.com"}, rocketchat.ErrInvalidEnv, "ROCKETCHAT_URL"},
		{"URL with a query", map[string]string{"ROCKETCHAT_URL": "http://chat.example.com/?x=1"}, rocketchat.ErrInvalidEnv, "ROCKETCHAT_URL"},
		{"ftp URL", map[string]string{"ROCKETCHAT_URL": "ftp://chat.example.com"}, rocketchat.ErrInvalidEnv, "ROCKETCHAT_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			for k, v := range tt.change {
				env[k] = v
			}
			h, err := rocketchat.New(func(k string) string { return env[k] })
			if tt.wantIs == nil {
				if err != nil || h == nil {
					t.Errorf("New = %v, %v", h, err)
				}
				return
			}
			if !errors.Is(err, tt.wantIs) || !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("New error = %v, want %v naming %s", err, tt.wantIs, tt.wantVar)
			}
		})
	}
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	def, err := contracts.Parse(rocketchat.Definition(), "definition.json")
	if err != nil {
		t.Fatalf("contracts.Parse: %v", err)
	}
	if _, err := def.Validator(); err != nil {
		t.Fatalf("schemas: %v", err)
	}
	if def.Name != "rocketchat-example" || def.Version != "0.1.0" {
		t.Errorf("name, version = %q, %q", def.Name, def.Version)
	}
	ch := def.Channels["channel"]
	for _, typ := range []string{"text", "image", "choice", "dropdown", "card", "datepicker"} {
		if _, ok := ch.Messages[typ]; !ok {
			t.Errorf("channel.messages.%s is not declared", typ)
		}
	}
	for _, k := range []string{"id", "roomId"} {
		if _, ok := ch.Message.Tags[k]; !ok {
			t.Errorf("message tag %s is not declared", k)
		}
	}
	if _, ok := ch.Conversation.Tags["id"]; !ok {
		t.Error("conversation tag id is not declared")
	}
	for _, k := range []string{"id", "username"} {
		if _, ok := def.User.Tags[k]; !ok {
			t.Errorf("user tag %s is not declared", k)
		}
	}
	if _, ok := def.Secrets["WEBHOOK_TOKEN"]; !ok {
		t.Error("secret WEBHOOK_TOKEN is not declared")
	}
	d := rocketchat.Definition()
	d[0] = 'X'
	if rocketchat.Definition()[0] == 'X' {
		t.Error("Definition returned the embedded bytes, not a copy")
	}
}

// The outgoing webhook names people only by username: the integration
// looks a new user up once with users.info and names them after their
// display name; when the lookup fails, the message is not recorded and the
// delivery fails, so that Rocket.Chat (set to retry) delivers it again.
func TestUsersAreNamedAfterUsersInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		answer     *rcAnswer
		wantStatus int
		wantName   string
		wantMsgs   int
	}{
		{name: "found", wantStatus: 200, wantName: "Ada Lovelace", wantMsgs: 1},
		{name: "lookup fails", answer: &rcAnswer{status: 400, body: `{"success":false,"error":"User not found."}`}, wantStatus: 400, wantMsgs: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, worldConfig{})
			if tt.answer != nil {
				w.rc.on("users.info", *tt.answer)
			}
			status, body := w.deliver(t, "application/json", outgoing(secret, "rcmsg000000000001", "hello"))
			if status != tt.wantStatus {
				t.Fatalf("answer = %d %s, want %d", status, body, tt.wantStatus)
			}
			if tt.answer != nil && !strings.Contains(body, "look up user ada0000000000000A") {
				t.Errorf("the error does not say which lookup failed: %s", body)
			}
			if got := len(w.messages()); got != tt.wantMsgs {
				t.Errorf("%d messages, want %d", got, tt.wantMsgs)
			}
			users := w.platform.Users()
			if len(users) != 2 || users[1].Name != tt.wantName {
				t.Errorf("users = %+v, want ada named %q", users, tt.wantName)
			}
		})
	}
}
