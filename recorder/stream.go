package recorder

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/gorilla/websocket"
)

// streamPath is where the proxy's URLs standing for stream URLs are, on
// its API listener: streamPath + index.
const streamPath = "/_chatsim/stream/"

// streamAckWait is how long a delivery that came down a stream waits for
// its ack before it is recorded unanswered and stops counting as work in
// flight: the platform will have given up on it (Slack redelivers an
// envelope after three seconds).
const streamAckWait = 10 * time.Second

// streamWriteWait bounds a write to either side of a stream.
const streamWriteWait = 10 * time.Second

// streams are the streams a Proxy relays (fakes.Wire.Stream): the URLs
// the platform handed out and the relays open. Guarded by Proxy.mu.
type streams struct {
	urls   []string // the platform's stream URLs, by the index of the proxy's
	relays map[*relay]struct{}
	closed bool
	wg     sync.WaitGroup // the relays' pumps
}

// relay is one stream relayed: the integration's WebSocket and the
// platform's, and the deliveries that came down it and wait for their ack.
type relay struct {
	app, up *websocket.Conn
	once    sync.Once
	pending map[string]*streamDelivery // by Frame.ID; guarded by Proxy.mu
}

// streamDelivery is a delivery that came down a stream, recorded once it
// is acked (or given up on).
type streamDelivery struct {
	e     cassette.Entry
	s     *slot
	turn  int
	end   func() // its work in flight
	timer *time.Timer
}

// swapStream returns the answer to a call as the integration gets it: with
// the stream URL it hands out (Wire.Stream) replaced by the proxy's.
func (p *Proxy) swapStream(r *http.Request, status int, body []byte) []byte {
	if p.wire.Stream == nil {
		return body
	}
	nb, ok := p.wire.Stream(r.Method, r.URL.Path, status, body, func(u string) string {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.streams.urls = append(p.streams.urls, u)
		return "ws" + strings.TrimPrefix(p.URL(), "http") + streamPath + strconv.Itoa(len(p.streams.urls)-1)
	})
	if !ok {
		return body
	}
	return nb
}

// serveStream relays a WebSocket the integration opens at one of the
// proxy's stream URLs to the platform's, and one it opens at another path
// of the API (Rocket.Chat's /websocket) to the same path of the upstream,
// when the platform has streams (Wire.Frame); it reports false for any
// other request.
func (p *Proxy) serveStream(w http.ResponseWriter, r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, streamPath)
	if !ok {
		if p.wire.Frame == nil || !websocket.IsWebSocketUpgrade(r) {
			return false
		}
		p.openRelay(w, r, "ws"+strings.TrimPrefix(p.opts.Upstream, "http")+r.URL.RequestURI())
		return true
	}
	i, err := strconv.Atoi(rest)
	target := ""
	p.mu.Lock()
	if err == nil && i >= 0 && i < len(p.streams.urls) {
		target = p.streams.urls[i]
	}
	p.mu.Unlock()
	switch {
	case target == "":
		http.NotFound(w, r)
	case !websocket.IsWebSocketUpgrade(r):
		http.Error(w, "chatsim record: a stream is a WebSocket: upgrade to it", http.StatusBadRequest)
	default:
		p.openRelay(w, r, target)
	}
	return true
}

// openRelay dials the platform's stream, then accepts the integration's,
// and relays frames both ways until either side closes.
func (p *Proxy) openRelay(w http.ResponseWriter, r *http.Request, target string) {
	h := http.Header{}
	for k, vs := range r.Header {
		if !hopHeader(k) && !strings.HasPrefix(http.CanonicalHeaderKey(k), "Sec-Websocket-") {
			h[k] = slices.Clone(vs)
		}
	}
	d := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 30 * time.Second, Subprotocols: websocket.Subprotocols(r)}
	up, resp, err := d.DialContext(r.Context(), target, h)
	if err != nil {
		status := http.StatusBadGateway
		if resp != nil {
			status = resp.StatusCode
			resp.Body.Close()
		}
		http.Error(w, "chatsim record: the platform's stream did not open: "+err.Error(), status)
		p.log(Event{Kind: "stream", Err: err})
		return
	}
	var answer http.Header
	if sp := up.Subprotocol(); sp != "" {
		answer = http.Header{"Sec-Websocket-Protocol": {sp}}
	}
	u := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	app, err := u.Upgrade(w, r, answer)
	if err != nil { // Upgrade has answered
		up.Close()
		return
	}
	fakes.Idle(r) // an open stream is not work in flight; its deliveries are
	rl := &relay{app: app, up: up, pending: map[string]*streamDelivery{}}
	p.mu.Lock()
	if p.streams.closed {
		p.mu.Unlock()
		rl.close(websocket.CloseGoingAway)
		return
	}
	if p.streams.relays == nil {
		p.streams.relays = map[*relay]struct{}{}
	}
	p.streams.relays[rl] = struct{}{}
	p.streams.wg.Add(2)
	p.mu.Unlock()
	p.log(Event{Kind: "stream", Note: "opened, relayed to the platform's"})
	go p.pump(rl, false)
	go p.pump(rl, true)
}

// pump relays one direction of a stream (up: the integration's frames to
// the platform), control frames included, reading each text frame with
// Wire.Frame; when its side closes it passes the close on and ends the
// relay.
func (p *Proxy) pump(rl *relay, up bool) {
	defer p.streams.wg.Done()
	defer p.endRelay(rl)
	from, to := rl.up, rl.app
	if up {
		from, to = rl.app, rl.up
	}
	pass := func(kind int) func(string) error {
		return func(data string) error {
			_ = to.WriteControl(kind, []byte(data), time.Now().Add(streamWriteWait))
			return nil
		}
	}
	from.SetPingHandler(pass(websocket.PingMessage))
	from.SetPongHandler(pass(websocket.PongMessage))
	for {
		kind, data, err := from.ReadMessage()
		if err != nil {
			if ce := (*websocket.CloseError)(nil); errors.As(err, &ce) {
				_ = to.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(ce.Code, ce.Text), time.Now().Add(streamWriteWait))
			}
			return
		}
		if kind == websocket.TextMessage && p.wire.Frame != nil {
			p.readFrame(rl, up, data)
		}
		_ = to.SetWriteDeadline(time.Now().Add(streamWriteWait))
		if err := to.WriteMessage(kind, data); err != nil {
			return
		}
	}
}

// readFrame records what a frame is: a delivery opens a turn, its ack
// answers it.
func (p *Proxy) readFrame(rl *relay, up bool, data []byte) {
	f := p.wire.Frame(up, data)
	switch {
	case up && f.Ack:
		p.mu.Lock()
		d := rl.pending[f.ID]
		delete(rl.pending, f.ID)
		p.mu.Unlock()
		if d != nil {
			resp := &cassette.Response{Status: http.StatusOK}
			if f.Body != nil {
				resp.Headers = recordHeaders(f.Header)
				resp.Body = cassette.BodyFromBytes(f.Body, f.Header.Get("Content-Type"))
			}
			p.endDelivery(d, resp, "over the stream, acked")
		}
	case !up && f.Kind != "" && f.ID == "": // nothing acks it: recorded as it comes
		p.mu.Lock()
		p.turn++
		p.opened = true
		s, at := p.reserveLocked()
		s.entries = []cassette.Entry{p.streamEntry(f, at, p.turn)}
		s.dirs = []fakes.Direction{fakes.Deliveries}
		p.counts.Deliveries++
		p.mu.Unlock()
		p.finish(s)
		p.log(Event{Delivery: true, Kind: f.Kind, Note: "over the stream"})
	case !up && f.Kind != "":
		p.mu.Lock()
		p.turn++
		p.opened = true
		turn := p.turn
		p.inflight = append(p.inflight, turn)
		s, at := p.reserveLocked()
		d := &streamDelivery{s: s, turn: turn, end: p.activity.Begin(p.opts.Kind.Name + " recorder stream " + f.Kind + " " + f.ID)}
		d.e = p.streamEntry(f, at, turn)
		if old := rl.pending[f.ID]; old != nil { // the same ID twice: the first is not acked now
			defer p.endDelivery(old, nil, "over the stream, not acked")
		}
		rl.pending[f.ID] = d
		d.timer = time.AfterFunc(streamAckWait, func() { p.unacked(rl, f.ID, d) })
		p.mu.Unlock()
	case !up && f.ID != "":
		p.log(Event{Delivery: true, Note: "over the stream; relayed, not recorded"})
	}
}

// streamEntry is the inbound entry of a delivery that came down a stream.
// It is verified: the stream is the one the platform's API handed out for
// the credentials given (or the platform's own address), so what comes
// down it is the platform's.
func (p *Proxy) streamEntry(f fakes.Frame, at cassette.Offset, turn int) cassette.Entry {
	return cassette.Entry{At: at, Platform: p.opts.Kind.Name, Direction: cassette.Inbound, Kind: f.Kind, Turn: turn, Verified: true,
		Request: cassette.Request{Method: http.MethodPost, URL: "/", Headers: recordHeaders(f.Header), Body: cassette.BodyFromBytes(f.Body, f.Header.Get("Content-Type"))}}
}

// unacked records a delivery whose ack did not come in time.
func (p *Proxy) unacked(rl *relay, id string, d *streamDelivery) {
	p.mu.Lock()
	if rl.pending[id] != d {
		p.mu.Unlock()
		return
	}
	delete(rl.pending, id)
	p.mu.Unlock()
	p.endDelivery(d, nil, "over the stream, not acked")
}

// endDelivery records a delivery that came down a stream with its answer
// (nil: none came) and closes its turn.
func (p *Proxy) endDelivery(d *streamDelivery, resp *cassette.Response, note string) {
	if d.timer != nil {
		d.timer.Stop()
	}
	p.mu.Lock()
	p.inflight = slices.DeleteFunc(p.inflight, func(t int) bool { return t == d.turn })
	p.counts.Deliveries++
	p.mu.Unlock()
	d.e.Response = resp
	d.s.entries, d.s.dirs = []cassette.Entry{d.e}, []fakes.Direction{fakes.Deliveries}
	p.finish(d.s)
	d.end()
	e := Event{Delivery: true, Kind: d.e.Kind, Note: note}
	if resp != nil {
		e.Status = resp.Status
	}
	p.log(e)
}

// endRelay closes both sides of a relay, once, and records the deliveries
// still waiting for their ack as unanswered.
func (p *Proxy) endRelay(rl *relay) {
	rl.close(websocket.CloseNormalClosure)
	p.mu.Lock()
	_, open := p.streams.relays[rl]
	delete(p.streams.relays, rl)
	var left []*streamDelivery
	for id, d := range rl.pending {
		left = append(left, d)
		delete(rl.pending, id)
	}
	p.mu.Unlock()
	slices.SortFunc(left, func(a, b *streamDelivery) int { return a.turn - b.turn })
	for _, d := range left {
		p.endDelivery(d, nil, "over the stream, not acked")
	}
	if open {
		p.log(Event{Kind: "stream", Note: "closed"})
	}
}

// close closes both sides of a relay, telling each why first.
func (rl *relay) close(code int) {
	rl.once.Do(func() {
		msg := websocket.FormatCloseMessage(code, "")
		for _, c := range []*websocket.Conn{rl.app, rl.up} {
			_ = c.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			_ = c.Close()
		}
	})
}

// closeStreams ends every relay and waits for their pumps; a stream
// opened after it is closed at once.
func (p *Proxy) closeStreams() {
	p.mu.Lock()
	p.streams.closed = true
	open := make([]*relay, 0, len(p.streams.relays))
	for rl := range p.streams.relays {
		open = append(open, rl)
	}
	p.mu.Unlock()
	for _, rl := range open {
		rl.close(websocket.CloseGoingAway)
	}
	p.streams.wg.Wait()
}
