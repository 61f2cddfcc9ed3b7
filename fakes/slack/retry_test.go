package slack_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

func retryHeaders(rs []received) []string {
	var out []string
	for _, r := range rs {
		if r.Kind != "event" {
			continue
		}
		out = append(out, r.Header.Get("X-Slack-Retry-Num")+"/"+r.Header.Get("X-Slack-Retry-Reason"))
	}
	return out
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		reply     func(n int, r received) (int, http.Header, string)
		want      []string // Retry-Num/Reason of each event delivery
		moved     time.Duration
		journaled string
	}{
		{
			name: "500 then 200",
			reply: func(n int, r received) (int, http.Header, string) {
				if n == 1 { // n == 0 was url_verification
					return 500, nil, ""
				}
				return 200, nil, ""
			},
			want: []string{"/", "1/http_error"}, moved: 0,
			journaled: "→ 500 Internal Server Error (retrying in 0s)",
		},
		{
			name:  "always failing, on Slack's schedule",
			reply: func(int, received) (int, http.Header, string) { return 503, nil, "" },
			want:  []string{"/", "1/http_error", "2/http_error", "3/http_error"}, moved: 6 * time.Minute,
			journaled: "(dropped after 4 attempts)",
		},
		{
			name: "X-Slack-No-Retry",
			reply: func(int, received) (int, http.Header, string) {
				return 500, http.Header{"X-Slack-No-Retry": {"1"}}, ""
			},
			want: []string{"/"}, moved: 0, journaled: "(X-Slack-No-Retry: not retried)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			a := newApp(t, w.srv.SigningSecret(), tc.reply)
			if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
				t.Fatal(err)
			}
			start := w.clock.Now()
			if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
				t.Fatal(err)
			}
			w.settle(t)
			if got := retryHeaders(a.requests()); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("deliveries = %v, want %v", got, tc.want)
			}
			for _, r := range a.requests() {
				if r.VerifyErr != nil {
					t.Errorf("verify: %v", r.VerifyErr)
				}
			}
			if moved := w.clock.Now().Sub(start); moved != tc.moved {
				t.Errorf("virtual clock moved %v, want %v", moved, tc.moved)
			}
			if j := strings.Join(w.lines(), "\n"); !strings.Contains(j, tc.journaled) {
				t.Errorf("journal lacks %q:\n%s", tc.journaled, j)
			}
		})
	}
}

func TestRetryOnTimeout(t *testing.T) {
	t.Parallel()
	w := newWorld(t, slack.WithAckTimeout(500*time.Millisecond))
	var mu sync.Mutex
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(got)
		got = append(got, r.Header.Get("X-Slack-Retry-Num")+"/"+r.Header.Get("X-Slack-Retry-Reason"))
		mu.Unlock()
		_, _ = io.ReadAll(r.Body) // the server notices the fake hanging up only once the body is read
		if n == 0 {
			<-r.Context().Done() // too slow: the fake gives up first
			return
		}
		rw.WriteHeader(200)
	}))
	t.Cleanup(app.Close)
	w.srv.SetInteractivityURL(app.URL)
	w.srv.SetCommandURL(app.URL)
	ctx := context.Background()
	// The Request URL is set without verification here: the slow app
	// would not answer the challenge in time.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, w.srv.URL()+fakes.ControlPrefix+"request-url",
		strings.NewReader(fmt.Sprintf(`{"events":%q}`, app.URL)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, " ") != "/ 1/http_timeout" {
		t.Errorf("deliveries = %v, want [/ 1/http_timeout]", got)
	}
}

func TestDuplicateDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	a := newApp(t, w.srv.SigningSecret(), nil)
	if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
		t.Fatal(err)
	}
	w.srv.DuplicateDeliveries(1)
	if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	var ids []string
	for _, r := range a.requests() {
		if r.Kind == "event" {
			cb := r.Event.Data.(*slackevents.EventsAPICallbackEvent)
			ids = append(ids, cb.EventID)
		}
	}
	if len(ids) != 2 || ids[0] != ids[1] {
		t.Errorf("event ids = %v, want the same id twice", ids)
	}
}

func TestSigning(t *testing.T) {
	t.Parallel()
	recorded := `{"token":"OLDTOKEN","team_id":"T0CHATSIM","api_app_id":"A0CHATSIM","type":"event_callback","event_id":"Ev0RECORDED1","event_time":1700000000,` +
		`"event":{"type":"message","user":"U0ADA","text":"recorded hi","ts":"1700000000.000200","channel":"C0GENERAL","channel_type":"channel","event_ts":"1700000000.000200"}}`
	tests := []struct {
		name  string
		fault string
		want  error
	}{
		{"re-signed replay verifies", "", nil},
		{"stale timestamp is rejected", slack.SignStale, slackgo.ErrExpiredTimestamp},
		{"bad signature is rejected", slack.SignBad, slackgo.ErrInvalidSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			a := newApp(t, w.srv.SigningSecret(), nil)
			if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
				t.Fatal(err)
			}
			if tc.fault != "" {
				if err := w.srv.SetSigningFault(tc.fault, 1); err != nil {
					t.Fatal(err)
				}
			}
			title, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "event_callback", Body: []byte(recorded), Header: http.Header{
				"X-Slack-Request-Timestamp": {"1700000000"}, "X-Slack-Signature": {"v0=00"}}})
			if err != nil {
				t.Fatal(err)
			}
			if title != "slack → integration: message in #general from ada: recorded hi" {
				t.Errorf("title = %q", title)
			}
			w.settle(t)
			rs := a.requests()
			last := rs[len(rs)-1]
			if !errors.Is(last.VerifyErr, tc.want) {
				t.Errorf("verify = %v, want %v", last.VerifyErr, tc.want)
			}
			if tc.fault == "" && (last.ParseErr != nil || last.Event.Token != slack.DefaultVerificationToken) {
				t.Errorf("parse = %v, token %q", last.ParseErr, last.Event.Token)
			}
			h, err := w.api.GetConversationHistory(&slackgo.GetConversationHistoryParameters{ChannelID: "C0GENERAL"})
			if err != nil || len(h.Messages) != 1 || h.Messages[0].Text != "recorded hi" {
				t.Errorf("history after replay = %+v %v", h, err)
			}
		})
	}
}

// A recorded redelivery replays as one: the app sees X-Slack-Retry-Num and
// X-Slack-Retry-Reason as it did, and a failure goes on from there on
// Slack's schedule.
func TestReplayedRetry(t *testing.T) {
	t.Parallel()
	recorded := `{"token":"OLDTOKEN","team_id":"T0CHATSIM","api_app_id":"A0CHATSIM","type":"event_callback","event_id":"Ev0RECORDED2","event_time":1700000000,` +
		`"event":{"type":"message","user":"U0ADA","text":"again","ts":"1700000000.000300","channel":"C0GENERAL","channel_type":"channel","event_ts":"1700000000.000300"}}`
	tests := []struct {
		name  string
		reply func(n int, r received) (int, http.Header, string)
		want  []string
		title string
	}{
		{
			name: "answered", want: []string{"1/http_timeout"},
			title: "slack → integration: message in #general from ada: again (retry 1, http_timeout)",
		},
		{
			name: "failing again",
			reply: func(n int, r received) (int, http.Header, string) {
				if n == 1 {
					return 500, nil, ""
				}
				return 200, nil, ""
			},
			want:  []string{"1/http_timeout", "2/http_error"},
			title: "slack → integration: message in #general from ada: again (retry 1, http_timeout)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			a := newApp(t, w.srv.SigningSecret(), tc.reply)
			if err := w.srv.SetWebhookTarget(context.Background(), a.srv.URL); err != nil {
				t.Fatal(err)
			}
			title, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "event_callback", Body: []byte(recorded), Header: http.Header{
				"X-Slack-Retry-Num": {"1"}, "X-Slack-Retry-Reason": {"http_timeout"}}})
			if err != nil {
				t.Fatal(err)
			}
			if title != tc.title {
				t.Errorf("title = %q, want %q", title, tc.title)
			}
			w.settle(t)
			if got := retryHeaders(a.requests()); strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("deliveries = %v, want %v", got, tc.want)
			}
			for _, r := range a.requests() {
				if r.VerifyErr != nil {
					t.Errorf("verify: %v", r.VerifyErr)
				}
			}
		})
	}
}
