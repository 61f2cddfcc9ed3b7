package recorder_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// rcOrderRules are the scripted bot's rules for the Rocket.Chat example:
// a choice for "menu", an answer for "coffee".
const rcOrderRules = `[{"when":{"text":"menu"},"reply":[{"type":"choice","payload":{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}}]},
{"when":{"text":"coffee"},"reply":[{"type":"text","payload":{"text":"One coffee coming up."}}]}]`

// rcExchange is one thing Ada writes in #general, or the button she
// clicks on the bot's latest message, and the bot's answer there.
type rcExchange struct{ says, answer, click string }

// rcRecording is a conversation to record with a Rocket.Chat integration.
type rcRecording struct {
	integration string // a bundled integration
	rules       string // the scripted bot's rules, for a Botpress integration
	exchanges   []rcExchange
	insecure    bool // record the clicks, which Rocket.Chat does not sign
}

// botAnswered reports whether the bot wrote text in room on up.
func botAnswered(up *rocketchat.Server, room, text string) bool {
	msgs, err := up.Messages(room)
	if err != nil {
		return false
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].User.Username == rocketchat.DefaultBotUsername && msgs[i].Text == text {
			return true
		}
	}
	return false
}

// recordRocketChat records rec with a fake Rocket.Chat standing in for a
// self-hosted server: its outgoing integration and interaction URL point
// at the recorder, as an administrator sets them, and Ada writes in
// #general. It returns the cassette's path, the secrets that must not be
// in it, and the recorder's counts.
func recordRocketChat(t *testing.T, rec rcRecording) (string, []string, recorder.Counts) {
	t.Helper()
	up, err := rocketchat.Start(rocketchat.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	in, err := bundled.Lookup(rec.integration)
	if err != nil {
		t.Fatal(err)
	}
	var rules json.RawMessage
	if rec.rules != "" {
		rules = json.RawMessage(`{"rules":` + rec.rules + `}`)
	}
	path := filepath.Join(t.TempDir(), "recorded.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded", Platform: "rocketchat", Integration: rec.integration,
		Configuration: in.Configuration, Bot: rules})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	// What `chatsim record --secret` would be given: the bot's id and
	// personal access token, and the outgoing integration's token.
	proxy, err := recorder.NewProxy(recorder.Options{Kind: rocketchat.Kind(), Upstream: up.URL(), Sink: f.Write, Insecure: rec.insecure,
		Secrets: map[string]string{"ROCKETCHAT_USER_ID": up.BotUser().ID, "ROCKETCHAT_AUTH_TOKEN": up.BotToken(), "ROCKETCHAT_WEBHOOK_TOKEN": up.WebhookToken()}})
	if err != nil {
		t.Fatal(err)
	}
	clock := fakes.NewVirtualClock(time.Time{})
	opts, err := sim.SetupFromHeader(cassette.Header{Platform: "rocketchat", Bot: rules}, sim.Options{Integration: in, Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"rocketchat": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			w.Close()
		}
	}()
	// The administrator points the outgoing integration and the
	// interaction URL at the recorder.
	o := up.Outgoings()[0]
	if _, err := up.UpdateOutgoing(o.ID, func(o *rocketchat.Outgoing) { o.URLs = []string{proxy.InboundURL()} }); err != nil {
		t.Fatal(err)
	}
	up.SetInteractionURL(proxy.InboundURL())
	for _, x := range rec.exchanges {
		clock.Advance(time.Second)
		if x.click != "" {
			msgs, err := up.Messages("general")
			if err != nil || len(msgs) == 0 {
				t.Fatalf("no message to click on: %v", err)
			}
			if _, err := up.Click("ada", msgs[len(msgs)-1].ID, x.click); err != nil {
				t.Fatal(err)
			}
		} else if _, err := up.Send("ada", "general", x.says); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the bot's answer to "+x.says, func() bool { return botAnswered(up, "general", x.answer) })
	}
	if err := w.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	secrets := []string{up.BotToken(), up.BotPassword(), up.WebhookToken()}
	for k, v := range w.Env {
		if strings.Contains(k, "TOKEN") || strings.Contains(k, "PASSWORD") || strings.Contains(k, "SECRET") {
			secrets = append(secrets, v)
		}
	}
	closed = true
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	return path, secrets, proxy.Counts()
}

// TestRecordRocketChatClick records Ada clicking Coffee on the bot's menu
// (with Insecure: Rocket.Chat signs no interaction): the integration's post
// to the interaction's response_url goes through the recorder, which
// recorded it in the click's turn, and the cassette replays.
func TestRecordRocketChatClick(t *testing.T) {
	t.Parallel()
	path, secrets, c := recordRocketChat(t, rcRecording{integration: "examples/rocketchat", rules: rcOrderRules, insecure: true, exchanges: []rcExchange{
		{says: "menu", answer: "What would you like?"}, {click: "Coffee", answer: "One coffee coming up."},
	}})
	if c.Deliveries != 2 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 2 deliveries and none refused", c)
	}
	checkRecorded(t, path, secrets, nil, []string{`"direction":"inbound","kind":"block_actions","turn":2`, `"kind":"response_url","turn":2`,
		`"kind":"chat.postMessage","turn":2`})
	checkGolden(t, "rocketchat-click.golden", replayBundled(t, path, "examples/rocketchat", 2))
}

// TestRecordRocketChatOutgoing records Ada asking the bundled Rocket.Chat
// integration for the menu and ordering a coffee, with a fake Rocket.Chat
// as the server: the deliveries are the outgoing webhook's, verified by
// its token, the REST calls belong to their turns, no secret is in the
// cassette, and it replays to the golden journal 20 times byte for byte.
func TestRecordRocketChatOutgoing(t *testing.T) {
	t.Parallel()
	path, secrets, c := recordRocketChat(t, rcRecording{integration: "examples/rocketchat", rules: rcOrderRules, exchanges: []rcExchange{
		{says: "menu", answer: "What would you like?"}, {says: "coffee", answer: "One coffee coming up."},
	}})
	if c.Deliveries != 2 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 2 deliveries and none refused", c)
	}
	checkRecorded(t, path, secrets, nil, []string{`"kind":"me","request"`,
		`"direction":"inbound","kind":"outgoing","turn":1,"verified":true`, `"direction":"inbound","kind":"outgoing","turn":2,"verified":true`,
		`"kind":"users.info","turn":1`, `"kind":"chat.sendMessage","turn":1`, `"kind":"chat.postMessage","turn":2`,
		`"token":"${ROCKETCHAT_WEBHOOK_TOKEN}"`, `"X-Auth-Token":["${ROCKETCHAT_AUTH_TOKEN}"]`, `"X-User-Id":["${ROCKETCHAT_USER_ID}"]`})
	checkGolden(t, "rocketchat-outgoing.golden", replayBundled(t, path, "examples/rocketchat", 2))
}

// TestRecordRocketChatHookbot records a bot that answers the outgoing
// webhook in its HTTP response, with no API call: the answer is recorded
// as the delivery's response, Rocket.Chat posts it, and the cassette
// replays to the golden journal 20 times byte for byte.
func TestRecordRocketChatHookbot(t *testing.T) {
	t.Parallel()
	path, secrets, c := recordRocketChat(t, rcRecording{integration: "examples/rocketchat/hookbot", exchanges: []rcExchange{
		{says: "hi", answer: "echo: hi"}, {says: "ping", answer: "echo: ping"},
	}})
	if c.Deliveries != 2 || c.Calls != 0 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 2 deliveries, no call and none refused", c)
	}
	checkRecorded(t, path, secrets, nil, []string{`"kind":"outgoing","turn":1,"verified":true`, `"kind":"outgoing","turn":2,"verified":true`,
		`"body":{"text":"echo: hi"}`, `"body":{"text":"echo: ping"}`})
	checkGolden(t, "rocketchat-hookbot.golden", replayBundled(t, path, "examples/rocketchat/hookbot", 2))
}

// TestRecordRocketChatRefuses: an outgoing webhook with another token is
// refused and recorded nowhere, Insecure or not; a click (which nothing
// signs) and an outgoing webhook with no token to check it against are
// refused unless Insecure, and then recorded as not verified.
func TestRecordRocketChatRefuses(t *testing.T) {
	t.Parallel()
	const token = "the-outgoing-token-000000"
	outgoing := func(tok string) string {
		return `{"token":"` + tok + `","bot":false,"channel_id":"GENERAL","message_id":"m1","user_id":"u1","user_name":"ada","text":"hi"}`
	}
	click := "payload=" + url.QueryEscape(`{"type":"block_actions","id":"i1","user":{"id":"u1","username":"ada"},"channel":{"id":"GENERAL","name":"general","type":"c"},"actions":[{"type":"button","action_id":"a","block_id":"b","value":"coffee"}]}`)
	target, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") }))
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	for _, tc := range []struct {
		name         string
		secret       bool // the proxy is given ROCKETCHAT_WEBHOOK_TOKEN
		ctype, body  string
		strict, lax  int  // the status without and with Insecure
		laxVerified  bool // what the lax recording says
		strictRecord bool // whether the strict proxy records it
	}{
		{"the integration's token", true, "application/json", outgoing(token), 200, 200, true, true},
		{"a forged token", true, "application/json", outgoing("forged-token-0000000000"), 401, 401, false, false},
		{"no token", true, "application/json", `{"text":"hi","user_name":"ada"}`, 401, 401, false, false},
		{"a token and none to check it with", false, "application/json", outgoing(token), 401, 200, false, false},
		{"a click", true, "application/x-www-form-urlencoded", click, 401, 200, false, false},
	} {
		for _, insecure := range []bool{false, true} {
			var got []cassette.Entry
			secrets := map[string]string{}
			if tc.secret {
				secrets["ROCKETCHAT_WEBHOOK_TOKEN"] = token
			}
			proxy, err := recorder.NewProxy(recorder.Options{Kind: rocketchat.Kind(), Upstream: "http://127.0.0.1:9", Secrets: secrets, Insecure: insecure,
				Sink: func(e cassette.Entry) error { got = append(got, e); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
				t.Fatal(err)
			}
			proxy.SetWebhookTarget(context.Background(), target.URL)
			resp, err := http.Post(proxy.InboundURL()+"/", tc.ctype, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			proxy.Close()
			want, record, verified := tc.strict, tc.strictRecord, tc.strictRecord
			if insecure {
				want, record, verified = tc.lax, tc.lax == 200, tc.laxVerified
			}
			if resp.StatusCode != want {
				t.Errorf("%s (insecure %v): %d, want %d", tc.name, insecure, resp.StatusCode, want)
			}
			switch {
			case !record && len(got) != 0:
				t.Errorf("%s (insecure %v): recorded %d entries, want none", tc.name, insecure, len(got))
			case record && (len(got) != 1 || got[0].Verified != verified):
				t.Errorf("%s (insecure %v): recorded %+v, want one entry, verified %v", tc.name, insecure, got, verified)
			}
		}
	}
}
