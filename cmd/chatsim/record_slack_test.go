package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
)

// TestRecordSlackCommand runs `chatsim record --platform slack` with a
// fake Slack as the real one: the Request URLs are set to chatsim's
// listener as a person sets them in the app's settings (url_verification
// answered, not recorded), Ada asks for the menu and clicks Coffee (the
// integration answers through the response_url, which chatsim records),
// and the cassette replays through `chatsim replay` with no secret in it.
func TestRecordSlackCommand(t *testing.T) {
	t.Parallel()
	up, err := slack.Start(slack.WithClock(fakes.RealClock{}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(rules, []byte(`[{"when":{"text":"menu"},"reply":[{"type":"choice","payload":{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}}]},
{"when":{"text":"coffee"},"reply":[{"type":"text","payload":{"text":"One coffee coming up."}}]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "order.cassette")
	rec := startRecord(t, "--platform", "slack", "-o", out, "--upstream", up.URL(), "--listen", "127.0.0.1:0", "--bot", rules,
		"--secret", "SLACK_BOT_TOKEN="+up.BotToken(), "--secret", "SLACK_SIGNING_SECRET="+up.SigningSecret())
	inbound := regexp.MustCompile(`the platform delivers to  (\S+)`)
	var listener string
	waitFor(t, 30*time.Second, "the recorder's listener", func() bool {
		m := inbound.FindStringSubmatch(rec.stdout.String())
		if m != nil {
			listener = m[1]
		}
		return m != nil
	})
	settings, _ := json.Marshal(map[string]any{"events": listener, "interactivity": listener, "commands": listener, "verify": true})
	resp, err := http.Post(up.URL()+fakes.ControlPrefix+"request-url", "application/json", bytes.NewReader(settings))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting the Request URLs: %d\n%s", resp.StatusCode, rec.stdout.String())
	}
	lastBot := func() slack.Message {
		msgs, _ := up.Messages("general")
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].BotID != "" {
				return msgs[i]
			}
		}
		return slack.Message{}
	}
	if _, err := up.Send(slack.Post{User: "ada", Channel: "general", Text: "menu"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the bot's menu", func() bool { return lastBot().Text == "What would you like?" })
	if _, err := up.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the bot's coffee", func() bool { return lastBot().Text == "One coffee coming up." })
	waitFor(t, 30*time.Second, "the response_url call", func() bool { return strings.Contains(rec.stdout.String(), "integration ◂ response_url  200") })
	rec.stop()
	for _, want := range []string{"recording slack ⇄ examples/slack (in process)", "slack       ▸ delivery  (signature verified; forwarded, not recorded)  200",
		"slack       ▸ event_callback  (signature verified)  200", "slack       ▸ block_actions  (signature verified)  200",
		"integration ◂ chat.postMessage  200", "wrote " + out + ": 2 deliveries · ", "${SLACK_BOT_TOKEN}", "${SLACK_RESPONSE_URL}"} {
		if !strings.Contains(rec.stdout.String(), want) {
			t.Errorf("record's output lacks %q:\n%s", want, rec.stdout.String())
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{up.BotToken(), up.SigningSecret(), up.Workspace().App.VerificationToken, up.URL() + "/hooks/"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the cassette holds the secret %q:\n%s", secret, raw)
		}
	}
	replayed := replayRecorded(t, out)
	for _, want := range []string{"Ada Lovelace  ▸ menu", "bot  ◂ What would you like?  [Tea] [Coffee]", "Ada Lovelace  ▸ coffee", "bot  ◂ One coffee coming up.", "2 deliveries"} {
		if !strings.Contains(replayed, want) {
			t.Errorf("the replay's output lacks %q:\n%s", want, replayed)
		}
	}
}
