package slack_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

func TestResponseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		msg   slackgo.MsgOption
		want  string // last transcript line
		count int    // lines in #general after the reply
	}{
		{"replace_original", slackgo.MsgOptionReplaceOriginal(""), "bot  ◂ You chose coffee (edited)", 1},
		{"delete_original", slackgo.MsgOptionDeleteOriginal(""), "", 0},
		{"in_channel", slackgo.MsgOptionResponseURL("", slackgo.ResponseTypeInChannel), "bot  ◂ You chose coffee", 2},
		{"ephemeral", slackgo.MsgOptionResponseURL("", slackgo.ResponseTypeEphemeral), "bot  ◂ You chose coffee (only visible to @ada)", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("menu", false), menuBlocks()); err != nil {
				t.Fatal(err)
			}
			res, err := w.srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"})
			if err != nil {
				t.Fatal(err)
			}
			// slack-go fills the URL in per option; set it through the
			// option that carries the wanted mode, then post.
			opts := []slackgo.MsgOption{slackgo.MsgOptionText("You chose coffee", false), tc.msg}
			switch tc.name {
			case "replace_original":
				opts[1] = slackgo.MsgOptionReplaceOriginal(res.ResponseURL)
			case "delete_original":
				opts[1] = slackgo.MsgOptionDeleteOriginal(res.ResponseURL)
			case "in_channel":
				opts[1] = slackgo.MsgOptionResponseURL(res.ResponseURL, slackgo.ResponseTypeInChannel)
			case "ephemeral":
				opts[1] = slackgo.MsgOptionResponseURL(res.ResponseURL, slackgo.ResponseTypeEphemeral)
			}
			if _, _, err := w.api.PostMessage("", opts...); err != nil {
				t.Fatal(err)
			}
			lines := w.srv.Transcript("general")
			if len(lines) != tc.count {
				t.Fatalf("transcript = %q, want %d lines", lines, tc.count)
			}
			if tc.count > 0 && lines[len(lines)-1] != tc.want {
				t.Errorf("last line = %q, want %q", lines[len(lines)-1], tc.want)
			}
		})
	}
}

func TestResponseURLLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, _, err := w.api.PostMessage("C0GENERAL", slackgo.MsgOptionText("menu", false), menuBlocks()); err != nil {
		t.Fatal(err)
	}
	res, err := w.srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Tea"})
	if err != nil {
		t.Fatal(err)
	}
	post := func() error {
		_, _, err := w.api.PostMessage("", slackgo.MsgOptionText("again", false), slackgo.MsgOptionResponseURL(res.ResponseURL, slackgo.ResponseTypeEphemeral))
		return err
	}
	for i := 0; i < 5; i++ {
		if err := post(); err != nil {
			t.Fatalf("use %d: %v", i+1, err)
		}
	}
	var sce slackgo.StatusCodeError
	if err := post(); !errors.As(err, &sce) || sce.Code != http.StatusNotFound {
		t.Errorf("sixth use: %v, want 404 used_url", err)
	}
	res2, _ := w.srv.Act(slack.Action{User: "ada", Channel: "general", Target: "Tea"})
	w.clock.Advance(31 * time.Minute)
	_, _, err = w.api.PostMessage("", slackgo.MsgOptionText("late", false), slackgo.MsgOptionResponseURL(res2.ResponseURL, slackgo.ResponseTypeEphemeral))
	if !errors.As(err, &sce) || sce.Code != http.StatusNotFound {
		t.Errorf("after 31 minutes: %v, want 404 expired_url", err)
	}
	if j := strings.Join(w.lines(), "\n"); !strings.Contains(j, "response_url → used_url") || !strings.Contains(j, "response_url → expired_url") {
		t.Errorf("journal:\n%s", j)
	}
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t, slack.WithRateLimits(true))
	var rl *slackgo.RateLimitedError
	for i := 0; i < 20; i++ {
		if _, _, err := w.api.GetConversations(&slackgo.GetConversationsParameters{}); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	w.clock.Advance(15 * time.Second)
	if _, _, err := w.api.GetConversations(&slackgo.GetConversationsParameters{}); !errors.As(err, &rl) || rl.RetryAfter != 45*time.Second {
		t.Fatalf("21st tier-2 call: %v, want ratelimited with Retry-After 45", err)
	}
	w.clock.Advance(45 * time.Second)
	if _, _, err := w.api.GetConversations(&slackgo.GetConversationsParameters{}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
	w.srv.SetRateLimits(false)
	for i := 0; i < 30; i++ {
		if _, _, err := w.api.GetConversations(&slackgo.GetConversationsParameters{}); err != nil {
			t.Fatalf("limits off, call %d: %v", i+1, err)
		}
	}
}

func TestWorkspaceFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		wantErr string
	}{
		{"valid", `team: {id: T0ACME, name: acme}
users:
  - {id: U0BOB, name: bob, email: bob@acme.test}
channels:
  - {id: C0SUPPORT, name: support, members: [bob, bot]}
  - {id: D0BOB, im: bob}
`, ""},
		{"bad user id", `users:
  - {id: U0BOB, name: bob}
  - {id: bob2, name: bob2}
`, "ws.yaml:3: users[1]: id: want U"},
		{"unknown member", `users:
  - {id: U0BOB, name: bob}
channels:
  - {id: C0X, name: x, members: [carol]}
`, "ws.yaml:4: channels[0]: members[0]: unknown user \"carol\""},
		{"unknown field", `users:
  - {id: U0BOB, name: bob, colour: red}
`, "ws.yaml:2: users[0]: line 2: unknown field \"colour\""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "ws.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			srv, err := slack.Start(slack.WithWorkspaceFile(path))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			ws := srv.Workspace()
			if ws.Team.ID != "T0ACME" || len(ws.Users) != 1 || len(ws.Channels) != 2 || strings.Join(ws.Channels[0].Members, ",") != "U0BOB,U0CHATBOT" {
				t.Errorf("workspace = %+v", ws)
			}
		})
	}
}

func TestControlAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	base := w.srv.URL() + fakes.ControlPrefix
	post := func(path, body string, want int) string {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST %s %s: status %d, want %d: %s", path, body, resp.StatusCode, want, b)
		}
		return string(b)
	}
	post("channels/general/messages", `{"user":"ada","text":"hi","mention":true}`, 201)
	post("channels/dm/messages", `{"user":"ada","text":"private"}`, 201)
	post("channels/random/messages", `{"user":"ada","text":"bot not here"}`, 201)
	post("channels/general/messages", `{"user":"nobody","text":"x"}`, 404)
	post("channels/general/messages", `{"user":"ada","txt":"typo"}`, 400)
	post("channels/general/join", `{"user":"grace"}`, 409)
	post("channels/general/commands", `{"user":"grace","command":"/order","text":"tea"}`, 200)
	post("settings", `{"rate_limits":true,"duplicate_deliveries":0}`, 200)
	w.settle(t)
	if got := strings.Join(a.events(), " "); got != "message app_mention message" {
		t.Errorf("events = %s, want message app_mention message (nothing from #random)", got)
	}
	// A channel is created by someone: without "by" the input is wrong
	// (400, naming the field), not an unknown user.
	if got := post("channels", `{"name":"tea","members":["U0GRACE"]}`, 400); !strings.Contains(got, `field \"by\"`) {
		t.Errorf("a channel without its creator: %s, want the error to name the field \"by\"", got)
	}
	post("channels", `{"by":"ada","name":"tea","members":["grace"]}`, 201)
}
