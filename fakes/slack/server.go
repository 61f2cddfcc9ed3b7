package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Errors the Go API and the control API return for expected conditions.
var (
	ErrUnknownUser    = errors.New("unknown user")
	ErrUnknownChannel = errors.New("unknown channel")
	ErrUnknownMessage = errors.New("unknown message")
	ErrUnknownView    = errors.New("unknown view")
	ErrUnknownElement = errors.New("no such interactive element")
	ErrNotMember      = errors.New("user is not a member of the channel")
	ErrExists         = errors.New("already exists")
	ErrInvalid        = errors.New("invalid")
	ErrNoTarget       = errors.New("no delivery target")
	ErrRefused        = errors.New("request URL refused")
	ErrClosed         = errors.New("server closed")
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clock       fakes.Clock
	signClock   fakes.Clock
	journal     *fakes.Journal
	activity    *fakes.Activity
	client      *http.Client
	addr        string
	ws          *Workspace
	wsErr       error
	ackTimeout  time.Duration
	schedule    []time.Duration
	rateLimits  bool
	ownEvents   bool
	ping        time.Duration
	triggerTTL  time.Duration
	requestURL  string
	interactURL string
	commandURL  string
	history     int
}

// WithClock stamps messages, events and rate-limit windows with c (default:
// a fresh fakes.VirtualClock starting at fakes.EpochUnix). Retry pauses
// advance it when it is a *fakes.VirtualClock.
func WithClock(c fakes.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithSigningClock sets the clock X-Slack-Request-Timestamp is read from
// (default fakes.RealClock{}). Apps check that header against their own
// wall clock, rejecting it when more than five minutes off, so it must not
// follow a virtual clock that starts in the past or leaps ahead by a retry
// schedule.
func WithSigningClock(c fakes.Clock) Option { return func(cfg *config) { cfg.signClock = c } }

// WithJournal records every Web API call and every delivery in j.
func WithJournal(j *fakes.Journal) Option { return func(cfg *config) { cfg.journal = j } }

// WithActivity counts requests being served and deliveries queued or in
// flight as work in flight in a.
func WithActivity(a *fakes.Activity) Option { return func(cfg *config) { cfg.activity = a } }

// WithHTTPClient sets the client deliveries are made with (default: a client
// of the Server's own that never follows redirects). It is the only
// outbound traffic the fake makes.
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.client = c } }

// WithWiring puts the fake on a World's wiring: its clock, journal,
// activity tracker and, when set, the HTTP client it delivers with.
func WithWiring(w fakes.Wiring) Option {
	return func(cfg *config) {
		cfg.clock, cfg.journal, cfg.activity = w.Clock, w.Journal, w.Activity
		if w.HTTPClient != nil {
			cfg.client = w.HTTPClient
		}
	}
}

// WithHistory bounds what the fake remembers: the last n messages of each
// channel, the last n Web API calls, deliveries, Events API events,
// trigger_ids and response_urls (default fakes.DefaultHistory, 1,000;
// n < 1 keeps everything). What it has forgotten answers as Slack answers
// for what it no longer has: a message is message_not_found, a trigger_id
// invalid_trigger_id, a response_url no_service.
func WithHistory(n int) Option { return func(cfg *config) { cfg.history = n } }

// WithAddr makes the server listen on addr (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// WithWorkspace sets the workspace the fake starts with (default
// DefaultWorkspace()).
func WithWorkspace(ws Workspace) Option { return func(cfg *config) { cfg.ws = &ws } }

// WithWorkspaceFile loads the workspace from a YAML or JSON file (see
// ParseWorkspace); Start fails with the file's error.
func WithWorkspaceFile(path string) Option {
	return func(cfg *config) {
		ws, err := LoadWorkspace(path)
		if err != nil {
			cfg.wsErr = err
			return
		}
		cfg.ws = &ws
	}
}

// WithAckTimeout sets how long a delivery (an HTTP request or a Socket Mode
// envelope) waits for the app's answer before it counts as a timeout
// (default 3 s, as Slack). It is measured on the Server's clock, as
// fakes.WithTimeout measures it.
func WithAckTimeout(d time.Duration) Option { return func(cfg *config) { cfg.ackTimeout = d } }

// WithRetrySchedule sets the pauses before each redelivery of a failed
// delivery (default: Slack's 0, 1 minute, 5 minutes: three retries). They
// are taken on the Server's clock with fakes.Sleep.
func WithRetrySchedule(pauses ...time.Duration) Option {
	return func(cfg *config) { cfg.schedule = append([]time.Duration{}, pauses...) }
}

// WithRateLimits switches Slack's rate-limit tiers on (default off); the
// control API and SetRateLimits switch them at run time.
func WithRateLimits(on bool) Option { return func(cfg *config) { cfg.rateLimits = on } }

// WithOwnEvents sets whether the app receives events about what its own
// bot did (its messages, reactions, joins), as Slack sends them (default
// on).
func WithOwnEvents(on bool) Option { return func(cfg *config) { cfg.ownEvents = on } }

// WithPingInterval sets how often Socket Mode connections get a WebSocket
// ping (default 10 s; slack-go drops a connection after 30 s without one).
func WithPingInterval(d time.Duration) Option { return func(cfg *config) { cfg.ping = d } }

// WithTriggerTTL sets how long a trigger_id can open a view (default 3 s on
// the Server's clock, as Slack).
func WithTriggerTTL(d time.Duration) Option { return func(cfg *config) { cfg.triggerTTL = d } }

// WithRequestURLs sets the Events API Request URL, the interactivity URL
// and the slash-command URL without url_verification (an empty string
// leaves one unset). SetRequestURL verifies the way Slack's settings page
// does.
func WithRequestURLs(events, interactivity, commands string) Option {
	return func(cfg *config) { cfg.requestURL, cfg.interactURL, cfg.commandURL = events, interactivity, commands }
}

// Server is a fake Slack (Web API, Events API, interactivity, slash
// commands, Socket Mode) on loopback. Create it with Start or New; it is safe
// for concurrent use.
type Server struct {
	cfg      config
	http     *fakes.Server
	faults   fakes.Faults
	mux      http.Handler
	control  fakes.Control // the control API's routes
	*persons               // the people and places a scenario named (fakes.People)

	mu sync.Mutex
	st *state

	// life ends at Close: the context the delivery worker and its
	// outgoing requests run under.
	life       context.Context
	endLife    context.CancelFunc
	workerDone chan struct{}
	wake       chan struct{}
	sockWG     sync.WaitGroup
}

// Start starts a fake Slack on 127.0.0.1. Close it when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{ackTimeout: 3 * time.Second, schedule: []time.Duration{0, time.Minute, 5 * time.Minute}, history: fakes.DefaultHistory,
		ownEvents: true, ping: 10 * time.Second, triggerTTL: 3 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.wsErr != nil {
		return nil, fmt.Errorf("start slack: %w", cfg.wsErr)
	}
	if cfg.ws == nil {
		ws := DefaultWorkspace()
		cfg.ws = &ws
	}
	if err := cfg.ws.Validate(); err != nil {
		return nil, fmt.Errorf("start slack: workspace: %w", err)
	}
	if cfg.clock == nil {
		cfg.clock = fakes.NewVirtualClock(time.Time{})
	}
	if cfg.signClock == nil {
		cfg.signClock = fakes.RealClock{}
	}
	if cfg.client == nil {
		cfg.client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if cfg.ackTimeout <= 0 {
		cfg.ackTimeout = 3 * time.Second
	}
	if cfg.ping <= 0 {
		cfg.ping = 10 * time.Second
	}
	s := &Server{
		cfg:        cfg,
		workerDone: make(chan struct{}),
		wake:       make(chan struct{}, 1),
	}
	s.persons = newPersons(s)
	s.life, s.endLife = context.WithCancel(context.Background())
	st, err := newState(*cfg.ws, cfg.clock, cfg.history)
	if err != nil {
		s.endLife()
		return nil, fmt.Errorf("start slack: %w", err)
	}
	s.st = st
	st.requestURL, st.interactURL, st.commandURL = cfg.requestURL, cfg.interactURL, cfg.commandURL
	st.rateLimits = cfg.rateLimits
	s.mux = s.buildControl()
	s.http, err = fakes.Listen(cfg.addr, fakes.Track(cfg.activity, "slack", http.HandlerFunc(s.serveHTTP)))
	if err != nil {
		s.endLife()
		return nil, fmt.Errorf("start slack: %w", err)
	}
	go s.deliverLoop()
	return s, nil
}

// New starts a Server for a test and closes it when the test ends; it fails
// the test if the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return fakes.ForTest(tb, "slack", func() (*Server, error) { return Start(opts...) })
}

// URL returns the server's base URL, "http://127.0.0.1:PORT". The Web API
// is at URL()+"/api/<method>" (slack-go: slack.OptionAPIURL(URL()+"/api/")),
// Socket Mode at URL()+"/link/", response_urls under URL()+"/hooks/" and the
// control API under URL()+fakes.ControlPrefix.
func (s *Server) URL() string {
	if s == nil || s.http == nil {
		return ""
	}
	return s.http.URL
}

// APIURL returns the Web API base, URL()+"/api/", what slack-go's
// OptionAPIURL and @slack/web-api's slackApiUrl take.
func (s *Server) APIURL() string { return s.URL() + "/api/" }

// Workspace returns the workspace as it stands now (users and channels
// added by control calls included).
func (s *Server) Workspace() Workspace {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.workspace()
}

// BotToken returns the bot token (xoxb-…).
func (s *Server) BotToken() string { return s.cfg.ws.App.BotToken }

// AppToken returns the app-level token (xapp-…) for Socket Mode.
func (s *Server) AppToken() string { return s.cfg.ws.App.AppToken }

// SigningSecret returns the secret deliveries are signed with.
func (s *Server) SigningSecret() string { return s.cfg.ws.App.SigningSecret }

// Faults returns the server's fault list; the control API serves it at
// fakes.ControlPrefix+"faults". Each fault's Op is a Web API method
// ("chat.postMessage"); a Status of 429 answers Slack's ratelimited with an
// integer Retry-After, any other 4xx/5xx status answers that HTTP status
// (with {"ok":false,"error":Message} when Message is set, for 200 give
// Status 0 and Message: an API error such as "channel_not_found").
func (s *Server) Faults() *fakes.Faults { return &s.faults }

// Close stops deliveries, Socket Mode connections and the server, waiting
// for requests in flight. It is safe to call more than once and on a nil
// Server.
func (s *Server) Close() error {
	if s == nil || s.http == nil {
		return nil
	}
	s.mu.Lock()
	if s.st.closed {
		s.mu.Unlock()
		return nil
	}
	s.st.closed = true
	s.endLife()
	for c := range s.st.sockets {
		c.close()
	}
	for id, t := range s.st.tickets {
		t.done()
		delete(s.st.tickets, id)
	}
	s.mu.Unlock()
	<-s.workerDone
	err := s.http.Close()
	s.sockWG.Wait()
	s.mu.Lock()
	for _, q := range s.st.queue {
		q.ticket.End()
	}
	s.st.queue = nil
	s.mu.Unlock()
	return err
}

func (s *Server) now() time.Time { return s.cfg.clock.Now() }

// serveHTTP routes a request: the control API, the Web API, Socket Mode,
// response_urls and file uploads; anything else is a 404.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, fakes.ControlPrefix) || p+"/" == fakes.ControlPrefix:
		s.mux.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/api/"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/api/"))
	case strings.HasPrefix(p, "/link"):
		s.serveSocket(w, r)
	case strings.HasPrefix(p, "/hooks/"):
		s.serveResponseURL(w, r, strings.TrimPrefix(p, "/hooks/"))
	case strings.HasPrefix(p, "/upload/v1/"):
		s.serveUpload(w, r, strings.TrimPrefix(p, "/upload/v1/"))
	default:
		http.NotFound(w, r)
	}
}
