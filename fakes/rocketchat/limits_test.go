package rocketchat_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/RocketChat/Rocket.Chat.Go.SDK/models"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// TestMessageSizeLimit sends messages at and over Message_MaxAllowedSize
// (5000 characters by default) every way Rocket.Chat takes them.
func TestMessageSizeLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fits, over := strings.Repeat("é", rocketchat.MaxMessageSize), strings.Repeat("a", rocketchat.MaxMessageSize+1)
	const restErr = "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"

	c := sdkClient(t, w.srv)
	if err := c.Login(&models.UserCredentials{Email: rocketchat.DefaultBotUsername, Password: rocketchat.DefaultBotPassword}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PostMessage(&models.PostMessage{Channel: "#general", Text: fits}); err != nil {
		t.Errorf("chat.postMessage of %d characters: %v", rocketchat.MaxMessageSize, err)
	}
	if _, err := c.PostMessage(&models.PostMessage{Channel: "#general", Text: over}); err == nil || err.Error() != restErr {
		t.Errorf("chat.postMessage of %d characters: %v, want %s", rocketchat.MaxMessageSize+1, err, restErr)
	}
	status, body := rest(t, w.srv, "POST", "chat.sendMessage", map[string]any{"message": map[string]any{"rid": rocketchat.GeneralID, "msg": over}})
	if status != 400 || body["error"] != restErr || body["errorType"] != "error-message-size-exceeded" {
		t.Errorf("chat.sendMessage over the limit: %d %v", status, body)
	}

	d := dialDDP(t, w)
	d.next() // server_id
	d.send(`{"msg":"connect","version":"1","support":["1"]}`)
	d.next() // connected
	d.send(`{"msg":"method","id":"1","method":"login","params":[{"resume":"` + w.srv.BotToken() + `"}]}`)
	d.next() // result
	d.next() // updated
	d.send(`{"msg":"method","id":"2","method":"sendMessage","params":[{"rid":"GENERAL","msg":"` + over + `"}]}`)
	if m := d.next(); m["msg"] != "result" || m["error"] == nil || m["error"].(map[string]any)["error"] != "error-message-size-exceeded" ||
		m["error"].(map[string]any)["reason"] != "Message size exceeds Message_MaxAllowedSize" {
		t.Errorf("DDP sendMessage over the limit: %v", m)
	}

	hook := w.srv.Incomings()[0]
	status, raw := postJSON(t, w.srv.URL()+"/hooks/"+hook.ID+"/"+hook.Token, map[string]any{"text": over})
	if status != 400 || fakes.CanonicalJSON(raw) != `{"error":"error-message-size-exceeded","success":false}` {
		t.Errorf("incoming webhook over the limit: %d %s", status, raw)
	}

	if _, err := w.srv.Send("ada", "#general", over); !errors.Is(err, rocketchat.ErrInvalid) || !strings.Contains(err.Error(), "error-message-size-exceeded") {
		t.Errorf("a person sending %d characters: %v", rocketchat.MaxMessageSize+1, err)
	}
	if _, err := w.srv.Send("ada", "#general", fits); err != nil {
		t.Errorf("a person sending %d characters: %v", rocketchat.MaxMessageSize, err)
	}
}

// TestOversizedWebhookReplyIsNotPosted checks that an outgoing webhook's
// answer over Message_MaxAllowedSize is refused, as Rocket.Chat refuses
// it, and the journal says why.
func TestOversizedWebhookReplyIsNotPosted(t *testing.T) {
	t.Parallel()
	over := strings.Repeat("a", rocketchat.MaxMessageSize+1)
	b := newBot(t, func(*http.Request, []byte) (int, string, string) {
		return 200, "application/json", `{"text":"` + over + `"}`
	})
	w := newWorld(t, rocketchat.WithWebhookTarget(b.srv.URL))
	if _, err := w.srv.Send("ada", "#general", "menu"); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	msgs, _ := w.srv.Messages("#general")
	if len(msgs) != 1 || msgs[0].Text != "menu" {
		t.Errorf("#general holds %d messages, want only ada's", len(msgs))
	}
	w.hasLine(t, "not posted: Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]")
}
