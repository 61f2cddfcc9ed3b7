package recorder_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// TestTransportReachesTheFake: a go-telegram-bot-api client left on its
// default endpoint (https://api.telegram.org) reaches the fake through the
// transport, and a call to any other host fails instead of leaving.
func TestTransportReachesTheFake(t *testing.T) {
	t.Parallel()
	tg := telegram.New(t)
	rt, err := recorder.Transport(map[string]string{"https://api.telegram.org": tg.URL()})
	if err != nil {
		t.Fatal(err)
	}
	bot, err := tgbotapi.NewBotAPIWithClient(tg.Token(), tgbotapi.APIEndpoint, &http.Client{Transport: rt})
	if err != nil {
		t.Fatalf("getMe through the transport: %v", err)
	}
	if bot.Self.UserName != telegram.DefaultBotUsername {
		t.Errorf("getMe = %q", bot.Self.UserName)
	}
	_, err = (&http.Client{Transport: rt}).Get("https://example.com/")
	if !errors.Is(err, recorder.ErrEscaped) || !strings.Contains(err.Error(), "GET https://example.com/") {
		t.Errorf("a call to another host: %v, want ErrEscaped naming it", err)
	}
	if _, err := recorder.Transport(map[string]string{"https://api.telegram.org": "not a url"}); err == nil {
		t.Error("a route to a non-URL was taken")
	}
}

// TestProxyTransportRecords: a Go client with the real host fixed, given a
// standalone Proxy's Transport, is recorded as a bot pointed at the proxy
// would be.
func TestProxyTransportRecords(t *testing.T) {
	t.Parallel()
	tg := telegram.New(t)
	var got []cassette.Entry
	p, err := recorder.New(recorder.Options{Kind: telegram.Kind(), Upstream: tg.URL(),
		Secrets: map[string]string{"TELEGRAM_BOT_TOKEN": tg.Token()},
		Sink:    func(e cassette.Entry) error { got = append(got, e); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	rt, err := p.Transport()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tgbotapi.NewBotAPIWithClient(tg.Token(), tgbotapi.APIEndpoint, &http.Client{Transport: rt}); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Kind != "getMe" || got[0].Request.URL != "/bot${TELEGRAM_BOT_TOKEN}/getMe" {
		t.Errorf("recorded %+v, want one getMe with the token redacted", got)
	}
}

// TestProxyUpstreamWithAPath: an upstream under a path (a server under
// /chat) gets each call under that path once.
func TestProxyUpstreamWithAPath(t *testing.T) {
	t.Parallel()
	var got []string
	var mu sync.Mutex
	srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.RequestURI())
		mu.Unlock()
		io.WriteString(w, `{"ok":true}`)
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	p, err := recorder.New(recorder.Options{Kind: telegram.Kind(), Upstream: srv.URL + "/chat"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	resp, err := http.Post(p.URL()+"/botT/getMe?x=1", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] != "/chat/botT/getMe?x=1" {
		t.Errorf("the upstream was called at %q, want /chat/botT/getMe?x=1", got)
	}
}
