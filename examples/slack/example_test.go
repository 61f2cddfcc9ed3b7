package slack_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatsim/chatsim/examples/slack"
)

// The platform asks the integration to deliver a bot's choice into a
// thread: the integration posts it to Slack as Block Kit with
// chat.postMessage, then acks the platform's message with the Slack ts.
func ExampleNew() {
	// Stand-ins for the Slack Web API and the Botpress Runtime API that
	// print what they are asked.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("slack     %s %s\n", r.URL.Path, body)
		io.WriteString(w, `{"ok":true,"channel":"C0GENERAL","ts":"1767225600.000200"}`)
	}))
	defer api.Close()
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("platform  %s %s %s\n", r.Method, r.URL.Path, body)
		io.WriteString(w, `{"message":{"id":"msg_1"}}`)
	}))
	defer platform.Close()

	env := map[string]string{
		"BP_API_URL":            platform.URL,
		"SECRET_SIGNING_SECRET": "8f742231b10e8888abcd99e5b5e1a2c3",
		"SLACK_API_URL":         api.URL,
	}
	h, err := slack.New(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}

	body := `{"type":"choice","payload":{"text":"Tea or coffee?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]},
		"conversation":{"id":"conv_1","channel":"channel","tags":{"id":"C0GENERAL","thread":"1767225600.000100"}},
		"message":{"id":"msg_1","type":"choice","payload":{},"tags":{}},
		"user":{"id":"user_bot","tags":{}}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("x-bp-operation", "message_created")
	req.Header.Set("x-bot-id", "bot_1")
	req.Header.Set("x-bot-user-id", "user_bot")
	req.Header.Set("x-integration-id", "intver_1")
	req.Header.Set("x-integration-alias", "slack")
	req.Header.Set("x-webhook-id", "wh_1")
	req.Header.Set("x-bp-configuration", base64.StdEncoding.EncodeToString([]byte(`{"botToken":"xoxb-1-2-abc"}`)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println("answer   ", rec.Code, rec.Body)
	// Output:
	// slack     /api/chat.postMessage {"blocks":[{"block_id":"text","text":{"text":"Tea or coffee?","type":"mrkdwn"},"type":"section"},{"block_id":"options","elements":[{"action_id":"option_0","text":{"emoji":true,"text":"Tea","type":"plain_text"},"type":"button","value":"tea"},{"action_id":"option_1","text":{"emoji":true,"text":"Coffee","type":"plain_text"},"type":"button","value":"coffee"}],"type":"actions"}],"channel":"C0GENERAL","text":"Tea or coffee?","thread_ts":"1767225600.000100"}
	// platform  PUT /v1/chat/messages/msg_1 {"tags":{"channel":"C0GENERAL","thread":"1767225600.000100","ts":"1767225600.000200"}}
	// answer    200 {}
}

func ExampleDefinition() {
	var def struct {
		Name     string `json:"name"`
		Version  string `json:"version"`
		Channels map[string]struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"channels"`
		Events map[string]json.RawMessage `json:"events"`
	}
	if err := json.Unmarshal(slack.Definition(), &def); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Name, def.Version, len(def.Channels["channel"].Messages), "message types,", len(def.Events), "events")
	// Output: slack-example 0.1.0 7 message types, 3 events
}
