package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/slack"
)

// callback wraps an inner event in Slack's event_callback envelope.
func callback(eventID, inner string) string {
	return `{"token":"vtok","team_id":"T0CHATSIM","api_app_id":"A0CHATSIM","event":` + inner +
		`,"type":"event_callback","event_id":"` + eventID + `","event_time":1767225600,` +
		`"authorizations":[{"enterprise_id":null,"team_id":"T0CHATSIM","user_id":"U0BOT","is_bot":true,"is_enterprise_install":false}],` +
		`"is_ext_shared_channel":false}`
}

// msg is a message event in #general.
func msg(user, text, ts, threadTS string) string {
	thread := ""
	if threadTS != "" {
		thread = `,"thread_ts":"` + threadTS + `"`
	}
	return `{"type":"message","user":"` + user + `","text":` + quote(text) + `,"ts":"` + ts + `"` + thread +
		`,"channel":"C0GENERAL","event_ts":"` + ts + `","channel_type":"channel"}`
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	calls := w.slack.all()
	if len(calls) != 1 || calls[0].Method != "auth.test" {
		t.Fatalf("slack calls = %v, want auth.test", w.slack.recorded())
	}
	if calls[0].Auth != "Bearer "+botToken || calls[0].ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("auth.test sent %q with %q, want the bot token as Bearer and a form", calls[0].Auth, calls[0].ContentType)
	}
	if id, ok := w.platform.Identifier(); !ok || id != "T0CHATSIM:U0BOT" {
		t.Errorf("identifier = %q, %v; want T0CHATSIM:U0BOT", id, ok)
	}
	state, ok := w.platform.State("integration", w.platform.IntegrationID(), "workspace")
	if want := `{"botId":"B0BOT","botUserId":"U0BOT","teamId":"T0CHATSIM"}`; !ok || readable(state) != want {
		t.Errorf("workspace state = %s, %v; want %s", state, ok, want)
	}
	if err := w.platform.Unregister(context.Background()); err != nil {
		t.Errorf("unregister: %v", err)
	}
	if got := len(w.slack.all()); got != 1 {
		t.Errorf("unregister called Slack: %v", w.slack.recorded())
	}
	w.noViolations(t)
}

func TestRegisterRejectedToken(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, answer, want string }{
		{"invalid_auth", `{"ok":false,"error":"invalid_auth"}`, "check the botToken configuration"},
		{"token_revoked", `{"ok":false,"error":"token_revoked"}`, "check the botToken configuration"},
		{"other error", `{"ok":false,"error":"fatal_error"}`, "slack auth.test: fatal_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, unregistered())
			w.slack.on("auth.test", slackAnswer{body: tt.answer})
			err := w.platform.Register(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("register = %v, want an error saying %q", err, tt.want)
			}
			if _, ok := w.platform.Identifier(); ok {
				t.Error("the install was configured anyway")
			}
		})
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	body := `{"token":"vtok","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	got := w.event(t, body)
	if want := `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`; got.status != 200 || got.body != want || got.contentType != "application/json" {
		t.Errorf("answer = %d %s %s, want 200 application/json %s", got.status, got.contentType, got.body, want)
	}
}

func TestSignature(t *testing.T) {
	t.Parallel()
	body := callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", ""))
	good := sign(body, epoch)
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"valid", good, 200},
		{"four minutes old", sign(body, epoch.Add(-4*time.Minute)), 200},
		{"from the future", sign(body, epoch.Add(time.Hour)), 200},
		{"six minutes old", sign(body, epoch.Add(-6*time.Minute)), 401},
		{"no signature", map[string]string{"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"]}, 401},
		{"no timestamp", map[string]string{"X-Slack-Signature": good["X-Slack-Signature"]}, 401},
		{"timestamp not a number", map[string]string{"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": good["X-Slack-Signature"]}, 401},
		{"wrong secret", map[string]string{"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"], "X-Slack-Signature": "v0=" + strings.Repeat("ab", 32)}, 401},
		{"v1 signature", map[string]string{"X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"], "X-Slack-Signature": strings.Replace(good["X-Slack-Signature"], "v0=", "v1=", 1)}, 401},
		{"timestamp changed after signing", map[string]string{"X-Slack-Request-Timestamp": "1767225609", "X-Slack-Signature": good["X-Slack-Signature"]}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			got := w.post(t, "application/json", body, tt.headers)
			if got.status != tt.want {
				t.Errorf("answer = %d %s, want %d", got.status, got.body, tt.want)
			}
			if wantMsgs := map[bool]int{true: 1, false: 0}[tt.want == 200]; len(w.platform.Messages()) != wantMsgs {
				t.Errorf("messages = %v, want %d", w.messages(), wantMsgs)
			}
		})
	}
	t.Run("body changed after signing", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		got := w.post(t, "application/json", strings.Replace(body, "hello", "hellO", 1), good)
		if got.status != 401 || !strings.Contains(got.body, "invalid X-Slack-Signature") {
			t.Errorf("answer = %d %s, want 401 invalid X-Slack-Signature", got.status, got.body)
		}
	})
}

func TestEvents(t *testing.T) {
	t.Parallel()
	const general = `channel tags{id=C0GENERAL}`
	tests := []struct {
		name       string
		setup      []string // events delivered first
		events     []string
		wantConvs  []string
		wantMsgs   []string
		wantEvents []string
		wantUsers  []string
		wantSlack  []string // after register and setup
	}{
		{
			name:      "channel message",
			events:    []string{callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", ""))},
			wantConvs: []string{"conv#1 " + general},
			wantMsgs:  []string{`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}"},
			wantSlack: []string{"users.info user=U0ADA"},
		},
		{
			name:   "thread reply is a conversation of its own",
			events: []string{callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", "")), callback("Ev2", msg("U0GRACE", "me too", "1767225605.000300", "1767225600.000100"))},
			wantConvs: []string{
				"conv#1 " + general,
				"conv#2 channel tags{id=C0GENERAL, thread=1767225600.000100}",
			},
			wantMsgs: []string{
				`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
				`incoming text {"text":"me too"} conv#2 tags{channel=C0GENERAL, thread=1767225600.000100, ts=1767225605.000300}`,
			},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}", "Grace Hopper tags{id=U0GRACE}"},
			wantSlack: []string{"users.info user=U0ADA", "users.info user=U0GRACE"},
		},
		{
			name: "mention and message for one ts are one message",
			events: []string{
				callback("Ev1", strings.Replace(msg("U0ADA", "<@U0BOT> menu", "1767225600.000100", ""), `"type":"message"`, `"type":"app_mention"`, 1)),
				callback("Ev2", msg("U0ADA", "<@U0BOT> menu", "1767225600.000100", "")),
			},
			wantConvs: []string{"conv#1 " + general},
			wantMsgs:  []string{`incoming text {"text":"menu"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}"},
			wantSlack: []string{"users.info user=U0ADA"},
		},
		{
			name:      "a mention of someone else stays",
			events:    []string{callback("Ev1", msg("U0ADA", "<@U0GRACE> hi", "1767225600.000100", ""))},
			wantConvs: []string{"conv#1 " + general},
			wantMsgs:  []string{`incoming text {"text":"<@U0GRACE> hi"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}"},
			wantSlack: []string{"users.info user=U0ADA"},
		},
		{
			name: "the bot's own messages are ignored",
			events: []string{
				callback("Ev1", `{"type":"message","user":"U0BOT","bot_id":"B0BOT","text":"hi","ts":"1767225600.000100","channel":"C0GENERAL","channel_type":"channel"}`),
				callback("Ev2", msg("U0BOT", "hi", "1767225600.000200", "")),
				callback("Ev3", `{"type":"message","subtype":"bot_message","bot_id":"B0OTHER","text":"hi","ts":"1767225600.000300","channel":"C0GENERAL"}`),
			},
		},
		{
			name: "edits, deletions and joins are not messages",
			events: []string{
				callback("Ev1", `{"type":"message","subtype":"message_changed","message":{"user":"U0ADA","text":"hi!","ts":"1767225600.000100"},"ts":"1767225601.000100","channel":"C0GENERAL"}`),
				callback("Ev2", `{"type":"message","subtype":"message_deleted","deleted_ts":"1767225600.000100","ts":"1767225602.000100","channel":"C0GENERAL"}`),
				callback("Ev3", `{"type":"message","subtype":"channel_join","user":"U0GRACE","text":"<@U0GRACE> has joined the channel","ts":"1767225603.000100","channel":"C0GENERAL"}`),
			},
		},
		{
			name:      "reaction on a known message",
			setup:     []string{callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", ""))},
			events:    []string{callback("Ev2", `{"type":"reaction_added","user":"U0GRACE","reaction":"tada","item":{"type":"message","channel":"C0GENERAL","ts":"1767225600.000100"},"item_user":"U0ADA","event_ts":"1767225603.000300"}`)},
			wantConvs: []string{"conv#1 " + general},
			wantMsgs:  []string{`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`},
			wantEvents: []string{
				`reactionAdded {"eventId":"Ev2","reaction":"tada","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0GRACE"},"thread":{"id":"C0GENERAL","thread":"1767225600.000100"}},"userId":"U0GRACE"} conv#1 user=U0GRACE msg#1`,
			},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}", "Grace Hopper tags{id=U0GRACE}"},
			wantSlack: []string{"users.info user=U0GRACE"},
		},
		{
			name:      "reaction removed in a thread lands in the thread",
			setup:     []string{callback("Ev1", msg("U0GRACE", "me too", "1767225605.000300", "1767225600.000100"))},
			events:    []string{callback("Ev2", `{"type":"reaction_removed","user":"U0ADA","reaction":"+1","item":{"type":"message","channel":"C0GENERAL","ts":"1767225605.000300"},"item_user":"U0GRACE","event_ts":"1767225609.000300"}`)},
			wantConvs: []string{"conv#1 channel tags{id=C0GENERAL, thread=1767225600.000100}"},
			wantMsgs:  []string{`incoming text {"text":"me too"} conv#1 tags{channel=C0GENERAL, thread=1767225600.000100, ts=1767225605.000300}`},
			wantEvents: []string{
				`reactionRemoved {"eventId":"Ev2","reaction":"+1","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0ADA"},"thread":{"id":"C0GENERAL","thread":"1767225605.000300"}},"userId":"U0ADA"} conv#1 user=U0ADA msg#1`,
			},
			wantUsers: []string{"Grace Hopper tags{id=U0GRACE}", "Ada Lovelace tags{id=U0ADA}"},
			wantSlack: []string{"users.info user=U0ADA"},
		},
		{
			name:      "reaction on a message never seen lands in the channel",
			events:    []string{callback("Ev2", `{"type":"reaction_added","user":"U0ADA","reaction":"eyes","item":{"type":"message","channel":"C0GENERAL","ts":"1767220000.000100"},"item_user":"U0GRACE","event_ts":"1767225603.000300"}`)},
			wantConvs: []string{"conv#1 " + general},
			wantEvents: []string{
				`reactionAdded {"eventId":"Ev2","reaction":"eyes","targets":{"channel":{"id":"C0GENERAL"},"dm":{"id":"U0ADA"},"thread":{"id":"C0GENERAL","thread":"1767220000.000100"}},"userId":"U0ADA"} conv#1 user=U0ADA`,
			},
			wantUsers: []string{"Ada Lovelace tags{id=U0ADA}"},
			wantSlack: []string{"users.info user=U0ADA"},
		},
		{
			name: "the bot's own reactions and reactions on files are ignored",
			events: []string{
				callback("Ev2", `{"type":"reaction_added","user":"U0BOT","reaction":"eyes","item":{"type":"message","channel":"C0GENERAL","ts":"1767225600.000100"},"event_ts":"1767225603.000300"}`),
				callback("Ev3", `{"type":"reaction_added","user":"U0ADA","reaction":"eyes","item":{"type":"file","file":"F0FILE"},"event_ts":"1767225603.000400"}`),
			},
		},
		{
			name:      "member joined",
			events:    []string{callback("Ev7", `{"type":"member_joined_channel","user":"U0GRACE","channel":"C0GENERAL","channel_type":"C","team":"T0CHATSIM","inviter":"U0ADA","event_ts":"1767225600.000100"}`)},
			wantConvs: []string{"conv#1 " + general},
			wantEvents: []string{
				`memberJoined {"channelId":"C0GENERAL","eventId":"Ev7","inviterId":"U0ADA","userId":"U0GRACE"} conv#1 user=U0GRACE`,
			},
			wantUsers: []string{"Grace Hopper tags{id=U0GRACE}"},
			wantSlack: []string{"users.info user=U0GRACE"},
		},
		{
			name:   "other event types are answered and ignored",
			events: []string{callback("Ev8", `{"type":"channel_rename","channel":{"id":"C0GENERAL","name":"lobby"}}`), `{"token":"vtok","team_id":"T0CHATSIM","minute_rate_limited":1767225600,"api_app_id":"A0CHATSIM","type":"app_rate_limited"}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			for _, e := range tt.setup {
				if got := w.event(t, e); got.status != 200 {
					t.Fatalf("setup answer = %d %s", got.status, got.body)
				}
			}
			before := len(w.slack.all())
			for _, e := range tt.events {
				if got := w.event(t, e); got.status != 200 || got.body != "{}" {
					t.Errorf("answer = %d %s, want 200 {}", got.status, got.body)
				}
			}
			if tt.wantConvs != nil {
				diff(t, "conversations", w.conversations(), tt.wantConvs)
			} else {
				diff(t, "conversations", w.conversations(), nil)
			}
			diff(t, "messages", w.messages(), tt.wantMsgs)
			diff(t, "events", w.events(), tt.wantEvents)
			diff(t, "users", w.users(), tt.wantUsers)
			diff(t, "slack calls", w.slack.recorded()[before:], tt.wantSlack)
			w.noViolations(t)
		})
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	retry := []string{"X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout"}
	t.Run("a message retried after it was handled", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, withRules(textRule("hello", "Hello Ada!")))
		body := callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", ""))
		w.event(t, body)
		if got := w.event(t, body, retry...); got.status != 200 {
			t.Fatalf("retry answer = %d %s", got.status, got.body)
		}
		diff(t, "messages", w.messages(), []string{
			`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`,
			`outgoing text {"text":"Hello Ada!"} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
		})
		diff(t, "slack calls", w.slack.recorded()[1:], []string{
			"users.info user=U0ADA",
			`chat.postMessage {"channel":"C0GENERAL","mrkdwn":true,"text":"Hello Ada!"}`,
		})
		w.noViolations(t)
	})
	t.Run("a message retried whose first delivery failed", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.slack.on("users.info", slackAnswer{body: `{"ok":false,"error":"fatal_error"}`}, slackAnswer{body: `{"ok":true,"user":` + slackUsers["U0ADA"] + `}`})
		body := callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", ""))
		if got := w.event(t, body); got.status == 200 {
			t.Fatalf("first answer = %d %s, want a failure", got.status, got.body)
		}
		if got := w.event(t, body, retry...); got.status != 200 {
			t.Fatalf("retry answer = %d %s", got.status, got.body)
		}
		diff(t, "messages", w.messages(), []string{`incoming text {"text":"hello"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000100}`})
	})
	t.Run("a reaction retried", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.event(t, callback("Ev1", msg("U0ADA", "hello", "1767225600.000100", "")))
		body := callback("Ev2", `{"type":"reaction_added","user":"U0GRACE","reaction":"tada","item":{"type":"message","channel":"C0GENERAL","ts":"1767225600.000100"},"item_user":"U0ADA","event_ts":"1767225603.000300"}`)
		w.event(t, body)
		w.event(t, body, retry...)
		w.event(t, body, "X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_error")
		if got := len(w.platform.Events()); got != 1 {
			t.Errorf("events = %v, want 1", w.events())
		}
		// A different event for the same reaction (Slack sends a new
		// event_id when it is added again) is a new event.
		w.event(t, strings.Replace(body, `"Ev2"`, `"Ev3"`, 1), retry...)
		if got := len(w.platform.Events()); got != 2 {
			t.Errorf("events = %v, want 2", w.events())
		}
	})
	t.Run("a reaction redelivered without the retry headers", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		body := callback("Ev2", `{"type":"reaction_added","user":"U0GRACE","reaction":"tada","item":{"type":"message","channel":"C0GENERAL","ts":"1767225600.000100"},"event_ts":"1767225603.000300"}`)
		w.event(t, body)
		w.event(t, body)
		if got := len(w.platform.Events()); got != 1 {
			t.Errorf("events = %v, want 1", w.events())
		}
	})
	t.Run("a join retried", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		body := callback("Ev7", `{"type":"member_joined_channel","user":"U0GRACE","channel":"C0GENERAL","channel_type":"C","team":"T0CHATSIM","event_ts":"1767225600.000100"}`)
		w.event(t, body)
		w.event(t, body, retry...)
		if got := len(w.platform.Events()); got != 1 {
			t.Errorf("events = %v, want 1", w.events())
		}
	})
}

// The bot's own messages are recognised without the workspace state too,
// from the event's authorization (an install registered before it existed).
func TestOwnMessagesWithoutRegister(t *testing.T) {
	t.Parallel()
	w := newWorld(t, unregistered())
	w.event(t, callback("Ev1", msg("U0BOT", "hi", "1767225600.000100", "")))
	w.event(t, callback("Ev2", msg("U0ADA", "<@U0BOT> hi", "1767225600.000200", "")))
	diff(t, "messages", w.messages(), []string{`incoming text {"text":"hi"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000200}`})
}

// The bot user an event was delivered for (its authorization) counts as the
// bot too, even when register saw another one.
func TestBotUserFromAuthorization(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	other := func(id, inner string) string {
		return strings.Replace(callback(id, inner), `"user_id":"U0BOT"`, `"user_id":"U0CHATBOT"`, 1)
	}
	w.event(t, other("Ev1", msg("U0CHATBOT", "hi", "1767225600.000100", "")))
	w.event(t, other("Ev2", msg("U0ADA", "<@U0CHATBOT> menu", "1767225600.000200", "")))
	w.event(t, other("Ev3", msg("U0ADA", "<@U0BOT|chatsim>   tea", "1767225600.000300", "")))
	w.event(t, other("Ev4", msg("U0ADA", "<@U0BOTX> coffee", "1767225600.000400", "")))
	diff(t, "messages", w.messages(), []string{
		`incoming text {"text":"menu"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000200}`,
		`incoming text {"text":"tea"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000300}`,
		`incoming text {"text":"<@U0BOTX> coffee"} conv#1 tags{channel=C0GENERAL, ts=1767225600.000400}`,
	})
}

// blockActions builds an interactivity form body for a click.
func blockActions(container, action string) string {
	payload := `{"type":"block_actions","user":{"id":"U0ADA","username":"ada","name":"ada","team_id":"T0CHATSIM"},"api_app_id":"A0CHATSIM","token":"vtok",` +
		`"container":` + container + `,"trigger_id":"1767225604000.1.abc","team":{"id":"T0CHATSIM","domain":"chatsim"},` +
		`"channel":{"id":"C0GENERAL","name":"general"},"message":{"type":"message","user":"U0BOT","bot_id":"B0BOT","ts":"1767225700.000100","text":"What would you like?"},` +
		`"state":{"values":{}},"response_url":"https://hooks.slack.com/actions/T0CHATSIM/1/x","actions":[` + action + `]}`
	return url.Values{"payload": {payload}}.Encode()
}

const inChannel = `{"type":"message","message_ts":"1767225700.000100","channel_id":"C0GENERAL","is_ephemeral":false}`

func TestInteractivity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		body      string
		wantConvs []string
		wantMsgs  []string
	}{
		{
			name:      "button in the channel",
			body:      blockActions(inChannel, `{"action_id":"option_1","block_id":"options","text":{"type":"plain_text","text":"Coffee"},"value":"coffee","type":"button","action_ts":"1767225704.000300"}`),
			wantConvs: []string{"conv#1 channel tags{id=C0GENERAL}"},
			wantMsgs:  []string{`incoming text {"text":"coffee"} conv#1 tags{channel=C0GENERAL, clickedTs=1767225700.000100, ts=action:1767225704.000300}`},
		},
		{
			name: "button in a thread",
			body: blockActions(`{"type":"message","message_ts":"1767225700.000100","thread_ts":"1767225600.000100","channel_id":"C0GENERAL","is_ephemeral":false}`,
				`{"action_id":"option_0","block_id":"options","value":"tea","type":"button","action_ts":"1767225704.000300"}`),
			wantConvs: []string{"conv#1 channel tags{id=C0GENERAL, thread=1767225600.000100}"},
			wantMsgs:  []string{`incoming text {"text":"tea"} conv#1 tags{channel=C0GENERAL, clickedTs=1767225700.000100, thread=1767225600.000100, ts=action:1767225704.000300}`},
		},
		{
			name:      "dropdown pick",
			body:      blockActions(inChannel, `{"action_id":"dropdown","block_id":"text","type":"static_select","selected_option":{"text":{"type":"plain_text","text":"Green tea"},"value":"green"},"action_ts":"1767225704.000300"}`),
			wantConvs: []string{"conv#1 channel tags{id=C0GENERAL}"},
			wantMsgs:  []string{`incoming text {"text":"green"} conv#1 tags{channel=C0GENERAL, clickedTs=1767225700.000100, ts=action:1767225704.000300}`},
		},
		{
			name: "link button",
			body: blockActions(inChannel, `{"action_id":"card_url_0","block_id":"card_actions","type":"button","url":"https://example.com","action_ts":"1767225704.000300"}`),
		},
		{
			name: "view submission",
			body: url.Values{"payload": {`{"type":"view_submission","user":{"id":"U0ADA"},"view":{"id":"V0VIEW","callback_id":"order","state":{"values":{}}}}`}}.Encode(),
		},
		{
			name: "block action in a modal",
			body: blockActions(`{"type":"view","view_id":"V0VIEW"}`, `{"action_id":"x","block_id":"y","value":"v","type":"button","action_ts":"1767225704.000300"}`),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			got := w.form(t, tt.body)
			if got.status != 200 || got.body != "" && got.body != "{}" {
				t.Errorf("answer = %d %q, want 200 and an empty body", got.status, got.body)
			}
			diff(t, "conversations", w.conversations(), tt.wantConvs)
			diff(t, "messages", w.messages(), tt.wantMsgs)
			w.noViolations(t)
		})
	}
	t.Run("the same click delivered twice is one message", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		body := blockActions(inChannel, `{"action_id":"option_1","block_id":"options","value":"coffee","type":"button","action_ts":"1767225704.000300"}`)
		w.form(t, body)
		w.form(t, body)
		if got := len(w.platform.Messages()); got != 1 {
			t.Errorf("messages = %v, want 1", w.messages())
		}
	})
	t.Run("malformed payload", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if got := w.form(t, "payload=%7Bnot+json"); got.status != 400 {
			t.Errorf("answer = %d %s, want 400", got.status, got.body)
		}
	})
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	w := newWorld(t, withRules(textRule("/order coffee", "Order received: coffee.")))
	body := url.Values{
		"token": {"vtok"}, "team_id": {"T0CHATSIM"}, "team_domain": {"chatsim"}, "channel_id": {"C0GENERAL"}, "channel_name": {"general"},
		"user_id": {"U0ADA"}, "user_name": {"ada"}, "command": {"/order"}, "text": {" coffee "}, "api_app_id": {"A0CHATSIM"},
		"is_enterprise_install": {"false"}, "response_url": {"https://hooks.slack.com/commands/T0CHATSIM/1/x"}, "trigger_id": {"1767225600000.1.abc"},
	}.Encode()
	got := w.form(t, body)
	// The integration answers an empty body; the platform's webhook may
	// answer an empty 200 as "{}", as @botpress/sdk's serve does.
	if got.status != 200 || got.body != "" && got.body != "{}" {
		t.Errorf("answer = %d %q, want 200 and an empty body", got.status, got.body)
	}
	diff(t, "messages", w.messages(), []string{
		`incoming text {"text":"/order coffee"} conv#1 tags{channel=C0GENERAL, ts=command:1767225600000.1.abc}`,
		`outgoing text {"text":"Order received: coffee."} conv#1 tags{channel=C0GENERAL, ts=1767225700.000100}`,
	})
	w.noViolations(t)

	t.Run("missing fields", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if got := w.form(t, "command=%2Forder&text=x"); got.status != 400 {
			t.Errorf("answer = %d %s, want 400", got.status, got.body)
		}
	})
}

// conversation makes a conversation exist by delivering a message into it,
// and returns its platform id.
func (w *world) conversation(tb testing.TB, threadTS string) string {
	tb.Helper()
	w.event(tb, callback("EvSetup", msg("U0ADA", "hello", "1767225600.000900", threadTS)))
	convs := w.platform.Conversations()
	if len(convs) == 0 {
		tb.Fatal("no conversation")
	}
	return convs[len(convs)-1].ID
}

func TestMessageCreated(t *testing.T) {
	t.Parallel()
	card := `{"title":"Espresso & co","subtitle":"<strong> coffee","imageUrl":"https://example.com/espresso.png","actions":[` +
		`{"action":"postback","label":"Order","value":"order espresso"},{"action":"say","label":"Tell me more","value":"more"},{"action":"url","label":"Menu","value":"https://example.com/menu"}]}`
	tests := []struct {
		name, typ, payload string
		thread             string
		want               string // chat.postMessage's JSON body
	}{
		{
			name: "text", typ: "text", payload: `{"text":"Hello *Ada*"}`,
			want: `{"channel":"C0GENERAL","mrkdwn":true,"text":"Hello *Ada*"}`,
		},
		{
			name: "text in a thread", typ: "text", payload: `{"text":"in the thread"}`, thread: "1767225600.000100",
			want: `{"channel":"C0GENERAL","mrkdwn":true,"text":"in the thread","thread_ts":"1767225600.000100"}`,
		},
		{
			name: "image", typ: "image", payload: `{"imageUrl":"https://example.com/cat.png","title":"A cat"}`,
			want: `{"blocks":[{"alt_text":"A cat","block_id":"image","image_url":"https://example.com/cat.png","title":{"emoji":true,"text":"A cat","type":"plain_text"},"type":"image"}],"channel":"C0GENERAL","text":"A cat"}`,
		},
		{
			name: "image without title", typ: "image", payload: `{"imageUrl":"https://example.com/cat.png"}`,
			want: `{"blocks":[{"alt_text":"image","block_id":"image","image_url":"https://example.com/cat.png","type":"image"}],"channel":"C0GENERAL","text":"image"}`,
		},
		{
			name: "choice", typ: "choice", payload: `{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}`,
			want: `{"blocks":[{"block_id":"text","text":{"text":"What would you like?","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"options","elements":[{"action_id":"option_0","text":{"emoji":true,"text":"Tea","type":"plain_text"},"type":"button","value":"tea"},` +
				`{"action_id":"option_1","text":{"emoji":true,"text":"Coffee","type":"plain_text"},"type":"button","value":"coffee"}],"type":"actions"}],"channel":"C0GENERAL","text":"What would you like?"}`,
		},
		{
			name: "datepicker", typ: "datepicker", payload: `{"text":"When should we deliver?","initialDate":"2026-02-01"}`,
			want: `{"blocks":[{"block_id":"text","text":{"text":"When should we deliver?","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"date","elements":[{"action_id":"datepicker","initial_date":"2026-02-01","placeholder":{"emoji":true,"text":"Pick a date","type":"plain_text"},"type":"datepicker"}],"type":"actions"}],` +
				`"channel":"C0GENERAL","text":"When should we deliver?"}`,
		},
		{
			name: "dropdown", typ: "dropdown", payload: `{"text":"Which tea?","options":[{"label":"Green","value":"green"},{"label":"Black","value":"black"}]}`,
			want: `{"blocks":[{"accessory":{"action_id":"dropdown","options":[{"text":{"emoji":true,"text":"Green","type":"plain_text"},"value":"green"},` +
				`{"text":{"emoji":true,"text":"Black","type":"plain_text"},"value":"black"}],"placeholder":{"emoji":true,"text":"Choose…","type":"plain_text"},"type":"static_select"},` +
				`"block_id":"text","text":{"text":"Which tea?","type":"mrkdwn"},"type":"section"}],"channel":"C0GENERAL","text":"Which tea?"}`,
		},
		{
			name: "card", typ: "card", payload: card,
			want: `{"blocks":[{"accessory":{"alt_text":"Espresso & co","image_url":"https://example.com/espresso.png","type":"image"},"block_id":"card",` +
				`"text":{"text":"*Espresso &amp; co*\n&lt;strong&gt; coffee","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"card_actions","elements":[{"action_id":"card_postback_0","text":{"emoji":true,"text":"Order","type":"plain_text"},"type":"button","value":"order espresso"},` +
				`{"action_id":"card_say_1","text":{"emoji":true,"text":"Tell me more","type":"plain_text"},"type":"button","value":"more"},` +
				`{"action_id":"card_url_2","text":{"emoji":true,"text":"Menu","type":"plain_text"},"type":"button","url":"https://example.com/menu"}],"type":"actions"}],` +
				`"channel":"C0GENERAL","text":"Espresso & co"}`,
		},
		{
			name: "carousel", typ: "carousel",
			payload: `{"items":[{"title":"Tea","actions":[{"action":"postback","label":"Tea","value":"tea"}]},{"title":"Coffee","subtitle":"Strong","actions":[]}]}`,
			want: `{"blocks":[{"block_id":"card_0","text":{"text":"*Tea*","type":"mrkdwn"},"type":"section"},` +
				`{"block_id":"card_0_actions","elements":[{"action_id":"card_0_postback_0","text":{"emoji":true,"text":"Tea","type":"plain_text"},"type":"button","value":"tea"}],"type":"actions"},` +
				`{"block_id":"divider_1","type":"divider"},{"block_id":"card_1","text":{"text":"*Coffee*\nStrong","type":"mrkdwn"},"type":"section"}],` +
				`"channel":"C0GENERAL","text":"Tea · Coffee"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			conv := w.conversation(t, tt.thread)
			before := len(w.slack.all())
			m, err := w.platform.SendMessage(context.Background(), conv, tt.typ, json.RawMessage(tt.payload))
			if err != nil {
				t.Fatalf("send: %v", err)
			}
			calls := w.slack.all()[before:]
			if len(calls) != 1 || calls[0].Method != "chat.postMessage" {
				t.Fatalf("slack calls = %v, want chat.postMessage", w.slack.recorded()[before:])
			}
			if calls[0].Body != tt.want {
				t.Errorf("chat.postMessage body:\ngot  %s\nwant %s", calls[0].Body, tt.want)
			}
			if calls[0].ContentType != "application/json; charset=utf-8" || calls[0].Auth != "Bearer "+botToken {
				t.Errorf("chat.postMessage sent %q with %q", calls[0].ContentType, calls[0].Auth)
			}
			wantTags := "tags{channel=C0GENERAL, ts=1767225700.000100}"
			if tt.thread != "" {
				wantTags = "tags{channel=C0GENERAL, thread=" + tt.thread + ", ts=1767225700.000100}"
			}
			msgs := w.messages()
			if got := msgs[len(msgs)-1]; !strings.HasSuffix(got, wantTags) || !strings.HasPrefix(got, "outgoing "+tt.typ) {
				t.Errorf("acked message = %s, want outgoing %s … %s (id %s)", got, tt.typ, wantTags, m.ID)
			}
			w.noViolations(t)
		})
	}
}

func TestMessageCreatedErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, typ, payload string
		slack              []slackAnswer
		want               string
	}{
		{name: "channel not found", typ: "text", payload: `{"text":"hi"}`, slack: []slackAnswer{{body: `{"ok":false,"error":"channel_not_found"}`}}, want: "slack chat.postMessage: channel_not_found"},
		{name: "too many buttons", typ: "choice", payload: `{"text":"pick","options":[` + strings.Repeat(`{"label":"x","value":"x"},`, 25) + `{"label":"y","value":"y"}]}`, want: "26 options"},
		{name: "dropdown value too long", typ: "dropdown", payload: `{"text":"pick","options":[{"label":"x","value":"` + strings.Repeat("v", 151) + `"}]}`, want: "1 to 150 characters"},
		{name: "choice text too long", typ: "choice", payload: `{"text":"` + strings.Repeat("t", 3001) + `","options":[]}`, want: "1 to 3000 characters"},
		{name: "HTTP 500", typ: "text", payload: `{"text":"hi"}`, slack: []slackAnswer{{status: 500, body: `oops`}}, want: "slack chat.postMessage: HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			conv := w.conversation(t, "")
			if tt.slack != nil {
				w.slack.on("chat.postMessage", tt.slack...)
			}
			_, err := w.platform.SendMessage(context.Background(), conv, tt.typ, json.RawMessage(tt.payload))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("send = %v, want an error saying %q", err, tt.want)
			}
			if strings.Contains(errString(err), botToken) {
				t.Errorf("the error shows the bot token: %v", err)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	conv := w.conversation(t, "")
	w.slack.on("chat.postMessage",
		slackAnswer{status: 429, header: map[string]string{"Retry-After": "2"}, body: `{"ok":false,"error":"ratelimited"}`},
		slackAnswer{body: `{"ok":true,"channel":"C0GENERAL","ts":"1767225700.000900"}`})
	if _, err := w.platform.SendMessage(context.Background(), conv, "text", json.RawMessage(`{"text":"hi"}`)); err != nil {
		t.Fatalf("send: %v", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.sleeps) != 1 || w.sleeps[0] != 2*time.Second {
		t.Errorf("waits = %v, want [2s]", w.sleeps)
	}
}

func TestActions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, action string
		input        func(msgID, convID string) string
		message      func(tb testing.TB, w *world) // makes the message acted on the last one
		slack        map[string]slackAnswer
		want         []string
		wantErr      string
	}{
		{
			name: "start typing", action: "startTypingIndicator",
			want: []string{`reactions.add {"channel":"C0GENERAL","name":"eyes","timestamp":"1767225600.000900"}`},
		},
		{
			name: "stop typing", action: "stopTypingIndicator",
			want: []string{`reactions.remove {"channel":"C0GENERAL","name":"eyes","timestamp":"1767225600.000900"}`},
		},
		{
			name: "start typing twice", action: "startTypingIndicator",
			slack: map[string]slackAnswer{"reactions.add": {body: `{"ok":false,"error":"already_reacted"}`}},
			want:  []string{`reactions.add {"channel":"C0GENERAL","name":"eyes","timestamp":"1767225600.000900"}`},
		},
		{
			name: "stop typing without a reaction", action: "stopTypingIndicator",
			slack: map[string]slackAnswer{"reactions.remove": {body: `{"ok":false,"error":"no_reaction"}`}},
			want:  []string{`reactions.remove {"channel":"C0GENERAL","name":"eyes","timestamp":"1767225600.000900"}`},
		},
		{
			name: "typing on a click reacts on the clicked message", action: "startTypingIndicator",
			message: func(tb testing.TB, w *world) {
				w.form(tb, blockActions(inChannel, `{"action_id":"option_1","block_id":"options","value":"coffee","type":"button","action_ts":"1767225704.000300"}`))
			},
			want: []string{`reactions.add {"channel":"C0GENERAL","name":"eyes","timestamp":"1767225700.000100"}`},
		},
		{
			name: "typing on a slash command does nothing", action: "startTypingIndicator",
			message: func(tb testing.TB, w *world) {
				w.form(tb, "channel_id=C0GENERAL&command=%2Forder&text=tea&trigger_id=1.2.3&user_id=U0ADA")
			},
		},
		{
			name: "add reaction", action: "addReaction",
			input: func(msgID, convID string) string {
				return `{"conversationId":"` + convID + `","messageId":"` + msgID + `","name":":thumbsup:"}`
			},
			want: []string{`reactions.add {"channel":"C0GENERAL","name":"thumbsup","timestamp":"1767225600.000900"}`},
		},
		{
			name: "add reaction Slack refuses", action: "addReaction",
			input: func(msgID, convID string) string {
				return `{"messageId":"` + msgID + `","name":"nope"}`
			},
			slack:   map[string]slackAnswer{"reactions.add": {body: `{"ok":false,"error":"invalid_name"}`}},
			want:    []string{`reactions.add {"channel":"C0GENERAL","name":"nope","timestamp":"1767225600.000900"}`},
			wantErr: "addReaction: slack reactions.add: invalid_name",
		},
		{
			name: "unknown action", action: "archiveChannel",
			wantErr: `action "archiveChannel" not found`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			conv := w.conversation(t, "")
			if tt.message != nil {
				tt.message(t, w)
			}
			msgs := w.platform.Messages()
			last := msgs[len(msgs)-1]
			input := `{"conversationId":"` + last.ConversationID + `","messageId":"` + last.ID + `"}`
			if tt.input != nil {
				input = tt.input(last.ID, conv)
			}
			for method, a := range tt.slack {
				w.slack.on(method, a)
			}
			before := len(w.slack.all())
			out, err := w.platform.TriggerAction(context.Background(), tt.action, json.RawMessage(input))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("action = %s, %v; want an error saying %q", out, err, tt.wantErr)
				}
			} else if err != nil || string(out) != `{}` {
				t.Errorf("action = %s, %v; want {}", out, err)
			}
			diff(t, "slack calls", w.slack.recorded()[before:], tt.want)
		})
	}
}

func TestNewEnvironment(t *testing.T) {
	t.Parallel()
	full := map[string]string{"BP_API_URL": "http://127.0.0.1:1", "SECRET_SIGNING_SECRET": "abc"}
	tests := []struct {
		name    string
		unset   string
		set     map[string]string
		wantErr error
		wantVar string
	}{
		{name: "complete"},
		{name: "with SLACK_API_URL", set: map[string]string{"SLACK_API_URL": "http://127.0.0.1:2/"}},
		{name: "no BP_API_URL", unset: "BP_API_URL", wantErr: slack.ErrMissingEnv, wantVar: "BP_API_URL"},
		{name: "no signing secret", unset: "SECRET_SIGNING_SECRET", wantErr: slack.ErrMissingEnv, wantVar: "SECRET_SIGNING_SECRET"},
		{name: "SLACK_API_URL without scheme", set: map[string]string{"SLACK_API_URL": "slack.com"}, wantErr: slack.ErrInvalidEnv, wantVar: "SLACK_API_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			delete(env, tt.unset)
			for k, v := range tt.set {
				env[k] = v
			}
			h, err := slack.New(func(k string) string { return env[k] })
			if tt.wantErr == nil {
				if err != nil || h == nil {
					t.Fatalf("New = %v, %v", h, err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantVar) {
				t.Errorf("New error = %v, want %v naming %s", err, tt.wantErr, tt.wantVar)
			}
		})
	}
}

func TestPingAndHealth(t *testing.T) {
	t.Parallel()
	w := newWorld(t, unregistered())
	if err := w.platform.Ping(context.Background()); err != nil {
		t.Errorf("ping: %v", err)
	}
	res, err := http.Get(w.url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("GET /health = %d", res.StatusCode)
	}
	diff(t, "slack calls", w.slack.recorded(), nil)
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	def := parseDefinition(t)
	if def.Name != "slack-example" {
		t.Errorf("name = %q", def.Name)
	}
	var raw struct {
		Channels map[string]struct {
			Messages map[string]json.RawMessage `json:"messages"`
		} `json:"channels"`
		Actions map[string]json.RawMessage `json:"actions"`
		Events  map[string]json.RawMessage `json:"events"`
		Secrets map[string]json.RawMessage `json:"secrets"`
	}
	if err := json.Unmarshal(slack.Definition(), &raw); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"text", "image", "choice", "dropdown", "card", "carousel"} {
		if _, ok := raw.Channels["channel"].Messages[typ]; !ok {
			t.Errorf("channel.messages.%s is not declared", typ)
		}
	}
	for _, a := range []string{"startTypingIndicator", "stopTypingIndicator", "addReaction"} {
		if _, ok := raw.Actions[a]; !ok {
			t.Errorf("action %s is not declared", a)
		}
	}
	for _, e := range []string{"reactionAdded", "reactionRemoved", "memberJoined"} {
		if _, ok := raw.Events[e]; !ok {
			t.Errorf("event %s is not declared", e)
		}
	}
	if _, ok := raw.Secrets["SIGNING_SECRET"]; !ok {
		t.Error("secret SIGNING_SECRET is not declared")
	}
	d := slack.Definition()
	d[0] = 'X'
	if slack.Definition()[0] == 'X' {
		t.Error("Definition returned the embedded bytes, not a copy")
	}
}

// Operations without the platform's headers are refused like @botpress/sdk
// does; this one goes straight to the handler.
func TestMissingHeaders(t *testing.T) {
	t.Parallel()
	h, err := slack.New(func(k string) string {
		return map[string]string{"BP_API_URL": "http://127.0.0.1:1", "SECRET_SIGNING_SECRET": "s"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Missing bot header") {
		t.Errorf("answer = %d %s, want 500 Missing bot header", rec.Code, rec.Body)
	}
}

// clickPayload is a block_actions form body for an action on a message
// with blocks, whose response_url is on hookBase.
func clickPayload(hookBase, blocks, action string) string {
	payload := `{"type":"block_actions","user":{"id":"U0ADA","username":"ada","name":"ada","team_id":"T0CHATSIM"},"api_app_id":"A0CHATSIM","token":"vtok",` +
		`"container":` + inChannel + `,"trigger_id":"1767225604000.1.abc","team":{"id":"T0CHATSIM","domain":"chatsim"},` +
		`"channel":{"id":"C0GENERAL","name":"general"},"message":{"type":"message","user":"U0BOT","bot_id":"B0BOT","ts":"1767225700.000100","text":"What would you like?","blocks":` + blocks + `},` +
		`"state":{"values":{}},"response_url":"` + hookBase + `/actions/T0CHATSIM/1/x","actions":[` + action + `]}`
	return url.Values{"payload": {payload}}.Encode()
}

func TestMarkChoices(t *testing.T) {
	t.Parallel()
	const (
		section  = `{"type":"section","block_id":"text","text":{"type":"mrkdwn","text":"What would you like?"}}`
		buttons  = `{"type":"actions","block_id":"options","elements":[{"type":"button","action_id":"option_0","text":{"type":"plain_text","text":"Tea"},"value":"tea"},{"type":"button","action_id":"option_1","text":{"type":"plain_text","text":"Coffee"},"value":"coffee"}]}`
		dropdown = `{"type":"section","block_id":"text","text":{"type":"mrkdwn","text":"Which size?"},"accessory":{"type":"static_select","action_id":"dropdown","options":[{"text":{"type":"plain_text","text":"Large"},"value":"large"}]}}`
		picker   = `{"type":"actions","block_id":"date","elements":[{"type":"datepicker","action_id":"datepicker"}]}`
		coffee   = `{"action_id":"option_1","block_id":"options","text":{"type":"plain_text","text":"Coffee"},"value":"coffee","type":"button","action_ts":"1767225704.000300"}`
		chosen   = `{"block_id":"chosen","elements":[{"text":"✓ %s chosen by <@U0ADA>","type":"mrkdwn"}],"type":"context"}`
	)
	tests := []struct {
		name      string
		config    string
		blocks    string
		action    string
		hook      string // the response_url base; "" is the stub
		answer    *slackAnswer
		wantHooks []string
		wantText  string // the recorded message's text
		wantFail  string // in the answer's body, when the delivery fails
	}{
		{
			name: "a button", blocks: "[" + section + "," + buttons + "]", action: coffee, wantText: "coffee",
			wantHooks: []string{`response_url {"blocks":[` + readable([]byte(section)) + `,` + fmt.Sprintf(chosen, "Coffee") + `],"replace_original":true,"text":"What would you like?"}`},
		},
		{
			name: "a dropdown", blocks: "[" + dropdown + "]", wantText: "large",
			action:    `{"action_id":"dropdown","block_id":"text","type":"static_select","selected_option":{"text":{"type":"plain_text","text":"Large"},"value":"large"},"action_ts":"1767225704.000300"}`,
			wantHooks: []string{`response_url {"blocks":[{"block_id":"text","text":{"text":"Which size?","type":"mrkdwn"},"type":"section"},` + fmt.Sprintf(chosen, "Large") + `],"replace_original":true,"text":"What would you like?"}`},
		},
		{
			name: "a date", blocks: "[" + section + "," + picker + "]", wantText: "2026-02-14",
			action:    `{"action_id":"datepicker","block_id":"date","type":"datepicker","selected_date":"2026-02-14","action_ts":"1767225704.000300"}`,
			wantHooks: []string{`response_url {"blocks":[` + readable([]byte(section)) + `,` + fmt.Sprintf(chosen, "2026-02-14") + `],"replace_original":true,"text":"What would you like?"}`},
		},
		{
			name: "one card of a carousel", wantText: "coffee", action: strings.Replace(coffee, `"options"`, `"card_1_actions"`, 1),
			blocks: `[{"type":"actions","block_id":"card_0_actions","elements":[{"type":"button","action_id":"a","text":{"type":"plain_text","text":"Tea"},"value":"tea"}]},` +
				`{"type":"actions","block_id":"card_1_actions","elements":[{"type":"button","action_id":"b","text":{"type":"plain_text","text":"Coffee"},"value":"coffee"}]}]`,
			wantHooks: []string{`response_url {"blocks":[{"block_id":"card_0_actions","elements":[{"action_id":"a","text":{"text":"Tea","type":"plain_text"},"type":"button","value":"tea"}],"type":"actions"},` +
				fmt.Sprintf(chosen, "Coffee") + `],"replace_original":true,"text":"What would you like?"}`},
		},
		{name: "markChoices off", config: `"markChoices":false`, blocks: "[" + section + "," + buttons + "]", action: coffee, wantText: "coffee"},
		{
			name: "an expired response_url still records the click", blocks: "[" + section + "," + buttons + "]", action: coffee, wantText: "coffee",
			answer:    &slackAnswer{status: 404, body: "expired_url"},
			wantHooks: []string{`response_url {"blocks":[` + readable([]byte(section)) + `,` + fmt.Sprintf(chosen, "Coffee") + `],"replace_original":true,"text":"What would you like?"}`},
			wantFail:  "post response_url: HTTP 404: expired_url",
		},
		{
			name: "a response_url elsewhere is not posted to", blocks: "[" + section + "," + buttons + "]", action: coffee, wantText: "coffee",
			hook: "https://evil.example", wantFail: "post response_url: https://evil.example is not Slack's",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, withConfig(tt.config))
			if tt.answer != nil {
				w.slack.on("response_url", *tt.answer)
			}
			hook := tt.hook
			if hook == "" {
				hook = w.slack.URL + "/hooks"
			}
			got := w.form(t, clickPayload(hook, tt.blocks, tt.action))
			if tt.wantFail == "" && (got.status != 200 || got.body != "" && got.body != "{}") {
				t.Errorf("answer = %d %q, want 200 and an empty body", got.status, got.body)
			}
			if tt.wantFail != "" && (got.status == 200 || !strings.Contains(got.body, tt.wantFail)) {
				t.Errorf("answer = %d %q, want a failure saying %q", got.status, got.body, tt.wantFail)
			}
			diff(t, "response_url posts", w.slack.hooks(), tt.wantHooks)
			for _, c := range w.slack.all() {
				if c.Method == "response_url" && c.Auth != "" {
					t.Errorf("response_url post with Authorization %q, want none", c.Auth)
				}
			}
			wantMsgs := []string{`incoming text {"text":"` + tt.wantText + `"} conv#1 tags{channel=C0GENERAL, clickedTs=1767225700.000100, ts=action:1767225704.000300}`}
			diff(t, "messages", w.messages(), wantMsgs)
			w.noViolations(t)
		})
	}
}
