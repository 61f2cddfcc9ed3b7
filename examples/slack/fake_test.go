package slack_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/slack"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	slackfake "github.com/chatsim/chatsim/fakes/slack"
)

// fakeWorld is the integration between the mock platform and chatsim's
// fake Slack (fakes/slack), which checks the Web API calls and the
// response_url posts as Slack does and delivers signed requests.
type fakeWorld struct {
	platform *botpress.Server
	slack    *slackfake.Server
	journal  *fakes.Journal
	activity *fakes.Activity
}

func newFakeWorld(tb testing.TB, rules ...botpress.BotRule) *fakeWorld {
	tb.Helper()
	w := &fakeWorld{journal: fakes.NewJournal(), activity: fakes.NewActivity()}
	clock := fakes.NewVirtualClock(time.Time{})
	w.slack = slackfake.New(tb, slackfake.WithClock(clock), slackfake.WithJournal(w.journal), slackfake.WithActivity(w.activity))
	w.platform = botpress.New(tb,
		botpress.WithDefinition(parseDefinition(tb)),
		botpress.WithConfiguration(json.RawMessage(`{"botToken":"`+w.slack.BotToken()+`"}`), ""),
		botpress.WithClock(clock), botpress.WithJournal(w.journal), botpress.WithActivity(w.activity),
		botpress.WithBot(rules),
	)
	env := map[string]string{
		"BP_API_URL":            w.platform.URL(),
		"SECRET_SIGNING_SECRET": w.slack.SigningSecret(),
		"SLACK_API_URL":         w.slack.URL(),
	}
	h, err := slack.New(func(k string) string { return env[k] })
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	w.platform.SetIntegrationURL(srv.URL)
	if err := w.platform.Register(context.Background()); err != nil {
		tb.Fatalf("register: %v", err)
	}
	if err := w.slack.SetRequestURL(context.Background(), w.platform.WebhookURL()); err != nil {
		tb.Fatalf("set the request URL: %v", err)
	}
	w.slack.SetInteractivityURL(w.platform.WebhookURL())
	w.slack.SetCommandURL(w.platform.WebhookURL())
	w.settle(tb)
	return w
}

func (w *fakeWorld) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatalf("did not settle: %v (pending %v)", err, w.activity.Pending())
	}
}

// lines returns the journal lines of a source and kind, as "kind text".
func (w *fakeWorld) lines(source, kind string) []string {
	var out []string
	for _, o := range w.journal.Observations() {
		if o.Source == source && o.Kind == kind {
			out = append(out, o.Kind+" "+o.Text)
		}
	}
	return out
}

// Against the fake Slack, a click on a choice replaces the message through
// the response_url (its buttons become "✓ Coffee chosen by @ada"), and the
// bot gets the choice as a text message.
func TestClickAgainstTheFake(t *testing.T) {
	t.Parallel()
	choice := botpress.BotRule{When: botpress.BotMatch{Text: "menu"}, Reply: []botpress.Reply{{Type: "choice",
		Payload: json.RawMessage(`{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}`)}}}
	w := newFakeWorld(t, choice, textRule("coffee", "One coffee coming up."))
	if _, err := w.slack.Send(slackfake.Post{User: "ada", Channel: "general", Text: "menu"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if _, err := w.slack.Act(slackfake.Action{User: "ada", Channel: "general", Target: "Coffee"}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)

	diff(t, "the channel", w.slack.Transcript("general"), []string{
		"@ada  ▸ menu",
		"bot  ◂ What would you like? (edited)",
		"bot  ◂ One coffee coming up.",
	})
	msgs, err := w.slack.Messages("general")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(msgs[1].Blocks); !strings.Contains(got, `"block_id":"chosen"`) || !strings.Contains(got, `✓ Coffee chosen by <@U0ADA>`) || strings.Contains(got, `"actions"`) {
		t.Errorf("the choice's blocks after the click = %s, want the buttons replaced by the context line", got)
	}
	diff(t, "response_url posts", w.lines("slack", "response_url"), []string{
		`response_url replace_original channel=C0GENERAL ts=` + msgs[1].TS + ` "What would you like?" blocks[section, context]`,
	})
	var incoming []string
	for _, m := range w.platform.Messages() {
		if m.Direction == "incoming" {
			incoming = append(incoming, readable(m.Payload))
		}
	}
	diff(t, "incoming messages", incoming, []string{`{"text":"menu"}`, `{"text":"coffee"}`})
	for _, v := range w.platform.Violations() {
		t.Errorf("contract violation: %v", v)
	}
}
