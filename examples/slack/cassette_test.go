package slack_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/slack"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// Every bundled cassette loads, and replays through the integration (the
// deliveries re-signed here, as the replayer does) with the captures below
// and no contract violation.
func TestCassettes(t *testing.T) {
	t.Parallel()
	const general = "conv#1 channel tags{id=C0GENERAL}"
	tests := []struct {
		file       string
		wantKinds  []string
		wantConvs  []string
		wantMsgs   []string
		wantEvents []string
		wantHooks  []string // the response_url posts
		wantAnswer string   // the first delivery's answer body, when it matters
	}{
		{
			file:      "channel-message.cassette",
			wantKinds: []string{"event_callback"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing text {"text":"Hello Ada! Ask me for the menu."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
			},
		},
		{
			file:      "thread-reply.cassette",
			wantKinds: []string{"event_callback", "event_callback"},
			wantConvs: []string{general, "conv#2 channel tags{id=C0GENERAL, thread=1767225600.000100}"},
			wantMsgs: []string{
				`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing text {"text":"Hello Ada! Ask me for the menu."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
				`incoming text {"text":"me too"} conv#2 tags{channel=C0GENERAL, thread=1767225600.000100, ts=1767225605.000300}`,
				`outgoing text {"text":"Hello Grace, here in the thread."} conv#2 tags{channel=C0GENERAL, thread=1767225600.000100, ts=1767225700.000200}`,
			},
		},
		{
			file:      "mention.cassette",
			wantKinds: []string{"event_callback", "event_callback"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"menu"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing text {"text":"Tea or coffee?"} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
			},
		},
		{
			file:      "reaction.cassette",
			wantKinds: []string{"event_callback", "event_callback", "event_callback"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing text {"text":"Hello Ada! Ask me for the menu."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
			},
			wantEvents: []string{
				`reactionAdded {"eventId":"Ev0CHATSIM0005","reaction":"tada","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0GRACE"},"thread":{"id":"C0GENERAL","thread":"1767225600.000100"}},"userId":"U0GRACE"} conv#1 user=U0GRACE msg#1`,
				`reactionRemoved {"eventId":"Ev0CHATSIM0006","reaction":"tada","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0GRACE"},"thread":{"id":"C0GENERAL","thread":"1767225600.000100"}},"userId":"U0GRACE"} conv#1 user=U0GRACE msg#1`,
			},
		},
		{
			file:      "member-join.cassette",
			wantKinds: []string{"event_callback"},
			wantConvs: []string{general},
			wantEvents: []string{
				`memberJoined {"channelId":"C0GENERAL","eventId":"Ev0CHATSIM0007","inviterId":"U0ADA","userId":"U0GRACE"} conv#1 user=U0GRACE`,
			},
		},
		{
			file:      "button-click.cassette",
			wantKinds: []string{"event_callback", "block_actions"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"menu"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing choice {"options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}],"text":"What would you like?"} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
				`incoming text {"text":"coffee"} conv#1 tags{channel=C0GENERAL, clickedTs=1767225600.000200, ts=action:1767225604.000300}`,
				`outgoing text {"text":"One coffee coming up."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000200}`,
			},
			wantHooks: []string{
				`response_url {"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn","verbatim":false},"type":"section"},` +
					`{"block_id":"chosen","elements":[{"text":"✓ Coffee chosen by <@U0ADA>","type":"mrkdwn"}],"type":"context"}],` +
					`"replace_original":true,"text":"What would you like?"}`,
			},
		},
		{
			file:      "slash-command.cassette",
			wantKinds: []string{"slash_command"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"/order coffee"} conv#1 tags{channel=C0GENERAL, ts=command:1767225600000.1000000001.2b3c4d5e6f708192a3b4c5d6e7f80910}`,
				`outgoing text {"text":"Order received: coffee."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
			},
		},
		{
			file:      "retry.cassette",
			wantKinds: []string{"event_callback", "event_callback", "event_callback", "event_callback"},
			wantConvs: []string{general},
			wantMsgs: []string{
				`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`outgoing text {"text":"Hello Ada! Ask me for the menu."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
			},
			wantEvents: []string{
				`reactionAdded {"eventId":"Ev0CHATSIM0009","reaction":"tada","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0GRACE"},"thread":{"id":"C0GENERAL","thread":"1767225600.000100"}},"userId":"U0GRACE"} conv#1 user=U0GRACE msg#1`,
			},
		},
	}
	files, err := fs.Glob(slack.Cassettes(), "*.cassette")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, tt := range tests {
		want = append(want, tt.file)
	}
	slices.Sort(want)
	diff(t, "bundled cassettes", files, want)
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			h, entries := loadCassette(t, tt.file)
			var kinds []string
			for _, e := range entries {
				kinds = append(kinds, e.Kind)
			}
			diff(t, "entry kinds", kinds, tt.wantKinds)
			rules := []botpress.BotRule{}
			if len(h.Bot) > 0 {
				var err error
				if rules, err = botpress.ParseBotRules(h.Bot, tt.file); err != nil {
					t.Fatal(err)
				}
			}
			w := newWorld(t, withRules(rules...))
			for i, e := range entries {
				got := w.replay(t, e)
				if got.status != http.StatusOK {
					t.Errorf("%s: answer = %d %s", e.Location(), got.status, got.body)
				}
				if i == 0 && tt.wantAnswer != "" && got.body != tt.wantAnswer {
					t.Errorf("%s: answer = %s, want %s", e.Location(), got.body, tt.wantAnswer)
				}
				if e.Response != nil && e.Response.Body.String() != got.body {
					t.Errorf("%s: answer = %s, the cassette says %s", e.Location(), got.body, e.Response.Body)
				}
			}
			diff(t, "conversations", w.conversations(), tt.wantConvs)
			diff(t, "messages", w.messages(), tt.wantMsgs)
			diff(t, "events", w.events(), tt.wantEvents)
			diff(t, "response_url posts", w.slack.hooks(), tt.wantHooks)
			w.noViolations(t)
		})
	}
}

// loadCassette reads a bundled cassette and checks what every Slack
// cassette must hold.
func loadCassette(tb testing.TB, name string) (cassette.Header, []cassette.Entry) {
	tb.Helper()
	f, err := slack.Cassettes().Open(name)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, name)
	if err != nil {
		tb.Fatal(err)
	}
	h := r.Header()
	var entries []cassette.Entry
	for e, err := range r.All() {
		if err != nil {
			tb.Fatal(err)
		}
		entries = append(entries, e)
	}
	if h.Platform != "slack" || h.Integration != "examples/slack" {
		tb.Errorf("header: platform %q, integration %q", h.Platform, h.Integration)
	}
	if cfg := string(h.Configuration); cfg != `{"botToken":"${SLACK_BOT_TOKEN}"}` {
		tb.Errorf("header: configuration %s", cfg)
	}
	redacted := map[string]bool{}
	for _, rd := range h.Redactions {
		redacted[rd.Placeholder] = true
	}
	for _, p := range []string{"${SLACK_SIGNATURE}", "${SLACK_REQUEST_TIMESTAMP}", "${SLACK_VERIFICATION_TOKEN}"} {
		if !redacted[p] {
			tb.Errorf("header: no redaction %s", p)
		}
	}
	for _, e := range entries {
		if e.Direction != cassette.Inbound || e.Platform != "slack" || e.Request.Method != http.MethodPost {
			tb.Errorf("%s: %s %s %s, want an inbound POST from slack", e.Location(), e.Platform, e.Direction, e.Request.Method)
		}
		if e.Request.Headers.Get("X-Slack-Signature") != "${SLACK_SIGNATURE}" || e.Request.Headers.Get("X-Slack-Request-Timestamp") != "${SLACK_REQUEST_TIMESTAMP}" {
			tb.Errorf("%s: the signature headers are not redacted", e.Location())
		}
		if body := e.Request.Body.String(); strings.Contains(body, `"token":"`) && !strings.Contains(body, "${SLACK_VERIFICATION_TOKEN}") {
			tb.Errorf("%s: the verification token is not redacted", e.Location())
		}
	}
	return h, entries
}

// replay delivers a cassette entry as the replayer does: placeholders
// filled in, signed now.
func (w *world) replay(tb testing.TB, e cassette.Entry) delivery {
	tb.Helper()
	body := strings.ReplaceAll(e.Request.Body.String(), "${SLACK_VERIFICATION_TOKEN}", "vtok")
	// The replayer points response_url at the fake Slack; here, the stub.
	body = strings.ReplaceAll(body, "https://hooks.slack.com/", w.slack.URL+"/hooks/")
	body = strings.ReplaceAll(body, url.QueryEscape("https://hooks.slack.com/"), url.QueryEscape(w.slack.URL+"/hooks/"))
	headers := sign(body, epoch)
	for k, vs := range e.Request.Headers {
		if strings.HasPrefix(k, "X-Slack-Retry-") {
			headers[k] = vs[0]
		}
	}
	got := w.post(tb, e.Request.Headers.Get("Content-Type"), body, headers)
	if ct := got.contentType; strings.HasPrefix(ct, "application/json") {
		var v any
		if json.Unmarshal([]byte(got.body), &v) != nil {
			tb.Errorf("%s: answer %q is not JSON", e.Location(), got.body)
		}
	}
	return got
}
