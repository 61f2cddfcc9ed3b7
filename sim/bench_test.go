package sim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/chatsim/chatsim/contracts"
	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// exchange is one HTTP request and its response, as a replay made it.
type exchange struct {
	method, path, contentType string
	header                    http.Header
	reqBody                   []byte
	status                    int
	respBody                  []byte
}

// recorder is a RoundTripper that keeps every exchange it carries.
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	ex   []exchange
}

func (rt *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(rb))
	rt.mu.Lock()
	rt.ex = append(rt.ex, exchange{req.Method, req.URL.RequestURI(), req.Header.Get("Content-Type"), req.Header.Clone(), body, resp.StatusCode, rb})
	rt.mu.Unlock()
	return resp, nil
}

// demoWorld starts a World for the bundled demo whose every HTTP client
// (platform, Telegram fake, integration) goes through client, and returns it
// with the demo's reader positioned after the header.
func demoWorld(tb testing.TB, client *http.Client, def *contracts.Definition) (*sim.World, *cassette.Reader) {
	tb.Helper()
	f, err := tgexample.Cassettes().Open("order.cassette")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { f.Close() })
	r, err := cassette.NewReader(f, "order.cassette")
	if err != nil {
		tb.Fatal(err)
	}
	launcher := sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
		return tgexample.New(getenv, tgexample.WithHTTPClient(client))
	})
	opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: sim.Integration{Launcher: launcher, Definition: def}, HTTPClient: client})
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sim.Start(context.Background(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return w, r
}

// replayDemo replays the demo in a started World.
func replayDemo(tb testing.TB, w *sim.World, r *cassette.Reader) *sim.Result {
	tb.Helper()
	res, err := sim.Replay(context.Background(), w, r, sim.ReplayOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// conversation is a cassette of n text messages from Ada, numbered from
// first, as Telegram would deliver them.
func conversation(tb testing.TB, first, n int) *cassette.Reader {
	tb.Helper()
	var buf bytes.Buffer
	buf.WriteString(`{"chatsim_cassette":1,"name":"long","platform":"telegram"}` + "\n")
	for i := first; i < first+n; i++ {
		fmt.Fprintf(&buf, `{"at":"%ds","platform":"telegram","direction":"inbound","kind":"update","request":{"method":"POST","url":"/","body":{"update_id":%d,"message":{"message_id":%d,"from":{"id":1001,"is_bot":false,"first_name":"Ada","last_name":"Lovelace","username":"ada"},"chat":{"id":1001,"type":"private","first_name":"Ada","last_name":"Lovelace","username":"ada"},"date":%d,"text":"message number %d"}}}}`+"\n",
			i, 100000000+i, 2*i+1, fakes.EpochUnix+i, i)
	}
	r, err := cassette.NewReader(&buf, "long.cassette")
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// echoWorld starts a World with the in-process Telegram example and the
// echo bot, every HTTP client going through client.
func echoWorld(tb testing.TB, client *http.Client, def *contracts.Definition) *sim.World {
	tb.Helper()
	launcher := sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
		return tgexample.New(getenv, tgexample.WithHTTPClient(client))
	})
	w, err := sim.Start(context.Background(), sim.Options{Integration: sim.Integration{Launcher: launcher, Definition: def, Platforms: []string{"telegram"}, Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`)}, HTTPClient: client})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// BenchmarkReplay measures replay throughput in process, one op per
// delivery: a streamed cassette of b.N text messages through the in-process
// Telegram example, each one a step (Telegram's webhook delivery, the
// platform's invocation, the integration's Runtime API calls with their
// OpenAPI and contract checks, the echo bot's reply, its sendMessage and ack),
// then the journal rendered once. World start and stop are not in it
// (BenchmarkWorldStartStop). Its baseline, BenchmarkReplayBaseline, makes the
// same HTTP exchanges with the same payloads against a bare net/http loopback
// server; the ratio of the two is chatsim's overhead.
func BenchmarkReplay(b *testing.B) {
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	w := echoWorld(b, client, telegramDefinition(b))
	defer w.Close()
	replayDemo(b, w, conversation(b, 1, 3)) // warm: connections open
	r := conversation(b, 4, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	res := replayDemo(b, w, r)
	b.StopTimer()
	if res.Deliveries != b.N || len(res.Violations) > 0 {
		b.Fatalf("replayed %d deliveries with %d violations, want %d and none", res.Deliveries, len(res.Violations), b.N)
	}
}

// BenchmarkReplayDemo measures what `chatsim replay` does for the bundled
// demo, cold: a World started, both deliveries replayed with the bot's
// choice and its answer to the tap, the journal rendered, the World
// closed.
func BenchmarkReplayDemo(b *testing.B) {
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	def := telegramDefinition(b)
	b.ReportAllocs()
	for b.Loop() {
		w, r := demoWorld(b, client, def)
		replayDemo(b, w, r)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorldStartStop measures what every scenario pays before and
// after its steps: the fakes, the platform and the in-process integration
// started, the integration registered (getMe, setWebhook, configure), and
// everything closed. The target is under 2 ms.
func BenchmarkWorldStartStop(b *testing.B) {
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	def := telegramDefinition(b)
	b.ReportAllocs()
	for b.Loop() {
		w, _ := demoWorld(b, client, def)
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayBaseline makes, per op, the HTTP exchanges BenchmarkReplay
// makes for one delivery (recorded once in a warm World, before the timer
// starts), with the same methods, paths, headers and bodies, in order, against
// a bare net/http loopback server that answers each with the recorded status
// and body.
func BenchmarkReplayBaseline(b *testing.B) {
	rec := &recorder{next: http.DefaultTransport.(*http.Transport).Clone()}
	w := echoWorld(b, &http.Client{Transport: rec}, telegramDefinition(b))
	replayDemo(b, w, conversation(b, 1, 3))
	rec.mu.Lock()
	rec.ex = nil // start, register and the warm-up are not the op
	rec.mu.Unlock()
	replayDemo(b, w, conversation(b, 4, 1))
	w.Close()
	exchanges := rec.ex
	if len(exchanges) < 6 {
		b.Fatalf("recorded only %d exchanges", len(exchanges))
	}
	var next int
	var mu sync.Mutex
	srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		e := exchanges[next%len(exchanges)]
		next++
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.status)
		_, _ = w.Write(e.respBody)
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, e := range exchanges {
			req, err := http.NewRequest(e.method, srv.URL+e.path, bytes.NewReader(e.reqBody))
			if err != nil {
				b.Fatal(err)
			}
			req.Header = e.header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	b.ReportMetric(float64(len(exchanges)), "exchanges/op") // after the loop: ResetTimer deletes reported metrics
}
