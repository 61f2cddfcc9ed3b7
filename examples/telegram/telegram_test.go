package telegram_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/telegram"
)

const (
	ada       = `{"id":2002,"is_bot":false,"first_name":"Ada","last_name":"Lovelace","username":"ada"}`
	privChat  = `{"id":1001,"type":"private","first_name":"Ada"}`
	group     = `{"id":-3003,"type":"group","title":"Tea lovers"}`
	convCall  = `POST /v1/chat/conversations/get-or-create {"channel":"channel","discriminateByTags":["id"],"tags":{"id":"1001"}}`
	groupConv = `POST /v1/chat/conversations/get-or-create {"channel":"channel","discriminateByTags":["id"],"tags":{"id":"-3003"}}`
	adaCall   = `POST /v1/chat/users/get-or-create {"discriminateByTags":["id"],"name":"Ada Lovelace","tags":{"id":"2002","username":"ada"}}`
)

func TestWebhookReceived(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		update       string
		setup        func(w *world)
		wantPlatform []string
		wantTelegram []string
	}{
		{
			name:   "text message",
			update: `{"update_id":1,"message":{"message_id":5,"from":` + ada + `,"chat":` + privChat + `,"date":1,"text":"menu"}}`,
			wantPlatform: []string{
				convCall,
				adaCall,
				`POST /v1/chat/messages/get-or-create {"conversationId":"conv_1","discriminateByTags":["id","chatId"],"payload":{"text":"menu"},"tags":{"chatId":"1001","id":"5"},"type":"text","userId":"user_1"}`,
			},
		},
		{
			name: "photo with caption takes the largest size",
			update: `{"update_id":2,"message":{"message_id":6,"from":` + ada + `,"chat":` + privChat + `,"date":1,"caption":"my cat",` +
				`"photo":[{"file_id":"small","file_unique_id":"a","width":90,"height":60},{"file_id":"big","file_unique_id":"b","width":1280,"height":853},{"file_id":"mid","file_unique_id":"c","width":320,"height":213}]}}`,
			wantTelegram: []string{tg("getFile", `{"file_id":"big"}`)},
			wantPlatform: []string{
				convCall,
				adaCall,
				`POST /v1/chat/messages/get-or-create {"conversationId":"conv_1","discriminateByTags":["id","chatId"],"payload":{"caption":"my cat","imageUrl":"TELEGRAM/file/bot123:abc/photos/file_7.jpg"},"tags":{"chatId":"1001","id":"6"},"type":"image","userId":"user_1"}`,
			},
		},
		{
			name: "callback query",
			update: `{"update_id":3,"callback_query":{"id":"cb77","from":` + ada + `,"chat_instance":"ci","data":"coffee",` +
				`"message":{"message_id":77,"from":{"id":4242,"is_bot":true,"first_name":"Example"},"chat":` + privChat + `,"date":1,"text":"What would you like?",` +
				`"reply_markup":{"inline_keyboard":[[{"text":"Tea","callback_data":"tea"},{"text":"Coffee","callback_data":"coffee"}]]}}}}`,
			wantTelegram: []string{tg("answerCallbackQuery", `{"callback_query_id":"cb77"}`)},
			wantPlatform: []string{
				convCall,
				adaCall,
				`POST /v1/chat/states/conversation/conv_1/selection {"payload":{"label":"Coffee","messageId":"77","value":"coffee"}}`,
				`POST /v1/chat/messages/get-or-create {"conversationId":"conv_1","discriminateByTags":["id","chatId"],"payload":{"text":"coffee"},"tags":{"chatId":"1001","id":"callback:cb77"},"type":"text","userId":"user_1"}`,
			},
		},
		{
			name:   "member joins a group (service message)",
			update: `{"update_id":4,"message":{"message_id":8,"from":` + ada + `,"chat":` + group + `,"date":1,"new_chat_members":[` + ada + `]}}`,
			wantPlatform: []string{
				groupConv,
				adaCall,
				`POST /v1/chat/events {"conversationId":"conv_1","payload":{"chatId":"-3003","userId":"2002","username":"ada"},"type":"memberJoined","userId":"user_1"}`,
			},
		},
		{
			name:   "member leaves a group (service message)",
			update: `{"update_id":5,"message":{"message_id":9,"from":` + ada + `,"chat":` + group + `,"date":1,"left_chat_member":` + ada + `}}`,
			wantPlatform: []string{
				groupConv,
				adaCall,
				`POST /v1/chat/events {"conversationId":"conv_1","payload":{"chatId":"-3003","userId":"2002","username":"ada"},"type":"memberLeft","userId":"user_1"}`,
			},
		},
		{
			name: "chat_member: left to member",
			update: `{"update_id":6,"chat_member":{"chat":` + group + `,"from":` + ada + `,"date":1,` +
				`"old_chat_member":{"user":` + ada + `,"status":"left"},"new_chat_member":{"user":` + ada + `,"status":"member"}}}`,
			wantPlatform: []string{
				groupConv,
				adaCall,
				`POST /v1/chat/events {"conversationId":"conv_1","payload":{"chatId":"-3003","userId":"2002","username":"ada"},"type":"memberJoined","userId":"user_1"}`,
			},
		},
		{
			name: "chat_member: member to kicked",
			update: `{"update_id":7,"chat_member":{"chat":` + group + `,"from":` + ada + `,"date":1,` +
				`"old_chat_member":{"user":` + ada + `,"status":"member"},"new_chat_member":{"user":` + ada + `,"status":"kicked","until_date":0}}}`,
			wantPlatform: []string{
				groupConv,
				adaCall,
				`POST /v1/chat/events {"conversationId":"conv_1","payload":{"chatId":"-3003","userId":"2002","username":"ada"},"type":"memberLeft","userId":"user_1"}`,
			},
		},
		{
			name: "chat_member: promotion is ignored",
			update: `{"update_id":8,"chat_member":{"chat":` + group + `,"from":` + ada + `,"date":1,` +
				`"old_chat_member":{"user":` + ada + `,"status":"member"},"new_chat_member":{"user":` + ada + `,"status":"administrator"}}}`,
		},
		{
			name: "my_chat_member is ignored",
			update: `{"update_id":9,"my_chat_member":{"chat":` + group + `,"from":` + ada + `,"date":1,` +
				`"old_chat_member":{"user":{"id":4242,"is_bot":true,"first_name":"Example"},"status":"left"},"new_chat_member":{"user":{"id":4242,"is_bot":true,"first_name":"Example"},"status":"member"}}}`,
		},
		{
			name:   "edited message updates the stored one",
			update: `{"update_id":10,"edited_message":{"message_id":5,"from":` + ada + `,"chat":` + privChat + `,"date":1,"edit_date":2,"text":"menu please"}}`,
			setup: func(w *world) {
				w.platform.on("GET /v1/chat/messages", answer{status: 200, body: `{"messages":[{"id":"msg_9","type":"text","payload":{"text":"menu"}}],"meta":{}}`})
			},
			wantPlatform: []string{
				convCall,
				`GET /v1/chat/messages?conversationId=conv_1&tags.chatId=1001&tags.id=5`,
				`PUT /v1/chat/messages/msg_9 {"payload":{"text":"menu please"}}`,
			},
		},
		{
			name:   "edited message never seen is created",
			update: `{"update_id":11,"edited_message":{"message_id":4,"from":` + ada + `,"chat":` + privChat + `,"date":1,"edit_date":2,"text":"hello"}}`,
			wantPlatform: []string{
				convCall,
				`GET /v1/chat/messages?conversationId=conv_1&tags.chatId=1001&tags.id=4`,
				adaCall,
				`POST /v1/chat/messages/get-or-create {"conversationId":"conv_1","discriminateByTags":["id","chatId"],"payload":{"text":"hello"},"tags":{"chatId":"1001","id":"4"},"type":"text","userId":"user_1"}`,
			},
		},
		{
			name:   "sticker is ignored",
			update: `{"update_id":12,"message":{"message_id":13,"from":` + ada + `,"chat":` + privChat + `,"date":1,"sticker":{"file_id":"s"}}}`,
		},
		{
			name:   "message from a bot is ignored",
			update: `{"update_id":13,"message":{"message_id":14,"from":{"id":9,"is_bot":true,"first_name":"Other"},"chat":` + group + `,"date":1,"text":"hi"}}`,
		},
		{
			name:   "channel post is ignored",
			update: `{"update_id":14,"channel_post":{"message_id":1,"chat":{"id":-100500,"type":"channel"},"date":1,"text":"news"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			rec := w.operate(t, operationHeaders("webhook_received"), webhookBody(t, secret, tt.update))
			if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
				t.Fatalf("answer = %d %s, want 200 {}", rec.Code, rec.Body)
			}
			for i := range tt.wantPlatform {
				tt.wantPlatform[i] = strings.ReplaceAll(tt.wantPlatform[i], "TELEGRAM", w.telegram.URL)
			}
			diff(t, "Runtime API calls", w.platform.recorded(), tt.wantPlatform)
			diff(t, "Telegram calls", w.telegram.recorded(), tt.wantTelegram)
		})
	}
}

// A re-delivered update (Telegram retries until it gets a 2xx) must not
// create a second message: every delivery asks for get-or-create keyed on
// the Telegram ids, never for a plain create.
func TestWebhookRedeliveryIsIdempotent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	update := `{"update_id":1,"message":{"message_id":5,"from":` + ada + `,"chat":` + privChat + `,"date":1,"text":"menu"}}`
	w.platform.on("POST /v1/chat/messages/get-or-create",
		answer{status: 200, body: `{"message":{"id":"msg_1"},"meta":{"created":true}}`},
		answer{status: 200, body: `{"message":{"id":"msg_1"},"meta":{"created":false}}`})
	for range 2 {
		if rec := w.operate(t, operationHeaders("webhook_received"), webhookBody(t, secret, update)); rec.Code != http.StatusOK {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
	}
	var creates []string
	for _, c := range w.platform.all() {
		if c.Method == http.MethodPost && strings.HasPrefix(c.Path, "/v1/chat/messages") {
			creates = append(creates, c.Path+" "+c.Body)
		}
	}
	msg := `/v1/chat/messages/get-or-create {"conversationId":"conv_1","discriminateByTags":["id","chatId"],"payload":{"text":"menu"},"tags":{"chatId":"1001","id":"5"},"type":"text","userId":"user_1"}`
	diff(t, "message calls", creates, []string{msg, msg})
}

func TestWebhookWrongSecret(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, header string }{
		{"wrong", "guess"},
		{"missing", ""},
		{"prefix", secret[:4]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			update := `{"update_id":1,"message":{"message_id":5,"from":` + ada + `,"chat":` + privChat + `,"date":1,"text":"menu"}}`
			rec := w.operate(t, operationHeaders("webhook_received"), webhookBody(t, tt.header, update))
			if rec.Code != http.StatusUnauthorized || rec.Body.String() != "invalid secret token" {
				t.Errorf("answer = %d %q, want 401 %q", rec.Code, rec.Body, "invalid secret token")
			}
			diff(t, "Runtime API calls", w.platform.recorded(), nil)
			diff(t, "Telegram calls", w.telegram.recorded(), nil)
		})
	}
}

func TestMessageCreated(t *testing.T) {
	t.Parallel()
	const ack = `PUT /v1/chat/messages/msg_out {"tags":{"chatId":"1001","id":"77"}}`
	tests := []struct {
		name, typ, payload string
		wantTelegram       string
	}{
		{
			name: "text", typ: "text", payload: `{"text":"Hello Ada"}`,
			wantTelegram: tg("sendMessage", `{"chat_id":1001,"text":"Hello Ada"}`),
		},
		{
			name: "image", typ: "image", payload: `{"imageUrl":"https://example.com/tea.png","caption":"Tea"}`,
			wantTelegram: tg("sendPhoto", `{"caption":"Tea","chat_id":1001,"photo":"https://example.com/tea.png"}`),
		},
		{
			name: "image without caption", typ: "image", payload: `{"imageUrl":"https://example.com/tea.png"}`,
			wantTelegram: tg("sendPhoto", `{"chat_id":1001,"photo":"https://example.com/tea.png"}`),
		},
		{
			name: "choice: three buttons a row", typ: "choice",
			payload: `{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"},{"label":"Water","value":"water"},{"label":"Juice","value":"juice"}]}`,
			wantTelegram: tg("sendMessage", `{"chat_id":1001,"reply_markup":{"inline_keyboard":[`+
				`[{"text":"Tea","callback_data":"tea"},{"text":"Coffee","callback_data":"coffee"},{"text":"Water","callback_data":"water"}],`+
				`[{"text":"Juice","callback_data":"juice"}]]},"text":"What would you like?"}`),
		},
		{
			name: "choice without options", typ: "choice", payload: `{"text":"Nothing to pick","options":[]}`,
			wantTelegram: tg("sendMessage", `{"chat_id":1001,"text":"Nothing to pick"}`),
		},
		{
			name: "dropdown: one button a row", typ: "dropdown",
			payload: `{"text":"Pick a size","options":[{"label":"Small","value":"s"},{"label":"Large","value":"l"}]}`,
			wantTelegram: tg("sendMessage", `{"chat_id":1001,"reply_markup":{"inline_keyboard":[`+
				`[{"text":"Small","callback_data":"s"}],[{"text":"Large","callback_data":"l"}]]},"text":"Pick a size"}`),
		},
		{
			name: "card with image", typ: "card",
			payload: `{"title":"Green tea","subtitle":"Sencha","imageUrl":"https://example.com/sencha.png","actions":[` +
				`{"action":"postback","label":"Order","value":"order:sencha"},{"action":"url","label":"More","value":"https://example.com/sencha"},{"action":"say","label":"Ask","value":"tell me about sencha"}]}`,
			wantTelegram: tg("sendPhoto", `{"caption":"Green tea\nSencha","chat_id":1001,"photo":"https://example.com/sencha.png","reply_markup":{"inline_keyboard":[`+
				`[{"text":"Order","callback_data":"order:sencha"}],[{"text":"More","url":"https://example.com/sencha"}],[{"text":"Ask","callback_data":"tell me about sencha"}]]}}`),
		},
		{
			name: "card without image or actions", typ: "card", payload: `{"title":"Green tea","actions":[]}`,
			wantTelegram: tg("sendMessage", `{"chat_id":1001,"text":"Green tea"}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody(tt.typ, tt.payload))
			if rec.Code != http.StatusOK || rec.Body.String() != "{}" {
				t.Fatalf("answer = %d %s, want 200 {}", rec.Code, rec.Body)
			}
			diff(t, "Telegram calls", w.telegram.recorded(), []string{tt.wantTelegram})
			diff(t, "Runtime API calls", w.platform.recorded(), []string{ack})
		})
	}
}

func messageCreatedBody(typ, payload string) string {
	return `{"type":"` + typ + `","payload":` + payload + `,` +
		`"conversation":{"id":"conv_1","channel":"channel","integration":"telegram","tags":{"id":"1001"}},` +
		`"message":{"id":"msg_out","type":"` + typ + `","payload":` + payload + `,"direction":"outgoing","userId":"user_bot","conversationId":"conv_1","tags":{}},` +
		`"user":{"id":"user_bot","tags":{}}}`
}

// Failures answer 400 with the Botpress error body, and touch nothing.
func TestOperationErrors(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 65)
	tests := []struct {
		name, op, body string
		setup          func(w *world)
		wantMessage    string // a part of the error message
		wantTelegram   int    // Telegram calls made before failing
	}{
		{name: "unknown operation", op: "create_user", body: `{"tags":{}}`, wantMessage: `unknown operation "create_user"`},
		{name: "unknown message type", op: "message_created", body: messageCreatedBody("audio", `{"audioUrl":"https://example.com/a.ogg"}`), wantMessage: `message type "audio" is not supported`},
		{name: "choice value over 64 bytes", op: "message_created", body: messageCreatedBody("choice", `{"text":"t","options":[{"label":"L","value":"`+long+`"}]}`), wantMessage: "callback_data holds 64"},
		{name: "unknown action", op: "action_triggered", body: `{"type":"archiveChat","input":{}}`, wantMessage: `action "archiveChat" not found`},
		{name: "malformed body", op: "message_created", body: `{`, wantMessage: "decode request body"},
		{
			name: "telegram error surfaces its description", op: "message_created", body: messageCreatedBody("text", `{"text":"hi"}`),
			setup: func(w *world) {
				w.telegram.on("POST /bot"+botToken+"/sendMessage", answer{status: 403, body: `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`})
			},
			wantMessage: "telegram sendMessage: 403 Forbidden: bot was blocked by the user", wantTelegram: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if tt.setup != nil {
				tt.setup(w)
			}
			rec := w.operate(t, operationHeaders(tt.op), tt.body)
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("status = %d %s, want 400", rec.Code, rec.Body)
			}
			var e struct {
				ID      string `json:"id"`
				Code    int    `json:"code"`
				Type    string `json:"type"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("error body %s: %v", rec.Body, err)
			}
			if !strings.HasPrefix(e.ID, "err_") || e.Code != 400 || e.Type != "Runtime" || !strings.Contains(e.Message, tt.wantMessage) {
				t.Errorf("error body = %+v, want err_… 400 Runtime containing %q", e, tt.wantMessage)
			}
			if got := len(w.telegram.recorded()); got != tt.wantTelegram {
				t.Errorf("Telegram calls = %d, want %d", got, tt.wantTelegram)
			}
			diff(t, "Runtime API calls", w.platform.recorded(), nil)
		})
	}
}

func TestMissingHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, want string }{
		{"x-bot-id", "Missing bot header"},
		{"x-bot-user-id", "Missing bot user header"},
		{"x-integration-id", "Missing integration header"},
		{"x-integration-alias", "Missing integration alias header"},
		{"x-webhook-id", "Missing webhook header"},
		{"x-bp-operation", "Missing operation header"},
		{"x-bp-configuration", "Missing configuration header"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			h := operationHeaders("ping")
			delete(h, tt.header)
			rec := w.operate(t, h, `{}`)
			want := `{"error":"` + tt.want + `"}`
			if rec.Code != http.StatusInternalServerError || rec.Body.String() != want {
				t.Errorf("answer = %d %s, want 500 %s", rec.Code, rec.Body, want)
			}
		})
	}
	t.Run("configuration not base64", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		h := operationHeaders("ping")
		h["x-bp-configuration"] = "{not base64}"
		if rec := w.operate(t, h, `{}`); rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Invalid configuration header") {
			t.Errorf("answer = %d %s, want 500 Invalid configuration header", rec.Code, rec.Body)
		}
	})
}

func TestPingAndHealth(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if rec := w.operate(t, operationHeaders("ping"), `{}`); rec.Code != 200 || rec.Body.String() != "{}" {
		t.Errorf("ping = %d %s, want 200 {}", rec.Code, rec.Body)
	}
	req, _ := http.NewRequest(http.MethodGet, "/health", nil)
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "ok" {
		t.Errorf("GET /health = %d %s, want 200 ok", rec.Code, rec.Body)
	}
	diff(t, "Runtime API calls", w.platform.recorded(), nil)
	diff(t, "Telegram calls", w.telegram.recorded(), nil)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := w.operate(t, operationHeaders("register"), `{"webhookUrl":"https://webhook.botpress.cloud/wh_1"}`)
	if rec.Code != 200 || rec.Body.String() != "{}" {
		t.Fatalf("answer = %d %s, want 200 {}", rec.Code, rec.Body)
	}
	diff(t, "Telegram calls", w.telegram.recorded(), []string{
		tg("getMe", `{}`),
		tg("setWebhook", `{"allowed_updates":["message","edited_message","callback_query","my_chat_member","chat_member"],"drop_pending_updates":false,"secret_token":"`+secret+`","url":"https://webhook.botpress.cloud/wh_1"}`),
	})
	diff(t, "Runtime API calls", w.platform.recorded(), []string{`POST /v1/chat/integrations/configure {"identifier":"4242"}`})
}

func TestRegisterBadToken(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.telegram.on("POST /bot"+botToken+"/getMe", answer{status: 401, body: `{"ok":false,"error_code":401,"description":"Unauthorized"}`})
	rec := w.operate(t, operationHeaders("register"), `{"webhookUrl":"https://webhook.botpress.cloud/wh_1"}`)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "check the botToken configuration") {
		t.Errorf("answer = %d %s, want 400 naming the botToken", rec.Code, rec.Body)
	}
	diff(t, "Telegram calls", w.telegram.recorded(), []string{tg("getMe", `{}`)})
	diff(t, "Runtime API calls", w.platform.recorded(), nil)
}

func TestUnregister(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if rec := w.operate(t, operationHeaders("unregister"), `{"webhookUrl":"https://webhook.botpress.cloud/wh_1"}`); rec.Code != 200 {
		t.Fatalf("answer = %d %s", rec.Code, rec.Body)
	}
	diff(t, "Telegram calls", w.telegram.recorded(), []string{tg("deleteWebhook", `{}`)})
}

func TestActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body   string
		wantPlatform []string
		wantTelegram []string
	}{
		{
			name:         "start typing",
			body:         `{"type":"startTypingIndicator","input":{"conversationId":"conv_1","messageId":"msg_1"}}`,
			wantPlatform: []string{"GET /v1/chat/conversations/conv_1"},
			wantTelegram: []string{tg("sendChatAction", `{"action":"typing","chat_id":1001}`)},
		},
		{
			name: "stop typing",
			body: `{"type":"stopTypingIndicator","input":{"conversationId":"conv_1","messageId":"msg_1"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			rec := w.operate(t, operationHeaders("action_triggered"), tt.body)
			if want := `{"output":{},"meta":{"cost":0}}`; rec.Code != 200 || rec.Body.String() != want {
				t.Fatalf("answer = %d %s, want 200 %s", rec.Code, rec.Body, want)
			}
			diff(t, "Runtime API calls", w.platform.recorded(), tt.wantPlatform)
			diff(t, "Telegram calls", w.telegram.recorded(), tt.wantTelegram)
		})
	}
}

// Runtime API calls name the bot and install, and carry the token.
func TestPlatformHeaders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	h := operationHeaders("action_triggered")
	h["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	w.operate(t, h, `{"type":"startTypingIndicator","input":{"conversationId":"conv_1"}}`)
	w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`))
	calls := w.platform.all()
	if len(calls) != 2 {
		t.Fatalf("calls = %v, want 2", w.platform.recorded())
	}
	for i, c := range calls {
		want := map[string]string{
			"X-Bot-Id":            "bot_1",
			"X-Integration-Id":    "intver_1",
			"X-Integration-Alias": "telegram",
			"Authorization":       "Bearer bp-token",
		}
		if c.Method != http.MethodGet {
			want["Content-Type"] = "application/json"
		}
		if i == 0 {
			want["Traceparent"] = h["traceparent"]
		}
		for k, v := range want {
			if got := c.Header.Get(k); got != v {
				t.Errorf("%s: header %s = %q, want %q", c, k, got, v)
			}
		}
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	t.Run("telegram 429 waits retry_after", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.telegram.on("POST /bot"+botToken+"/sendMessage",
			answer{status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`},
			answer{status: 200, body: `{"ok":true,"result":{"message_id":77,"date":0,"chat":{"id":1001,"type":"private"}}}`})
		if rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`)); rec.Code != 200 {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
		if got := len(w.telegram.recorded()); got != 2 {
			t.Errorf("sendMessage calls = %d, want 2", got)
		}
		if want := []time.Duration{3 * time.Second}; !equalDurations(*w.sleeps, want) {
			t.Errorf("waits = %v, want %v", *w.sleeps, want)
		}
	})
	t.Run("telegram 429 gives up after 3 retries", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.telegram.on("POST /bot"+botToken+"/sendMessage",
			answer{status: 429, body: `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`})
		if rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`)); rec.Code != 400 || !strings.Contains(rec.Body.String(), "Too Many Requests") {
			t.Fatalf("answer = %d %s, want 400 Too Many Requests", rec.Code, rec.Body)
		}
		if got := len(w.telegram.recorded()); got != 4 {
			t.Errorf("sendMessage calls = %d, want 4", got)
		}
	})
	t.Run("platform 429 and 502 honour Retry-After", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.platform.on("PUT /v1/chat/messages/msg_out",
			answer{status: 429, header: map[string]string{"Retry-After": "2"}, body: `{"id":"err_1","code":429,"type":"RateLimited","message":"slow down"}`},
			answer{status: 502, body: `{"id":"err_2","code":502,"type":"Unknown","message":"bad gateway"}`},
			answer{status: 200, body: `{"message":{"id":"msg_out"}}`})
		if rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`)); rec.Code != 200 {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
		if got := len(w.platform.recorded()); got != 3 {
			t.Errorf("ack calls = %d, want 3", got)
		}
		if want := []time.Duration{2 * time.Second, 2 * time.Second}; !equalDurations(*w.sleeps, want) {
			t.Errorf("waits = %v, want %v", *w.sleeps, want)
		}
	})
	t.Run("platform 404 is not retried and keeps its type", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.platform.on("PUT /v1/chat/messages/msg_out", answer{status: 404, body: `{"id":"err_1","code":404,"type":"ResourceNotFound","message":"Message msg_out not found"}`})
		rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`))
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "404 ResourceNotFound: Message msg_out not found") {
			t.Fatalf("answer = %d %s", rec.Code, rec.Body)
		}
		if got := len(w.platform.recorded()); got != 1 {
			t.Errorf("ack calls = %d, want 1", got)
		}
	})
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNewEnvironment(t *testing.T) {
	t.Parallel()
	full := map[string]string{"BP_API_URL": "http://127.0.0.1:1", "SECRET_WEBHOOK_SECRET": "abc"}
	tests := []struct {
		name    string
		unset   string
		set     map[string]string
		wantErr error
		wantVar string
	}{
		{name: "complete"},
		{name: "no BP_API_URL", unset: "BP_API_URL", wantErr: telegram.ErrMissingEnv, wantVar: "BP_API_URL"},
		{name: "no secret", unset: "SECRET_WEBHOOK_SECRET", wantErr: telegram.ErrMissingEnv, wantVar: "SECRET_WEBHOOK_SECRET"},
		{name: "secret Telegram refuses", set: map[string]string{"SECRET_WEBHOOK_SECRET": "has space"}, wantErr: telegram.ErrInvalidEnv, wantVar: "SECRET_WEBHOOK_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			delete(env, tt.unset)
			for k, v := range tt.set {
				env[k] = v
			}
			h, err := telegram.New(func(k string) string { return env[k] })
			if tt.wantErr == nil {
				if err != nil || h == nil {
					t.Fatalf("New = %v, %v", h, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("New error = %v, want %v naming %s", err, tt.wantErr, tt.wantVar)
			}
		})
	}
}

// The bot token must not leak into errors sent back to the platform.
func TestTokenNotInErrors(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"BP_API_URL":            "http://127.0.0.1:1",
		"SECRET_WEBHOOK_SECRET": secret,
		"TELEGRAM_API_URL":      "http://127.0.0.1:1", // nothing listens there
	}
	h, err := telegram.New(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	w := &world{handler: h}
	rec := w.operate(t, operationHeaders("message_created"), messageCreatedBody("text", `{"text":"hi"}`))
	if rec.Code != 400 || strings.Contains(rec.Body.String(), botToken) || !strings.Contains(rec.Body.String(), "<token>") {
		t.Errorf("answer = %d %s, want 400 without the token", rec.Code, rec.Body)
	}
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	var def struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Channels map[string]struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"channels"`
		Actions map[string]struct {
			Attributes map[string]string `json:"attributes"`
		} `json:"actions"`
		Secrets map[string]json.RawMessage `json:"secrets"`
	}
	if err := json.Unmarshal(telegram.Definition(), &def); err != nil {
		t.Fatalf("definition.json: %v", err)
	}
	if def.Name != "telegram-example" || def.Version != "0.1.0" {
		t.Errorf("name, version = %q, %q", def.Name, def.Version)
	}
	for _, typ := range []string{"text", "image", "choice", "dropdown", "card"} {
		if _, ok := def.Channels["channel"].Messages[typ]; !ok {
			t.Errorf("channel.messages.%s is not declared", typ)
		}
	}
	for _, a := range []string{"startTypingIndicator", "stopTypingIndicator"} {
		if def.Actions[a].Attributes["bpActionHiddenInStudio"] != "true" {
			t.Errorf("action %s: bpActionHiddenInStudio is not \"true\"", a)
		}
	}
	if _, ok := def.Secrets["WEBHOOK_SECRET"]; !ok {
		t.Error("secret WEBHOOK_SECRET is not declared")
	}
	// Definition hands out a copy.
	d := telegram.Definition()
	d[0] = 'X'
	if telegram.Definition()[0] == 'X' {
		t.Error("Definition returned the embedded bytes, not a copy")
	}
}
