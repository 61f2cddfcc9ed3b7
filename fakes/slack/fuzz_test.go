package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/chatsim/chatsim/fakes"
)

// The fuzz targets here send requests through the fake's own handler, so
// the parsing exercised is the production one: parseParams, blocks,
// attachments and views inside form fields or JSON bodies, response_url
// posts, and the answers an app gives to slash commands and view
// submissions.

type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzz: no network")
}

// fuzzServer starts a fake on the default workspace with a bot message
// (ts 1767225600.000100 in #general) and returns it with its journal.
func fuzzServer(tb testing.TB) (*Server, *fakes.Journal) {
	tb.Helper()
	j := fakes.NewJournal()
	s, err := Start(WithJournal(j), WithHTTPClient(&http.Client{Transport: refuseAll{}}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	p := &params{form: url.Values{"channel": {"C0GENERAL"}, "text": {"Menu"},
		"blocks": {`[{"type":"actions","block_id":"menu","elements":[{"type":"button","action_id":"tea","text":{"type":"plain_text","text":"Tea"},"value":"tea"}]}]`}}}
	if _, e := s.invoke(&call{ctx: context.Background(), method: "chat.postMessage", p: p, token: DefaultBotToken}); e != nil {
		tb.Fatal(e)
	}
	return s, j
}

const firstTS = "1767225600.000100"

var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\b(slack|json|url|http)\.[A-Z]\w*`)

func checkNoGo(t *testing.T, msg string, input ...string) {
	t.Helper()
	all := strings.Join(input, "\x00")
	for _, w := range goWords.FindAllString(msg, -1) {
		if !strings.Contains(all, w) {
			t.Fatalf("error %q names Go internals (%q)", msg, w)
		}
	}
}

// errorCode is the shape of every Slack error: snake_case.
var errorCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// checkAPI checks a Web API answer: HTTP 200 (429 when rate limited, 405
// for a wrong verb), never a 5xx; a JSON object with a boolean ok; an
// error that is a snake_case code with readable messages. It returns the
// decoded body.
func checkAPI(t *testing.T, rec *httptest.ResponseRecorder, input ...string) map[string]json.RawMessage {
	t.Helper()
	switch rec.Code {
	case http.StatusOK, http.StatusTooManyRequests, http.StatusMethodNotAllowed:
	default:
		t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body)
	}
	var ok bool
	if err := json.Unmarshal(body["ok"], &ok); err != nil {
		t.Fatalf("answer has no boolean ok: %s", rec.Body)
	}
	if ok {
		if rec.Code != http.StatusOK {
			t.Fatalf("ok:true with status %d", rec.Code)
		}
		return body
	}
	var code string
	if err := json.Unmarshal(body["error"], &code); err != nil || !errorCode.MatchString(code) {
		t.Fatalf("error %s is not a Slack error code", body["error"])
	}
	var meta struct {
		Messages []string `json:"messages"`
	}
	if raw, has := body["response_metadata"]; has {
		if err := json.Unmarshal(raw, &meta); err != nil {
			t.Fatalf("response_metadata %s: %v", raw, err)
		}
	}
	for _, m := range meta.Messages {
		if m == "" {
			t.Fatal("empty response_metadata message")
		}
		checkNoGo(t, m, input...)
	}
	return body
}

// checkMessages checks what the fake holds after a request: every message
// within Slack's limits (text at most 40,000 characters, at most 50
// blocks, each an object with a type and a string block_id of at most 255
// characters, attachments an array), and every journal observation JSON,
// as Observation.Data promises.
func checkMessages(t *testing.T, s *Server, j *fakes.Journal) {
	t.Helper()
	for _, ch := range []string{"C0GENERAL", "D0ADA"} {
		msgs, err := s.Messages(ch)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			checkMessage(t, m.Text, m.Blocks)
			var as []json.RawMessage
			if len(m.Attachments) > 0 && json.Unmarshal(m.Attachments, &as) != nil {
				t.Fatalf("holds attachments that are not an array: %s", m.Attachments)
			}
		}
	}
	for _, o := range j.Observations() {
		if _, err := json.Marshal(o.Data); err != nil {
			t.Fatalf("journal %s %s: data is not JSON: %v", o.Kind, o.Text, err)
		}
	}
}

func checkMessage(t *testing.T, text string, blocks json.RawMessage) {
	t.Helper()
	if n := len([]rune(text)); n > 40000 {
		t.Fatalf("holds a text of %d characters", n)
	}
	if len(blocks) == 0 {
		return
	}
	var bs []map[string]json.RawMessage
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatalf("holds blocks that are not an array of objects: %v: %s", err, blocks)
	}
	if len(bs) > 50 {
		t.Fatalf("holds %d blocks", len(bs))
	}
	for i, b := range bs {
		var typ, id string
		if json.Unmarshal(b["type"], &typ) != nil || typ == "" {
			t.Fatalf("block %d has no type: %s", i, blocks)
		}
		if json.Unmarshal(b["block_id"], &id) != nil || id == "" || len([]rune(id)) > 255 {
			t.Fatalf("block %d has block_id %s: %s", i, b["block_id"], blocks)
		}
	}
}

// FuzzWebAPIRequest sends arbitrary Web API requests: a method, a token
// in the Authorization header or not, a query string and a body of any
// content type. Every answer must be Slack's envelope, never a 5xx, and
// what the fake then holds must be within Slack's limits.
func FuzzWebAPIRequest(f *testing.F) {
	form := "application/x-www-form-urlencoded"
	js := "application/json; charset=utf-8"
	bearer := "Bearer " + DefaultBotToken
	tok := "token=" + url.QueryEscape(DefaultBotToken) + "&"
	b := func(s string) []byte { return []byte(s) }
	// As slack-go and @slack/web-api send them.
	f.Add(false, "chat.postMessage", form, "", "", b(tok+"channel=C0GENERAL&text=Hello+%3C%40U0ADA%3E"))
	f.Add(false, "chat.postMessage", form, "", "", b(tok+`channel=general&text=x&blocks=%5B%7B%22type%22%3A%22section%22%2C%22text%22%3A%7B%22type%22%3A%22mrkdwn%22%2C%22text%22%3A%22*hi*%22%7D%7D%5D`))
	f.Add(false, "chat.postMessage", js, bearer, "", b(`{"channel":"C0GENERAL","text":"t","blocks":[{"type":"divider"},{"type":"section","block_id":null,"text":{"type":"plain_text","text":"x"}}],"thread_ts":"`+firstTS+`","reply_broadcast":true}`))
	f.Add(false, "chat.postMessage", js, bearer, "", b(`{"channel":"U0ADA","attachments":[{"text":"a","color":"#36a64f"}],"metadata":{"event_type":"x","event_payload":{}}}`))
	f.Add(false, "chat.update", form, "", "", b(tok+"channel=C0GENERAL&ts="+firstTS+"&text=Menu+2&blocks=%5B%5D"))
	f.Add(false, "chat.delete", form, "", "", b(tok+"channel=C0GENERAL&ts="+firstTS))
	f.Add(false, "chat.postEphemeral", js, bearer, "", b(`{"channel":"C0GENERAL","user":"U0ADA","text":"only you"}`))
	f.Add(false, "reactions.add", form, "", "", b(tok+"channel=C0GENERAL&timestamp="+firstTS+"&name=thumbsup"))
	f.Add(false, "conversations.history", form, "", "", b(tok+"channel=C0GENERAL&limit=1&cursor=bmV4dF90czox"))
	f.Add(true, "conversations.list", "", bearer, "types=public_channel,im&limit=2&exclude_archived=true", []byte(nil))
	f.Add(false, "conversations.open", form, "", "", b(tok+"users=U0ADA,U0GRACE&return_im=true"))
	f.Add(true, "users.info", "", "", tok+"user=U0ADA&include_locale=true", []byte(nil))
	f.Add(false, "views.publish", js, bearer, "", b(`{"user_id":"U0ADA","view":{"type":"home","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]}}`))
	f.Add(false, "views.open", js, bearer, "", b(`{"trigger_id":"1.2.abc","view":{"type":"modal","title":{"type":"plain_text","text":"T"},"blocks":[]}}`))
	f.Add(false, "files.getUploadURLExternal", form, "", "", b(tok+"filename=a.txt&length=5"))
	f.Add(false, "files.completeUploadExternal", form, "", "", b(tok+`files=%5B%7B%22id%22%3A%22F1%22%2C%22title%22%3A%22a%22%7D%5D&channel_id=C0GENERAL`))
	f.Add(false, "apps.connections.open", js, "Bearer "+DefaultAppToken, "", b(`{}`))
	f.Add(false, "auth.test", form, "", "", b(tok))
	f.Add(false, "chat.postMessage", "multipart/form-data; boundary=x", "", "", b("--x\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n"+DefaultBotToken+"\r\n--x\r\nContent-Disposition: form-data; name=\"channel\"\r\n\r\nC0GENERAL\r\n--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--x--\r\n"))
	f.Add(false, "chat.postMessage", js, bearer, "", b(`[`))
	f.Add(false, "chat.postMessage", js, bearer, "", b(`{"channel":"C0GENERAL","blocks":"[{\"type\":\"section\",\"block_id\":7}]"}`))
	f.Fuzz(func(t *testing.T, get bool, method, ctype, auth, query string, body []byte) {
		if strings.ContainsAny(method, "/?#% \t\r\n") || strings.ContainsAny(query, "#\r\n") || strings.ContainsAny(auth, "\r\n\x00") {
			return // not a request a client can send
		}
		s, j := fuzzServer(t)
		target := "/api/" + method
		if query != "" {
			target += "?" + query
		}
		verb := http.MethodPost
		if get {
			verb = http.MethodGet
		}
		req, err := http.NewRequest(verb, target, bytes.NewReader(body))
		if err != nil {
			return
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		checkAPI(t, rec, method, query, string(body))
		checkMessages(t, s, j)
	})
}

// FuzzWebAPIEncodings sends one chat method's arguments four ways: a query
// string, a form with the token in it (slack-go), a JSON body with a
// Bearer token and blocks as JSON (@slack/web-api), and multipart, each to
// a fresh fake. Slack reads them alike, so the answers must be the same
// bytes.
func FuzzWebAPIEncodings(f *testing.F) {
	f.Add("chat.postMessage", "C0GENERAL", "Hello", `[{"type":"section","text":{"type":"mrkdwn","text":"*Hello*"}}]`, "", "")
	f.Add("chat.postMessage", "general", "", "", `[{"fallback":"f","text":"t"}]`, firstTS)
	f.Add("chat.postMessage", "U0ADA", "hi", `[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Go"},"action_id":"go"}]}]`, "", "")
	f.Add("chat.update", "C0GENERAL", "Menu, edited", `[{"type":"divider","block_id":"d"}]`, "", firstTS)
	f.Add("chat.postEphemeral", "C0GENERAL", "psst", "", "", "")
	f.Fuzz(func(t *testing.T, method, channel, text, blocks, attachments, ts string) {
		params := map[string]string{"channel": channel}
		add := func(k, v string) {
			if v != "" {
				params[k] = compactJSON(v)
			}
		}
		add("text", text)
		add("blocks", blocks)
		add("attachments", attachments)
		switch method {
		case "chat.postMessage":
			add("thread_ts", ts)
		case "chat.update":
			add("ts", ts)
		case "chat.postEphemeral":
			params["user"] = "U0ADA"
		default:
			return
		}
		for _, v := range params {
			if !validJSONString(v) {
				return // JSON cannot carry it unchanged; the other encodings can
			}
		}
		var first []byte
		for i, enc := range []string{"query", "form", "json", "multipart"} {
			s, j := fuzzServer(t)
			rec := httptest.NewRecorder()
			s.serveHTTP(rec, encode(t, method, enc, params))
			checkAPI(t, rec, text, blocks, attachments, ts, channel)
			checkMessages(t, s, j)
			if i == 0 {
				first = rec.Body.Bytes()
			} else if !bytes.Equal(rec.Body.Bytes(), first) {
				t.Fatalf("%s as %s answers\n%s\nbut as a query string\n%s", method, enc, rec.Body, first)
			}
		}
	})
}

// compactJSON compacts a JSON value (so that every encoding carries the
// same bytes) and leaves anything else as it is.
func compactJSON(v string) string {
	var b bytes.Buffer
	if json.Compact(&b, []byte(v)) == nil {
		return b.String()
	}
	return v
}

// validJSONString reports whether a JSON string round-trips v unchanged.
func validJSONString(v string) bool {
	b, _ := json.Marshal(v)
	var back string
	return json.Unmarshal(b, &back) == nil && back == v
}

func encode(t *testing.T, method, enc string, params map[string]string) *http.Request {
	t.Helper()
	vals := url.Values{}
	keys := make([]string, 0, len(params))
	for k, v := range params {
		vals.Set(k, v)
		keys = append(keys, k)
	}
	sort.Strings(keys)
	target := "/api/" + method
	var (
		body  io.Reader
		ctype string
		verb  = http.MethodPost
		auth  = "Bearer " + DefaultBotToken
	)
	switch enc {
	case "query":
		verb, target = http.MethodGet, target+"?"+vals.Encode()
	case "form":
		vals.Set("token", DefaultBotToken)
		auth = ""
		body, ctype = strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded"
	case "json":
		obj := map[string]json.RawMessage{}
		for k, v := range params {
			tv := strings.TrimSpace(v)
			if (k == "blocks" || k == "attachments") && len(tv) > 0 && tv[0] == '[' && json.Valid([]byte(tv)) {
				obj[k] = json.RawMessage(v)
				continue
			}
			b, _ := json.Marshal(v)
			obj[k] = b
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		body, ctype = bytes.NewReader(b), "application/json; charset=utf-8"
	case "multipart":
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for _, k := range keys {
			if err := mw.WriteField(k, params[k]); err != nil {
				t.Fatal(err)
			}
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		body, ctype = &b, mw.FormDataContentType()
	}
	req, err := http.NewRequest(verb, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req
}

// FuzzResponseURL posts arbitrary bodies to a fresh response_url for the
// bot's message, as an app does after a button click: JSON, or a form with
// payload=<JSON>. The answer must be 200 {"ok":true} or a 4xx with one of
// Slack's words, never a 5xx, and what the post leaves in the channel must
// be within Slack's limits.
func FuzzResponseURL(f *testing.F) {
	js := "application/json"
	f.Add(js, []byte(`{"text":"Thanks!","response_type":"in_channel"}`))
	f.Add(js, []byte(`{"replace_original":true,"text":"Done","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Done*"}}]}`))
	f.Add(js, []byte(`{"delete_original":true}`))
	f.Add(js, []byte(`{"replace_original":false,"delete_original":false,"text":"psst","thread_ts":"`+firstTS+`"}`))
	f.Add(js, []byte(`{"replace_original":true,"blocks":"not blocks"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`payload=%7B%22text%22%3A%22hi%22%7D`))
	f.Add("text/plain", []byte(`ok`))
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		s, j := fuzzServer(t)
		s.mu.Lock()
		hook := s.newResponseURLLocked("actions", "C0GENERAL", "U0ADA", firstTS, "")
		s.mu.Unlock()
		u, err := url.Parse(hook)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, u.Path, bytes.NewReader(body))
		if ctype != "" && !strings.ContainsAny(ctype, "\r\n") {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if got := strings.TrimSpace(rec.Body.String()); got != `{"ok":true}` {
				t.Fatalf("200 with %s", got)
			}
		case http.StatusBadRequest, http.StatusNotFound:
			if !errorCode.MatchString(rec.Body.String()) {
				t.Fatalf("%d with %q, not a Slack error code", rec.Code, rec.Body)
			}
		default:
			t.Fatalf("status %d for an app's post: %s", rec.Code, rec.Body)
		}
		checkMessages(t, s, j)
	})
}

// FuzzAppAnswer feeds arbitrary HTTP answers of an app to the two requests
// whose answer Slack reads: a slash command (an empty body, plain text or a
// JSON message) and a view_submission (empty, or a response_action). The
// fake must take any of them without panicking, keep only messages within
// Slack's limits and views whose body is a JSON object, and journal JSON.
func FuzzAppAnswer(f *testing.F) {
	f.Add(false, "text/plain", []byte("Your order is on its way"))
	f.Add(false, "application/json", []byte(`{"response_type":"in_channel","text":"Order #1","blocks":[{"type":"divider"}]}`))
	f.Add(false, "application/json", []byte(`{"text":"x","blocks":"[{}]"}`))
	f.Add(false, "", []byte(""))
	f.Add(true, "application/json", []byte(`{"response_action":"errors","errors":{"qty":"Must be a number"}}`))
	f.Add(true, "application/json", []byte(`{"response_action":"update","view":{"type":"modal","title":{"type":"plain_text","text":"Next"},"blocks":[]}}`))
	f.Add(true, "application/json", []byte(`{"response_action":"push","view":{"type":"modal","blocks":[1]}}`))
	f.Add(true, "application/json", []byte(`{"response_action":"clear"}`))
	f.Add(true, "text/plain", []byte(""))
	f.Fuzz(func(t *testing.T, submission bool, ctype string, body []byte) {
		s, j := fuzzServer(t)
		if submission {
			v, err := s.OpenModal("U0ADA", map[string]any{"type": "modal", "title": map[string]any{"type": "plain_text", "text": "Order"},
				"blocks": []any{map[string]any{"type": "input", "block_id": "qty", "label": map[string]any{"type": "plain_text", "text": "Qty"},
					"element": map[string]any{"type": "plain_text_input", "action_id": "qty"}}}})
			if err != nil {
				t.Fatal(err)
			}
			s.submissionAnswer(v.ID, body)
			s.mu.Lock()
			for id, v := range s.st.views {
				if _, err := json.Marshal(s.viewJSON(v)); err != nil {
					t.Fatalf("view %s does not render: %v", id, err)
				}
			}
			s.mu.Unlock()
		} else {
			s.commandAnswer("C0GENERAL", "U0ADA", ctype, body)
		}
		checkMessages(t, s, j)
	})
}

// FuzzParseWorkspace reads arbitrary workspace files, as chatsim serve
// --workspace does. A refusal must name the file (and a line when it has
// one) without Go types; a workspace that parses must start a fake, and
// write back as YAML that parses to the same workspace.
func FuzzParseWorkspace(f *testing.F) {
	f.Add([]byte(`team: {id: T0ACME, name: Acme, domain: acme}
users:
  - {id: U0ADA, name: ada, real_name: Ada Lovelace, email: ada@example.com, is_admin: true}
  - {id: U0BOB, name: bob}
channels:
  - {id: C0GENERAL, name: general, general: true, members: [ada, bob, bot]}
  - {id: G0SECRET, name: secret, private: true, members: [ada]}
  - {id: D0ADA, im: ada}
`))
	f.Add([]byte(`{"app":{"bot_token":"xoxb-1-2-x","signing_secret":"s"},"users":[{"id":"U1","name":"u"}],"channels":[]}`))
	f.Add([]byte("users:\n  - id: U1\n    name: [u]\n"))
	f.Add([]byte("users: {}\n"))
	f.Add([]byte("teem: {}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ws, err := ParseWorkspace("fuzz.yaml", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.yaml:") && !strings.HasPrefix(msg, "parse workspace fuzz.yaml:") {
				t.Fatalf("error %q does not name the file", msg)
			}
			checkNoGo(t, msg, string(data))
			return
		}
		s, err := Start(WithWorkspace(ws), WithHTTPClient(&http.Client{Transport: refuseAll{}}))
		if err != nil {
			t.Fatalf("a workspace that parses does not start: %v", err)
		}
		_ = s.Close()
		b, err := yaml.Marshal(ws)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseWorkspace("again.yaml", b)
		if err != nil {
			t.Fatalf("the workspace written back does not parse: %v\n%s", err, b)
		}
		if x, y := mustJSON(t, ws), mustJSON(t, again); x != y { // JSON: an empty list and none are the same
			t.Fatalf("the workspace changes on the way back:\n%s\n%s", x, y)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
