package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// world is a fake with its journal, activity and clock.
type world struct {
	srv      *slack.Server
	journal  *fakes.Journal
	activity *fakes.Activity
	clock    *fakes.VirtualClock
	api      *slackgo.Client
}

func newWorld(tb testing.TB, opts ...slack.Option) *world {
	tb.Helper()
	w := &world{journal: fakes.NewJournal(), activity: fakes.NewActivity(), clock: fakes.NewVirtualClock(time.Time{})}
	all := append([]slack.Option{slack.WithJournal(w.journal), slack.WithActivity(w.activity), slack.WithClock(w.clock)}, opts...)
	w.srv = slack.New(tb, all...)
	w.api = slackgo.New(w.srv.BotToken(), slackgo.OptionAPIURL(w.srv.APIURL()))
	return w
}

// settle waits until every request and delivery in flight has finished.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatal(err)
	}
}

// lines renders the journal's observations from source "slack".
func (w *world) lines() []string {
	var out []string
	for _, o := range w.journal.Observations() {
		if o.Source == "slack" {
			out = append(out, o.Kind+" "+o.Text)
		}
	}
	return out
}

// received is one request an app got, verified and parsed with slack-go.
type received struct {
	Header      http.Header
	Body        []byte
	Kind        string // event, interaction, command, url_verification
	VerifyErr   error
	ParseErr    error
	Event       slackevents.EventsAPIEvent
	Interaction slackgo.InteractionCallback
	Command     slackgo.SlashCommand
}

// app is an integration stand-in: an httptest server that verifies every
// request with slack-go and answers with reply.
type app struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	got    []received
	reply  func(n int, r received) (status int, header http.Header, body string)
}

func newApp(tb testing.TB, secret string, reply func(n int, r received) (int, http.Header, string)) *app {
	tb.Helper()
	a := &app{secret: secret, reply: reply}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	tb.Cleanup(a.srv.Close)
	return a
}

func (a *app) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec := received{Header: r.Header.Clone(), Body: body}
	sv, err := slackgo.NewSecretsVerifier(r.Header, a.secret)
	if err == nil {
		_, _ = sv.Write(body)
		err = sv.Ensure()
	}
	rec.VerifyErr = err
	challenge := ""
	switch {
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		var outer struct {
			Type      string `json:"type"`
			Challenge string `json:"challenge"`
		}
		_ = json.Unmarshal(body, &outer)
		if outer.Type == "url_verification" {
			rec.Kind, challenge = "url_verification", outer.Challenge
			rec.Event, rec.ParseErr = slackevents.ParseEvent(body,
				slackevents.OptionVerifyToken(&slackevents.TokenComparator{VerificationToken: slack.DefaultVerificationToken}))
			if rec.ParseErr == nil && rec.Event.Type != slackevents.URLVerification {
				rec.ParseErr = fmt.Errorf("url_verification parsed as %q", rec.Event.Type)
			}
			break
		}
		rec.Kind = "event"
		rec.Event, rec.ParseErr = slackevents.ParseEvent(body,
			slackevents.OptionVerifyToken(&slackevents.TokenComparator{VerificationToken: slack.DefaultVerificationToken}))
	case bytes.HasPrefix(body, []byte("payload=")):
		rec.Kind = "interaction"
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("Content-Type", r.Header.Get("Content-Type"))
		rec.Interaction, rec.ParseErr = slackgo.InteractionCallbackParse(req)
		if rec.ParseErr == nil {
			var raw map[string]any
			rec.ParseErr = json.Unmarshal([]byte(req.PostForm.Get("payload")), &raw)
		}
	default:
		rec.Kind = "command"
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header = r.Header.Clone()
		rec.Command, rec.ParseErr = slackgo.SlashCommandParse(req)
	}
	a.mu.Lock()
	n := len(a.got)
	a.got = append(a.got, rec)
	a.mu.Unlock()
	if challenge != "" {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, challenge)
		return
	}
	status, header, out := http.StatusOK, http.Header(nil), ""
	if a.reply != nil {
		status, header, out = a.reply(n, rec)
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, out)
}

func (a *app) requests() []received {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]received(nil), a.got...)
}

// events returns the inner event types of the event deliveries, in order.
func (a *app) events() []string {
	var out []string
	for _, r := range a.requests() {
		if r.Kind == "event" {
			out = append(out, r.Event.InnerEvent.Type)
		}
	}
	return out
}

func mustJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func fakesFault(op string, status int, msg string, retryAfter float64) fakes.Fault {
	return fakes.Fault{Op: op, Status: status, Message: msg, RetryAfter: retryAfter, Times: 1}
}
