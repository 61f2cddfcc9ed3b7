package telegram_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/telegram"
)

// The stubs below stand in for the Botpress Runtime API and the Telegram Bot
// API: they record every request and answer fixed JSON. A case can override
// an answer, once or for good, by "METHOD /path".

const (
	botToken = "123:abc"
	secret   = "s3cret_token-1"
)

// call is one request a stub received.
type call struct {
	Method, Path, Query string
	Header              http.Header
	Body                string // compacted JSON, or the raw body
}

// String renders a call for comparisons: "POST /v1/chat/events {…}", or
// for Telegram "sendMessage {…}".
func (c call) String() string {
	s := c.Method + " " + c.Path
	if c.Query != "" {
		s += "?" + c.Query
	}
	if c.Body != "" {
		s += " " + c.Body
	}
	return s
}

// answer is a canned reply.
type answer struct {
	status int
	header map[string]string
	body   string
}

// stub is a recording HTTP server.
type stub struct {
	*httptest.Server
	defaults func(method, path string) answer

	mu        sync.Mutex
	calls     []call
	overrides map[string][]answer // consumed in order; the last one stays
}

func newStub(tb testing.TB, defaults func(method, path string) answer) *stub {
	tb.Helper()
	s := &stub{defaults: defaults, overrides: map[string][]answer{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// on makes "METHOD /path" answer with as, in order; the last answer repeats.
func (s *stub) on(route string, as ...answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[route] = as
}

func (s *stub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	body := string(raw)
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		body = buf.String()
	}
	s.mu.Lock()
	s.calls = append(s.calls, call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	route := r.Method + " " + r.URL.Path
	a, overridden := answer{}, false
	if as := s.overrides[route]; len(as) > 0 {
		a, overridden = as[0], true
		if len(as) > 1 {
			s.overrides[route] = as[1:]
		}
	}
	s.mu.Unlock()
	if !overridden {
		a = s.defaults(r.Method, r.URL.Path)
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// recorded returns the calls so far as strings.
func (s *stub) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.String()
	}
	return out
}

func (s *stub) all() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.calls...)
}

// platformDefaults answers the Runtime API routes the integration uses.
func platformDefaults(method, path string) answer {
	ok := func(body string) answer { return answer{status: 200, body: body} }
	switch {
	case method == "POST" && path == "/v1/chat/conversations/get-or-create":
		return ok(`{"conversation":{"id":"conv_1","channel":"channel","tags":{"id":"1001"}},"meta":{"created":true}}`)
	case method == "GET" && strings.HasPrefix(path, "/v1/chat/conversations/"):
		return ok(`{"conversation":{"id":"conv_1","channel":"channel","tags":{"id":"1001"}}}`)
	case method == "POST" && path == "/v1/chat/users/get-or-create":
		return ok(`{"user":{"id":"user_1","tags":{"id":"2002"}},"meta":{"created":true}}`)
	case method == "POST" && path == "/v1/chat/messages/get-or-create":
		return ok(`{"message":{"id":"msg_1"},"meta":{"created":true}}`)
	case method == "GET" && path == "/v1/chat/messages":
		return ok(`{"messages":[],"meta":{}}`)
	case method == "PUT" && strings.HasPrefix(path, "/v1/chat/messages/"):
		return ok(`{"message":{"id":"msg_1"}}`)
	case method == "POST" && strings.HasPrefix(path, "/v1/chat/states/"):
		return ok(`{"state":{"id":"state_1"}}`)
	case method == "POST" && path == "/v1/chat/events":
		return ok(`{"event":{"id":"evt_1"}}`)
	case method == "POST" && path == "/v1/chat/integrations/configure":
		return ok(`{}`)
	}
	return answer{status: 404, body: `{"id":"err_1","code":404,"type":"ResourceNotFound","message":"no route ` + method + ` ` + path + `"}`}
}

// telegramDefaults answers Bot API methods, as "/bot<token>/<method>".
func telegramDefaults(method, path string) answer {
	ok := func(result string) answer { return answer{status: 200, body: `{"ok":true,"result":` + result + `}`} }
	switch strings.TrimPrefix(path, "/bot"+botToken+"/") {
	case "getMe":
		return ok(`{"id":4242,"is_bot":true,"first_name":"Example","username":"example_bot"}`)
	case "getFile":
		return ok(`{"file_id":"big","file_unique_id":"u","file_size":2048,"file_path":"photos/file_7.jpg"}`)
	case "sendMessage", "sendPhoto":
		return ok(`{"message_id":77,"date":0,"chat":{"id":1001,"type":"private"}}`)
	case "setWebhook", "deleteWebhook", "answerCallbackQuery", "sendChatAction":
		return ok(`true`)
	}
	return answer{status: 404, body: `{"ok":false,"error_code":404,"description":"Not Found"}`}
}

// world is the integration with its two stubs.
type world struct {
	platform, telegram *stub
	handler            http.Handler
	sleeps             *[]time.Duration
}

func newWorld(tb testing.TB) *world {
	tb.Helper()
	w := &world{
		platform: newStub(tb, platformDefaults),
		telegram: newStub(tb, telegramDefaults),
		sleeps:   new([]time.Duration),
	}
	var mu sync.Mutex
	env := map[string]string{
		"BP_API_URL":            w.platform.URL,
		"BP_TOKEN":              "bp-token",
		"SECRET_WEBHOOK_SECRET": secret,
		"TELEGRAM_API_URL":      w.telegram.URL,
	}
	h, err := telegram.New(func(k string) string { return env[k] },
		telegram.WithHTTPClient(w.platform.Client()),
		telegram.WithSleep(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*w.sleeps = append(*w.sleeps, d)
			return ctx.Err()
		}))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	w.handler = h
	return w
}

// operationHeaders are the headers the platform sends with every operation.
func operationHeaders(op string) map[string]string {
	config := base64.StdEncoding.EncodeToString([]byte(`{"botToken":"` + botToken + `"}`))
	return map[string]string{
		"x-bp-operation":      op,
		"x-bot-id":            "bot_1",
		"x-bot-user-id":       "user_bot",
		"x-integration-id":    "intver_1",
		"x-integration-alias": "telegram",
		"x-webhook-id":        "wh_1",
		"x-bp-configuration":  config,
	}
}

// operate sends one operation to the integration and returns its answer.
func (w *world) operate(tb testing.TB, headers map[string]string, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

// webhookBody wraps a Telegram update as webhook_received's body.
func webhookBody(tb testing.TB, secretHeader, update string) string {
	tb.Helper()
	req := map[string]any{"req": map[string]any{
		"method": "POST", "path": "/", "query": "",
		"headers": map[string]string{
			"content-type":                    "application/json",
			"x-telegram-bot-api-secret-token": secretHeader,
		},
		"body": update,
	}}
	b, err := json.Marshal(req)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// tg names a Bot API call as the telegram stub records it.
func tg(method, body string) string {
	return "POST /bot" + botToken + "/" + method + " " + body
}

// diff fails tb when got and want differ, showing both in full.
func diff(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	tb.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}
