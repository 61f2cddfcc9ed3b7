package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chatsim/chatsim/fakes"
)

// The fuzz targets here drive the Bot API through the fake's own handler,
// so the parsing they exercise is the production one: parseParams, then
// whatever the method reads from the parameters (entities, parse modes,
// reply_markup, reaction and reply_parameters JSON, uploads).

const (
	fuzzAda   = int64(1001)
	fuzzBob   = int64(1002)
	fuzzGroup = int64(-4001)
)

// refuseAll is a transport that never reaches the network: a webhook URL a
// fuzzer sets must not make the fake POST anywhere.
type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzz: no network")
}

// fuzzServer starts a fake with two users, a private chat and a group, a
// bot message with an inline keyboard (message 1 in Ada's chat), Ada's
// photo (message 2; its file_id is firstPhotoID) and the bot's copy of it
// (message 3), a pending callback query and a queued update for
// getUpdates.
func fuzzServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := Start(WithHTTPClient(&http.Client{Transport: refuseAll{}}), WithDeliveryRetry(1, 0), WithJournal(fakes.NewJournal()))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	for _, u := range []User{{ID: fuzzAda, FirstName: "Ada", Username: "ada"}, {ID: fuzzBob, FirstName: "Bob", Username: "bobby"}} {
		if err := s.AddUser(u); err != nil {
			tb.Fatal(err)
		}
	}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(s.AddChat(Chat{ID: fuzzAda, Type: ChatPrivate}))
	must(s.AddChat(Chat{ID: fuzzGroup, Type: ChatGroup, Title: "Tea club", Username: "teaclub"}))
	must(s.AddMember(fuzzGroup, fuzzAda, StatusMember))
	p := newParams()
	p.vals["chat_id"] = fmt.Sprint(fuzzAda)
	p.vals["text"] = "Menu"
	p.vals["reply_markup"] = `{"inline_keyboard":[[{"text":"Tea","callback_data":"tea"},{"text":"Docs","url":"https://example.com/"}]]}`
	if _, aerr := s.dispatch(&call{ctx: context.Background(), method: "sendMessage", p: p, via: "http"}); aerr != nil {
		tb.Fatal(aerr)
	}
	_, err = s.SendPhoto(fuzzAda, fuzzAda, "a cat", fuzzPNG(tb, 4, 3))
	must(err)
	p = newParams()
	p.vals["chat_id"] = fmt.Sprint(fuzzAda)
	p.vals["photo"] = firstPhotoID
	p.vals["caption"] = "the same cat"
	if _, aerr := s.dispatch(&call{ctx: context.Background(), method: "sendPhoto", p: p, via: "http"}); aerr != nil {
		tb.Fatal(aerr)
	}
	_, err = s.Tap(fuzzAda, fuzzAda, 1, "tea")
	must(err)
	_, err = s.SendText(fuzzAda, fuzzAda, "/start hello @chatsim_bot")
	must(err)
	return s
}

func fuzzPNG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// firstPhotoID is the file_id the fake gives the first photo it stores.
const firstPhotoID = "AgACAgIAAxkBAAIB00000001chatsimfile"

// serve sends req to s's handler with a context that is already done, so a
// long poll (getUpdates with a timeout) answers at once instead of parking.
func serve(s *Server, req *http.Request) *httptest.ResponseRecorder {
	ctx, cancel := context.WithCancel(req.Context())
	cancel()
	rec := httptest.NewRecorder()
	s.serveHTTP(rec, req.WithContext(ctx))
	return rec
}

// goWords are bits of Go that leak into error texts from encoding/json,
// strconv and reflect: the Bot API never says them.
var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\b(telegram|json|url|http)\.[A-Z]\w*`)

// checkNoGo fails when msg names Go types or packages that the input did
// not itself contain.
func checkNoGo(t *testing.T, msg string, input ...string) {
	t.Helper()
	all := strings.Join(input, "\x00")
	for _, w := range goWords.FindAllString(msg, -1) {
		if !strings.Contains(all, w) {
			t.Fatalf("error %q names Go internals (%q)", msg, w)
		}
	}
}

// checkAnswer checks what every Bot API answer must be: never a 5xx for a
// client's request, always a JSON envelope whose ok matches the status and
// whose error has the status as its code and a description. It returns the
// envelope.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, input ...string) Response {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", ct)
	}
	var r Response
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		t.Fatalf("answer is not a Telegram envelope: %v: %s", err, rec.Body)
	}
	if r.OK != (rec.Code == http.StatusOK) {
		t.Fatalf("ok=%v with status %d", r.OK, rec.Code)
	}
	if !r.OK {
		if r.ErrorCode != rec.Code || r.Description == "" {
			t.Fatalf("error envelope %+v with status %d", r, rec.Code)
		}
		checkNoGo(t, r.Description, input...)
	}
	return r
}

// checkLimits checks that a message the fake accepted is one Telegram
// could have stored: text and caption within their lengths, entities
// inside their text, callback data 1–64 bytes, at most 100 buttons.
func checkLimits(t *testing.T, m Message) {
	t.Helper()
	if n := utf8.RuneCountInString(m.Text); n > MaxTextLength {
		t.Fatalf("accepted a text of %d characters", n)
	}
	if n := utf8.RuneCountInString(m.Caption); n > MaxCaptionLength {
		t.Fatalf("accepted a caption of %d characters", n)
	}
	inside := func(what, text string, ents []MessageEntity) {
		n := utf16Len(text)
		for _, e := range ents {
			if e.Offset < 0 || e.Length <= 0 || e.Offset > n || e.Length > n-e.Offset {
				t.Fatalf("%s entity %+v outside a text of %d UTF-16 units", what, e, n)
			}
		}
	}
	inside("text", m.Text, m.Entities)
	inside("caption", m.Caption, m.CaptionEntities)
	if kb := m.ReplyMarkup; kb != nil {
		total := 0
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				total++
				if b.CallbackData != nil && (len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64) {
					t.Fatalf("accepted callback_data of %d bytes", len(*b.CallbackData))
				}
			}
		}
		if total > 100 {
			t.Fatalf("accepted %d inline buttons", total)
		}
	}
}

// checkResult checks a successful method's result: a message must be
// within the limits, re-encode to the same JSON, and be what the chat now
// shows.
func checkResult(t *testing.T, s *Server, method string, raw json.RawMessage) {
	t.Helper()
	switch method {
	case "sendMessage", "sendPhoto", "sendDocument", "editMessageText", "editMessageCaption", "editMessageReplyMarkup":
	default:
		return
	}
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s result is not a Message: %v: %s", method, err, raw)
	}
	checkLimits(t, m)
	again, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, raw) {
		t.Fatalf("%s result does not round-trip:\n%s\n%s", method, raw, again)
	}
	for _, shown := range s.Transcript(m.Chat.ID) {
		if shown.MessageID == m.MessageID {
			b, _ := json.Marshal(shown)
			if !bytes.Equal(b, raw) {
				t.Fatalf("%s answered\n%s\nbut the chat shows\n%s", method, raw, b)
			}
			return
		}
	}
	t.Fatalf("%s answered message %d, which chat %d does not show", method, m.MessageID, m.Chat.ID)
}

// checkJournal checks that every observation's Data marshals, as
// fakes.Observation promises.
func checkJournal(t *testing.T, s *Server) {
	t.Helper()
	for _, o := range s.cfg.journal.Observations() {
		if _, err := json.Marshal(o.Data); err != nil {
			t.Fatalf("journal %s %s: data is not JSON: %v", o.Kind, o.Text, err)
		}
	}
}

// FuzzBotAPIRequest sends arbitrary Bot API requests: a method, a query
// string and a body of any content type (JSON, a form, multipart with
// files, nothing). The fake must answer every one with a Telegram envelope
// and never a 5xx, name no Go types in its errors, accept only messages
// within Telegram's limits, answering with what the chat shows, and
// journal only JSON.
func FuzzBotAPIRequest(f *testing.F) {
	j := func(s string) []byte { return []byte(s) }
	form := "application/x-www-form-urlencoded"
	js := "application/json"
	// From the wire: what tgbotapi, telegraf and grammY send.
	f.Add(false, "sendMessage", form, "", j("chat_id=1001&text=Hello%2C+%2Fstart+%40ada&parse_mode=HTML"))
	f.Add(false, "sendMessage", form, "", j(`chat_id=1001&text=Pick&reply_markup=%7B%22inline_keyboard%22%3A%5B%5B%7B%22text%22%3A%22Tea%22%2C%22callback_data%22%3A%22tea%22%7D%5D%5D%7D`))
	f.Add(false, "sendMessage", js, "", j(`{"chat_id":1001,"text":"*bold* _it_ [x](http://a.b/)","parse_mode":"MarkdownV2"}`))
	f.Add(false, "sendMessage", js, "", j(`{"chat_id":"1001","text":"<b>hi</b> <a href=\"tg://user?id=1002\">Bob</a>","parse_mode":"HTML","reply_markup":{"keyboard":[["Yes",{"text":"No"}]],"resize_keyboard":true}}`))
	f.Add(false, "sendMessage", js, "", j(`{"chat_id":1001,"text":"🙂 hello","entities":[{"type":"bold","offset":0,"length":2},{"type":"italic","offset":3,"length":5}]}`))
	f.Add(false, "sendMessage", js, "", j(`{"chat_id":"@teaclub","text":"hi","reply_parameters":{"message_id":1},"reply_markup":{"force_reply":true}}`))
	f.Add(false, "editMessageText", js, "", j(`{"chat_id":1001,"message_id":1,"text":"Menu 2","reply_markup":{"inline_keyboard":[[{"text":"Coffee","callback_data":"coffee"}]]}}`))
	f.Add(false, "editMessageReplyMarkup", form, "", j(`chat_id=1001&message_id=1&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D`))
	f.Add(false, "editMessageCaption", js, "", j(`{"chat_id":1001,"message_id":3,"caption":"<i>cat</i>","parse_mode":"html"}`))
	f.Add(false, "deleteMessage", form, "", j("chat_id=1001&message_id=1"))
	f.Add(false, "answerCallbackQuery", form, "", j("callback_query_id=4611686018427395823&text=Done&show_alert=true"))
	f.Add(false, "setMessageReaction", js, "", j(`{"chat_id":1001,"message_id":2,"reaction":[{"type":"emoji","emoji":"👍"}]}`))
	f.Add(false, "sendChatAction", form, "", j("chat_id=-4001&action=typing"))
	f.Add(true, "getUpdates", "", "offset=0&limit=100&timeout=30&allowed_updates=%5B%22message%22%2C%22callback_query%22%5D", []byte(nil))
	f.Add(true, "getUpdates", "", "offset=-1", []byte(nil))
	f.Add(false, "setWebhook", js, "", j(`{"url":"https://bot.example.com/hook","secret_token":"s3cret_token-1","max_connections":40,"allowed_updates":["message"],"drop_pending_updates":true}`))
	f.Add(false, "deleteWebhook", form, "", j("drop_pending_updates=true"))
	f.Add(true, "getMe", "", "", []byte(nil))
	f.Add(true, "getFile", "", "file_id="+firstPhotoID, []byte(nil))
	f.Add(true, "getChatMember", "", "chat_id=-4001&user_id=1001", []byte(nil))
	f.Add(false, "sendPhoto", js, "", j(`{"chat_id":1001,"photo":"`+firstPhotoID+`","caption":"again"}`))
	f.Add(false, "sendDocument", js, "", j(`{"chat_id":1001,"document":"https://example.com/a.pdf?x=1"}`))
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.SetBoundary("chatsimfuzzboundary")
	_ = mw.WriteField("chat_id", "1001")
	_ = mw.WriteField("caption", "a <b>small</b> one")
	_ = mw.WriteField("parse_mode", "HTML")
	_ = mw.WriteField("reply_markup", `{"inline_keyboard":[[{"text":"Like","callback_data":"like"}]]}`)
	fw, _ := mw.CreateFormFile("photo", "dot.png")
	_, _ = fw.Write(fuzzPNG(f, 2, 2))
	_ = mw.Close()
	f.Add(false, "sendPhoto", mw.FormDataContentType(), "", mp.Bytes())
	mp.Reset()
	mw = multipart.NewWriter(&mp)
	_ = mw.SetBoundary("chatsimfuzzboundary")
	_ = mw.WriteField("chat_id", "1001")
	_ = mw.WriteField("document", "attach://file0")
	fw, _ = mw.CreateFormFile("file0", "notes.txt")
	_, _ = fw.Write([]byte("hello"))
	_ = mw.Close()
	f.Add(false, "sendDocument", mw.FormDataContentType(), "", mp.Bytes())
	f.Add(false, "sendMessage", "multipart/form-data", "", j("--x\r\n\r\n"))
	f.Add(false, "sendMessage", js, "chat_id=1001&text=q", j(`[1,2]`))

	f.Fuzz(func(t *testing.T, get bool, method, ctype, query string, body []byte) {
		if strings.ContainsAny(method, "/?#% \t\r\n") || strings.ContainsAny(query, "#\r\n") {
			return // not one path segment, or not a request line a client can send
		}
		s := fuzzServer(t)
		target := "/bot" + s.Token() + "/" + method
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
		rec := serve(s, req)
		r := checkAnswer(t, rec, method, ctype, query, string(body))
		if r.OK {
			canon, _ := canonicalMethod(method)
			checkResult(t, s, canon, r.Result)
		}
		checkJournal(t, s)
	})
}

// FuzzBotAPIEncodings sends the same parameters four ways, as a query
// string, a form, a JSON body (JSON-valued parameters as JSON, the rest as
// strings) and multipart/form-data, each to a fresh fake. Telegram does not
// care how parameters arrive, so the four answers must be the same, and
// each must pass checkAnswer. The parameters are the ones that carry JSON
// inside a string: entities, reply_markup, reply_parameters, reaction.
func FuzzBotAPIEncodings(f *testing.F) {
	f.Add("sendMessage", "1001", "Hello *there*", "MarkdownV2", "", `{"inline_keyboard":[[{"text":"Tea","callback_data":"tea"}]]}`, "")
	f.Add("sendMessage", "1001", "Hi Bob", "", `[{"type":"text_mention","offset":3,"length":3,"user":{"id":1002,"is_bot":false,"first_name":"Bob"}}]`, "", `{"message_id":2}`)
	f.Add("sendMessage", "-4001", "<pre><code class=\"language-go\">x := 1</code></pre>", "HTML", "", `{"keyboard":[["A","B"],[{"text":"C","request_contact":true}]],"one_time_keyboard":true}`, "")
	f.Add("sendMessage", "1001", "[link](http://x.y/a\\)b)", "Markdown", "", `{"remove_keyboard":true}`, "")
	f.Add("editMessageText", "1001", "Menu, edited", "", `[{"type":"url","offset":0,"length":4}]`, `{"inline_keyboard":[[{"text":"Web","url":"tg://resolve?domain=x"}]]}`, "")
	f.Add("editMessageCaption", "1001", "cat <b>edited</b>", "HTML", "", "", "")
	f.Add("sendPhoto", "1001", "caption", "", "", `{"inline_keyboard":[[{"text":"x","callback_data":"`+strings.Repeat("d", 65)+`"}]]}`, "")
	f.Add("setMessageReaction", "1001", "", "", "", "", `[{"type":"emoji","emoji":"🔥"}]`)
	f.Fuzz(func(t *testing.T, method, chatID, text, parseMode, entities, markup, extra string) {
		params := map[string]string{"chat_id": chatID}
		add := func(k, v string) {
			if v != "" {
				params[k] = v
			}
		}
		textKey, entKey := "text", "entities"
		switch method {
		case "sendMessage", "editMessageText":
		case "editMessageCaption", "sendPhoto":
			textKey, entKey = "caption", "caption_entities"
		case "setMessageReaction":
		default:
			return
		}
		add(textKey, text)
		add("parse_mode", parseMode)
		add(entKey, entities)
		add("reply_markup", markup)
		switch method {
		case "sendMessage":
			add("reply_parameters", extra)
		case "setMessageReaction":
			add("reaction", extra)
			params["message_id"] = "2"
		case "sendPhoto":
			params["photo"] = firstPhotoID
		default:
			params["message_id"] = "1"
			if method == "editMessageCaption" {
				params["message_id"] = "3"
			}
		}
		for k, v := range params {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return // JSON cannot carry it unchanged; the other encodings can
			}
			params[k] = v
		}
		var answers [4][]byte
		for i, enc := range []string{"query", "form", "json", "multipart"} {
			s := fuzzServer(t)
			req := encode(t, s, method, enc, params)
			rec := serve(s, req)
			r := checkAnswer(t, rec, text, parseMode, entities, markup, extra, chatID)
			if r.OK {
				checkResult(t, s, method, r.Result)
			}
			checkJournal(t, s)
			answers[i] = rec.Body.Bytes()
			if i > 0 && !bytes.Equal(answers[i], answers[0]) {
				t.Fatalf("%s as %s answers\n%s\nbut as a query string\n%s", method, enc, answers[i], answers[0])
			}
		}
	})
}

// encode builds a request for method carrying params in one encoding.
func encode(t *testing.T, s *Server, method, enc string, params map[string]string) *http.Request {
	t.Helper()
	target := "/bot" + s.Token() + "/" + method
	vals := url.Values{}
	for k, v := range params {
		vals.Set(k, v)
	}
	var (
		body  io.Reader
		ctype string
		verb  = http.MethodPost
	)
	switch enc {
	case "query":
		verb, target = http.MethodGet, target+"?"+vals.Encode()
	case "form":
		body, ctype = strings.NewReader(vals.Encode()), "application/x-www-form-urlencoded"
	case "json":
		obj := map[string]json.RawMessage{}
		for k, v := range params {
			tv := strings.TrimSpace(v)
			if len(tv) > 0 && (tv[0] == '{' || tv[0] == '[') && json.Valid([]byte(tv)) {
				obj[k] = json.RawMessage(v) // as telegraf sends reply_markup: a nested object
				continue
			}
			b, _ := json.Marshal(v)
			obj[k] = b
		}
		b, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case "multipart":
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		for k, v := range params {
			if err := mw.WriteField(k, v); err != nil {
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
	return req
}

// captureHook answers every webhook delivery 200 and hands over its
// headers and body.
type captureHook chan delivered

type delivered struct {
	header http.Header
	body   []byte
}

func (c captureHook) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	c <- delivered{r.Header.Clone(), b}
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// secretTokenRule is Telegram's rule for setWebhook's secret_token.
var secretTokenRule = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// FuzzWebhookSecretToken sets a webhook with any secret_token. setWebhook
// must accept exactly the tokens Telegram does (1–256 of A-Z, a-z, 0-9, _
// and -; none at all means no token), and every update delivered then
// must carry exactly that token in X-Telegram-Bot-Api-Secret-Token, which
// is all an integration checks.
func FuzzWebhookSecretToken(f *testing.F) {
	f.Add("s3cret_token-1")
	f.Add("")
	f.Add(strings.Repeat("a", 256))
	f.Add(strings.Repeat("a", 257))
	f.Add("tøken")
	f.Add("a b")
	f.Fuzz(func(t *testing.T, secret string) {
		hooks := make(captureHook, 8)
		s, err := Start(WithHTTPClient(&http.Client{Transport: hooks}), WithDeliveryRetry(1, 0))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if err := s.AddUser(User{ID: fuzzAda, FirstName: "Ada"}); err != nil {
			t.Fatal(err)
		}
		vals := url.Values{"url": {"https://bot.example.com/hook"}, "secret_token": {secret}}
		req := httptest.NewRequest(http.MethodPost, "/bot"+s.Token()+"/setWebhook", strings.NewReader(vals.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := serve(s, req)
		r := checkAnswer(t, rec, secret)
		valid := secret == "" || secretTokenRule.MatchString(secret)
		if r.OK != valid {
			t.Fatalf("setWebhook with secret_token %q: ok=%v (%s), Telegram's rule says %v", secret, r.OK, r.Description, valid)
		}
		if !r.OK {
			return
		}
		if _, err := s.SendText(fuzzAda, fuzzAda, "hi"); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-hooks:
			h, sent := got.header["X-Telegram-Bot-Api-Secret-Token"]
			switch {
			case secret == "" && sent:
				t.Fatalf("no secret_token set, but the delivery carries %q", h)
			case secret != "" && (len(h) != 1 || h[0] != secret):
				t.Fatalf("secret_token %q set, but the delivery carries %q", secret, h)
			}
			var up Update
			if err := json.Unmarshal(got.body, &up); err != nil || up.Message == nil || up.Message.Text != "hi" {
				t.Fatalf("delivered %+v (%v), want the message update", up, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery within 10s of the update")
		}
	})
}

// FuzzInjectUpdate injects arbitrary recorded updates, as a cassette's
// replay and the control API do. A refusal must wrap ErrInvalid, point at
// the field (a JSON pointer) and name no Go types. An update taken must
// come out of getUpdates as JSON with its update_id, ids must keep
// increasing for the updates after it, and the chats it touched must
// still render.
func FuzzInjectUpdate(f *testing.F) {
	f.Add([]byte(`{"update_id":900000001,"message":{"message_id":7,"from":{"id":1001,"is_bot":false,"first_name":"Ada"},"chat":{"id":1001,"type":"private","first_name":"Ada"},"date":1767225600,"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]}}`))
	f.Add([]byte(`{"update_id":5,"callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":1002,"is_bot":false,"first_name":"Bob"},"message":{"message_id":1,"chat":{"id":1001,"type":"private"},"date":1},"chat_instance":"-1","data":"tea"}}`))
	f.Add([]byte(`{"update_id":6,"my_chat_member":{"chat":{"id":-4002,"type":"group","title":"New"},"from":{"id":1001,"is_bot":false,"first_name":"Ada"},"date":1,"old_chat_member":{"user":{"id":123456789,"is_bot":true,"first_name":"chatsim"},"status":"left"},"new_chat_member":{"user":{"id":123456789,"is_bot":true,"first_name":"chatsim"},"status":"member"}}}`))
	f.Add([]byte(`{"update_id":7,"edited_message":{"message_id":1,"chat":{"id":1001,"type":"private"},"date":1,"edit_date":2,"text":"Menu!"}}`))
	f.Add([]byte(`{"update_id":8,"message":{"message_id":9,"chat":{"id":-1001234567890,"type":"supergroup","title":"S"},"date":1,"photo":[{"file_id":"AgAC","file_unique_id":"AQAD","width":90,"height":60,"file_size":100}],"reply_to_message":{"message_id":3,"chat":{"id":1,"type":"x"},"date":1}}}`))
	f.Add([]byte(`{"message":{},"callback_query":{}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := fuzzServer(t)
		u, err := s.InjectUpdate(raw)
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refusal %q does not wrap ErrInvalid", msg)
			}
			if !strings.Contains(msg, "/") {
				t.Fatalf("refusal %q points at no field", msg)
			}
			checkNoGo(t, msg, string(raw))
			return
		}
		if _, err := s.SendText(fuzzAda, fuzzAda, "after"); err != nil {
			t.Fatal(err)
		}
		rec := serve(s, httptest.NewRequest(http.MethodGet, "/bot"+s.Token()+"/getUpdates?allowed_updates=%5B%5D", nil))
		r := checkAnswer(t, rec)
		var ups []map[string]json.RawMessage
		if err := json.Unmarshal(r.Result, &ups); err != nil {
			t.Fatalf("getUpdates result %s: %v", r.Result, err)
		}
		var ids []int64
		found := false
		for _, up := range ups {
			var id int64
			if err := json.Unmarshal(up["update_id"], &id); err != nil {
				t.Fatalf("update without an update_id: %v", up)
			}
			if len(ids) > 0 && id <= ids[len(ids)-1] {
				t.Fatalf("update ids %v then %d: not increasing", ids, id)
			}
			ids = append(ids, id)
			found = found || id == u.UpdateID
		}
		if !found {
			t.Fatalf("injected update %d is not among %v", u.UpdateID, ids)
		}
		for _, c := range s.Chats() {
			if _, err := json.Marshal(s.Transcript(c.ID)); err != nil {
				t.Fatalf("chat %d does not render: %v", c.ID, err)
			}
		}
		checkJournal(t, s)
	})
}
