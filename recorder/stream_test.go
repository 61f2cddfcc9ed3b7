package recorder_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/gorilla/websocket"
)

// streamKind is a platform of no name whose app opens a WebSocket at a
// fixed path (as Rocket.Chat's realtime API): down come {"kind","id","body"}
// deliveries and a hello, up go {"ack","answer"}.
func streamKind() fakes.Kind {
	return fakes.Kind{Name: "streamy", Title: "Streamy", Wire: fakes.Wire{
		Delivery: func(string, string, http.Header, []byte) string { return "" },
		Frame: func(up bool, data []byte) fakes.Frame {
			var f struct {
				Kind, ID, Ack string
				Body, Answer  json.RawMessage
			}
			if json.Unmarshal(data, &f) != nil {
				return fakes.Frame{}
			}
			ct := http.Header{"Content-Type": {"application/json"}}
			if up {
				return fakes.Frame{ID: f.Ack, Ack: f.Ack != "", Header: ct, Body: f.Answer}
			}
			if f.Kind == "hello" {
				return fakes.Frame{}
			}
			return fakes.Frame{Kind: f.Kind, ID: f.ID, Header: ct, Body: f.Body}
		},
	}}
}

// TestStreamRelay relays a WebSocket opened at a fixed path of the API to
// the same path of the upstream: frames go through both ways as they came,
// pings and the close's code too; a delivery with no ID is recorded at
// once with no answer, one with an ID once its ack comes, with the ack's
// answer.
func TestStreamRelay(t *testing.T) {
	t.Parallel()
	down := []string{`{"kind":"message","body":{"text":"hi"}}`, `{"kind":"hello"}`, `{"kind":"message","id":"7","body":{"text":"menu"}}`}
	const ack = `{"ack":"7","answer":{"text":"noted"}}`
	var mu sync.Mutex
	var upstreamGot []string
	upstream, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/chat/websocket" || r.URL.RawQuery != "x=1" {
			http.NotFound(w, r)
			return
		}
		c, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		c.WriteMessage(websocket.TextMessage, []byte(down[0]))
		c.WriteControl(websocket.PingMessage, []byte("are you there"), time.Now().Add(time.Second))
		for _, d := range down[1:] {
			c.WriteMessage(websocket.TextMessage, []byte(d))
		}
		_, got, err := c.ReadMessage() // the pong is read on the way
		mu.Lock()
		upstreamGot = append(upstreamGot, string(got))
		mu.Unlock()
		if err == nil {
			c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4000, "bye"), time.Now().Add(time.Second))
			c.ReadMessage() // the close's echo
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	var got []cassette.Entry
	proxy, err := recorder.NewProxy(recorder.Options{Kind: streamKind(), Upstream: upstream.URL + "/chat",
		Sink: func(e cassette.Entry) error { got = append(got, e); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	app, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(proxy.URL(), "http")+"/websocket?x=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	_ = app.SetReadDeadline(time.Now().Add(10 * time.Second))
	pinged := make(chan string, 1)
	app.SetPingHandler(func(data string) error {
		pinged <- data
		return app.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	for i, want := range down {
		if _, b, err := app.ReadMessage(); err != nil || string(b) != want {
			t.Fatalf("frame %d: %s %v, want %s as it came", i, b, err, want)
		}
	}
	select {
	case p := <-pinged:
		if p != "are you there" {
			t.Errorf("ping %q", p)
		}
	default:
		t.Error("the upstream's ping was not relayed")
	}
	if err := app.WriteMessage(websocket.TextMessage, []byte(ack)); err != nil {
		t.Fatal(err)
	}
	_, _, err = app.ReadMessage()
	if ce := (*websocket.CloseError)(nil); !errors.As(err, &ce) || ce.Code != 4000 || ce.Text != "bye" {
		t.Errorf("the app's read ended with %v, want the upstream's close 4000 bye", err)
	}
	deadline := make(chan struct{})
	go func() { defer close(deadline); proxy.Close() }()
	select {
	case <-deadline:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(upstreamGot) != 1 || upstreamGot[0] != ack {
		t.Errorf("the upstream got %q, want the ack as it was sent", upstreamGot)
	}
	if len(got) != 2 {
		t.Fatalf("recorded %d entries %+v, want the two deliveries", len(got), got)
	}
	for i, want := range []struct {
		turn         int
		body, answer string
	}{{1, `{"text":"hi"}`, ""}, {2, `{"text":"menu"}`, `{"text":"noted"}`}} {
		e := got[i]
		answer := ""
		if e.Response != nil {
			answer = string(e.Response.Body.Bytes())
		}
		if e.Direction != cassette.Inbound || e.Kind != "message" || e.Turn != want.turn || string(e.Request.Body.Bytes()) != want.body ||
			answer != want.answer || (want.answer == "") != (e.Response == nil) {
			t.Errorf("entry %d: %s turn %d %s → %+v, want turn %d %s → %s", i, e.Kind, e.Turn, e.Request.Body.Bytes(), e.Response, want.turn, want.body, want.answer)
		}
	}
}
