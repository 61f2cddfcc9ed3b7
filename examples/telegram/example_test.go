package telegram_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatsim/chatsim/examples/telegram"
)

// The platform asks the integration to deliver a bot's text message: the
// integration calls Telegram's sendMessage, then acks the platform's
// message with the Telegram message id.
func ExampleNew() {
	// Stand-ins for Telegram and the Botpress Runtime API that print what
	// they are asked.
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("telegram  %s %s\n", r.URL.Path, body)
		io.WriteString(w, `{"ok":true,"result":{"message_id":2,"date":0,"chat":{"id":1001,"type":"private"}}}`)
	}))
	defer tg.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("platform  %s %s %s\n", r.Method, r.URL.Path, body)
		io.WriteString(w, `{"message":{"id":"msg_1"}}`)
	}))
	defer api.Close()

	env := map[string]string{
		"BP_API_URL":            api.URL,
		"SECRET_WEBHOOK_SECRET": "s3cret",
		"TELEGRAM_API_URL":      tg.URL,
	}
	h, err := telegram.New(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}

	body := `{"type":"text","payload":{"text":"Hello Ada"},
		"conversation":{"id":"conv_1","channel":"channel","tags":{"id":"1001"}},
		"message":{"id":"msg_1","type":"text","payload":{"text":"Hello Ada"},"tags":{}},
		"user":{"id":"user_bot","tags":{}}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("x-bp-operation", "message_created")
	req.Header.Set("x-bot-id", "bot_1")
	req.Header.Set("x-bot-user-id", "user_bot")
	req.Header.Set("x-integration-id", "intver_1")
	req.Header.Set("x-integration-alias", "telegram")
	req.Header.Set("x-webhook-id", "wh_1")
	req.Header.Set("x-bp-configuration", base64.StdEncoding.EncodeToString([]byte(`{"botToken":"123:abc"}`)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println("answer   ", rec.Code, rec.Body)
	// Output:
	// telegram  /bot123:abc/sendMessage {"chat_id":1001,"text":"Hello Ada"}
	// platform  PUT /v1/chat/messages/msg_1 {"tags":{"chatId":"1001","id":"2"}}
	// answer    200 {}
}

func ExampleDefinition() {
	var def struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Channels map[string]struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"channels"`
	}
	if err := json.Unmarshal(telegram.Definition(), &def); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Name, def.Version, len(def.Channels["channel"].Messages), "message types")
	// Output: telegram-example 0.1.0 5 message types
}
