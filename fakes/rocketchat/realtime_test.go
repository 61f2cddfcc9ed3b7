//go:build !race

// gopackage/ddp, the DDP client under the Rocket.Chat Go SDK, has data
// races of its own (ping timer, pings map), so these tests of the real
// client run without -race; wire_test.go covers the same wire under -race.

package rocketchat_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/RocketChat/Rocket.Chat.Go.SDK/models"
	"github.com/RocketChat/Rocket.Chat.Go.SDK/realtime"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func realtimeClient(t *testing.T, w *world) *realtime.Client {
	t.Helper()
	u, _ := url.Parse(w.srv.URL())
	c, err := realtime.NewClient(u, false)
	if err != nil && err.Error() == "random id generator failed to be created" {
		// The SDK draws message ids from sonyflake, which needs a private
		// IPv4 address on the machine; ddpClient covers the same wire.
		t.Skipf("realtime.NewClient: %v (no private IPv4 address here)", err)
	}
	if err != nil {
		t.Fatalf("realtime connect: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// The SDK's SubscribeToMessageStream adds its listener only once per
// process (a package variable), so only this test uses it.
func TestSDKRealtimeLoginSubscribeSend(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := realtimeClient(t, w)
	user, err := c.Login(&models.UserCredentials{Email: rocketchat.DefaultBotEmail, Password: rocketchat.DefaultBotPassword})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if user.ID != w.srv.BotUser().ID || user.Token == "" {
		t.Fatalf("login = %+v", user)
	}
	msgs := make(chan models.Message, 10)
	general := &models.Channel{ID: rocketchat.GeneralID}
	if err := c.SubscribeToMessageStream(general, msgs); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if _, err := w.srv.Send("ada", "#general", "hello realtime"); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-msgs:
		if m.Msg != "hello realtime" || m.User.UserName != "ada" || m.RoomID != rocketchat.GeneralID || m.Timestamp == nil {
			t.Fatalf("streamed %+v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no message streamed; journal:\n%s", strings.Join(w.lines(), "\n"))
	}
	sent, err := c.SendMessage(c.NewMessage(general, "hi from the bot"))
	if err != nil || sent.Msg != "hi from the bot" {
		t.Fatalf("sendMessage = %+v, %v", sent, err)
	}
	history, err := c.LoadHistory(rocketchat.GeneralID)
	if err != nil || len(history) != 2 || history[0].Msg != "hi from the bot" {
		t.Fatalf("loadHistory = %+v, %v", history, err)
	}
	w.settle(t)
	w.hasLine(t, "ddp login password "+rocketchat.DefaultBotUsername)
	w.hasLine(t, "ddp sub stream-room-messages #general")
	w.hasLine(t, `ddp sendMessage #general "hi from the bot"`)
}

func TestRealtimeLoginErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name  string
		creds models.UserCredentials
		want  string
	}{
		{"bad resume token", models.UserCredentials{Token: "nope"},
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"You've been logged out by the server. Please log in again. [403]","reason":"You've been logged out by the server. Please log in again."}`},
		{"bad password", models.UserCredentials{Email: "ada@chatsim.test", Password: "wrong"},
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"Incorrect password [403]","reason":"Incorrect password"}`},
		{"unknown user", models.UserCredentials{Email: "nobody@chatsim.test", Password: "x"},
			`{"error":403,"errorType":"Meteor.Error","isClientSafe":true,"message":"User not found [403]","reason":"User not found"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := realtimeClient(t, w)
			_, err := c.Login(&tt.creds)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %s", err, tt.want)
			}
		})
	}
	t.Run("resume with the personal access token", func(t *testing.T) {
		t.Parallel()
		c := realtimeClient(t, w)
		u, err := c.Login(&models.UserCredentials{Token: w.srv.BotToken()})
		if err != nil || u.ID != w.srv.BotUser().ID {
			t.Fatalf("resume = %+v, %v", u, err)
		}
	})
}
