package botpress

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// testEnv is one platform with its clock, journal and activity.
type testEnv struct {
	t        testing.TB
	p        *Server
	clock    *fakes.VirtualClock
	journal  *fakes.Journal
	activity *fakes.Activity
	token    string
	client   *http.Client // closes its idle connections before the platform closes
}

func newEnv(t testing.TB, opts ...Option) *testEnv {
	t.Helper()
	e := &testEnv{t: t, clock: fakes.NewVirtualClock(time.Time{}), journal: fakes.NewJournal(), activity: fakes.NewActivity(),
		client: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}}
	all := append([]Option{WithClock(e.clock), WithJournal(e.journal), WithActivity(e.activity)}, opts...)
	e.p = New(t, all...)
	t.Cleanup(e.client.CloseIdleConnections) // runs before the platform's Close
	return e
}

// newEnvToken is newEnv with a bearer token the platform demands and the
// helpers send.
func newEnvToken(t testing.TB, token string, opts ...Option) *testEnv {
	e := newEnv(t, append(opts, WithToken(token))...)
	e.token = token
	return e
}

// result is a Runtime API answer.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// str walks the body by keys: r.str("user", "id").
func (r result) str(path ...string) string {
	var cur any = r.body
	for _, k := range path {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	s, _ := cur.(string)
	return s
}

func (r result) obj(path ...string) map[string]any {
	var cur any = r.body
	for _, k := range path {
		m, _ := cur.(map[string]any)
		cur = m[k]
	}
	m, _ := cur.(map[string]any)
	return m
}

func (r result) list(key string) []any {
	l, _ := r.body[key].([]any)
	return l
}

// call sends a request shaped like @botpress/client's: x-bot-id,
// x-integration-id, x-integration-alias, JSON body, the bearer token. hdr
// overrides headers ("" deletes one). It checks every 2xx answer against
// the spec's response schema and every error against the API error shape.
func (e *testEnv) call(method, path string, body any, hdr ...string) result {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				e.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.p.URL()+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "axios/1.21.1")
	req.Header.Set("x-bot-id", e.p.BotID())
	req.Header.Set("x-integration-id", e.p.IntegrationID())
	req.Header.Set("x-integration-alias", e.p.IntegrationAlias())
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		e.t.Fatalf("%s %s: answer is not a JSON object: %v: %s", method, path, err, raw)
	}
	if strings.HasPrefix(path, "/v1/") {
		checkAnswer(e.t, method, path, r)
	}
	return r
}

// mustCall is call that fails the test unless the answer is 2xx.
func (e *testEnv) mustCall(method, path string, body any, hdr ...string) result {
	e.t.Helper()
	r := e.call(method, path, body, hdr...)
	if r.status/100 != 2 {
		e.t.Fatalf("%s %s: got %d %s", method, path, r.status, r.raw)
	}
	return r
}

var errorIDPattern = regexp.MustCompile(`^err_\d{14}x[0-9A-F]{8}$`)

// checkAnswer checks a 2xx answer against the spec and an error answer
// against the Botpress error shape.
func checkAnswer(t testing.TB, method, path string, r result) {
	t.Helper()
	sp := embeddedSpec
	if r.status/100 != 2 {
		keys := make([]string, 0, len(r.body))
		for k := range r.body {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "code,id,message,type" {
			t.Errorf("%s %s: error body has keys %v, want exactly id, code, type, message: %s", method, path, keys, r.raw)
		}
		typ, _ := r.body["type"].(string)
		code, _ := r.body["code"].(float64)
		if ErrorCode(typ) == 0 || int(code) != ErrorCode(typ) && typ != "Unknown" {
			t.Errorf("%s %s: error type %q with code %v: the type's code is %d", method, path, typ, code, ErrorCode(typ))
		}
		if int(code) != r.status {
			t.Errorf("%s %s: error code %v but HTTP status %d", method, path, code, r.status)
		}
		if id, _ := r.body["id"].(string); !errorIDPattern.MatchString(id) {
			t.Errorf("%s %s: error id %q is not err_<YYYYMMDDHHMMSS>x<8 hex>", method, path, id)
		}
		return
	}
	op := matchOp(sp, method, path)
	if op == nil {
		t.Fatalf("%s %s: no operation of the spec matches", method, path)
	}
	if r.status != op.Status {
		t.Errorf("%s %s: status %d, spec says %d", method, path, r.status, op.Status)
	}
	v, err := decodeAny(r.raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := sp.check(op.Resp, v, ""); err != nil {
		t.Errorf("%s %s: answer breaks the spec's %s response schema: %v\n%s", method, path, op.ID, err, r.raw)
	}
	checkFormats(t, v, path)
}

var (
	timePattern = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)
	idPattern   = regexp.MustCompile(`^(user|conv|msg|evt|state|intver)_[0-9A-HJKMNP-TV-Z]{26}$`)
)

// checkFormats checks ids and dates anywhere in an answer.
func checkFormats(t testing.TB, v any, where string) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			s, isStr := e.(string)
			switch {
			case isStr && (k == "createdAt" || k == "updatedAt"):
				if !timePattern.MatchString(s) {
					t.Errorf("%s: %s %q is not ISO 8601 with milliseconds", where, k, s)
				}
			case isStr && (k == "id" || k == "userId" || k == "conversationId" || k == "messageId"):
				if !idPattern.MatchString(s) {
					t.Errorf("%s: %s %q is not a prefixed ULID", where, k, s)
				}
			case k == "payload" || k == "tags":
				continue
			default:
				checkFormats(t, e, where)
			}
		}
	case []any:
		for _, e := range x {
			checkFormats(t, e, where)
		}
	}
}

// matchOp finds the spec operation for a concrete path.
func matchOp(sp *apiSpec, method, path string) *specOp {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	var best *specOp
	bestLiteral := -1
	for _, op := range sp.ops {
		if op.Method != method {
			continue
		}
		tsegs := strings.Split(op.Path, "/")
		if len(tsegs) != len(segs) {
			continue
		}
		literal, ok := 0, true
		for i, ts := range tsegs {
			if strings.HasPrefix(ts, "{") {
				continue
			}
			if ts != segs[i] {
				ok = false
				break
			}
			literal++
		}
		if ok && literal > bestLiteral {
			best, bestLiteral = op, literal
		}
	}
	return best
}

// wantError checks an error answer's status and type.
func wantError(t testing.TB, r result, status int, typ string) {
	t.Helper()
	if r.status != status || r.str("type") != typ {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, typ)
	}
}

// settle waits until nothing is in flight.
func (e *testEnv) settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.activity.Wait(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// lines renders the journal as "source kind text" lines.
func (e *testEnv) lines() []string {
	var out []string
	for _, o := range e.journal.Observations() {
		out = append(out, o.Source+" | "+o.Kind+" | "+o.Text)
	}
	return out
}

// findLine returns the index of the first journal line holding every part,
// in order, or -1.
func (e *testEnv) findLine(parts ...string) int {
	for i, l := range e.lines() {
		rest, ok := l, true
		for _, p := range parts {
			j := strings.Index(rest, p)
			if j < 0 {
				ok = false
				break
			}
			rest = rest[j+len(p):]
		}
		if ok {
			return i
		}
	}
	return -1
}

func (e *testEnv) wantLine(parts ...string) int {
	e.t.Helper()
	i := e.findLine(parts...)
	if i < 0 {
		e.t.Fatalf("no journal line with %q; journal:\n%s", parts, strings.Join(e.lines(), "\n"))
	}
	return i
}

// seed creates a user and a conversation through the API.
func (e *testEnv) seed() (userID, convID string) {
	e.t.Helper()
	u := e.mustCall("POST", "/v1/chat/users/get-or-create", map[string]any{"tags": map[string]string{"id": "1001"}, "name": "Ada Lovelace"})
	c := e.mustCall("POST", "/v1/chat/conversations/get-or-create", map[string]any{"channel": "channel", "tags": map[string]string{"id": "1001", "chatId": "1001"}})
	return u.str("user", "id"), c.str("conversation", "id")
}

// invocation is one request the fake integration received.
type invocation struct {
	op     string
	header http.Header
	body   map[string]any
	raw    []byte
}

// fakeIntegration is an in-test integration: it records every invocation
// and answers with the handler for its operation (200 {} by default).
type fakeIntegration struct {
	t        testing.TB
	srv      *httptest.Server
	mu       sync.Mutex
	calls    []invocation
	handlers map[string]func(inv invocation) (int, http.Header, string)
}

func newIntegration(t testing.TB, handlers map[string]func(inv invocation) (int, http.Header, string)) *fakeIntegration {
	t.Helper()
	fi := &fakeIntegration{t: t, handlers: handlers}
	fi.srv = httptest.NewServer(http.HandlerFunc(fi.serve))
	t.Cleanup(fi.srv.Close)
	return fi
}

func (fi *fakeIntegration) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	inv := invocation{op: r.Header.Get("x-bp-operation"), header: r.Header.Clone(), raw: raw}
	_ = json.Unmarshal(raw, &inv.body)
	fi.mu.Lock()
	fi.calls = append(fi.calls, inv)
	h := fi.handlers[inv.op]
	fi.mu.Unlock()
	status, hdr, body := 200, http.Header{}, "{}"
	if h != nil {
		status, hdr, body = h(inv)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (fi *fakeIntegration) URL() string { return fi.srv.URL }

func (fi *fakeIntegration) invocations(op string) []invocation {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	var out []invocation
	for _, c := range fi.calls {
		if op == "" || c.op == op {
			out = append(out, c)
		}
	}
	return out
}

// apiFrom is a minimal Runtime API client for the fake integration's
// handlers, using the inbound headers as @botpress/sdk does.
func (e *testEnv) apiFrom(inv invocation, method, path string, body any) map[string]any {
	t, base, token := e.t, e.p.URL(), e.token
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(method, base+path, bytes.NewReader(b))
	if err != nil {
		t.Error(err)
		return nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-bot-id", inv.header.Get("x-bot-id"))
	req.Header.Set("x-integration-id", inv.header.Get("x-integration-id"))
	req.Header.Set("x-integration-alias", inv.header.Get("x-integration-alias"))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode/100 != 2 {
		t.Errorf("integration's %s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
