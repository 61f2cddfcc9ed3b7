package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// apiErr is a Slack Web API error: {"ok":false,"error":code}, HTTP 200
// unless status says otherwise (429 for ratelimited).
type apiErr struct {
	code       string
	status     int
	retryAfter int
	detail     []string // response_metadata.messages
	extra      map[string]any
}

func (e *apiErr) Error() string { return e.code }

func fail(code string) *apiErr { return &apiErr{code: code} }

func invalidArgs(msgs ...string) *apiErr {
	return &apiErr{code: "invalid_arguments", detail: msgs}
}

// Call is one Web API request as the fake saw it.
type Call struct {
	Seq    int            `json:"seq"`
	At     time.Time      `json:"at"` // virtual time
	Method string         `json:"method"`
	Params map[string]any `json:"params"` // without the token
	Error  string         `json:"error,omitempty"`
	Status int            `json:"status"` // HTTP status
	p      *params
}

// params are a Web API call's arguments, from the query, a form, a
// multipart form or a JSON body.
type params struct {
	form url.Values
	js   map[string]json.RawMessage
}

func (p *params) str(k string) string {
	if raw, ok := p.js[k]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		if string(raw) == "null" {
			return ""
		}
		return string(raw)
	}
	return p.form.Get(k)
}

func (p *params) has(k string) bool {
	if _, ok := p.js[k]; ok {
		return true
	}
	_, ok := p.form[k]
	return ok
}

// raw returns a JSON argument: an object or array in a JSON body, or a JSON
// string inside a form field (blocks, attachments, view).
func (p *params) raw(k string) (json.RawMessage, bool) {
	if raw, ok := p.js[k]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return json.RawMessage(s), true
		}
		return raw, true
	}
	if v := p.form.Get(k); v != "" {
		return json.RawMessage(v), true
	}
	return nil, false
}

func (p *params) boolean(k string) bool {
	v := strings.ToLower(p.str(k))
	return v == "true" || v == "1"
}

func (p *params) integer(k string, def int) int {
	v := p.str(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return def
	}
	return n
}

// data returns the arguments for the journal and Calls, without the token.
func (p *params) data() map[string]any {
	out := map[string]any{}
	for k, v := range p.form {
		if k == "token" || len(v) == 0 {
			continue
		}
		out[k] = v[0]
	}
	for k, v := range p.js {
		if k == "token" {
			continue
		}
		var x any
		if json.Unmarshal(v, &x) == nil {
			out[k] = x
		}
	}
	return out
}

// parseParams reads the arguments and the token (form field, query or
// Bearer header; never a JSON body's "token").
func parseParams(r *http.Request) (*params, string, *apiErr) {
	p := &params{form: url.Values{}}
	for k, v := range r.URL.Query() {
		p.form[k] = v
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method == http.MethodPost {
		switch ctype {
		case "application/json":
			body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
			if err != nil {
				return nil, "", fail("invalid_form_data")
			}
			if len(strings.TrimSpace(string(body))) > 0 && string(body) != "null" {
				if err := json.Unmarshal(body, &p.js); err != nil {
					return nil, "", fail("invalid_json")
				}
			}
		case "multipart/form-data":
			if err := r.ParseMultipartForm(32 << 20); err != nil {
				return nil, "", fail("invalid_form_data")
			}
			for k, v := range r.MultipartForm.Value {
				p.form[k] = v
			}
		default:
			body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
			if err != nil {
				return nil, "", fail("invalid_form_data")
			}
			vals, err := url.ParseQuery(string(body))
			if err != nil {
				return nil, "", fail("invalid_form_data")
			}
			for k, v := range vals {
				p.form[k] = v
			}
		}
	}
	token := p.form.Get("token")
	if auth := r.Header.Get("Authorization"); token == "" && auth != "" {
		if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
			token = strings.TrimSpace(t)
		}
	}
	return p, token, nil
}

// call is one Web API invocation in flight.
type call struct {
	ctx    context.Context
	method string
	p      *params
	token  string
	// summary overrides the journal text built from the parameters.
	summary string
}

// methodTier returns the rate-limit tier (0: special) of a method the
// fake implements; ok is false for any other method.
func methodTier(method string) (tier int, ok bool) {
	switch method {
	case "chat.postMessage":
		return 0, true
	case "apps.connections.open":
		return 1, true
	case "reactions.remove", "conversations.list", "users.list":
		return 2, true
	case "chat.update", "chat.delete", "reactions.add", "conversations.info", "conversations.open", "conversations.history", "conversations.replies", "conversations.join", "users.lookupByEmail", "team.info", "bots.info":
		return 3, true
	case "auth.test", "chat.postEphemeral", "chat.getPermalink", "conversations.members", "users.info", "views.open", "views.update", "views.publish", "files.getUploadURLExternal", "files.completeUploadExternal":
		return 4, true
	}
	return 0, false
}

// tierLimit is Slack's published per-minute floor for a tier 1–4 (60 for
// the special tier 0).
func tierLimit(tier int) int {
	return [5]int{0: 60, 1: 1, 2: 20, 3: 50, 4: 100}[tier]
}

// Methods returns the Web API methods the fake implements, sorted.
func Methods() []string {
	return []string{"apps.connections.open", "auth.test", "bots.info", "chat.delete", "chat.getPermalink", "chat.postEphemeral", "chat.postMessage", "chat.update", "conversations.history", "conversations.info", "conversations.join", "conversations.list", "conversations.members", "conversations.open", "conversations.replies", "files.completeUploadExternal", "files.getUploadURLExternal", "reactions.add", "reactions.remove", "team.info", "users.info", "users.list", "users.lookupByEmail", "views.open", "views.publish", "views.update"}
}

// serveAPI serves /api/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, method string) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeAPI(w, nil, fail("method_not_allowed"))
		return
	}
	p, token, perr := parseParams(r)
	if perr != nil {
		s.recordCall(&call{method: method, p: &params{form: url.Values{}}}, perr)
		writeAPI(w, nil, perr)
		return
	}
	c := &call{ctx: r.Context(), method: method, p: p, token: token}
	res, aerr := s.invoke(c)
	writeAPI(w, res, aerr)
}

// writeAPI answers with {"ok":true,…res} or Slack's error envelope.
func writeAPI(w http.ResponseWriter, res map[string]any, e *apiErr) {
	if e != nil {
		body := map[string]any{"ok": false, "error": e.code}
		for k, v := range e.extra {
			body[k] = v
		}
		if len(e.detail) > 0 {
			body["response_metadata"] = map[string]any{"messages": e.detail}
		}
		status := http.StatusOK
		if e.status != 0 {
			status = e.status
		}
		if e.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
		}
		fakes.WriteJSON(w, status, body)
		return
	}
	if res == nil {
		res = map[string]any{}
	}
	res["ok"] = true
	fakes.WriteJSON(w, http.StatusOK, res)
}

// invoke authenticates, applies faults and rate limits, runs the method and
// records it.
func (s *Server) invoke(c *call) (map[string]any, *apiErr) {
	if _, known := methodTier(c.method); !known {
		e := fail("unknown_method")
		s.recordCall(c, e)
		return nil, e
	}
	if e := s.authenticate(c); e != nil {
		s.recordCall(c, e)
		return nil, e
	}
	if f, ok := s.faults.Take(c.method); ok {
		_ = s.cfg.clock.Sleep(c.ctx, time.Duration(f.Delay))
		if e := faultErr(f); e != nil {
			s.recordCall(c, e)
			return nil, e
		}
	}
	if e := s.rateLimit(c); e != nil {
		s.recordCall(c, e)
		return nil, e
	}
	res, e := s.dispatch(c)
	s.recordCall(c, e)
	return res, e
}

// authenticate checks the token: a bot token for every method but
// apps.connections.open, which takes the app-level token.
func (s *Server) authenticate(c *call) *apiErr {
	app := s.cfg.ws.App
	switch {
	case c.token == "":
		return fail("not_authed")
	case c.token == app.BotToken:
		if c.method == "apps.connections.open" {
			return fail("not_allowed_token_type")
		}
	case app.AppToken != "" && c.token == app.AppToken:
		if c.method != "apps.connections.open" && c.method != "auth.test" {
			return fail("not_allowed_token_type")
		}
	default:
		return fail("invalid_auth")
	}
	return nil
}

// faultErr turns an injected fault into Slack's words; nil for a fault
// that only delays. Slack answers API errors with HTTP 200 and
// {"ok":false,"error":…}, so a 4xx fault (but 429) is one: its message is
// the error ("channel_not_found"; invalid_arguments when there is none). A
// 429 is ratelimited with an integer Retry-After; a 5xx is an outage, that
// status with the message as the error (internal_error when none).
func faultErr(f fakes.Fault) *apiErr {
	switch {
	case f.Status == http.StatusTooManyRequests:
		ra := int(math.Ceil(f.RetryAfter))
		if ra < 1 {
			ra = 1
		}
		return &apiErr{code: "ratelimited", status: 429, retryAfter: ra}
	case f.Status >= 400 && f.Status < 500:
		code := f.Message
		if code == "" {
			code = "invalid_arguments"
		}
		return fail(code)
	case f.Status != 0:
		code := f.Message
		if code == "" {
			code = "internal_error"
		}
		return &apiErr{code: code, status: f.Status}
	case f.Message != "":
		return fail(f.Message)
	}
	return nil
}

func (s *Server) dispatch(c *call) (map[string]any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.closed {
		return nil, fail("service_unavailable")
	}
	switch c.method {
	case "auth.test":
		return s.authTest(c)
	case "chat.postMessage":
		return s.postMessage(c)
	case "chat.update":
		return s.chatUpdate(c)
	case "chat.delete":
		return s.chatDelete(c)
	case "chat.postEphemeral":
		return s.postEphemeral(c)
	case "chat.getPermalink":
		return s.getPermalink(c)
	case "reactions.add":
		return s.react(c, true)
	case "reactions.remove":
		return s.react(c, false)
	case "conversations.info":
		return s.convInfo(c)
	case "conversations.open":
		return s.convOpen(c)
	case "conversations.history":
		return s.convHistory(c)
	case "conversations.replies":
		return s.convReplies(c)
	case "conversations.list":
		return s.convList(c)
	case "conversations.members":
		return s.convMembers(c)
	case "conversations.join":
		return s.convJoin(c)
	case "users.info":
		return s.usersInfo(c)
	case "users.list":
		return s.usersList(c)
	case "users.lookupByEmail":
		return s.usersLookup(c)
	case "team.info":
		return s.teamInfo(c)
	case "bots.info":
		return s.botsInfo(c)
	case "views.open":
		return s.viewsOpen(c)
	case "views.update":
		return s.viewsUpdate(c)
	case "views.publish":
		return s.viewsPublish(c)
	case "files.getUploadURLExternal":
		return s.uploadURL(c)
	case "files.completeUploadExternal":
		return s.completeUpload(c)
	case "apps.connections.open":
		return s.connectionsOpen(c)
	}
	return nil, fail("unknown_method")
}

// recordCall appends c to Calls and the journal.
func (s *Server) recordCall(c *call, e *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status := http.StatusOK
	code := ""
	if e != nil {
		code = e.code
		if e.status != 0 {
			status = e.status
		}
	}
	s.st.calls.Add(Call{Seq: s.st.calls.Total() + 1, At: s.now(), Method: c.method, Error: code, Status: status, p: c.p})
	if s.cfg.journal == nil {
		return
	}
	data := c.p.data()
	text := c.summary
	if text == "" {
		text = summarize(c.method, c.p)
	}
	if e != nil {
		if e.status == 429 {
			text = strings.TrimSpace(text + fmt.Sprintf(" → 429 ratelimited (Retry-After %d)", e.retryAfter))
		} else if e.status != 0 {
			text = strings.TrimSpace(text + fmt.Sprintf(" → %d %s", e.status, e.code))
		} else {
			text = strings.TrimSpace(text + " → " + e.code)
		}
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: c.method, Text: text, Data: data, Class: fakes.ClassCall})
}

// Calls returns the Web API requests so far, in order: the last ones
// (WithHistory).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.st.calls.All()
	for i := range out {
		if out[i].Params == nil && out[i].p != nil {
			out[i].Params = out[i].p.data()
		}
		out[i].p = nil
	}
	return out
}

// window is a fixed rate-limit window.
type window struct {
	start time.Time
	count int
}

// rateLimit applies Slack's tiers when they are on: fixed one-minute
// windows on the Server's clock per method (per channel for
// chat.postMessage, about one message a second with bursts).
func (s *Server) rateLimit(c *call) *apiErr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.rateLimits {
		return nil
	}
	tier, _ := methodTier(c.method)
	limit := tierLimit(tier)
	key := c.method
	if c.method == "chat.postMessage" {
		key += "|" + c.p.str("channel")
	}
	now := s.now()
	w := s.st.windows[key]
	if w == nil || now.Sub(w.start) >= time.Minute {
		w = &window{start: now}
		s.st.windows[key] = w
	}
	if w.count >= limit {
		ra := int(math.Ceil(w.start.Add(time.Minute).Sub(now).Seconds()))
		if ra < 1 {
			ra = 1
		}
		return &apiErr{code: "ratelimited", status: http.StatusTooManyRequests, retryAfter: ra}
	}
	w.count++
	return nil
}

// SetRateLimits switches Slack's rate-limit tiers on or off; switching
// resets every window.
func (s *Server) SetRateLimits(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.rateLimits = on
	s.st.windows = map[string]*window{}
}

// summarize renders a call's arguments as a deterministic one-line text:
// ids as key=value in a fixed order, the text quoted, blocks by shape.
func summarize(method string, p *params) string {
	var parts []string
	for _, k := range []string{"channel", "channel_id", "users", "user", "user_id", "ts", "timestamp", "message_ts",
		"thread_ts", "name", "email", "bot", "trigger_id", "view_id", "external_id", "filename", "length",
		"types", "limit", "cursor", "latest", "oldest"} {
		if v := p.str(k); v != "" {
			if k == "name" {
				v = ":" + v + ":"
				parts = append(parts, v)
				continue
			}
			if k == "thread_ts" {
				k = "thread"
			}
			parts = append(parts, k+"="+v)
		}
	}
	if p.boolean("reply_broadcast") {
		parts = append(parts, "broadcast")
	}
	if v := p.str("text"); v != "" {
		parts = append(parts, strconv.Quote(v))
	}
	if raw, ok := p.raw("blocks"); ok {
		parts = append(parts, "blocks"+blocksShape(raw))
	}
	if raw, ok := p.raw("attachments"); ok {
		var a []json.RawMessage
		if json.Unmarshal(raw, &a) == nil && len(a) > 0 {
			parts = append(parts, fmt.Sprintf("attachments[%d]", len(a)))
		}
	}
	if raw, ok := p.raw("view"); ok {
		parts = append(parts, viewShape(raw))
	}
	if raw, ok := p.raw("files"); ok {
		var fs []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if json.Unmarshal(raw, &fs) == nil {
			for _, f := range fs {
				parts = append(parts, "file="+f.ID)
			}
		}
	}
	if v := p.str("initial_comment"); v != "" {
		parts = append(parts, strconv.Quote(v))
	}
	return strings.Join(parts, " ")
}

// blocksShape renders blocks as [section, actions[Tea][Coffee]].
func blocksShape(raw json.RawMessage) string {
	var blocks []map[string]any
	if json.Unmarshal(raw, &blocks) != nil {
		return "(invalid)"
	}
	var out []string
	for _, b := range blocks {
		t, _ := b["type"].(string)
		switch t {
		case "actions":
			var sb strings.Builder
			sb.WriteString("actions")
			els, _ := b["elements"].([]any)
			for _, e := range els {
				em, _ := e.(map[string]any)
				sb.WriteString("[" + elementLabel(em) + "]")
			}
			out = append(out, sb.String())
		case "section":
			if acc, ok := b["accessory"].(map[string]any); ok {
				out = append(out, "section["+elementLabel(acc)+"]")
			} else {
				out = append(out, "section")
			}
		case "input":
			out = append(out, "input("+plainText(b["label"])+")")
		default:
			out = append(out, t)
		}
	}
	return "[" + strings.Join(out, ", ") + "]"
}

// elementLabel names an interactive element: a button's text, a menu's
// placeholder or its type.
func elementLabel(e map[string]any) string {
	if e == nil {
		return "?"
	}
	if t := plainText(e["text"]); t != "" {
		return t
	}
	if t := plainText(e["placeholder"]); t != "" {
		return t
	}
	t, _ := e["type"].(string)
	return t
}

func plainText(v any) string {
	m, _ := v.(map[string]any)
	t, _ := m["text"].(string)
	return t
}

func viewShape(raw json.RawMessage) string {
	var v map[string]any
	if json.Unmarshal(raw, &v) != nil {
		return "view(invalid)"
	}
	t, _ := v["type"].(string)
	out := t
	if title := plainText(v["title"]); title != "" {
		out += " " + strconv.Quote(title)
	}
	if cb, _ := v["callback_id"].(string); cb != "" {
		out += " callback=" + cb
	}
	if b, ok := v["blocks"]; ok {
		bb, _ := json.Marshal(b)
		out += " blocks" + blocksShape(bb)
	}
	return out
}
