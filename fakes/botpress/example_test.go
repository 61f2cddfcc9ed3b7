package botpress_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

// A minimal integration speaking the Botpress protocol: a webhook becomes an
// incoming message through the Runtime API, and the scripted bot's reply
// arrives as message_created.
func Example() {
	activity := fakes.NewActivity()
	platform, err := botpress.Start(botpress.WithActivity(activity), botpress.WithToken("bp-token"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer platform.Close()

	replies := make(chan string, 1)
	integration := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Req     struct{ Body string } `json:"req"`
			Payload struct{ Text string } `json:"payload"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		api := func(path string, in any) map[string]map[string]any {
			b, _ := json.Marshal(in)
			req, _ := http.NewRequest("POST", platform.URL()+path, bytes.NewReader(b))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer bp-token")
			req.Header.Set("x-bot-id", r.Header.Get("x-bot-id"))
			req.Header.Set("x-integration-id", r.Header.Get("x-integration-id"))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return nil
			}
			defer resp.Body.Close()
			var out map[string]map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			return out
		}
		switch r.Header.Get("x-bp-operation") {
		case "webhook_received":
			conv := api("/v1/chat/conversations/get-or-create", map[string]any{"channel": "channel", "tags": map[string]string{"id": "42"}})
			user := api("/v1/chat/users/get-or-create", map[string]any{"tags": map[string]string{"id": "7"}, "name": "Ada"})
			api("/v1/chat/messages", map[string]any{"type": "text", "payload": map[string]string{"text": body.Req.Body},
				"userId": user["user"]["id"], "conversationId": conv["conversation"]["id"], "tags": map[string]string{}})
		case "message_created":
			replies <- body.Payload.Text
		}
		fmt.Fprint(w, "{}")
	}))
	defer integration.Close()
	platform.SetIntegrationURL(integration.URL)

	resp, err := http.Post(platform.WebhookURL(), "text/plain", strings.NewReader("hello"))
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	if err := activity.Wait(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("webhook answered", resp.StatusCode)
	fmt.Println("the echo bot replied:", <-replies)
	for _, m := range platform.Messages() {
		fmt.Println(m.Direction, m.Type, string(m.Payload))
	}
	// Output:
	// webhook answered 200
	// the echo bot replied: hello
	// incoming text {"text":"hello"}
	// outgoing text {"text":"hello"}
}
