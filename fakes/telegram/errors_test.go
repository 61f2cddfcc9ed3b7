package telegram_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// errorWorld sets a scene for error cases: ada's chat with a bot message
// (id 2) carrying a keyboard, and bob who blocked the bot.
func errorWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": "Pick one",
		"reply_markup": map[string]any{"inline_keyboard": [][]map[string]string{{{"text": "Tea", "callback_data": "tea"}}}}})
	mustOK(t, status, r, nil)
	if _, err := w.srv.SendText(bob, bob, "/start"); err != nil {
		t.Fatal(err)
	}
	if err := w.srv.Block(bob); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAPIErrors(t *testing.T) {
	t.Parallel()
	kb := func(btn map[string]any) map[string]any {
		return map[string]any{"inline_keyboard": [][]map[string]any{{btn}}}
	}
	cases := []struct {
		name   string
		method string
		params map[string]any
		status int
		desc   string
	}{
		{"unknown method", "sendTelepathy", map[string]any{}, 404, "Not Found"},
		{"chat not found", "sendMessage", map[string]any{"chat_id": 4242, "text": "hi"}, 400, "Bad Request: chat not found"},
		{"chat_id missing", "sendMessage", map[string]any{"text": "hi"}, 400, "Bad Request: chat_id is empty"},
		{"text missing", "sendMessage", map[string]any{"chat_id": ada}, 400, "Bad Request: message text is empty"},
		{"text only spaces", "sendMessage", map[string]any{"chat_id": ada, "text": "  \n "}, 400, "Bad Request: message text is empty"},
		{"text empty after parsing", "sendMessage", map[string]any{"chat_id": ada, "text": "<b></b>", "parse_mode": "HTML"}, 400, "Bad Request: message text is empty"},
		{"text too long", "sendMessage", map[string]any{"chat_id": ada, "text": strings.Repeat("é", 4097)}, 400, "Bad Request: message is too long"},
		{"bad HTML", "sendMessage", map[string]any{"chat_id": ada, "text": "<blink>x</blink>", "parse_mode": "HTML"}, 400, `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`},
		{"unescaped MarkdownV2", "sendMessage", map[string]any{"chat_id": ada, "text": "Done.", "parse_mode": "MarkdownV2"}, 400, `Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{"unknown parse_mode", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "parse_mode": "BBCode"}, 400, "Bad Request: unsupported parse_mode"},
		{"callback_data too long", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": kb(map[string]any{"text": "A", "callback_data": strings.Repeat("x", 65)})}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"callback_data empty", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": kb(map[string]any{"text": "A", "callback_data": ""})}, 400, "Bad Request: BUTTON_DATA_INVALID"},
		{"text-only inline button", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": kb(map[string]any{"text": "A"})}, 400, "Bad Request: text buttons are unallowed in the inline keyboard"},
		{"two kinds on one button", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": kb(map[string]any{"text": "A", "callback_data": "a", "url": "https://example.com"})}, 400, "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"},
		{"bad button URL", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": kb(map[string]any{"text": "A", "url": "example"})}, 400, "Bad Request: inline keyboard button URL 'example' is invalid: Wrong HTTP URL"},
		{"reply_markup not an object", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_markup": "[1]"}, 400, "Bad Request: can't parse reply keyboard markup JSON object"},
		{"reply to a missing message", "sendMessage", map[string]any{"chat_id": ada, "text": "x", "reply_to_message_id": 99}, 400, "Bad Request: message to be replied not found"},
		{"blocked by the user", "sendMessage", map[string]any{"chat_id": bob, "text": "hi"}, 403, "Forbidden: bot was blocked by the user"},
		{"not modified", "editMessageText", map[string]any{"chat_id": ada, "message_id": 2, "text": "Pick one", "reply_markup": kb(map[string]any{"text": "Tea", "callback_data": "tea"})}, 400,
			"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"markup not modified", "editMessageReplyMarkup", map[string]any{"chat_id": ada, "message_id": 2, "reply_markup": kb(map[string]any{"text": "Tea", "callback_data": "tea"})}, 400,
			"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"},
		{"message to edit not found", "editMessageText", map[string]any{"chat_id": ada, "message_id": 77, "text": "x"}, 400, "Bad Request: message to edit not found"},
		{"editing a user's message", "editMessageText", map[string]any{"chat_id": ada, "message_id": 1, "text": "x"}, 400, "Bad Request: message can't be edited"},
		{"message to delete not found", "deleteMessage", map[string]any{"chat_id": ada, "message_id": 77}, 400, "Bad Request: message to delete not found"},
		{"unknown callback query", "answerCallbackQuery", map[string]any{"callback_query_id": "12345"}, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid"},
		{"caption too long", "sendPhoto", map[string]any{"chat_id": ada, "photo": "https://example.com/a.jpg", "caption": strings.Repeat("c", 1025)}, 400, "Bad Request: message caption is too long"},
		{"no photo", "sendPhoto", map[string]any{"chat_id": ada}, 400, "Bad Request: there is no photo in the request"},
		{"unknown file_id", "sendPhoto", map[string]any{"chat_id": ada, "photo": "AgADnope"}, 400, "Bad Request: wrong file identifier/HTTP URL specified"},
		{"bad chat action", "sendChatAction", map[string]any{"chat_id": ada, "action": "dancing"}, 400, "Bad Request: wrong parameter action in request"},
		{"invalid reaction", "setMessageReaction", map[string]any{"chat_id": ada, "message_id": 1, "reaction": []map[string]string{{"type": "emoji", "emoji": "🍕"}}}, 400, "Bad Request: REACTION_INVALID"},
		{"unknown file", "getFile", map[string]any{"file_id": "nope"}, 400, "Bad Request: invalid file_id"},
		{"unknown user", "getUserProfilePhotos", map[string]any{"user_id": 5}, 400, "Bad Request: user not found"},
		{"secret token with bad characters", "setWebhook", map[string]any{"url": "https://example.com/hook", "secret_token": "not allowed!"}, 400, "Bad Request: secret token contains unallowed characters"},
		{"secret token too long", "setWebhook", map[string]any{"url": "https://example.com/hook", "secret_token": strings.Repeat("a", 257)}, 400, "Bad Request: secret token is too long"},
		{"webhook not http", "setWebhook", map[string]any{"url": "ftp://example.com/hook"}, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
	}
	w := errorWorld(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			status, r := w.api(t, c.method, c.params)
			if status != c.status || r.OK || r.ErrorCode != c.status || r.Description != c.desc {
				t.Errorf("got %d {ok:%v error_code:%d description:%q}\nwant %d %q", status, r.OK, r.ErrorCode, r.Description, c.status, c.desc)
			}
		})
	}
}

func TestAnsweredCallbackIsTooOld(t *testing.T) {
	t.Parallel()
	w := errorWorld(t)
	q, err := w.srv.Tap(ada, ada, 2, "Tea")
	if err != nil {
		t.Fatal(err)
	}
	status, r := w.api(t, "answerCallbackQuery", map[string]any{"callback_query_id": q.ID, "text": "ok"})
	mustOK(t, status, r, nil)
	status, r = w.api(t, "answerCallbackQuery", map[string]any{"callback_query_id": q.ID})
	if status != 400 || r.Description != "Bad Request: query is too old and response timeout expired or query ID is invalid" {
		t.Errorf("second answer: %d %q", status, r.Description)
	}
}

func TestPathsAndTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		name   string
		path   string
		status int
		desc   string
	}{
		{"wrong token", "/bot123456789:AAE-wrong-token-00000000000000000000/getMe", 401, "Unauthorized"},
		{"malformed token", "/botnot-a-token/getMe", 404, "Not Found"},
		{"no method", "/bot" + telegram.DefaultToken + "/", 404, "Not Found"},
		{"no slash", "/bot" + telegram.DefaultToken, 404, "Not Found"},
		{"nested path", "/bot" + telegram.DefaultToken + "/getMe/extra", 404, "Not Found"},
		{"outside /bot", "/api/getMe", 404, "Not Found"},
		{"file with wrong token", "/file/bot123456789:AAE-wrong-token-00000000000000000000/photos/file_1.jpg", 401, "Unauthorized"},
		{"unknown file", "/file/bot" + telegram.DefaultToken + "/photos/file_99.jpg", 404, "Not Found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodGet, w.srv.URL()+c.path, nil)
			status, r := do(t, req)
			if status != c.status || r.ErrorCode != c.status || r.Description != c.desc {
				t.Errorf("got %d %+v, want %d %q", status, r, c.status, c.desc)
			}
		})
	}
	// tgbotapi surfaces the error code and description.
	_, err := tgbotapi.NewBotAPIWithAPIEndpoint("123:wrong", w.srv.URL()+"/bot%s/%s")
	if err == nil || err.Error() != "Unauthorized" {
		t.Errorf("tgbotapi with a wrong token: %v", err)
	}
}

func TestParameterEncodings(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	markup := `{"inline_keyboard":[[{"text":"Tea","callback_data":"tea"}]]}`
	multipartBody := func() (string, *bytes.Buffer) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("chat_id", "1001")
		_ = mw.WriteField("text", "via multipart")
		_ = mw.WriteField("reply_markup", markup)
		_ = mw.Close()
		return mw.FormDataContentType(), &buf
	}
	cases := []struct {
		name string
		req  func() *http.Request
		text string
	}{
		{"query string GET", func() *http.Request {
			r, _ := http.NewRequest(http.MethodGet, w.srv.URL()+"/bot"+w.srv.Token()+"/sendMessage?chat_id=1001&text=via+query&reply_markup="+urlEscape(markup), nil)
			return r
		}, "via query"},
		{"form with JSON field, method in lower case", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/sendmessage", strings.NewReader("chat_id=1001&text=via+form&reply_markup="+urlEscape(markup)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, "via form"},
		{"JSON with nested object", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/SendMessage", strings.NewReader(`{"chat_id":1001,"text":"via json","reply_markup":`+markup+`}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}, "via json"},
		{"JSON with the markup as a string", func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/sendMessage", strings.NewReader(`{"chat_id":"1001","text":"via json string","reply_markup":`+quoteJSON(markup)+`}`))
			r.Header.Set("Content-Type", "application/json; charset=utf-8")
			return r
		}, "via json string"},
		{"multipart", func() *http.Request {
			ct, body := multipartBody()
			r, _ := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/sendMessage", body)
			r.Header.Set("Content-Type", ct)
			return r
		}, "via multipart"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var m telegram.Message
			status, r := do(t, c.req())
			mustOK(t, status, r, &m)
			if m.Text != c.text || m.ReplyMarkup == nil || *m.ReplyMarkup.InlineKeyboard[0][0].CallbackData != "tea" {
				t.Errorf("got %+v", m)
			}
		})
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bot := w.bot(t)
	if _, err := w.srv.SendText(ada, ada, "/start"); err != nil {
		t.Fatal(err)
	}
	if code := w.control(t, http.MethodPost, "faults", fakes.Fault{Op: "sendmessage", Status: 429, RetryAfter: 3, Times: 1}, nil); code != 200 {
		t.Fatalf("add fault: %d", code)
	}
	status, r := w.api(t, "sendMessage", map[string]any{"chat_id": ada, "text": "hi"})
	if status != 429 || r.Description != "Too Many Requests: retry after 3" || r.Parameters == nil || r.Parameters.RetryAfter != 3 {
		t.Fatalf("got %d %+v", status, r)
	}
	if _, err := bot.Send(tgbotapi.NewMessage(ada, "hi")); err != nil {
		t.Fatalf("the fault should be used up: %v", err)
	}
	w.srv.Faults().Add(fakes.Fault{Op: "*", Status: 502})
	_, err := bot.Send(tgbotapi.NewMessage(ada, "hi"))
	var tgErr *tgbotapi.Error
	if err == nil || !asTg(err, &tgErr) || tgErr.Code != 502 || tgErr.Message != "Bad Gateway" {
		t.Fatalf("got %v", err)
	}
	want := []string{`chat=1001 "hi" → 429 Too Many Requests: retry after 3`, `chat=1001 "hi"`, `chat=1001 "hi" → 502 Bad Gateway`}
	if got := w.observations("sendMessage"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("journal:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
