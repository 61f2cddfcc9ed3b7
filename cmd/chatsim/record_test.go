package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
	"github.com/chatsim/chatsim/fakes/telegram"
	"github.com/chatsim/chatsim/sim"
)

// TestRecordCommand runs `chatsim record` with a fake Telegram as the real
// one: Ada orders a coffee on it, Ctrl-C ends the recording, and the
// cassette written replays through `chatsim replay` to the same
// conversation, with no secret in it.
func TestRecordCommand(t *testing.T) {
	t.Parallel()
	up, err := telegram.Start(telegram.WithClock(fakes.RealClock{}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if err := up.AddUser(telegram.User{ID: 1001, FirstName: "Ada", Username: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := up.AddChat(telegram.Chat{ID: 1001, Type: telegram.ChatPrivate}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rules := filepath.Join(dir, "rules.json")
	if err := os.WriteFile(rules, []byte(`[{"when":{"text":"menu"},"reply":[{"type":"choice","payload":{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}}]},
{"when":{"text":"coffee"},"reply":[{"type":"text","payload":{"text":"One coffee coming up."}}]}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "order.cassette")
	rec := startRecord(t, "--platform", "telegram", "-o", out, "--upstream", up.URL(), "--listen", "127.0.0.1:0",
		"--bot", rules, "--secret", "TELEGRAM_BOT_TOKEN="+up.Token())
	waitFor(t, 30*time.Second, "the integration's webhook on the upstream", func() bool { return up.WebhookInfo().URL != "" })
	say := func(text, answer string) {
		t.Helper()
		if _, err := up.SendText(1001, 1001, text); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the bot's "+answer, func() bool { return lastBotText(up) == answer })
	}
	say("menu", "What would you like?")
	h := up.History(1001)
	if _, err := up.Tap(1001, 1001, h[len(h)-1].Message.MessageID, "Coffee"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the bot's coffee", func() bool { return lastBotText(up) == "One coffee coming up." })
	// The answer is on the upstream before its call has ended at the
	// recorder; Ctrl-C now must still record it.
	rec.stop()
	for _, want := range []string{"recording telegram ⇄ examples/telegram (in process)", "telegram    ▸ update  (signature verified)  200",
		"integration ◂ sendMessage  200", "ada  ▸ menu", "wrote " + out + ": 2 deliveries · ", "secrets redacted (${TELEGRAM_BOT_TOKEN}, ${TELEGRAM_WEBHOOK_SECRET})"} {
		if !strings.Contains(rec.stdout.String(), want) {
			t.Errorf("record's output lacks %q:\n%s", want, rec.stdout.String())
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), up.Token()) || strings.Contains(string(raw), "chatsim-test-webhook-secret") {
		t.Errorf("the cassette holds a secret:\n%s", raw)
	}
	replayed := replayRecorded(t, out, "--strict-outbound")
	for _, want := range []string{"ada  ▸ menu", "bot  ◂ What would you like?  [Tea] [Coffee]", "bot  ◂ One coffee coming up.", "2 deliveries"} {
		if !strings.Contains(replayed, want) {
			t.Errorf("the replay's output lacks %q:\n%s", want, replayed)
		}
	}
}

// TestRecordRefuses: what `chatsim record` refuses before it starts, with
// exit 2 and one line that says why.
func TestRecordRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.cassette")
	if err := os.WriteFile(exists, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recordable(), ", "); got != "telegram, slack, shopify, rocketchat" {
		t.Errorf("chatsim can record %s, want every platform of the registry", got)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no platform", []string{"-o", filepath.Join(dir, "a.cassette")}, "--platform is required (" + strings.Join(recordable(), ", ") + ")"},
		{"a platform it cannot record", []string{"--platform", "irc", "-o", filepath.Join(dir, "a.cassette")}, `--platform "irc": chatsim can record ` + strings.Join(recordable(), ", ")},
		{"a self-hosted platform without --upstream", []string{"--platform", "rocketchat", "-o", filepath.Join(dir, "a.cassette")}, "--upstream is required for Rocket.Chat: its API has no one address"},
		{"no output", []string{"--platform", "telegram"}, "-o FILE.cassette is required"},
		{"not a cassette", []string{"--platform", "telegram", "-o", filepath.Join(dir, "a.json")}, "a cassette's name ends in .cassette"},
		{"an existing cassette", []string{"--platform", "telegram", "-o", exists}, "exists: record into a new file"},
		{"a bad secret", []string{"--platform", "telegram", "-o", filepath.Join(dir, "a.cassette"), "--secret", "TOKEN"}, `--secret "TOKEN": want NAME=VALUE`},
		{"a bad upstream", []string{"--platform", "telegram", "-o", filepath.Join(dir, "a.cassette"), "--upstream", "api.telegram.org"}, "--upstream:"},
		{"shopify without an upstream", []string{"--platform", "shopify", "-o", filepath.Join(dir, "a.cassette")}, "--upstream is required for Shopify: its API has no one address"},
		{"a bad redaction", []string{"--platform", "telegram", "-o", filepath.Join(dir, "a.cassette"), "--upstream", "http://127.0.0.1:9", "--redact", "("}, `--redact "("`},
	} {
		var stdout, stderr strings.Builder
		code := run(context.Background(), append([]string{"record"}, tc.args...), strings.NewReader(""), &stdout, &stderr)
		if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 saying %q", tc.name, code, stderr.String(), tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.cassette"+".recording")); !os.IsNotExist(err) {
		t.Errorf("a refused recording left a .recording file: %v", err)
	}
}

// lastBotText returns the text of the bot's latest message to Ada.
func lastBotText(up *telegram.Server) string {
	h := up.History(1001)
	for i := len(h) - 1; i >= 0; i-- {
		if m := h[i].Message; m.From != nil && m.From.IsBot {
			return m.Text
		}
	}
	return ""
}

// TestRecordInCI: with CI=true, a recording that would reach a host off
// loopback is refused unless --allow-real-host says so.
func TestRecordInCI(t *testing.T) {
	t.Setenv("CI", "true")
	var stdout, stderr strings.Builder
	code := run(context.Background(), []string{"record", "--platform", "telegram", "-o", filepath.Join(t.TempDir(), "a.cassette")}, strings.NewReader(""), &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "CI=true: refusing to reach https://api.telegram.org") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

// TestRecordRocketChatCommand runs `chatsim record` against a fake
// Rocket.Chat as a self-hosted server: --upstream names it, --secret gives
// the bot's credentials and the outgoing integration's token, and the
// administrator points the outgoing integration at the address record
// prints. Ada says hi, Ctrl-C ends the recording, and the cassette replays
// to the same conversation.
func TestRecordRocketChatCommand(t *testing.T) {
	t.Parallel()
	up, err := rocketchat.Start(rocketchat.WithClock(fakes.RealClock{}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	out := filepath.Join(t.TempDir(), "hello.cassette")
	rec := startRecord(t, "--platform", "rocketchat", "-o", out, "--upstream", up.URL(), "--listen", "127.0.0.1:0",
		"--secret", "ROCKETCHAT_USER_ID="+up.BotUser().ID, "--secret", "ROCKETCHAT_AUTH_TOKEN="+up.BotToken(),
		"--secret", "ROCKETCHAT_WEBHOOK_TOKEN="+up.WebhookToken())
	const prefix = "deliveries: the platform delivers to  "
	inbound := ""
	waitFor(t, 30*time.Second, "the address record receives deliveries at", func() bool {
		_, rest, ok := strings.Cut(rec.stdout.String(), prefix)
		inbound, _, _ = strings.Cut(rest, "\n")
		return ok && strings.Contains(rest, "\n")
	})
	if _, err := up.UpdateOutgoing(up.Outgoings()[0].ID, func(o *rocketchat.Outgoing) { o.URLs = []string{inbound} }); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Send("ada", "general", "hi"); err != nil {
		t.Fatal(err)
	}
	// The answer is on the server before its call has ended at the
	// recorder: wait for the recorder to say both exchanges ended.
	waitFor(t, 30*time.Second, "the bot's answer, recorded", func() bool {
		s := rec.stdout.String()
		return strings.Contains(s, "integration ◂ chat.postMessage") && strings.Contains(s, "rocketchat  ▸ outgoing")
	})
	rec.stop()
	for _, want := range []string{"recording rocketchat ⇄ examples/rocketchat (in process)", "rocketchat  ▸ outgoing  (signature verified)  200",
		"integration ◂ chat.postMessage  200", "ada  ▸ hi", "wrote " + out + ": 1 delivery · "} {
		if !strings.Contains(rec.stdout.String(), want) {
			t.Errorf("record's output lacks %q:\n%s", want, rec.stdout.String())
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{up.BotToken(), up.WebhookToken()} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the cassette holds the secret %q:\n%s", s, raw)
		}
	}
	replayed := replayRecorded(t, out)
	for _, want := range []string{"ada  ▸ hi", "bot  ◂ ", "1 delivery"} {
		if !strings.Contains(replayed, want) {
			t.Errorf("the replay's output lacks %q:\n%s", want, replayed)
		}
	}
}

// TestRecordSplitsEnv: of the platform's variables in the environment,
// the secrets are redacted and the ids are not; --secret wins.
func TestRecordSplitsEnv(t *testing.T) {
	t.Parallel()
	k, _ := sim.KindOf("slack")
	environ := map[string]string{"SLACK_BOT_TOKEN": "xoxb-from-env", "SLACK_TEAM_ID": "T0REAL", "SLACK_SIGNING_SECRET": "from-env"}
	secrets := map[string]string{"SLACK_SIGNING_SECRET": "from-flag"}
	env := splitEnv(k, platformEnv(k), func(n string) string { return environ[n] }, secrets)
	if secrets["SLACK_BOT_TOKEN"] != "xoxb-from-env" || secrets["SLACK_SIGNING_SECRET"] != "from-flag" || secrets["SLACK_TEAM_ID"] != "" {
		t.Errorf("secrets = %v", secrets)
	}
	if env["SLACK_TEAM_ID"] != "T0REAL" || len(env) != 1 {
		t.Errorf("env = %v, want only the team id", env)
	}
}

// recording is a `chatsim record` running in the test: stop ends it as
// Ctrl-C does and returns what it printed.
type recording struct {
	t              *testing.T
	cancel         context.CancelFunc
	done           chan int
	stdout, stderr *syncBuffer
}

// startRecord runs `chatsim record args…` until stop.
func startRecord(t *testing.T, args ...string) *recording {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &recording{t: t, cancel: cancel, done: make(chan int, 1), stdout: newSyncBuffer(), stderr: newSyncBuffer()}
	go func() {
		r.done <- run(ctx, append([]string{"record"}, args...), strings.NewReader(""), r.stdout, r.stderr)
	}()
	return r
}

// stop ends the recording, fails the test unless it exits 0 within a
// minute, and returns what it printed.
func (r *recording) stop() string {
	r.t.Helper()
	r.cancel()
	select {
	case code := <-r.done:
		if code != exitOK {
			r.t.Fatalf("record exited %d\nstdout:\n%s\nstderr:\n%s", code, r.stdout.String(), r.stderr.String())
		}
	case <-time.After(60 * time.Second):
		r.t.Fatal("record did not end within 60s of Ctrl-C")
	}
	return r.stdout.String()
}

// replayRecorded replays a recorded cassette with `chatsim replay args…`,
// fails the test unless it exits 0, and returns what it printed.
func replayRecorded(t *testing.T, path string, args ...string) string {
	t.Helper()
	var out, errs strings.Builder
	if code := run(context.Background(), append([]string{"replay", path}, args...), strings.NewReader(""), &out, &errs); code != exitOK {
		t.Fatalf("replay of the recording exited %d:\n%s\n%s", code, out.String(), errs.String())
	}
	return out.String()
}

// TestRecordAppend records a first turn, then adds a second with --mode
// append: the cassette holds both turns in order, once each, without the
// integration's setup twice, and replays to the whole conversation.
func TestRecordAppend(t *testing.T) {
	t.Parallel()
	up, err := telegram.Start(telegram.WithClock(fakes.RealClock{}))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if err := up.AddUser(telegram.User{ID: 1001, FirstName: "Ada", Username: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := up.AddChat(telegram.Chat{ID: 1001, Type: telegram.ChatPrivate}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "echo.cassette")
	args := []string{"--platform", "telegram", "-o", out, "--upstream", up.URL(), "--listen", "127.0.0.1:0", "--secret", "TELEGRAM_BOT_TOKEN=" + up.Token()}
	for i, text := range []string{"hello", "again"} {
		a := args
		if i > 0 {
			a = append(a, "--mode", "append")
		}
		rec := startRecord(t, a...)
		waitFor(t, 30*time.Second, "the recorder's setup", func() bool { return strings.Contains(rec.stdout.String(), "act on the real platform now") })
		if _, err := up.SendText(1001, 1001, text); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "the echo of "+text, func() bool { return lastBotText(up) == text })
		waitFor(t, 30*time.Second, "the echo recorded", func() bool { return strings.Count(rec.stdout.String(), "integration ◂ sendMessage  200") == 1 })
		if out := rec.stop(); !strings.Contains(out, ": 1 delivery · ") {
			t.Errorf("recording %d: %s", i+1, out)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"update","turn":1`, `"kind":"update","turn":2`, `"kind":"sendMessage","turn":2`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the cassette lacks %s:\n%s", want, raw)
		}
	}
	if n := strings.Count(string(raw), `"kind":"setWebhook"`); n != 1 {
		t.Errorf("the cassette holds setWebhook %d times, want once:\n%s", n, raw)
	}
	replayed := replayRecorded(t, out)
	for _, want := range []string{"ada  ▸ hello", "ada  ▸ again", "2 deliveries"} {
		if !strings.Contains(replayed, want) {
			t.Errorf("the replay lacks %q:\n%s", want, replayed)
		}
	}
	var stdout, stderr strings.Builder
	if code := run(context.Background(), append(append([]string{"record"}, args...), "--mode", "append", "--bot", "x.json"), strings.NewReader(""), &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "--mode append keeps the cassette's own") {
		t.Errorf("append with --bot: exit %d, %s", code, stderr.String())
	}
}
