//go:build !race

// gopackage/ddp, the DDP client under the Rocket.Chat Go SDK, has data
// races of its own (ping timer, pings map), so these tests of the real
// client run without -race; wire_test.go covers the same wire under -race.

package rocketchat_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopackage/ddp"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// ddpClient is the DDP client the Rocket.Chat Go SDK's realtime package
// is built on (gopackage/ddp at the version the SDK pins), driven with the
// same calls the SDK makes.
func ddpClient(t *testing.T, w *world) *ddp.Client {
	t.Helper()
	c := ddp.NewClient("ws"+strings.TrimPrefix(w.srv.URL(), "http")+"/websocket", w.srv.URL())
	if err := c.Connect(); err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// loginRequest is what realtime.Client.Login sends for a password.
func loginRequest(email, password string) any {
	sum := sha256.Sum256([]byte(password))
	return map[string]any{"user": map[string]string{"email": email},
		"password": map[string]string{"digest": hex.EncodeToString(sum[:]), "algorithm": "sha-256"}}
}

type listener struct {
	mu   sync.Mutex
	msgs []string
	seen chan struct{}
}

func (l *listener) CollectionUpdate(collection, operation, id string, doc ddp.Update) {
	if operation != "update" {
		return
	}
	args, _ := doc["args"].([]any)
	for _, a := range args {
		m, _ := a.(map[string]any)
		ts, _ := m["ts"].(map[string]any)
		if _, ok := ts["$date"].(float64); !ok {
			continue
		}
		l.mu.Lock()
		l.msgs = append(l.msgs, m["msg"].(string))
		l.mu.Unlock()
		select {
		case l.seen <- struct{}{}:
		default:
		}
	}
}

func TestDDPLoginSubscribeSend(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := ddpClient(t, w)
	res, err := c.Call("login", loginRequest(rocketchat.DefaultBotEmail, rocketchat.DefaultBotPassword))
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if r := res.(map[string]any); r["id"] != w.srv.BotUser().ID || r["type"] != "password" {
		t.Fatalf("login = %v", r)
	}
	l := &listener{seen: make(chan struct{}, 1)}
	c.CollectionByName("stream-room-messages").AddUpdateListener(l)
	if err := c.Sub("stream-room-messages", rocketchat.GeneralID, true); err != nil {
		t.Fatalf("sub: %v", err)
	}
	if _, err := w.srv.Send("ada", "#general", "hello realtime"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-l.seen:
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing streamed; journal:\n%s", strings.Join(w.lines(), "\n"))
	}
	res, err = c.Call("sendMessage", map[string]any{"_id": "go123", "rid": rocketchat.GeneralID, "msg": "hi from the bot"})
	if err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	if r := res.(map[string]any); r["_id"] != "go123" || r["msg"] != "hi from the bot" {
		t.Fatalf("sendMessage = %v", r)
	}
	if _, err := c.Call("sendMessage", map[string]any{"_id": "go124", "rid": "nope", "msg": "x"}); err == nil ||
		!strings.Contains(err.Error(), `"error":"error-not-allowed"`) {
		t.Fatalf("sendMessage to an unknown room: %v", err)
	}
	if err := c.Sub("stream-room-messages", "nope", true); err == nil {
		t.Fatal("sub to an unknown room: no error")
	}
	// ping and pong. The library sends the ping before it registers the
	// pong's tracker, so on a loaded machine the pong can come first and
	// be dropped; a second or third ping tells that from a fake that
	// does not answer.
	for i := 1; i <= 3; i++ {
		done := make(chan error, 1)
		c.PingPong(fmt.Sprintf("p%d", i), 3*time.Second, func(err error) { done <- err })
		if err = <-done; err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("ping, three times: %v", err)
	}
	w.settle(t)
	w.hasLine(t, "ddp login password "+rocketchat.DefaultBotUsername)
	w.hasLine(t, "ddp sub stream-room-messages #general")
	w.hasLine(t, `ddp sendMessage #general "hi from the bot"`)
	msgs, _ := w.srv.Messages("#general")
	if len(msgs) != 2 || msgs[1].ID != "go123" {
		t.Fatalf("#general = %+v", msgs)
	}
}

func TestDDPLoginErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name string
		req  any
		want string
	}{
		{"bad resume token", map[string]string{"resume": "nope"},
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"You've been logged out by the server. Please log in again. [403]","reason":"You've been logged out by the server. Please log in again."}`},
		{"bad password", loginRequest("ada@chatsim.test", "wrong"),
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"Incorrect password [403]","reason":"Incorrect password"}`},
		{"unknown user", loginRequest("nobody@chatsim.test", "x"),
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"User not found [403]","reason":"User not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ddpClient(t, w)
			if _, err := c.Call("login", tt.req); err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("resume with the personal access token", func(t *testing.T) {
		t.Parallel()
		c := ddpClient(t, w)
		res, err := c.Call("login", map[string]string{"resume": w.srv.BotToken()})
		if err != nil || res.(map[string]any)["id"] != w.srv.BotUser().ID {
			t.Fatalf("resume = %v, %v", res, err)
		}
	})
}
