package rocketchat_test

import (
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

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

// The tests run the integration between the real mock platform
// (fakes/botpress, with the scripted bot and contract checks) and a stub of
// Rocket.Chat written here: it checks the bot's credentials, records every
// REST call and response_url post, and answers as Rocket.Chat does.

const (
	botID     = "bot00000000000001"
	authToken = "pat-0123456789"
	secret    = "outgoing-token-1"
	// responsePath is where the stub serves response URLs, as chatsim's
	// fake does.
	responsePath = "/api/apps/public/chatsim-interactions/response/"
)

// rcCall is one request the Rocket.Chat stub received: "POST
// chat.postMessage {…}", or "POST response_url {…}".
type rcCall struct {
	Method, Endpoint string
	Header           http.Header
	Body             string // compacted JSON, or the raw body
}

func (c rcCall) String() string {
	s := c.Method + " " + c.Endpoint
	if c.Body != "" {
		s += " " + c.Body
	}
	return s
}

// rcAnswer is a canned answer.
type rcAnswer struct {
	status int
	header map[string]string
	body   string
}

// rcStub is the Rocket.Chat stub.
type rcStub struct {
	*httptest.Server

	mu        sync.Mutex
	calls     []rcCall
	nextMsg   int
	overrides map[string][]rcAnswer // by endpoint; consumed in order, the last one stays
}

func newRCStub(tb testing.TB, firstMsg int) *rcStub {
	tb.Helper()
	s := &rcStub{nextMsg: firstMsg, overrides: map[string][]rcAnswer{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// on makes endpoint ("chat.postMessage", "me", "response_url") answer as,
// in order; the last answer repeats.
func (s *rcStub) on(endpoint string, as ...rcAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[endpoint] = as
}

// seen tells the stub that Rocket.Chat gave id (rcmsg<number>) to a
// message, so the bot's next message gets a later number.
func (s *rcStub) seen(id string) {
	var n int
	if _, err := fmt.Sscanf(id, "rcmsg%d", &n); err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextMsg = max(s.nextMsg, n+1)
}

// responseURL is a response_url the stub serves.
func (s *rcStub) responseURL() string { return s.URL + responsePath + "tok1" }

func (s *rcStub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	body := string(raw)
	if json.Valid(raw) {
		body = fakes.CanonicalJSON(raw) // sorted keys: calls read the same every time
	}
	endpoint := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	if strings.HasPrefix(r.URL.Path, responsePath) {
		endpoint = "response_url"
	}
	s.mu.Lock()
	shown := endpoint
	if r.URL.RawQuery != "" && endpoint != "response_url" {
		shown += "?" + r.URL.RawQuery
	}
	s.calls = append(s.calls, rcCall{Method: r.Method, Endpoint: shown, Header: r.Header.Clone(), Body: body})
	a, overridden := rcAnswer{}, false
	if as := s.overrides[endpoint]; len(as) > 0 {
		a, overridden = as[0], true
		if len(as) > 1 {
			s.overrides[endpoint] = as[1:]
		}
	}
	if !overridden {
		a = s.answerLocked(r, endpoint, raw)
	}
	s.mu.Unlock()
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// answerLocked answers as Rocket.Chat does. s.mu is held.
func (s *rcStub) answerLocked(r *http.Request, endpoint string, raw []byte) rcAnswer {
	if endpoint == "response_url" {
		// The URL is the credential; the bot's headers are not needed.
		return rcAnswer{status: 200, header: map[string]string{"Content-Type": "text/plain"}, body: "ok"}
	}
	if r.Header.Get("X-User-Id") != botID || r.Header.Get("X-Auth-Token") != authToken {
		return rcAnswer{status: 401, body: `{"status":"error","message":"You must be logged in to do this."}`}
	}
	var p map[string]any
	_ = json.Unmarshal(raw, &p)
	message := func(rid string) string {
		s.nextMsg++
		return fmt.Sprintf(`{"_id":"rcmsg%012d","rid":%q,"msg":"","ts":"2026-01-01T00:00:01.000Z","u":{"_id":%q,"username":"chatsimbot","name":"chatsim bot"},"_updatedAt":"2026-01-01T00:00:01.000Z"}`,
			s.nextMsg-1, rid, botID)
	}
	switch r.Method + " " + endpoint {
	case "GET me":
		return rcAnswer{status: 200, body: `{"_id":"` + botID + `","username":"chatsimbot","name":"chatsim bot","status":"online","active":true,"roles":["bot"],"success":true}`}
	case "GET users.info":
		names := map[string][2]string{"ada0000000000000A": {"ada", "Ada Lovelace"}, "grace00000000000G": {"grace", "Grace Hopper"}}
		n, ok := names[r.URL.Query().Get("userId")]
		if !ok {
			return rcAnswer{status: 400, body: `{"success":false,"error":"User not found."}`}
		}
		return rcAnswer{status: 200, body: fmt.Sprintf(`{"user":{"_id":%q,"username":%q,"name":%q,"type":"user","status":"online","active":true,"roles":["user"]},"success":true}`,
			r.URL.Query().Get("userId"), n[0], n[1])}
	case "POST chat.postMessage":
		rid, _ := p["roomId"].(string)
		return rcAnswer{status: 200, body: `{"ts":1767225601000,"channel":"` + rid + `","message":` + message(rid) + `,"success":true}`}
	case "POST chat.sendMessage":
		m, _ := p["message"].(map[string]any)
		rid, _ := m["rid"].(string)
		return rcAnswer{status: 200, body: `{"message":` + message(rid) + `,"success":true}`}
	}
	return rcAnswer{status: 404, body: `{"success":false,"error":"Method not found"}`}
}

// recorded returns the calls so far, as strings.
func (s *rcStub) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.String()
	}
	return out
}

// reset forgets the calls so far.
func (s *rcStub) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

func (s *rcStub) all() []rcCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]rcCall(nil), s.calls...)
}

// world is the integration between the mock platform and the stub.
type world struct {
	rc       *rcStub
	platform *botpress.Server
	activity *fakes.Activity
	journal  *fakes.Journal
	sleeps   *[]time.Duration
}

// worldConfig tunes newWorld.
type worldConfig struct {
	rules    []botpress.BotRule // nil: silent
	config   string             // the install's configuration; "" is {}
	firstMsg int                // the stub's first message number; 0 is 100
}

func newWorld(tb testing.TB, wc worldConfig) *world {
	tb.Helper()
	if wc.rules == nil {
		wc.rules = []botpress.BotRule{}
	}
	if wc.config == "" {
		wc.config = "{}"
	}
	if wc.firstMsg == 0 {
		wc.firstMsg = 100
	}
	def, err := contracts.Parse(rocketchat.Definition(), "definition.json")
	if err != nil {
		tb.Fatal(err)
	}
	w := &world{rc: newRCStub(tb, wc.firstMsg), activity: fakes.NewActivity(), journal: fakes.NewJournal(), sleeps: new([]time.Duration)}
	w.platform = botpress.New(tb,
		botpress.WithDefinition(def), botpress.WithActivity(w.activity), botpress.WithJournal(w.journal), botpress.WithToken("bp-token"),
		botpress.WithBot(wc.rules), botpress.WithConfiguration(json.RawMessage(wc.config), ""))
	env := map[string]string{
		"BP_API_URL":            w.platform.URL(),
		"BP_TOKEN":              "bp-token",
		"ROCKETCHAT_URL":        w.rc.URL,
		"ROCKETCHAT_USER_ID":    botID,
		"ROCKETCHAT_AUTH_TOKEN": authToken,
		"SECRET_WEBHOOK_TOKEN":  secret,
	}
	var mu sync.Mutex
	h, err := rocketchat.New(func(k string) string { return env[k] },
		rocketchat.WithSleep(func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			defer mu.Unlock()
			*w.sleeps = append(*w.sleeps, d)
			return ctx.Err()
		}))
	if err != nil {
		tb.Fatal(err)
	}
	integ := httptest.NewServer(h)
	tb.Cleanup(integ.Close)
	w.platform.SetIntegrationURL(integ.URL)
	return w
}

// deliver POSTs body to the integration's webhook URL as Rocket.Chat does
// and waits until the integration and the bot are done. It returns the
// answer Rocket.Chat gets.
func (w *world) deliver(tb testing.TB, contentType, body string) (int, string) {
	tb.Helper()
	res, err := http.Post(w.platform.WebhookURL(), contentType, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	w.settle(tb)
	return res.StatusCode, string(b)
}

// settle waits until nothing is in flight, for at most 10 s.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatal(err)
	}
}

// messages renders the platform's messages: "incoming text {…} tags{…}".
func (w *world) messages() []string {
	var out []string
	for _, m := range w.platform.Messages() {
		out = append(out, m.Direction+" "+m.Type+" "+fakes.CanonicalJSON(m.Payload)+" "+fakes.FormatTags(m.Tags))
	}
	return out
}

// journalText renders the platform's journal, one observation a line.
func (w *world) journalText() string {
	var b strings.Builder
	for _, o := range w.journal.Observations() {
		fmt.Fprintf(&b, "%-9s %-28s %s\n", o.Source, o.Kind, o.Text)
	}
	return b.String()
}

// noViolations fails tb if the platform recorded contract violations.
func (w *world) noViolations(tb testing.TB) {
	tb.Helper()
	for _, v := range w.platform.Violations() {
		tb.Errorf("contract violation: %v", v)
	}
}

// outgoing is an outgoing-webhook body: text from ada in #general.
func outgoing(token, id, text string) string {
	return fmt.Sprintf(`{"token":%q,"bot":false,"channel_id":"GENERAL","channel_name":"general","message_id":%q,"timestamp":"2026-01-01T00:00:00.000Z","user_id":"ada0000000000000A","user_name":"ada","text":%q,"siteUrl":"http://localhost:3000"}`,
		token, id, text)
}

// diff fails tb when got and want differ, showing both in full.
func diff(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	tb.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}
