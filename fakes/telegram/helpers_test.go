package telegram_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	ada = int64(1001)
	bob = int64(1002)
)

// world is a fake with a journal, an activity tracker and two users.
type world struct {
	srv      *telegram.Server
	journal  *fakes.Journal
	activity *fakes.Activity
}

func newWorld(tb testing.TB, opts ...telegram.Option) *world {
	tb.Helper()
	w := &world{journal: fakes.NewJournal(), activity: fakes.NewActivity()}
	opts = append([]telegram.Option{telegram.WithJournal(w.journal), telegram.WithActivity(w.activity)}, opts...)
	w.srv = telegram.New(tb, opts...)
	for _, u := range []telegram.User{
		{ID: ada, FirstName: "Ada", LastName: "Lovelace", Username: "ada", LanguageCode: "en"},
		{ID: bob, FirstName: "Bob", Username: "bobby"},
	} {
		if err := w.srv.AddUser(u); err != nil {
			tb.Fatalf("add user: %v", err)
		}
	}
	return w
}

func (w *world) bot(tb testing.TB) *tgbotapi.BotAPI {
	tb.Helper()
	bot, err := tgbotapi.NewBotAPIWithAPIEndpoint(w.srv.Token(), w.srv.URL()+"/bot%s/%s")
	if err != nil {
		tb.Fatalf("new bot: %v", err)
	}
	return bot
}

// waitFor waits until cond holds, re-checking whenever the journal records
// something, for at most five seconds.
func (w *world) waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	for {
		changed := w.journal.Changed()
		if cond() {
			return
		}
		select {
		case <-changed:
		case <-deadline.C:
			tb.Fatalf("timed out waiting for %s; journal:\n%s", what, w.journalText())
		}
	}
}

func (w *world) journalText() string {
	var b strings.Builder
	for _, o := range w.journal.Observations() {
		b.WriteString(o.Source + " " + o.Kind + " " + o.Text + "\n")
	}
	return b.String()
}

// lastObservation returns the text of the last observation of kind.
func (w *world) observations(kind string) []string {
	var out []string
	for _, o := range w.journal.Observations() {
		if o.Kind == kind {
			out = append(out, o.Text)
		}
	}
	return out
}

// api calls a Bot API method with a JSON body (nil: no body) and decodes
// the envelope.
func (w *world) api(tb testing.TB, method string, body any) (int, telegram.Response) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/"+method, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return do(tb, req)
}

// form calls a Bot API method with a form body.
func (w *world) form(tb testing.TB, method string, vals url.Values) (int, telegram.Response) {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, w.srv.URL()+"/bot"+w.srv.Token()+"/"+method, strings.NewReader(vals.Encode()))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(tb, req)
}

func do(tb testing.TB, req *http.Request) (int, telegram.Response) {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var r telegram.Response
	if err := json.Unmarshal(b, &r); err != nil {
		tb.Fatalf("%s %s: body is not a Telegram envelope: %v: %s", req.Method, req.URL.Path, err, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("%s: Content-Type %q, want application/json", req.URL.Path, ct)
	}
	return resp.StatusCode, r
}

// mustOK decodes a successful result into v.
func mustOK(tb testing.TB, status int, r telegram.Response, v any) {
	tb.Helper()
	if status != 200 || !r.OK {
		tb.Fatalf("want ok, got %d %s", status, r.Description)
	}
	if v != nil {
		if err := json.Unmarshal(r.Result, v); err != nil {
			tb.Fatalf("decode result %s: %v", r.Result, err)
		}
	}
}

// control calls the control API with a JSON body and decodes the answer.
func (w *world) control(tb testing.TB, method, path string, body any, out any) int {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.srv.URL()+fakes.ControlPrefix+strings.TrimPrefix(path, "/"), rd)
	if err != nil {
		tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// pngBytes returns a real w×h PNG.
func pngBytes(tb testing.TB, w, h int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func inlineKB(rows ...[]string) tgbotapi.InlineKeyboardMarkup {
	var kb [][]tgbotapi.InlineKeyboardButton
	for _, r := range rows {
		var row []tgbotapi.InlineKeyboardButton
		for _, label := range r {
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(label, strings.ToLower(label)))
		}
		kb = append(kb, row)
	}
	return tgbotapi.NewInlineKeyboardMarkup(kb...)
}

func urlEscape(s string) string { return url.QueryEscape(s) }

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func asTg(err error, target **tgbotapi.Error) bool {
	e, ok := err.(*tgbotapi.Error)
	if ok {
		*target = e
	}
	return ok
}
