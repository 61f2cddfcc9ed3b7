package recorder_test

import (
	"strings"
	"testing"

	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/sim"
)

// TestLint: a clean cassette has no findings; a planted secret, a stored
// signature, a delivery its fake cannot replay, an unknown platform and a
// broken line are each one finding at their line.
func TestLint(t *testing.T) {
	t.Parallel()
	const header = `{"chatsim_cassette":1,"platform":"telegram"}` + "\n"
	update := `{"at":"0s","platform":"telegram","direction":"inbound","kind":"update","turn":1,"request":{"method":"POST","url":"/","headers":{"X-Telegram-Bot-Api-Secret-Token":["${TELEGRAM_WEBHOOK_SECRET}"]},"body":{"update_id":1,"message":{"message_id":1,"date":1767225600,"chat":{"id":1001,"type":"private"},"from":{"id":1001,"is_bot":false,"first_name":"Ada"},"text":"hi"}}}}` + "\n"
	call := func(body string) string {
		return `{"at":"1s","platform":"telegram","direction":"outbound","kind":"sendMessage","turn":1,"request":{"method":"POST","url":"/bot${TELEGRAM_BOT_TOKEN}/sendMessage","body":` + body + `},"response":{"status":200,"body":{"ok":true}}}` + "\n"
	}
	for _, tc := range []struct {
		name, cassette string
		want           []string // the findings, in order
	}{
		{"clean", header + update + call(`{"chat_id":1001,"text":"Bearer ${SLACK_BOT_TOKEN}"}`), nil},
		{"a token left", header + update + call(`{"chat_id":1001,"text":"my token is 987654321:AAHcanaryCANARYcanaryCANARYcanary_-9"}`),
			[]string{`x.cassette:3: entry.request.body: a TELEGRAM_BOT_TOKEN shape is not redacted (98765432…)`}},
		{"a bearer token in a header", header + `{"at":"0s","platform":"slack","direction":"outbound","kind":"auth.test","request":{"method":"POST","url":"/auth.test","headers":{"Authorization":["Bearer xoxb-1111-2222-abcdefabcdef"]}},"response":{"status":200}}` + "\n",
			[]string{`x.cassette:2: entry.request.headers: a SLACK_BOT_TOKEN shape is not redacted`, `x.cassette:2: entry.request.headers: a BEARER_TOKEN shape is not redacted`}},
		{"a signature stored", header + `{"at":"0s","platform":"slack","direction":"inbound","request":{"method":"POST","url":"/slack","headers":{"X-Slack-Signature":["v0=abcdef0123"]},"body":{"type":"event_callback","event":{"type":"message","channel":"C0GENERAL","user":"U0ADA","text":"hi","ts":"1.000001"}}}}` + "\n",
			[]string{`x.cassette:2: entry.request.headers: X-Slack-Signature holds a signature`}},
		{"a delivery the platform could not send", header + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body":"not an update"}}` + "\n",
			[]string{`x.cassette:2: entry.request: telegram cannot replay it`}},
		{"an unknown platform", header + `{"at":"0s","platform":"irc","direction":"inbound","request":{"method":"POST","url":"/"}}` + "\n",
			[]string{`x.cassette:2: entry.platform: "irc" is not a platform chatsim can replay (have: telegram, slack, shopify, rocketchat)`}},
		{"a broken line", header + update + `{"at":"1s","platform":"telegram"` + "\n" + call(`{}`), []string{`x.cassette:3:`}},
	} {
		got, err := recorder.Lint(strings.NewReader(tc.cassette), "x.cassette", sim.Registry())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: %d findings %q, want %d", tc.name, len(got), got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if !strings.HasPrefix(got[i].String(), w) {
				t.Errorf("%s: finding %d = %q, want it to begin %q", tc.name, i, got[i], w)
			}
		}
	}
}
