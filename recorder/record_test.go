package recorder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/examples/telegrampoll"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/fakes/telegram"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

var update = flag.Bool("update", false, "rewrite the golden journals of recorded cassettes")

// orderRules are the scripted bot's rules while recording and replaying.
const orderRules = `[{"when":{"text":"menu"},"reply":[{"type":"choice","payload":{"text":"What would you like?","options":[{"label":"Tea","value":"tea"},{"label":"Coffee","value":"coffee"}]}}]},
{"when":{"text":"coffee"},"reply":[{"type":"text","payload":{"text":"One coffee coming up."}}]}]`

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 30s", what)
		}
		<-tick.C
	}
}

// botSaid returns the bot's latest message in the chat whose text is text.
func botSaid(up *telegram.Server, chat int64, text string) (telegram.Message, bool) {
	h := up.History(chat)
	for i := len(h) - 1; i >= 0; i-- {
		m := h[i].Message
		if m.From != nil && m.From.IsBot && m.Text == text {
			return m, true
		}
	}
	return telegram.Message{}, false
}

// recordTelegram records Ada ordering a coffee from the bundled Telegram
// example, with a fake Telegram standing in for the real one, and returns
// the cassette's path and the upstream's secrets.
func recordTelegram(t *testing.T, clock *fakes.VirtualClock) (string, []string) {
	t.Helper()
	up, err := telegram.Start(telegram.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if err := up.AddUser(telegram.User{ID: 1001, FirstName: "Ada", LastName: "Lovelace", Username: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := up.AddChat(telegram.Chat{ID: 1001, Type: telegram.ChatPrivate}); err != nil {
		t.Fatal(err)
	}
	in, err := bundled.Lookup("examples/telegram")
	if err != nil {
		t.Fatal(err)
	}
	rules := json.RawMessage(`{"rules":` + orderRules + `}`)
	path := filepath.Join(t.TempDir(), "order.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded-order", Platform: "telegram", Integration: "examples/telegram",
		Configuration: in.Configuration, Bot: rules})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: telegram.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"TELEGRAM_BOT_TOKEN": up.Token()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := sim.SetupFromHeader(cassette.Header{Platform: "telegram", Bot: rules}, sim.Options{Integration: in, Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"telegram": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if _, err := up.SendText(1001, 1001, "menu"); err != nil {
		t.Fatal(err)
	}
	var menu telegram.Message
	waitFor(t, "menu from the bot", func() bool { var ok bool; menu, ok = botSaid(up, 1001, "What would you like?"); return ok })
	clock.Advance(time.Second)
	if _, err := up.Tap(1001, 1001, menu.MessageID, "Coffee"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "coffee from the bot", func() bool { _, ok := botSaid(up, 1001, "One coffee coming up."); return ok })
	if err := w.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	secret := w.Env["SECRET_WEBHOOK_SECRET"]
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := proxy.Counts(); c.Deliveries != 2 || c.Refused != 0 {
		t.Errorf("recorded %+v, want 2 deliveries and none refused", c)
	}
	if err := f.SetSeed("telegram", proxy.Seed()); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	if info, err := http.Get(up.URL() + fakes.ControlPrefix + "webhook"); err == nil {
		var wh struct {
			URL string `json:"url"`
		}
		json.NewDecoder(info.Body).Decode(&wh)
		info.Body.Close()
		if !strings.HasPrefix(wh.URL, proxy.InboundURL()) {
			t.Errorf("the upstream delivers to %q, not to the recorder's %q", wh.URL, proxy.InboundURL())
		}
	}
	return path, []string{up.Token(), secret}
}

// TestRecordTelegramWebhook records a conversation through the recorder
// with a fake Telegram as the real one, then replays the cassette through
// the same integration: the replay gives the golden journal, 20 times
// byte for byte, and the cassette holds no secret.
func TestRecordTelegramWebhook(t *testing.T) {
	t.Parallel()
	path, secrets := recordTelegram(t, fakes.NewVirtualClock(time.Time{}))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(string(raw), s) {
			t.Errorf("the cassette holds the secret %q", s)
		}
	}
	for _, want := range []string{`"kind":"setWebhook","request"`, `"direction":"inbound","kind":"update","turn":1,"verified":true`,
		`"kind":"update","turn":2,"verified":true`, `"kind":"sendMessage","turn":1`, `/bot${TELEGRAM_BOT_TOKEN}/`, `"${TELEGRAM_WEBHOOK_SECRET}"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the cassette lacks %s:\n%s", want, raw)
		}
	}
	if _, err := os.Stat(path + recorder.RecordingSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the .recording file is still there: %v", err)
	}
	checkGolden(t, "telegram-webhook.golden", replayBundled(t, path, "examples/telegram", 2))
}

// TestRecordRefusesATamperedDelivery: a delivery whose secret token is not
// the one the integration gave setWebhook is refused and recorded nowhere;
// one with no token at all is refused unless Insecure.
func TestRecordRefusesATamperedDelivery(t *testing.T) {
	t.Parallel()
	var got []cassette.Entry
	proxy, err := recorder.NewProxy(recorder.Options{Kind: telegram.Kind(), Upstream: "http://127.0.0.1:9",
		Secrets: map[string]string{"TELEGRAM_WEBHOOK_SECRET": "the-right-secret"},
		Sink:    func(e cassette.Entry) error { got = append(got, e); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	target := http.NewServeMux()
	target.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv, err := fakes.Listen("", target)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	proxy.SetWebhookTarget(context.Background(), srv.URL)
	send := func(secret string) int {
		req, _ := http.NewRequest("POST", proxy.InboundURL()+"/", strings.NewReader(`{"update_id":1}`))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		secret string
		want   int
	}{{"forged", 401}, {"", 401}, {"the-right-secret", 200}} {
		if code := send(tc.secret); code != tc.want {
			t.Errorf("a delivery with secret %q: %d, want %d", tc.secret, code, tc.want)
		}
	}
	if c := proxy.Counts(); c.Refused != 2 || c.Deliveries != 1 || len(got) != 1 || !got[0].Verified {
		t.Errorf("counts %+v, recorded %d (verified %v): want the one right delivery", c, len(got), len(got) > 0 && got[0].Verified)
	}
}

// TestRecordTelegramPoll records a go-telegram-bot-api bot on long polling:
// no tunnel, the updates its getUpdates brings are the cassette's
// deliveries, and the cassette replays to the same journal every time.
func TestRecordTelegramPoll(t *testing.T) {
	t.Parallel()
	up, err := telegram.Start(telegram.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	if err := up.AddUser(telegram.User{ID: 1001, FirstName: "Ada", Username: "ada"}); err != nil {
		t.Fatal(err)
	}
	if err := up.AddChat(telegram.Chat{ID: 1001, Type: telegram.ChatPrivate}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "poll.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded-poll", Platform: "telegram"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: telegram.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"TELEGRAM_BOT_TOKEN": up.Token()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	bot := sim.Integration{Launcher: sim.Func("examples/telegrampoll", telegrampoll.Run), Platforms: []string{"telegram"}}
	clock := fakes.NewVirtualClock(time.Time{})
	w, err := sim.Start(context.Background(), sim.Options{Integration: bot, Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"telegram": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	for i, text := range []string{"/start", "hello"} {
		clock.Advance(time.Second)
		want := "You said: hello"
		if i == 0 {
			want = "Hello Ada! Send me anything and I will say it back."
		}
		if _, err := up.SendText(1001, 1001, text); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the bot's answer to "+text, func() bool { _, ok := botSaid(up, 1001, want); return ok })
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "getUpdates") || strings.Contains(string(raw), up.Token()) {
		t.Errorf("the cassette holds a long poll or the token:\n%s", raw)
	}
	for _, want := range []string{`"direction":"inbound","kind":"update","turn":1`, `"direction":"inbound","kind":"update","turn":2`, `"kind":"sendMessage","turn":2`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the cassette lacks %s:\n%s", want, raw)
		}
	}
	replay := func() string {
		r, err := cassette.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		ctx := context.Background()
		w, err := sim.Start(ctx, sim.Options{Integration: bot})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Deliveries != 2 {
			t.Fatalf("replayed %d deliveries, want 2", res.Deliveries)
		}
		return res.Journal
	}
	checkGolden(t, "telegram-poll.golden", replay)
}

// replayBundled returns a function that replays the cassette at path
// through a bundled integration, checks that it replayed deliveries and
// did not fail, and returns the journal.
func replayBundled(t *testing.T, path, integration string, deliveries int) func() string {
	in, err := bundled.Lookup(integration)
	if err != nil {
		t.Fatal(err)
	}
	return func() string {
		r, err := cassette.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: in})
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed() || res.Deliveries != deliveries {
			t.Fatalf("replay: %d deliveries, failed %v: %v %v %v", res.Deliveries, res.Failed(), res.ViolationLines, res.Failures, res.Unanswered)
		}
		return res.Journal
	}
}

// checkRecorded fails unless the cassette at path lints clean, holds none
// of secrets (as they are or URL-encoded) and none of not, and holds every
// one of want; it returns the cassette's bytes.
func checkRecorded(t *testing.T, path string, secrets, not, want []string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	findings, err := recorder.Lint(bytes.NewReader(raw), path, sim.Registry())
	if err != nil || len(findings) > 0 {
		t.Errorf("chatsim cassette lint: %v %v", findings, err)
	}
	for _, s := range secrets {
		if len(s) >= recorder.MinSecret && (strings.Contains(string(raw), s) || strings.Contains(string(raw), url.QueryEscape(s))) {
			t.Errorf("the cassette holds the secret %q", s)
		}
	}
	for _, n := range not {
		if strings.Contains(string(raw), n) {
			t.Errorf("the cassette holds %s:\n%s", n, raw)
		}
	}
	for _, w := range want {
		if !strings.Contains(string(raw), w) {
			t.Errorf("the cassette lacks %s:\n%s", w, raw)
		}
	}
	return raw
}

// checkGolden compares the first replay's journal with testdata/name
// (rewritten under -update) and 19 more replays with the first.
func checkGolden(t *testing.T, name string, replay func() string) {
	t.Helper()
	got := replay()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := sim.DiffGolden(golden, want, []byte(got)); d != "" {
		t.Fatal(d)
	}
	for i := range 19 {
		if again := replay(); again != got {
			t.Fatalf("replay %d differs:\n%s", i+2, sim.DiffGolden("first replay", []byte(got), []byte(again)))
		}
	}
}

// TestReplayStrictOutbound: a recorded cassette replayed with its calls
// compared passes when the integration calls the platform as it did when
// recorded, and fails naming the turn and the calls when it does not.
func TestReplayStrictOutbound(t *testing.T) {
	t.Parallel()
	path, _ := recordTelegram(t, fakes.NewVirtualClock(time.Time{}))
	in, err := bundled.Lookup("examples/telegram")
	if err != nil {
		t.Fatal(err)
	}
	replay := func(base sim.Options) *sim.Result {
		t.Helper()
		r, err := cassette.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		res, err := sim.ReplayCassetteWith(context.Background(), r, base, sim.ReplayOptions{StrictOutbound: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := replay(sim.Options{Integration: in}); res.Failed() || res.OutboundMismatchCount != 0 {
		t.Fatalf("the same integration's calls differ: %v", res.OutboundMismatches)
	}
	var rules []botpress.BotRule
	rules, err = botpress.ParseBotRules([]byte(strings.Replace(orderRules, "One coffee coming up.", "One tea coming up.", 1)), "rules")
	if err != nil {
		t.Fatal(err)
	}
	res := replay(sim.Options{Integration: in, Bot: rules})
	if !res.Failed() || res.OutboundMismatchCount != 1 {
		t.Fatalf("a changed answer: failed %v, %d mismatches %v", res.Failed(), res.OutboundMismatchCount, res.OutboundMismatches)
	}
	got := res.OutboundMismatches[0].String()
	for _, want := range []string{"turn 2 (telegram → integration: update 100000002 callback_query", `- sendMessage {"chat_id":1001,"text":"One coffee coming up."}`,
		`+ sendMessage {"chat_id":1001,"text":"One tea coming up."}`} {
		if !strings.Contains(got, want) {
			t.Errorf("the mismatch lacks %q:\n%s", want, got)
		}
	}
}

// TestRecordSeedsTheReplay: the bot's identity the real Telegram answered
// getMe with goes into the cassette's seed, and a replay's fake is that
// bot, so that the integration meets the same bot again.
func TestRecordSeedsTheReplay(t *testing.T) {
	t.Parallel()
	up, err := telegram.Start(telegram.WithBotUser(7001, "my_shop_bot", "Shop"))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	in, err := bundled.Lookup("examples/telegram")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seed.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Platform: "telegram", Configuration: in.Configuration})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: telegram.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"TELEGRAM_BOT_TOKEN": up.Token()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.Start(context.Background(), sim.Options{Integration: in,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"telegram": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSeed("telegram", proxy.Seed()); err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	r, err := cassette.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.Contains(string(r.Header().Seed), `"username":"my_shop_bot"`) {
		t.Fatalf("the header's seed is %s", r.Header().Seed)
	}
	opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: in})
	if err != nil {
		t.Fatal(err)
	}
	rw, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rw.Close()
	if bot := rw.Fake("telegram").(*telegram.Server).BotUser(); bot.ID != 7001 || bot.Username != "my_shop_bot" {
		t.Errorf("the replay's bot is %+v, want the recorded one", bot)
	}
	if !strings.Contains(rw.Render(), `identifier="7001"`) {
		t.Errorf("the integration did not meet the recorded bot:\n%s", rw.Render())
	}
	if _, err := sim.Start(context.Background(), sim.Options{Seeds: map[string]json.RawMessage{"telegram": json.RawMessage(`{"bot":{"id":0}}`)}}); err == nil ||
		!strings.Contains(err.Error(), "the cassette's seed: bot: want an id") {
		t.Errorf("a bad seed: %v", err)
	}
}
