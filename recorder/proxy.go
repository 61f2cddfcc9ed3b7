package recorder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// Options configure a Proxy.
type Options struct {
	// Kind is the platform recorded: its Wire says how its traffic reads,
	// its Carriers where its secrets are.
	Kind fakes.Kind
	// Upstream is the platform's API base URL, where the integration's calls
	// go ("https://api.telegram.org", or another chatsim standing in for
	// it); empty means Kind.Wire.APIURL.
	Upstream string
	// Listen is the address deliveries come to ("127.0.0.1:8080", where a
	// tunnel points); empty means a free port on 127.0.0.1.
	Listen string
	// PublicURL is the URL the platform delivers to when that is not the
	// listener's own (a tunnel's https URL); empty means the listener's.
	PublicURL string
	// Secrets are the credentials the integration is given, by the name it
	// reads them under (TELEGRAM_BOT_TOKEN, SLACK_SIGNING_SECRET): they go
	// into its environment, deliveries are verified with them, and they are
	// redacted wherever they appear.
	Secrets map[string]string
	// Env are more variables the integration is given that are not secrets
	// (SLACK_TEAM_ID, ROCKETCHAT_USER): they are not redacted.
	Env map[string]string
	// Insecure records deliveries that cannot be verified (no secret to
	// check them with). A delivery whose signature is wrong is refused
	// either way.
	Insecure bool
	// Rules are the person's own redaction rules.
	Rules Rules
	// Sink receives each finished exchange, redacted, in the order the
	// requests began (a File's Write). nil keeps nothing.
	Sink func(cassette.Entry) error
	// Log, when set, is told about each exchange as it ends, for people.
	Log func(Event)
	// After continues a recording (AppendFile): turns open after its Turn
	// and times run on from its At, and the calls made before the first
	// delivery (the integration's setup, which the cassette holds already)
	// are forwarded but not recorded.
	After Position
}

// Position is where a recording stands: the last turn opened and the
// time of the last entry.
type Position struct {
	Turn int
	At   cassette.Offset
}

// Event is one exchange a Proxy saw, for a person watching a recording.
type Event struct {
	// Delivery is true for a delivery from the platform, false for a call
	// the integration made.
	Delivery bool
	// Kind is the exchange's cassette kind ("update", "sendMessage"); empty
	// for a delivery forwarded and not recorded (Wire.Delivery).
	Kind string
	// Status is the answer's status; 0 for a delivery refused before it
	// was forwarded.
	Status int
	// Note says what the recorder made of it: "signature verified",
	// "refused: …", "not verified (--insecure)".
	Note string
	// Err is what went wrong forwarding it, if anything.
	Err error
}

// Proxy records one chat platform's live traffic: a World (package sim)
// runs it in the platform's place, as a fakes.Platform whose URL is the
// API the integration calls (forwarded to Upstream) and whose InboundURL
// receives the platform's deliveries (verified, then forwarded to the
// integration's side). Every exchange is redacted and handed to
// Options.Sink in the order it began, each with its turn.
type Proxy struct {
	opts     Options
	wire     fakes.Wire
	red      *Redactor
	client   *http.Client
	clock    fakes.Clock
	activity *fakes.Activity
	api      *fakes.Server
	inbound  *fakes.Server
	public   string
	start    time.Time

	mu       sync.Mutex
	target   string                     // where deliveries are forwarded
	routes   map[string]string          // where deliveries of a kind are forwarded (Wire.Route)
	learned  map[string]string          // secrets seen in calls (setWebhook's secret_token)
	turn     int                        // the last turn opened
	opened   bool                       // a delivery opened a turn in this run
	seed     map[string]json.RawMessage // what Wire.Seed learned
	inflight []int                      // turns of the deliveries being forwarded
	slots    []*slot                    // exchanges in the order they began, not yet handed on
	caps     []capability               // the capability URLs swapped, by index (Wire.Capabilities)
	streams  streams                    // the streams relayed (Wire.Stream, stream.go)
	counts   Counts
	sinkErr  error
	closed   bool
}

// Counts are what a Proxy recorded.
type Counts struct {
	Deliveries, Calls, Refused int
}

// slot is one exchange's place in the cassette's order: its entries are
// handed on once it and every slot before it have ended.
type slot struct {
	entries []cassette.Entry
	dirs    []fakes.Direction
	done    bool
}

// capability is a capability URL a delivery carried (Slack's
// response_url): the integration's calls to the proxy's URL standing for it
// go there, recorded as calls of kind in turn.
type capability struct {
	kind, url string
	turn      int
}

// capabilityPath is where the proxy's URLs standing for capability URLs
// are, on its API listener: capabilityPath + index.
const capabilityPath = "/_chatsim/capability/"

// ErrNotRecordable is returned by NewProxy for a platform whose Wire says
// nothing of its deliveries yet.
var ErrNotRecordable = errors.New("chatsim cannot record this platform yet")

// NewProxy returns a Proxy for opts.Kind; Start (as a fakes.Kind's Start
// does) puts it on a World's wiring and begins listening.
func NewProxy(opts Options) (*Proxy, error) {
	w := opts.Kind.Wire
	if w.Delivery == nil {
		return nil, fmt.Errorf("record %s: %w", opts.Kind.Name, ErrNotRecordable)
	}
	if opts.Upstream == "" {
		opts.Upstream = w.APIURL
	}
	if opts.Upstream == "" {
		return nil, fmt.Errorf("record %s: no upstream: give the platform's API URL", opts.Kind.Name)
	}
	if err := fakes.CheckURL(opts.Upstream); err != nil {
		return nil, fmt.Errorf("record %s: upstream: %w", opts.Kind.Name, err)
	}
	opts.Upstream = strings.TrimRight(opts.Upstream, "/")
	red, err := NewRedactor(opts.Kind.Carriers, opts.Rules)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Secrets)) {
		red.Known(name, opts.Secrets[name])
	}
	return &Proxy{opts: opts, wire: w, red: red, learned: map[string]string{}, routes: map[string]string{}}, nil
}

// Start puts the proxy on a World's wiring (its clock for the entries'
// times, its activity tracker for the exchanges in flight) and listens.
// It has the signature of fakes.Kind's Start.
func (p *Proxy) Start(w fakes.Wiring) (fakes.Platform, error) {
	p.clock, p.activity = w.Clock, w.Activity
	if p.clock == nil {
		p.clock = fakes.RealClock{}
	}
	p.client = w.HTTPClient
	if p.client == nil {
		p.client = &http.Client{Timeout: 2 * time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	p.start = p.clock.Now().Add(-p.opts.After.At.Duration())
	p.turn = p.opts.After.Turn
	name := p.opts.Kind.Name
	var err error
	if p.api, err = fakes.Listen("", fakes.Track(p.activity, name+" recorder", http.HandlerFunc(p.serveCall))); err != nil {
		return nil, fmt.Errorf("record %s: %w", name, err)
	}
	if p.inbound, err = fakes.Listen(p.opts.Listen, fakes.Track(p.activity, name+" recorder", http.HandlerFunc(p.serveDelivery))); err != nil {
		p.api.Close()
		return nil, fmt.Errorf("record %s: %w", name, err)
	}
	p.public = strings.TrimRight(p.opts.PublicURL, "/")
	if p.public == "" {
		p.public = p.inbound.URL
	}
	return p, nil
}

// Name returns the platform's name.
func (p *Proxy) Name() string { return p.opts.Kind.Name }

// URL returns where the integration calls the platform's API.
func (p *Proxy) URL() string { return p.api.URL }

// InboundURL returns where the platform delivers: the public URL when one
// was given, else the listener's.
func (p *Proxy) InboundURL() string { return p.public }

// Env gives the integration the proxy as the platform's API and the
// secrets it was given.
func (p *Proxy) Env() map[string]string {
	env := maps.Clone(p.opts.Env)
	if env == nil {
		env = map[string]string{}
	}
	maps.Copy(env, p.opts.Secrets)
	if p.wire.APIURLEnv != "" {
		env[p.wire.APIURLEnv] = p.URL()
	}
	return env
}

// Service describes the recording for `chatsim serve --json`-like output.
func (p *Proxy) Service() map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]any{"url": p.URL(), "inboundUrl": p.InboundURL(), "upstream": p.opts.Upstream, "target": p.target}
}

// Literals hides the secrets and the proxy's address in a rendered journal.
func (p *Proxy) Literals() map[string]string {
	out := map[string]string{}
	for name, v := range p.opts.Secrets {
		out[v] = "${" + name + "}"
	}
	if p.wire.APIURLEnv != "" {
		out[p.URL()] = "${" + p.wire.APIURLEnv + "}"
	}
	return out
}

// SetWebhookTarget sets where deliveries are forwarded, unless the
// integration names its own address in a call (Telegram's setWebhook).
func (p *Proxy) SetWebhookTarget(_ context.Context, url string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.target == "" {
		p.target = url
	}
	return nil
}

// Replay is not what a recorder does.
func (p *Proxy) Replay(context.Context, fakes.Delivery) (string, error) {
	return "", fmt.Errorf("replay: %w: a recording's platform is the real one", fakes.ErrUnsupported)
}

// Has reports false: people act on the real platform.
func (p *Proxy) Has(string) bool { return false }

// Do is fakes.ErrUnsupported: people act on the real platform.
func (p *Proxy) Do(context.Context, fakes.Action) (string, error) {
	return "", fmt.Errorf("act: %w: while recording, people act on the real %s", fakes.ErrUnsupported, p.opts.Kind.Title)
}

// Seen is fakes.ErrUnsupported: what people see is on the real platform.
func (p *Proxy) Seen(person, _ string) ([]fakes.Shown, error) {
	return nil, fmt.Errorf("what %q sees: %w: while recording, look at the real %s", person, fakes.ErrUnsupported, p.opts.Kind.Title)
}

// Counts returns what was recorded so far.
func (p *Proxy) Counts() Counts {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts
}

// Seed returns what the platform's answers showed of its world (Wire.Seed),
// redacted, for the cassette header's seed under the platform's name; nil
// when nothing was learned.
func (p *Proxy) Seed() json.RawMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.seed) == 0 {
		return nil
	}
	raw, err := json.Marshal(p.seed)
	if err != nil {
		return nil
	}
	p.red.mu.Lock()
	defer p.red.mu.Unlock()
	return p.red.rewriteJSON(raw)
}

// Redactor returns the proxy's redactor, for the cassette's header.
func (p *Proxy) Redactor() *Redactor { return p.red }

// Close stops listening and hands on what has ended; it returns the first
// error the sink gave.
func (p *Proxy) Close() error {
	p.closeStreams()
	p.inbound.Close()
	p.api.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	return p.sinkErr
}

// maxBody bounds a recorded body.
const maxBody = 64 << 20

// offset is the time since the recording began.
func (p *Proxy) offset() cassette.Offset {
	d := p.clock.Now().Sub(p.start)
	if d < 0 {
		d = 0
	}
	return cassette.Offset(d)
}

// reserve takes the next place in the cassette's order, and the time of
// it: places and times go up together.
func (p *Proxy) reserve() (*slot, cassette.Offset) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reserveLocked()
}

// reserveLocked is reserve with p.mu held.
func (p *Proxy) reserveLocked() (*slot, cassette.Offset) {
	s := &slot{}
	p.slots = append(p.slots, s)
	return s, p.offset()
}

// finish ends a slot and hands on, redacted, every entry of the slots
// that have all ended from the first.
func (p *Proxy) finish(s *slot) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.done = true
	for len(p.slots) > 0 && p.slots[0].done {
		head := p.slots[0]
		p.slots = p.slots[1:]
		for i := range head.entries {
			p.red.Redact(&head.entries[i], head.dirs[i])
			if p.opts.Sink != nil && p.sinkErr == nil {
				p.sinkErr = p.opts.Sink(head.entries[i])
			}
		}
	}
}

// setupAgain reports whether a call is part of the setup of a continued
// recording, before its first delivery.
func (p *Proxy) setupAgain() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opts.After != (Position{}) && !p.opened
}

// currentTurn is the turn a call belongs to: the latest delivery still
// being forwarded, else the last one.
func (p *Proxy) currentTurn() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.inflight); n > 0 {
		return p.inflight[n-1]
	}
	return p.turn
}

func (p *Proxy) log(e Event) {
	if p.opts.Log != nil {
		p.opts.Log(e)
	}
}

// serveDelivery records a delivery from the platform: it verifies it,
// forwards it to the integration's side and records both.
func (p *Proxy) serveDelivery(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "read the delivery: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	kind := p.wire.Delivery(r.Method, r.URL.Path, r.Header, body)
	verified, note := false, "not signed"
	if p.wire.Verify != nil {
		switch err := p.wire.Verify(r.Header, body, p.secrets(), p.clock.Now()); {
		case err == nil:
			verified, note = true, "signature verified"
		case errors.Is(err, fakes.ErrUnverified) && p.opts.Insecure:
			note = "not verified (--insecure): " + err.Error()
		default:
			p.refuse(w, kind, err)
			return
		}
	}
	if kind == "" { // nothing a replay delivers (Slack's url_verification): forwarded, not recorded
		p.mu.Lock()
		target := p.target
		p.mu.Unlock()
		note += "; forwarded, not recorded"
		resp, rb, err := p.forward(r, target, r.URL.RawQuery, body)
		if err != nil {
			http.Error(w, "chatsim record: the integration did not answer: "+err.Error(), http.StatusBadGateway)
			p.log(Event{Delivery: true, Note: note, Err: err})
			return
		}
		answer(w, resp, rb)
		p.log(Event{Delivery: true, Status: resp.StatusCode, Note: note})
		return
	}
	// The turn, the slot and the time are taken together, so that turns
	// open in the cassette's order.
	p.mu.Lock()
	p.turn++
	p.opened = true
	turn := p.turn
	p.inflight = append(p.inflight, turn)
	target := p.target
	if t := p.routes[kind]; t != "" {
		target = t
	}
	s, at := p.reserveLocked()
	p.mu.Unlock()
	e := cassette.Entry{At: at, Platform: p.opts.Kind.Name, Direction: cassette.Inbound, Kind: kind, Turn: turn, Verified: verified,
		Request: cassette.Request{Method: r.Method, URL: r.URL.RequestURI(), Headers: recordHeaders(r.Header), Body: cassette.BodyFromBytes(body, r.Header.Get("Content-Type"))}}
	defer func() {
		p.mu.Lock()
		p.inflight = slices.DeleteFunc(p.inflight, func(t int) bool { return t == turn })
		p.counts.Deliveries++
		p.mu.Unlock()
		s.entries, s.dirs = []cassette.Entry{e}, []fakes.Direction{fakes.Deliveries}
		p.finish(s)
	}()
	if target == "" {
		http.Error(w, "chatsim record: the integration has not said where deliveries go yet", http.StatusServiceUnavailable)
		e.Response = &cassette.Response{Status: http.StatusServiceUnavailable}
		p.log(Event{Delivery: true, Kind: kind, Status: http.StatusServiceUnavailable, Note: note, Err: errors.New("no target yet")})
		return
	}
	fwd, fwdBody := r, body
	if p.wire.Capabilities != nil {
		swap := func(kind, u string) string {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.caps = append(p.caps, capability{kind: kind, url: u, turn: turn})
			return p.URL() + capabilityPath + strconv.Itoa(len(p.caps)-1)
		}
		if h, b, ok := p.wire.Capabilities(r.Header, body, p.secrets(), swap); ok {
			fwd, fwdBody = r.Clone(r.Context()), b
			fwd.Header = h
		}
	}
	resp, rb, err := p.forward(fwd, target, r.URL.RawQuery, fwdBody)
	if err != nil {
		http.Error(w, "chatsim record: the integration did not answer: "+err.Error(), http.StatusBadGateway)
		e.Response = &cassette.Response{Status: http.StatusBadGateway}
		p.log(Event{Delivery: true, Kind: kind, Note: note, Err: err})
		return
	}
	e.Response = &cassette.Response{Status: resp.StatusCode, Headers: recordHeaders(resp.Header), Body: cassette.BodyFromBytes(rb, resp.Header.Get("Content-Type"))}
	answer(w, resp, rb)
	p.log(Event{Delivery: true, Kind: kind, Status: resp.StatusCode, Note: note})
}

// refuse answers a delivery that could not be verified, and records
// nothing of it.
func (p *Proxy) refuse(w http.ResponseWriter, kind string, err error) {
	p.mu.Lock()
	p.counts.Refused++
	p.mu.Unlock()
	msg := "refused: " + err.Error()
	if errors.Is(err, fakes.ErrUnverified) {
		msg += " (give the secret, or --insecure to record it anyway)"
	}
	http.Error(w, "chatsim record: "+msg, http.StatusUnauthorized)
	p.log(Event{Delivery: true, Kind: kind, Status: http.StatusUnauthorized, Note: msg})
}

// secrets are what deliveries are verified with: the ones given, and the
// ones the integration's calls named (setWebhook's secret_token).
func (p *Proxy) secrets() map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := maps.Clone(p.learned)
	maps.Copy(out, p.opts.Secrets)
	return out
}

// serveCall records a call the integration made: it forwards it to the
// platform's API and records both; a call that says where deliveries go is
// rewritten to the proxy's inbound URL, an answer that carries
// deliveries is recorded as those deliveries, and one that hands out a
// stream is given the proxy's URL for it (stream.go).
func (p *Proxy) serveCall(w http.ResponseWriter, r *http.Request) {
	if p.serveStream(w, r) {
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "read the call: "+err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	if c, ok := p.capabilityAt(r.URL.Path); ok {
		p.serveCapability(w, r, body, c)
		return
	}
	kind := ""
	if p.wire.Call != nil {
		kind = p.wire.Call(r.Method, r.URL.Path, body)
	}
	if kind == p.wire.Poll && kind != "" {
		fakes.Idle(r) // a long poll waits on purpose
	}
	p.learn(r, body)
	target := r.URL.RequestURI()
	sent := body
	if p.wire.Register != nil {
		if nt, nb, asked, ok := p.wire.Register(r.Method, target, r.Header, body, p.InboundURL()); ok {
			target, sent = nt, nb
			p.mu.Lock()
			p.target = asked
			if p.wire.Route != nil {
				if k := p.wire.Route(r.Method, r.URL.RequestURI(), r.Header, body); k != "" {
					p.routes[k] = asked
				}
			}
			p.mu.Unlock()
		}
	}
	poll := kind != "" && kind == p.wire.Poll
	if poll {
		// A long poll is not a call to replay: what it brings is, as
		// deliveries in the order they come.
		resp, rb, err := p.forwardCall(w, r, target, sent)
		if err != nil {
			p.log(Event{Kind: kind, Err: err})
			return
		}
		p.recordPulled(kind, r, resp.StatusCode, rb)
		return
	}
	if p.setupAgain() {
		if _, _, err := p.forwardCall(w, r, target, sent); err != nil {
			p.log(Event{Kind: kind, Err: err})
		} else {
			p.log(Event{Kind: kind, Note: "setup again, not recorded"})
		}
		return
	}
	turn := p.currentTurn()
	s, at := p.reserve()
	e := cassette.Entry{At: at, Platform: p.opts.Kind.Name, Direction: cassette.Outbound, Kind: kind, Turn: turn,
		Request: cassette.Request{Method: r.Method, URL: r.URL.RequestURI(), Headers: recordHeaders(r.Header), Body: cassette.BodyFromBytes(body, r.Header.Get("Content-Type"))}}
	resp, rb, err := p.forwardCall(w, r, target, sent)
	if err != nil {
		p.finish(s)
		p.log(Event{Kind: kind, Err: err})
		return
	}
	e.Response = &cassette.Response{Status: resp.StatusCode, Headers: recordHeaders(resp.Header), Body: cassette.BodyFromBytes(rb, resp.Header.Get("Content-Type"))}
	if p.wire.Seed != nil {
		p.mu.Lock()
		if p.seed == nil {
			p.seed = map[string]json.RawMessage{}
		}
		p.wire.Seed(kind, resp.StatusCode, rb, p.seed)
		p.mu.Unlock()
	}
	s.entries, s.dirs = []cassette.Entry{e}, []fakes.Direction{fakes.Calls}
	p.mu.Lock()
	p.counts.Calls++
	p.mu.Unlock()
	p.finish(s)
	p.log(Event{Kind: kind, Status: resp.StatusCode})
}

// capabilityAt returns the capability URL the proxy's path stands for.
func (p *Proxy) capabilityAt(path string) (capability, bool) {
	rest, ok := strings.CutPrefix(path, capabilityPath)
	if !ok {
		return capability{}, false
	}
	i, err := strconv.Atoi(rest)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil || i < 0 || i >= len(p.caps) {
		return capability{}, false
	}
	return p.caps[i], true
}

// serveCapability forwards a call to a capability URL a delivery carried
// and records it in that delivery's turn.
func (p *Proxy) serveCapability(w http.ResponseWriter, r *http.Request, body []byte, c capability) {
	s, at := p.reserve()
	e := cassette.Entry{At: at, Platform: p.opts.Kind.Name, Direction: cassette.Outbound, Kind: c.kind, Turn: c.turn,
		Request: cassette.Request{Method: r.Method, URL: r.URL.RequestURI(), Headers: recordHeaders(r.Header), Body: cassette.BodyFromBytes(body, r.Header.Get("Content-Type"))}}
	resp, rb, err := p.forward(r, c.url, r.URL.RawQuery, body)
	if err != nil {
		http.Error(w, "chatsim record: the platform did not answer: "+err.Error(), http.StatusBadGateway)
		p.finish(s)
		p.log(Event{Kind: c.kind, Err: err})
		return
	}
	answer(w, resp, rb)
	e.Response = &cassette.Response{Status: resp.StatusCode, Headers: recordHeaders(resp.Header), Body: cassette.BodyFromBytes(rb, resp.Header.Get("Content-Type"))}
	s.entries, s.dirs = []cassette.Entry{e}, []fakes.Direction{fakes.Calls}
	p.mu.Lock()
	p.counts.Calls++
	p.mu.Unlock()
	p.finish(s)
	p.log(Event{Kind: c.kind, Status: resp.StatusCode})
}

// forwardCall sends a call to the upstream API and answers the integration
// with what came back; an upstream that cannot be reached is a 502.
func (p *Proxy) forwardCall(w http.ResponseWriter, r *http.Request, target string, body []byte) (*http.Response, []byte, error) {
	u, err := url.Parse(p.opts.Upstream + target)
	if err != nil {
		http.Error(w, "chatsim record: "+err.Error(), http.StatusBadRequest)
		return nil, nil, err
	}
	// The upstream's own path (a server under /chat) is in u already.
	base := url.URL{Scheme: u.Scheme, User: u.User, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	resp, rb, err := p.forward(r, base.String(), u.RawQuery, body)
	if err != nil {
		http.Error(w, "chatsim record: the platform's API did not answer: "+err.Error(), http.StatusBadGateway)
		return nil, nil, err
	}
	answer(w, resp, p.swapStream(r, resp.StatusCode, rb))
	return resp, rb, nil
}

// recordPulled records the deliveries a long poll's answer brought, each
// opening a turn, at the time the answer came.
func (p *Proxy) recordPulled(call string, r *http.Request, status int, body []byte) {
	if p.wire.Pulled == nil {
		return
	}
	kind, pulled := p.wire.Pulled(r.Method, r.URL.Path, status, body)
	if len(pulled) == 0 {
		return
	}
	p.mu.Lock()
	s, at := p.reserveLocked()
	p.opened = true
	for _, d := range pulled {
		p.turn++
		s.entries = append(s.entries, cassette.Entry{At: at, Platform: p.opts.Kind.Name, Direction: cassette.Inbound, Kind: kind, Turn: p.turn,
			Request: cassette.Request{Method: http.MethodPost, URL: "/", Headers: http.Header{"Content-Type": {"application/json"}}, Body: cassette.BodyFromBytes(d, "application/json")}})
		s.dirs = append(s.dirs, fakes.Deliveries)
		p.counts.Deliveries++
	}
	p.mu.Unlock()
	p.finish(s)
	for range pulled {
		p.log(Event{Delivery: true, Kind: kind, Status: status, Note: "pulled by " + call})
	}
}

// learn keeps the secrets a call names in its carrier fields
// (setWebhook's secret_token), to verify the deliveries that follow.
func (p *Proxy) learn(r *http.Request, body []byte) {
	var found map[string]string
	for _, c := range p.opts.Kind.Carriers {
		if c.Field == "" || c.In == fakes.Deliveries {
			continue
		}
		if v := fieldValue(r, body, c.Field); v != "" {
			if found == nil {
				found = map[string]string{}
			}
			found[c.Name] = v
		}
	}
	if found == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for name, v := range found {
		if _, given := p.opts.Secrets[name]; !given {
			p.learned[name] = v
			p.red.Known(name, v)
		}
	}
}

// forward sends a request like r, with body, to target (with query, when
// target has none), and reads the answer.
func (p *Proxy) forward(r *http.Request, target, query string, body []byte) (*http.Response, []byte, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, nil, err
	}
	if u.RawQuery == "" {
		u.RawQuery = query
	}
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	for k, vs := range r.Header {
		if !hopHeader(k) {
			req.Header[k] = slices.Clone(vs)
		}
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, nil, err
	}
	return resp, rb, nil
}

// answer writes an answer the proxy read back to its caller.
func answer(w http.ResponseWriter, resp *http.Response, body []byte) {
	for k, vs := range resp.Header {
		if !hopHeader(k) && k != "Content-Length" {
			w.Header()[k] = slices.Clone(vs)
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// hopHeader reports whether a header belongs to one hop of the way and is
// not forwarded: the connection's own, and the encodings the proxy's
// client negotiates for itself.
func hopHeader(k string) bool {
	switch http.CanonicalHeaderKey(k) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "Te", "Trailer",
		"Transfer-Encoding", "Upgrade", "Accept-Encoding", "Content-Encoding", "Host", "Content-Length":
		return true
	}
	return false
}

// recordHeaders clones the headers a cassette keeps (the Redactor drops
// the rest).
func recordHeaders(h http.Header) http.Header {
	out := http.Header{}
	for k, vs := range h {
		if !hopHeader(k) {
			out[http.CanonicalHeaderKey(k)] = slices.Clone(vs)
		}
	}
	return out
}

// fieldValue returns the value of the parameter name in a request: in its
// query, its form or multipart body, or at any depth of its JSON body.
func fieldValue(r *http.Request, body []byte, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "application/json" || len(body) > 0 && (body[0] == '{' || body[0] == '['):
		var v any
		if json.Unmarshal(body, &v) != nil {
			return ""
		}
		found := ""
		walkJSON(v, "", func(_, key, s string) {
			if key == name && found == "" {
				found = s
			}
		})
		return found
	case ct == "multipart/form-data":
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return ""
			}
			if part.FormName() == name && part.FileName() == "" {
				b, _ := io.ReadAll(io.LimitReader(part, 4096))
				return string(b)
			}
		}
	default:
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			return ""
		}
		return vs.Get(name)
	}
}
