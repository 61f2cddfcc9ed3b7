package sim_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

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

// replayDemo runs the bundled demo once in a fresh World whose every HTTP
// client (platform, Telegram fake, integration) goes through client.
func replayDemo(tb testing.TB, client *http.Client) *sim.Result {
	tb.Helper()
	f, err := tgexample.Cassettes().Open("order.cassette")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, "order.cassette")
	if err != nil {
		tb.Fatal(err)
	}
	launcher := sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
		return tgexample.New(getenv, tgexample.WithHTTPClient(client))
	})
	opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: launcher, Definition: telegramDefinition(tb), HTTPClient: client})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	w, err := sim.Start(ctx, opts)
	if err != nil {
		tb.Fatal(err)
	}
	defer w.Close()
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return res
}

// BenchmarkReplay measures a whole replay of the bundled demo through the
// in-process Telegram example: World start (fakes, platform, integration,
// register), every delivery, the bot's replies and the rendering. Its
// baseline, BenchmarkReplayBaseline, makes the same HTTP exchanges with the
// same payloads against a bare net/http loopback server; the ratio of the two
// is chatsim's overhead.
func BenchmarkReplay(b *testing.B) {
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.ReportAllocs()
	for b.Loop() {
		replayDemo(b, client)
	}
}

// BenchmarkReplayBaseline makes, per iteration, the HTTP exchanges one replay
// of the demo makes (recorded once, before the timer starts), with the same
// methods, paths, headers and bodies, against a bare net/http loopback server
// that answers each with the recorded status and body.
func BenchmarkReplayBaseline(b *testing.B) {
	rec := &recorder{next: http.DefaultTransport.(*http.Transport).Clone()}
	replayDemo(b, &http.Client{Transport: rec})
	exchanges := rec.ex
	if len(exchanges) < 10 {
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
	b.ReportMetric(float64(len(exchanges)), "exchanges/op")
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
}
