package slack_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
)

func TestWireNames(t *testing.T) {
	t.Parallel()
	w := slack.Kind().Wire
	if w.APIURLEnv != "SLACK_API_URL" || w.APIURL != "https://slack.com" || w.Register != nil || w.Poll != "" {
		t.Errorf("wire = %+v", w)
	}
	for path, want := range map[string]string{
		"/api/chat.postMessage": "chat.postMessage", "/api/auth.test": "auth.test", "/api/": "", "/api/a/b": "", "/hooks/x": "", "/": "",
	} {
		if got := w.Call("POST", path, nil); got != want {
			t.Errorf("Call(%s) = %q, want %q", path, got, want)
		}
	}
	event := func(user string) string {
		return `{"type":"event_callback","authorizations":[{"user_id":"U0BOT","is_bot":true}],"event":` + user + `}`
	}
	for _, tc := range []struct {
		name, body, want string
	}{
		{"a person's message", event(`{"type":"message","user":"U0ADA","text":"hi"}`), "event_callback"},
		{"a person's edit", event(`{"type":"message","subtype":"message_changed","message":{"user":"U0ADA"}}`), "event_callback"},
		{"another bot's message", event(`{"type":"message","user":"U0OTHER","bot_id":"B0OTHER"}`), "event_callback"},
		{"the bot's own message", event(`{"type":"message","user":"U0BOT","bot_id":"B0BOT"}`), ""},
		{"the bot's own edit", event(`{"type":"message","subtype":"message_changed","message":{"user":"U0BOT"}}`), ""},
		{"the bot's own deletion", event(`{"type":"message","subtype":"message_deleted","previous_message":{"user":"U0BOT"}}`), ""},
		{"the bot's own reaction", event(`{"type":"reaction_added","user":"U0BOT","reaction":"eyes"}`), ""},
		{"url_verification", `{"token":"t","challenge":"c","type":"url_verification"}`, ""},
		{"app_rate_limited", `{"type":"app_rate_limited","minute_rate_limited":1}`, ""},
		{"block_actions", "payload=" + url.QueryEscape(`{"type":"block_actions","actions":[]}`), "block_actions"},
		{"view_submission", "payload=" + url.QueryEscape(`{"type":"view_submission"}`), "view_submission"},
		{"a payload of no type", "payload=" + url.QueryEscape(`{}`), "interactive"},
		{"a slash command", "command=%2Forder&text=tea&user_id=U0ADA", "slash_command"},
		{"ssl_check", "ssl_check=1&token=t", ""},
		{"nothing", "", ""},
	} {
		if got := w.Delivery("POST", "/", nil, []byte(tc.body)); got != tc.want {
			t.Errorf("%s: Delivery = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestWireVerify(t *testing.T) {
	t.Parallel()
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	verify := slack.Kind().Wire.Verify
	now := time.Unix(1767225600, 0)
	body := []byte(`{"type":"event_callback"}`)
	signed := func(key string, at time.Time, b []byte) http.Header {
		ts := strconv.FormatInt(at.Unix(), 10)
		return http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {slack.Sign(key, ts, b)}}
	}
	for _, tc := range []struct {
		name    string
		h       http.Header
		body    []byte
		secrets map[string]string
		want    error // nil: verified
	}{
		{"signed", signed(secret, now, body), body, map[string]string{"SLACK_SIGNING_SECRET": secret}, nil},
		{"four minutes old", signed(secret, now.Add(-4*time.Minute), body), body, map[string]string{"SLACK_SIGNING_SECRET": secret}, nil},
		{"another secret", signed("another", now, body), body, map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrBadSignature},
		{"another body", signed(secret, now, body), []byte(`{"type":"event_callback","x":1}`), map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrBadSignature},
		{"six minutes old", signed(secret, now.Add(-6*time.Minute), body), body, map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrStale},
		{"six minutes ahead", signed(secret, now.Add(6*time.Minute), body), body, map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrStale},
		{"unsigned", http.Header{}, body, map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrUnsigned},
		{"a timestamp not a number", http.Header{"X-Slack-Request-Timestamp": {"soon"}, "X-Slack-Signature": {"v0=00"}}, body, map[string]string{"SLACK_SIGNING_SECRET": secret}, slack.ErrUnsigned},
		{"no secret", signed(secret, now, body), body, nil, fakes.ErrUnverified},
	} {
		err := verify(tc.h, tc.body, tc.secrets, now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestWireCapabilities(t *testing.T) {
	t.Parallel()
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	w := slack.Kind().Wire
	secrets := map[string]string{"SLACK_SIGNING_SECRET": secret}
	ts := strconv.FormatInt(time.Unix(1767225600, 0).Unix(), 10)
	const hook = "https://hooks.slack.com/actions/T0/1/abc"
	for _, tc := range []struct {
		name    string
		body    string
		swapped int // response_urls swapped; 0: the delivery goes on as it came
		secrets map[string]string
	}{
		{"a slash command", "command=%2Forder&response_url=" + url.QueryEscape(hook) + "&text=tea", 1, secrets},
		{"block_actions, slashes escaped", "payload=" + url.QueryEscape(`{"type":"block_actions","response_url":"`+strings.ReplaceAll(hook, "/", `\/`)+`","n":1767225600123}`), 1, secrets},
		{"view_submission", "payload=" + url.QueryEscape(`{"type":"view_submission","response_urls":[{"block_id":"b","response_url":"`+hook+`"},{"response_url":"`+hook+`2"}]}`), 2, secrets},
		{"an event", `{"type":"event_callback","response_url":"` + hook + `"}`, 0, secrets},
		{"no response_url", "payload=" + url.QueryEscape(`{"type":"block_actions"}`), 0, secrets},
		{"no secret to sign with", "command=%2Forder&response_url=" + url.QueryEscape(hook), 0, nil},
	} {
		h := http.Header{"X-Slack-Request-Timestamp": {ts}, "X-Slack-Signature": {slack.Sign(secret, ts, []byte(tc.body))}, "Content-Length": {"1"}}
		var swaps []string
		swap := func(kind, u string) string {
			swaps = append(swaps, kind+" "+u)
			return "http://127.0.0.1:7/cap/" + strconv.Itoa(len(swaps)-1)
		}
		nh, nb, ok := w.Capabilities(h, []byte(tc.body), tc.secrets, swap)
		if !ok {
			if tc.swapped != 0 || string(nb) != tc.body {
				t.Errorf("%s: not rewritten (%q), want %d swapped", tc.name, nb, tc.swapped)
			}
			continue
		}
		if len(swaps) != tc.swapped || !strings.HasPrefix(swaps[0], "response_url "+hook) {
			t.Errorf("%s: swapped %q, want %d", tc.name, swaps, tc.swapped)
		}
		text, _ := url.QueryUnescape(string(nb))
		if strings.Contains(text, "hooks.slack.com") || !strings.Contains(text, "127.0.0.1:7/cap/0") {
			t.Errorf("%s: the new body still has Slack's URL: %s", tc.name, text)
		}
		if strings.Contains(tc.name, "block_actions") && !strings.Contains(text, `"n":1767225600123`) {
			t.Errorf("%s: the payload changed beyond its response_url: %s", tc.name, text)
		}
		if err := w.Verify(nh, nb, secrets, time.Unix(1767225600, 0)); err != nil || nh.Get("Content-Length") != "" {
			t.Errorf("%s: the new body is not signed: %v (Content-Length %q)", tc.name, err, nh.Get("Content-Length"))
		}
		if h.Get("X-Slack-Signature") != slack.Sign(secret, ts, []byte(tc.body)) {
			t.Errorf("%s: the delivery's own headers changed", tc.name)
		}
	}
}

func TestWireStream(t *testing.T) {
	t.Parallel()
	w := slack.Kind().Wire
	const real = "wss://wss-primary.slack.com/link/?ticket=abc-123&app_id=A0CHATSIM"
	for _, tc := range []struct {
		name, path string
		status     int
		body       string
		want       string // "": the answer goes on as it came
	}{
		{"apps.connections.open", "/api/apps.connections.open", 200, `{"ok":true,"url":"` + real + `"}`, `{"ok":true,"url":"ws://127.0.0.1:7/s/0"}`},
		{"slashes escaped", "/api/apps.connections.open", 200, `{"ok":true,"url":"` + strings.ReplaceAll(real, "/", `\/`) + `"}`, `{"ok":true,"url":"ws://127.0.0.1:7/s/0"}`},
		{"refused", "/api/apps.connections.open", 200, `{"ok":false,"error":"invalid_auth"}`, ""},
		{"an error status", "/api/apps.connections.open", 500, `{"ok":true,"url":"` + real + `"}`, ""},
		{"another call", "/api/chat.postMessage", 200, `{"ok":true,"url":"` + real + `"}`, ""},
	} {
		var swapped []string
		nb, ok := w.Stream("POST", tc.path, tc.status, []byte(tc.body), func(u string) string {
			swapped = append(swapped, u)
			return "ws://127.0.0.1:7/s/0"
		})
		switch {
		case tc.want == "" && (ok || string(nb) != tc.body || len(swapped) > 0):
			t.Errorf("%s: swapped %q → %s, want the answer as it came", tc.name, swapped, nb)
		case tc.want != "" && (!ok || string(nb) != tc.want || len(swapped) != 1 || swapped[0] != real):
			t.Errorf("%s: swapped %q → %s %v, want %s for %s", tc.name, swapped, nb, ok, tc.want, real)
		}
	}
}

func TestWireFrames(t *testing.T) {
	t.Parallel()
	frame := slack.Kind().Wire.Frame
	event := `{"type":"event_callback","event_id":"Ev1","authorizations":[{"user_id":"U0BOT","is_bot":true}],"event":{"type":"message","user":"U0ADA","text":"hi"}}`
	own := strings.Replace(event, "U0ADA", "U0BOT", 1)
	action := `{"type":"block_actions","user":{"id":"U0ADA"},"response_url":"https://hooks.slack.com/actions/T0/1/abc","actions":[{"value":"coffee"}]}`
	envelope := func(typ, payload string, retry int) string {
		return `{"envelope_id":"e-1","type":"` + typ + `","payload":` + payload + `,"accepts_response_payload":false,"retry_attempt":` + strconv.Itoa(retry) + `,"retry_reason":"` + map[bool]string{true: "timeout"}[retry > 0] + `"}`
	}
	form := func(vals url.Values) string { return vals.Encode() }
	for _, tc := range []struct {
		name  string
		up    bool
		data  string
		want  fakes.Frame
		retry string // X-Slack-Retry-Num
	}{
		{"an event", false, envelope("events_api", event, 0), fakes.Frame{Kind: "event_callback", ID: "e-1", Body: []byte(event)}, ""},
		{"an event again", false, envelope("events_api", event, 2), fakes.Frame{Kind: "event_callback", ID: "e-1", Body: []byte(event)}, "2"},
		{"the bot's own message", false, envelope("events_api", own, 0), fakes.Frame{ID: "e-1", Body: []byte(own)}, ""},
		{"a click", false, envelope("interactive", action, 0), fakes.Frame{Kind: "block_actions", ID: "e-1", Body: []byte(form(url.Values{"payload": {action}}))}, ""},
		{"a slash command", false, envelope("slash_commands", `{"command":"/order","text":"tea","user_id":"U0ADA","is_enterprise_install":false}`, 0),
			fakes.Frame{Kind: "slash_command", ID: "e-1", Body: []byte(form(url.Values{"command": {"/order"}, "text": {"tea"}, "user_id": {"U0ADA"}, "is_enterprise_install": {"false"}}))}, ""},
		{"hello", false, `{"type":"hello","num_connections":1,"connection_info":{"app_id":"A0"}}`, fakes.Frame{}, ""},
		{"disconnect", false, `{"type":"disconnect","reason":"refresh_requested"}`, fakes.Frame{}, ""},
		{"not JSON", false, `ping`, fakes.Frame{}, ""},
		{"an ack", true, `{"envelope_id":"e-1"}`, fakes.Frame{ID: "e-1", Ack: true}, ""},
		{"an ack with a payload", true, `{"envelope_id":"e-1","payload":{ "text" : "Ordered tea." }}`, fakes.Frame{ID: "e-1", Ack: true, Body: []byte(`{"text":"Ordered tea."}`)}, ""},
		{"an ack with a null payload", true, `{"envelope_id":"e-1","payload":null}`, fakes.Frame{ID: "e-1", Ack: true}, ""},
		{"up, not an ack", true, `{"type":"ping"}`, fakes.Frame{}, ""},
	} {
		got := frame(tc.up, []byte(tc.data))
		if got.Kind != tc.want.Kind || got.ID != tc.want.ID || got.Ack != tc.want.Ack || string(got.Body) != string(tc.want.Body) {
			t.Errorf("%s: Frame = %+v (body %s), want %+v (body %s)", tc.name, got, got.Body, tc.want, tc.want.Body)
		}
		if got.Body != nil && got.Header.Get("Content-Type") == "" {
			t.Errorf("%s: a body with no Content-Type", tc.name)
		}
		if n := got.Header.Get("X-Slack-Retry-Num"); n != tc.retry || tc.retry != "" && got.Header.Get("X-Slack-Retry-Reason") != "timeout" {
			t.Errorf("%s: X-Slack-Retry-Num %q (reason %q), want %q", tc.name, n, got.Header.Get("X-Slack-Retry-Reason"), tc.retry)
		}
	}
}
