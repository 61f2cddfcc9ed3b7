package rocketchat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
)

// world is a fake with a journal, an activity tracker and a virtual clock.
type world struct {
	srv      *rocketchat.Server
	journal  *fakes.Journal
	activity *fakes.Activity
	clock    *fakes.VirtualClock
}

func newWorld(tb testing.TB, opts ...rocketchat.Option) *world {
	tb.Helper()
	w := &world{journal: fakes.NewJournal(), activity: fakes.NewActivity(), clock: fakes.NewVirtualClock(time.Time{})}
	opts = append([]rocketchat.Option{rocketchat.WithJournal(w.journal), rocketchat.WithActivity(w.activity), rocketchat.WithClock(w.clock)}, opts...)
	w.srv = rocketchat.New(tb, opts...)
	return w
}

// settle waits until no work is in flight.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.activity.Wait(ctx); err != nil {
		tb.Fatal(err)
	}
}

// lines renders the journal's rocketchat observations as "Kind Text".
func (w *world) lines() []string {
	var out []string
	for _, o := range w.journal.Observations() {
		out = append(out, o.Kind+" "+o.Text)
	}
	return out
}

func (w *world) hasLine(tb testing.TB, want string) {
	tb.Helper()
	for _, l := range w.lines() {
		if strings.Contains(l, want) {
			return
		}
	}
	tb.Fatalf("journal has no line containing %q:\n%s", want, strings.Join(w.lines(), "\n"))
}

// bot is a webhook receiver that records what it got and answers with
// reply(body).
type bot struct {
	mu    sync.Mutex
	got   [][]byte
	ctype []string
	reply func(r *http.Request, body []byte) (status int, ctype, answer string)
	srv   *httptest.Server
}

func newBot(tb testing.TB, reply func(r *http.Request, body []byte) (int, string, string)) *bot {
	tb.Helper()
	b := &bot{reply: reply}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		b.mu.Lock()
		b.got = append(b.got, body)
		b.ctype = append(b.ctype, r.Header.Get("Content-Type"))
		b.mu.Unlock()
		status, ct, ans := 200, "", ""
		if b.reply != nil {
			status, ct, ans = b.reply(r, body)
		}
		if ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, ans)
	}))
	tb.Cleanup(b.srv.Close)
	return b
}

func (b *bot) bodies() [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([][]byte(nil), b.got...)
}

func (b *bot) outgoing(tb testing.TB) []map[string]any {
	tb.Helper()
	var out []map[string]any
	for _, body := range b.bodies() {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			tb.Fatalf("outgoing body %s: %v", body, err)
		}
		out = append(out, m)
	}
	return out
}

// rest makes one REST call with the bot's personal access token.
func rest(tb testing.TB, s *rocketchat.Server, method, endpoint string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.URL()+"/api/v1/"+endpoint, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", s.BotToken())
	req.Header.Set("X-User-Id", s.BotUser().ID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			tb.Fatalf("%s %s: body %s: %v", method, endpoint, raw, err)
		}
	}
	return resp.StatusCode, out
}

func postJSON(tb testing.TB, url string, body any) (int, []byte) {
	tb.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// teaCoffee is a rich message's blocks: a section and two buttons.
var teaCoffee = []map[string]any{
	{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "What would you like?"}},
	{"type": "actions", "blockId": "drink", "elements": []map[string]any{
		{"type": "button", "actionId": "tea", "text": map[string]any{"type": "plain_text", "text": "Tea"}, "value": "tea"},
		{"type": "button", "actionId": "coffee", "text": map[string]any{"type": "plain_text", "text": "Coffee"}, "value": "coffee"},
	}},
}
