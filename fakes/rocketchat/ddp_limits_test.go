//go:build !race

package rocketchat_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// TestDDPMessageSizeLimit sends an oversized message with the DDP client
// under the Rocket.Chat Go SDK (racy itself, so not under -race; the
// limits test covers the wire frame by frame).
func TestDDPMessageSizeLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	over := strings.Repeat("a", rocketchat.MaxMessageSize+1)
	const restErr = "Message size exceeds Message_MaxAllowedSize [error-message-size-exceeded]"
	d := ddpClient(t, w)
	if _, err := d.Call("login", map[string]string{"resume": w.srv.BotToken()}); err != nil {
		t.Fatal(err)
	}
	_, err := d.Call("sendMessage", map[string]any{"rid": rocketchat.GeneralID, "msg": over})
	want := `{"error":"error-message-size-exceeded","errorType":"Meteor.Error","isClientSafe":true,"message":"` + restErr + `","reason":"Message size exceeds Message_MaxAllowedSize"}`
	if err == nil || err.Error() != want {
		t.Errorf("DDP sendMessage over the limit: %v, want %s", err, want)
	}
}
