package recorder_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/telegram"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// benchBody is a sendMessage call as a bot makes it.
const benchBody = `{"chat_id":1001,"text":"What would you like?","reply_markup":{"inline_keyboard":[[{"text":"Tea","callback_data":"tea"},{"text":"Coffee","callback_data":"coffee"}]]}}`

// benchUpstream answers every call as the Bot API answers sendMessage.
func benchUpstream(b *testing.B) *fakes.Server {
	b.Helper()
	answer := []byte(`{"ok":true,"result":{"message_id":2,"date":1767225600,"chat":{"id":1001,"type":"private"},"text":"What would you like?"}}`)
	srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return srv
}

// benchCalls makes b.N calls through base, one at a time.
func benchCalls(b *testing.B, base string) {
	b.Helper()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	url := base + "/bot123456789:AAE-chatsim-test-token-000000000000/sendMessage"
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(benchBody)))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkRecordCall is one call through the recorder: forwarded, read
// back, redacted and written as a cassette line. Compare it with
// BenchmarkReverseProxyBaseline, the same call through a bare
// httputil.ReverseProxy, in the same run.
func BenchmarkRecordCall(b *testing.B) {
	up := benchUpstream(b)
	var out bytes.Buffer
	w, err := cassette.NewWriter(&out, cassette.Header{Platform: "telegram"})
	if err != nil {
		b.Fatal(err)
	}
	p, err := recorder.NewProxy(recorder.Options{Kind: telegram.Kind(), Upstream: up.URL,
		Secrets: map[string]string{"TELEGRAM_BOT_TOKEN": "123456789:AAE-chatsim-test-token-000000000000"},
		Sink: func(e cassette.Entry) error {
			if out.Len() > 1<<20 {
				out.Reset()
			}
			return w.Write(e)
		}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	benchCalls(b, p.URL())
}

// BenchmarkReverseProxyBaseline is the same call through a bare
// httputil.ReverseProxy to the same upstream.
func BenchmarkReverseProxyBaseline(b *testing.B) {
	up := benchUpstream(b)
	target, err := url.Parse(up.URL)
	if err != nil {
		b.Fatal(err)
	}
	srv, err := fakes.Listen("", httputil.NewSingleHostReverseProxy(target))
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	benchCalls(b, srv.URL)
}
