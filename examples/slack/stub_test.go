package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/slack"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

// The tests run the integration between the real mock platform
// (fakes/botpress) and a stub of the Slack Web API written here, which
// records every call and answers like Slack: HTTP 200 with {"ok": …}.

const (
	botToken      = "xoxb-1-2-testtoken"
	signingSecret = "8f742231b10e8888abcd99e5b5e1a2c3"
	bpToken       = "bp-token"
)

// epoch is the simulated "now" every test signs with and the integration
// checks against (WithClock): 2026-01-01T00:00:10Z.
var epoch = time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)

// slackCall is one Web API call the stub received.
type slackCall struct {
	Method      string // "chat.postMessage"
	ContentType string
	Auth        string
	Body        string // compacted JSON, or the form re-encoded with sorted keys
}

func (c slackCall) String() string { return c.Method + " " + c.Body }

// slackAnswer is a canned answer: status (200 when 0), headers, body.
type slackAnswer struct {
	status int
	header map[string]string
	body   string
}

// slackStub is a recording Slack Web API.
type slackStub struct {
	*httptest.Server

	mu        sync.Mutex
	calls     []slackCall
	posted    int
	overrides map[string][]slackAnswer // consumed in order; the last one stays
}

func newSlackStub(tb testing.TB) *slackStub {
	tb.Helper()
	s := &slackStub{overrides: map[string][]slackAnswer{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// on makes method answer with as, in order; the last answer repeats.
func (s *slackStub) on(method string, as ...slackAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.overrides[method] = as
}

var slackUsers = map[string]string{
	"U0ADA":   `{"id":"U0ADA","team_id":"T0CHATSIM","name":"ada","real_name":"Ada Lovelace","is_bot":false,"profile":{"real_name":"Ada Lovelace","display_name":"ada"}}`,
	"U0GRACE": `{"id":"U0GRACE","team_id":"T0CHATSIM","name":"grace","real_name":"Grace Hopper","is_bot":false,"profile":{"real_name":"Grace Hopper","display_name":"grace"}}`,
	"U0BOT":   `{"id":"U0BOT","team_id":"T0CHATSIM","name":"chatsim","is_bot":true,"profile":{"real_name":"chatsim","display_name":""}}`,
}

func (s *slackStub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.URL.Path, "/hooks/") {
		// A response_url: no token, a JSON body, {"ok":true}.
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil {
			buf.Reset()
			buf.Write(raw)
		}
		s.mu.Lock()
		s.calls = append(s.calls, slackCall{Method: "response_url", ContentType: r.Header.Get("Content-Type"), Auth: r.Header.Get("Authorization"), Body: readable(buf.Bytes())})
		a, overridden := slackAnswer{}, false
		if as := s.overrides["response_url"]; len(as) > 0 {
			a, overridden = as[0], true
			if len(as) > 1 {
				s.overrides["response_url"] = as[1:]
			}
		}
		s.mu.Unlock()
		if !overridden {
			a = slackAnswer{body: `{"ok":true}`}
		}
		if a.status == 0 {
			a.status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	c := slackCall{Method: method, ContentType: r.Header.Get("Content-Type"), Auth: r.Header.Get("Authorization"), Body: string(raw)}
	params := map[string]string{}
	if strings.HasPrefix(c.ContentType, "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(raw))
		c.Body = form.Encode() // sorted by key
		for k := range form {
			params[k] = form.Get(k)
		}
	} else {
		var buf bytes.Buffer
		if json.Compact(&buf, raw) == nil {
			c.Body = buf.String()
		}
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		for k, v := range m {
			if str, ok := v.(string); ok {
				params[k] = str
			}
		}
	}
	s.mu.Lock()
	s.calls = append(s.calls, c)
	a, overridden := slackAnswer{}, false
	if as := s.overrides[method]; len(as) > 0 {
		a, overridden = as[0], true
		if len(as) > 1 {
			s.overrides[method] = as[1:]
		}
	}
	if !overridden && method == "chat.postMessage" && c.Auth == "Bearer "+botToken {
		s.posted++
		a.body = fmt.Sprintf(`{"ok":true,"channel":%q,"ts":"1767225700.%06d","message":{"type":"message","text":"…","user":"U0BOT","bot_id":"B0BOT"}}`, params["channel"], s.posted*100)
	}
	s.mu.Unlock()
	if !overridden && a.body == "" {
		a = slackDefaults(method, c.Auth, params)
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

// slackDefaults answers as Slack would with the stub's one workspace.
func slackDefaults(method, auth string, params map[string]string) slackAnswer {
	if auth != "Bearer "+botToken {
		if auth == "" {
			return slackAnswer{body: `{"ok":false,"error":"not_authed"}`}
		}
		return slackAnswer{body: `{"ok":false,"error":"invalid_auth"}`}
	}
	switch method {
	case "auth.test":
		return slackAnswer{body: `{"ok":true,"url":"https://chatsim.slack.com/","team":"chatsim","user":"chatsim","team_id":"T0CHATSIM","user_id":"U0BOT","bot_id":"B0BOT","is_enterprise_install":false}`}
	case "users.info":
		if u, ok := slackUsers[params["user"]]; ok {
			return slackAnswer{body: `{"ok":true,"user":` + u + `}`}
		}
		return slackAnswer{body: `{"ok":false,"error":"user_not_found"}`}
	case "reactions.add", "reactions.remove":
		if params["channel"] == "" || params["timestamp"] == "" || params["name"] == "" {
			return slackAnswer{body: `{"ok":false,"error":"invalid_arguments"}`}
		}
		return slackAnswer{body: `{"ok":true}`}
	}
	return slackAnswer{body: `{"ok":false,"error":"unknown_method"}`}
}

// recorded returns the calls so far as "method body".
func (s *slackStub) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.calls))
	for i, c := range s.calls {
		out[i] = c.String()
	}
	return out
}

// hooks returns the response_url posts so far as "response_url body", the
// body with sorted keys.
func (s *slackStub) hooks() []string {
	var out []string
	for _, c := range s.all() {
		if c.Method == "response_url" {
			out = append(out, c.String())
		}
	}
	return out
}

func (s *slackStub) all() []slackCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// world is the integration between the mock platform and the Slack stub.
type world struct {
	platform *botpress.Server
	slack    *slackStub
	activity *fakes.Activity
	url      string // the integration's own URL

	mu     sync.Mutex
	sleeps []time.Duration
}

// worldConfig are newWorld's knobs.
type worldConfig struct {
	rules      []botpress.BotRule // nil: a silent bot
	noRegister bool
	config     string // extra configuration fields, `"markChoices":false`
}

type worldOption func(*worldConfig)

// withRules makes the scripted bot answer by rules.
func withRules(rules ...botpress.BotRule) worldOption {
	return func(c *worldConfig) { c.rules = rules }
}

// withConfig adds fields to the install's configuration.
func withConfig(fields string) worldOption { return func(c *worldConfig) { c.config = fields } }

// unregistered leaves register out.
func unregistered() worldOption { return func(c *worldConfig) { c.noRegister = true } }

func parseDefinition(tb testing.TB) *contracts.Definition {
	tb.Helper()
	def, err := contracts.Parse(slack.Definition(), "definition.json")
	if err != nil {
		tb.Fatalf("parse definition: %v", err)
	}
	return def
}

// newWorld starts the platform, the Slack stub and the integration, and
// registers the install.
func newWorld(tb testing.TB, opts ...worldOption) *world {
	tb.Helper()
	cfg := worldConfig{}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.rules == nil {
		cfg.rules = []botpress.BotRule{}
	}
	w := &world{slack: newSlackStub(tb), activity: fakes.NewActivity()}
	w.platform = botpress.New(tb,
		botpress.WithDefinition(parseDefinition(tb)),
		botpress.WithConfiguration(json.RawMessage(`{"botToken":"`+botToken+`"`+strings.TrimSuffix(","+cfg.config, ",")+`}`), ""),
		botpress.WithToken(bpToken),
		botpress.WithActivity(w.activity),
		botpress.WithBot(cfg.rules),
		botpress.WithIDs("", "", "", "slack", ""),
	)
	env := map[string]string{
		"BP_API_URL":            w.platform.URL(),
		"BP_TOKEN":              bpToken,
		"SECRET_SIGNING_SECRET": signingSecret,
		"SLACK_API_URL":         w.slack.URL,
	}
	h, err := slack.New(func(k string) string { return env[k] },
		slack.WithClock(func() time.Time { return epoch }),
		slack.WithSleep(func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.sleeps = append(w.sleeps, d)
			return ctx.Err()
		}))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	w.url = srv.URL
	w.platform.SetIntegrationURL(srv.URL)
	if !cfg.noRegister {
		if err := w.platform.Register(context.Background()); err != nil {
			tb.Fatalf("register: %v", err)
		}
	}
	return w
}

// sign returns Slack's headers for body, signed at ts.
func sign(body string, ts time.Time) map[string]string {
	secs := strconv.FormatInt(ts.Unix(), 10)
	return map[string]string{
		"X-Slack-Request-Timestamp": secs,
		"X-Slack-Signature":         "v0=" + fakes.HMACSHA256Hex([]byte(signingSecret), []byte("v0:"+secs+":"+body)),
	}
}

// delivery is what the webhook answered.
type delivery struct {
	status      int
	contentType string
	body        string
}

// post sends a request to the platform's webhook URL as Slack would (with
// headers, usually from sign) and waits until everything it caused (the
// bot's replies) is over.
func (w *world) post(tb testing.TB, contentType, body string, headers map[string]string) delivery {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, w.platform.WebhookURL(), strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	w.settle(tb)
	return delivery{status: res.StatusCode, contentType: res.Header.Get("Content-Type"), body: string(data)}
}

// event delivers an Events API body, signed now.
func (w *world) event(tb testing.TB, body string, extra ...string) delivery {
	tb.Helper()
	h := sign(body, epoch)
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return w.post(tb, "application/json", body, h)
}

// form delivers a form body (interactivity, slash commands), signed now.
func (w *world) form(tb testing.TB, body string) delivery {
	tb.Helper()
	return w.post(tb, "application/x-www-form-urlencoded", body, sign(body, epoch))
}

// settle waits until the platform has nothing in flight.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatalf("platform did not settle: %v (pending %v)", err, w.activity.Pending())
	}
}

// messages renders the platform's messages as
// "incoming text {"text":"hi"} conv=<n> tags{…}", conversations numbered in
// order of appearance.
func (w *world) messages() []string {
	convs := map[string]int{}
	for i, c := range w.platform.Conversations() {
		convs[c.ID] = i + 1
	}
	var out []string
	for _, m := range w.platform.Messages() {
		out = append(out, fmt.Sprintf("%s %s %s conv#%d %s", m.Direction, m.Type, readable(m.Payload), convs[m.ConversationID], fakes.FormatTags(m.Tags)))
	}
	return out
}

// conversations renders the platform's conversations as "conv#<n> tags{…}".
func (w *world) conversations() []string {
	var out []string
	for i, c := range w.platform.Conversations() {
		out = append(out, fmt.Sprintf("conv#%d %s %s", i+1, c.Channel, fakes.FormatTags(c.Tags)))
	}
	return out
}

// events renders the platform's events as "type payload conv#<n> msg?".
func (w *world) events() []string {
	convs := map[string]int{}
	for i, c := range w.platform.Conversations() {
		convs[c.ID] = i + 1
	}
	msgs := map[string]int{}
	for i, m := range w.platform.Messages() {
		msgs[m.ID] = i + 1
	}
	users := map[string]string{}
	for _, u := range w.platform.Users() {
		users[u.ID] = u.Tags["id"]
	}
	var out []string
	for _, e := range w.platform.Events() {
		s := fmt.Sprintf("%s %s conv#%d user=%s", e.Type, readable(e.Payload), convs[e.ConversationID], users[e.UserID])
		if e.MessageID != "" {
			s += fmt.Sprintf(" msg#%d", msgs[e.MessageID])
		}
		out = append(out, s)
	}
	return out
}

// users renders the platform's users but the bot as "name tags{…}".
func (w *world) users() []string {
	var out []string
	for _, u := range w.platform.Users() {
		if u.ID == w.platform.BotUserID() {
			continue
		}
		out = append(out, u.Name+" "+fakes.FormatTags(u.Tags))
	}
	return out
}

// noViolations fails tb if the platform saw a contract violation.
func (w *world) noViolations(tb testing.TB) {
	tb.Helper()
	for _, v := range w.platform.Violations() {
		tb.Errorf("contract violation: %v", v)
	}
}

// diff fails tb when got and want differ, showing both in full.
func diff(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	tb.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

// textRule answers text with a text reply.
func textRule(text, reply string) botpress.BotRule {
	return botpress.BotRule{
		When:  botpress.BotMatch{Text: text},
		Reply: []botpress.Reply{{Type: "text", Payload: json.RawMessage(`{"text":` + strconv.Quote(reply) + `}`)}},
	}
}

// readable renders JSON with sorted keys and <, >, & as they are.
func readable(raw []byte) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return string(raw)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
