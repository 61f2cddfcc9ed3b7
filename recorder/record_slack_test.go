package recorder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// slackRules are the scripted bot's rules while recording Slack: the order
// of orderRules, and a slash command.
const slackRules = `[{"when":{"text":"menu"},"reply":[{"type":"choice","payload":{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}}]},
{"when":{"text":"coffee"},"reply":[{"type":"text","payload":{"text":"One coffee coming up."}}]},
{"when":{"text":"/order tea"},"reply":[{"type":"text","payload":{"text":"Order received: tea."}}]}]`

// slackBotSaid reports whether the bot's latest message in channel says
// text, and whether any message in it carries want in its blocks.
func slackBotSaid(up *slack.Server, channel, text, want string) bool {
	msgs, err := up.Messages(channel)
	if err != nil {
		return false
	}
	said, has := false, want == ""
	for _, m := range msgs {
		if m.BotID != "" && m.Text == text {
			said = true
		}
		if want != "" && bytes.Contains(m.Blocks, []byte(want)) {
			has = true
		}
	}
	return said && has
}

// recordSlack records Ada ordering from the bundled Slack example, with a
// fake Slack standing in for the real one: a message, a click on a button
// (which the integration answers through the response_url) and a slash
// command. It returns the cassette's path and every secret the upstream and
// the World held.
func recordSlack(t *testing.T) (string, []string) {
	t.Helper()
	// The real Slack signs with the wall clock, which the integration
	// checks against: the World's virtual clock (the recording's times, the
	// recorder's check) starts at the wall clock's now.
	clock := fakes.NewVirtualClock(time.Now())
	up, err := slack.Start(slack.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	in, err := bundled.Lookup("examples/slack")
	if err != nil {
		t.Fatal(err)
	}
	rules := json.RawMessage(`{"rules":` + slackRules + `}`)
	path := filepath.Join(t.TempDir(), "order.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded-slack-order", Platform: "slack", Integration: "examples/slack",
		Configuration: in.Configuration, Bot: rules})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: slack.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"SLACK_BOT_TOKEN": up.BotToken(), "SLACK_SIGNING_SECRET": up.SigningSecret()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := sim.SetupFromHeader(cassette.Header{Platform: "slack", Bot: rules}, sim.Options{Integration: in, Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"slack": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := sim.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	// As a person saves the Request URLs in the app's settings: Slack
	// sends url_verification, which the integration must answer.
	settings, _ := json.Marshal(map[string]any{"events": proxy.InboundURL(), "interactivity": proxy.InboundURL(),
		"commands": proxy.InboundURL(), "verify": true})
	resp, err := http.Post(up.URL()+fakes.ControlPrefix+"request-url", "application/json", bytes.NewReader(settings))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("setting the Request URLs: %d %s", resp.StatusCode, b)
	}

	clock.Advance(time.Second)
	if _, err := up.Send(slack.Post{User: "ada", Channel: "general", Text: "menu"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the menu from the bot", func() bool { return slackBotSaid(up, "general", "What would you like?", "") })
	clock.Advance(time.Second)
	act, err := up.Act(slack.Action{User: "ada", Channel: "general", Target: "Coffee"})
	if err != nil {
		t.Fatal(err)
	}
	// The integration marks the choice through the response_url.
	waitFor(t, "the coffee and the marked choice", func() bool { return slackBotSaid(up, "general", "One coffee coming up.", "chosen") })
	clock.Advance(time.Second)
	cmd, err := up.RunCommand(slack.Command{User: "ada", Channel: "general", Command: "/order", Text: "tea"})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the order from the bot", func() bool { return slackBotSaid(up, "general", "Order received: tea.", "") })
	if err := w.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	secrets := []string{act.ResponseURL, cmd.ResponseURL}
	for _, env := range []map[string]string{up.Env(), w.Env} {
		for k, v := range env {
			if strings.Contains(k, "TOKEN") || strings.Contains(k, "SECRET") {
				secrets = append(secrets, v)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := proxy.Counts(); c.Deliveries != 3 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 3 deliveries and none refused", c)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	return path, secrets
}

// TestRecordSlack records a conversation through the recorder with a fake
// Slack as the real one, then replays the cassette through the same
// integration: the replay gives the golden journal, 20 times byte for
// byte, and the cassette holds no secret, no url_verification, none of the
// events the bot's own calls caused, and the response_url call in the
// click's turn.
func TestRecordSlack(t *testing.T) {
	t.Parallel()
	path, secrets := recordSlack(t)
	checkRecorded(t, path, secrets, []string{"url_verification", "X-Slack-Signature", `"kind":"event_callback","turn":4`}, []string{
		`"direction":"inbound","kind":"event_callback","turn":1,"verified":true`, `"kind":"chat.postMessage","turn":1`,
		`"direction":"inbound","kind":"block_actions","turn":2,"verified":true`, `"kind":"response_url","turn":2`,
		`"direction":"inbound","kind":"slash_command","turn":3,"verified":true`, `"kind":"chat.postMessage","turn":3`,
		`${SLACK_BOT_TOKEN}`, `${SLACK_VERIFICATION_TOKEN}`, `${SLACK_RESPONSE_URL}`,
	})
	checkGolden(t, "slack-order.golden", replayBundled(t, path, "examples/slack", 3))
}

// TestRecordSlackRefuses: a delivery signed with another secret, a stale
// one and an unsigned one are refused and recorded nowhere; with no
// signing secret given, a delivery is refused unless Insecure, which
// records it unverified. url_verification is forwarded, never recorded.
func TestRecordSlackRefuses(t *testing.T) {
	t.Parallel()
	const secret = "the-right-signing-secret"
	now := fakes.NewVirtualClock(time.Time{}).Now()
	event := []byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","user":"U0ADA","text":"hi","ts":"1.000100","channel":"C0GENERAL"}}`)
	signed := func(key string, at time.Time) http.Header {
		ts := strconv.FormatInt(at.Unix(), 10)
		return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {slack.Sign(key, ts, event)}}
	}
	for _, tc := range []struct {
		name     string
		secret   string
		insecure bool
		header   http.Header
		body     []byte
		want     int
		recorded bool // and verified when secret is given
	}{
		{"signed", secret, false, signed(secret, now), event, 200, true},
		{"forged", secret, false, signed("another-secret", now), event, 401, false},
		{"stale", secret, false, signed(secret, now.Add(-6*time.Minute)), event, 401, false},
		{"unsigned", secret, true, http.Header{}, event, 401, false},
		{"no secret", "", false, signed(secret, now), event, 401, false},
		{"no secret, insecure", "", true, http.Header{}, event, 200, true},
		{"url_verification", secret, false, nil, []byte(`{"token":"t","challenge":"c1","type":"url_verification"}`), 200, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []cassette.Entry
			secrets := map[string]string{}
			if tc.secret != "" {
				secrets["SLACK_SIGNING_SECRET"] = tc.secret
			}
			proxy, err := recorder.NewProxy(recorder.Options{Kind: slack.Kind(), Upstream: "http://127.0.0.1:9", Secrets: secrets,
				Insecure: tc.insecure, Sink: func(e cassette.Entry) error { got = append(got, e); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			target, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(w, r.Body) }))
			if err != nil {
				t.Fatal(err)
			}
			defer target.Close()
			if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			proxy.SetWebhookTarget(context.Background(), target.URL)
			h := tc.header
			if h == nil {
				ts := strconv.FormatInt(now.Unix(), 10)
				h = http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {slack.Sign(secret, ts, tc.body)}}
			}
			req, _ := http.NewRequest("POST", proxy.InboundURL()+"/", bytes.NewReader(tc.body))
			req.Header = h.Clone()
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			answer, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("answered %d %s, want %d", resp.StatusCode, answer, tc.want)
			}
			if tc.want == 200 && !bytes.Equal(answer, tc.body) {
				t.Errorf("the integration got %s, want %s", answer, tc.body)
			}
			if len(got) != map[bool]int{true: 1}[tc.recorded] {
				t.Fatalf("recorded %d entries, want recorded %v", len(got), tc.recorded)
			}
			if tc.recorded && got[0].Verified != (tc.secret != "") {
				t.Errorf("verified %v with secret %q", got[0].Verified, tc.secret)
			}
		})
	}
}
