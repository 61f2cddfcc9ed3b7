package rocketchat_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/fakes"
)

// The platform asks the integration to deliver a bot's choice: the
// integration posts it to Rocket.Chat as a message with blocks (a section
// and an actions block with one button per option), then acks the
// platform's message with the Rocket.Chat message and room ids.
func ExampleNew() {
	// Stand-ins for Rocket.Chat and the Botpress Runtime API that print
	// what they are asked.
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("rocket.chat  %s %s as %s\n", r.URL.Path, fakes.CanonicalJSON(body), r.Header.Get("X-User-Id"))
		io.WriteString(w, `{"message":{"_id":"rcmsg000000000002","rid":"GENERAL"},"success":true}`)
	}))
	defer rc.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("platform     %s %s %s\n", r.Method, r.URL.Path, body)
		io.WriteString(w, `{"message":{"id":"msg_1"}}`)
	}))
	defer api.Close()

	env := map[string]string{
		"BP_API_URL":            api.URL,
		"ROCKETCHAT_URL":        rc.URL,
		"ROCKETCHAT_USER_ID":    "bot00000000000001",
		"ROCKETCHAT_AUTH_TOKEN": "personal-access-token",
		"SECRET_WEBHOOK_TOKEN":  "outgoing-token",
	}
	h, err := rocketchat.New(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}

	body := `{"type":"choice","payload":{"text":"Tea or coffee?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]},
		"conversation":{"id":"conv_1","channel":"channel","tags":{"id":"GENERAL"}},
		"message":{"id":"msg_1","type":"choice","payload":{},"tags":{}},
		"user":{"id":"user_bot","tags":{}}}`
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	for k, v := range map[string]string{
		"x-bp-operation": "message_created", "x-bot-id": "bot_1", "x-bot-user-id": "user_bot", "x-integration-id": "intver_1",
		"x-integration-alias": "rocketchat", "x-webhook-id": "wh_1", "x-bp-configuration": base64.StdEncoding.EncodeToString([]byte(`{}`)),
	} {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println("answer      ", rec.Code, rec.Body)
	// Output:
	// rocket.chat  /api/v1/chat.sendMessage {"message":{"blocks":[{"block_id":"text","text":{"text":"Tea or coffee?","type":"mrkdwn"},"type":"section"},{"block_id":"actions","elements":[{"action_id":"choice-0","text":{"text":"Tea","type":"plain_text"},"type":"button","value":"tea"},{"action_id":"choice-1","text":{"text":"Coffee","type":"plain_text"},"type":"button","value":"coffee"}],"type":"actions"}],"msg":"Tea or coffee?","rid":"GENERAL"}} as bot00000000000001
	// platform     PUT /v1/chat/messages/msg_1 {"tags":{"id":"rcmsg000000000002","roomId":"GENERAL"}}
	// answer       200 {}
}

func ExampleDefinition() {
	var def struct {
		Name     string `json:"name"`
		Channels map[string]struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"channels"`
	}
	if err := json.Unmarshal(rocketchat.Definition(), &def); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(def.Name, len(def.Channels["channel"].Messages), "message types")
	// Output: rocketchat-example 6 message types
}
