package rocketchat

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Defaults for the bot account a Server starts with. The bot logs in with
// DefaultBotUsername (or DefaultBotEmail) and DefaultBotPassword, or uses
// its personal access token (Server.BotToken) without logging in.
const (
	DefaultBotUsername = "chatsim.bot"
	DefaultBotPassword = "chatsim-bot-password"
	DefaultBotEmail    = "chatsim.bot@chatsim.test"
	// DefaultSeed seeds the id sequence unless WithSeed says otherwise.
	DefaultSeed = 1
	// GeneralID is the _id of the #general channel, as on a real server.
	GeneralID = "GENERAL"
)

// Limits of a response_url, as RocketChat's Slack compatibility app keeps
// them: it expires after ResponseURLTTL and serves ResponseURLUses posts.
const (
	ResponseURLTTL  = 30 * time.Minute
	ResponseURLUses = 5
)

// Errors the Go API and the control API return for expected conditions.
var (
	ErrUnknownUser        = errors.New("unknown user")
	ErrUnknownRoom        = errors.New("unknown room")
	ErrUnknownMessage     = errors.New("unknown message")
	ErrUnknownAction      = errors.New("no such interactive element")
	ErrUnknownIntegration = errors.New("unknown integration")
	ErrNotMember          = errors.New("user is not a member of the room")
	ErrExists             = errors.New("already exists")
	ErrInvalid            = errors.New("invalid")
	ErrClosed             = errors.New("server closed")
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clock          fakes.Clock
	journal        *fakes.Journal
	activity       *fakes.Activity
	client         *http.Client
	addr           string
	seed           uint64
	botUsername    string
	botPassword    string
	target         string
	bare           bool
	deliverTimeout time.Duration
	history        int
}

// WithClock stamps messages with c (default: a fresh fakes.VirtualClock
// starting at fakes.EpochUnix); retry waits and response_url expiry use it.
func WithClock(c fakes.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithJournal records every REST call, DDP method and subscription,
// webhook delivery and response_url post in j.
func WithJournal(j *fakes.Journal) Option { return func(cfg *config) { cfg.journal = j } }

// WithActivity counts requests being served, DDP work and queued
// deliveries as work in flight in a.
func WithActivity(a *fakes.Activity) Option { return func(cfg *config) { cfg.activity = a } }

// WithHTTPClient sets the client outgoing webhooks and interaction payloads
// are posted with (default: a client with a 30 s timeout). It is the only
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
// room and the last n calls, deliveries and response_urls (default
// fakes.DefaultHistory, 1,000; n < 1 keeps everything). A message it has
// forgotten answers as one Rocket.Chat no longer has ("No message found
// with the id of …", error-message-not-found). Users and rooms are kept.
func WithHistory(n int) Option { return func(cfg *config) { cfg.history = n } }

// WithAddr makes the server listen on addr (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// WithSeed seeds the sequence every id and token is drawn from (default
// DefaultSeed): the same seed and the same calls give the same ids.
func WithSeed(seed uint64) Option { return func(cfg *config) { cfg.seed = seed } }

// WithBot sets the bot account's username and password (defaults
// DefaultBotUsername and DefaultBotPassword).
func WithBot(username, password string) Option {
	return func(cfg *config) { cfg.botUsername, cfg.botPassword = username, password }
}

// WithWebhookTarget sets the URL the outgoing integration posts to and
// interaction payloads go to (as SetWebhookTarget does later).
func WithWebhookTarget(url string) Option { return func(cfg *config) { cfg.target = url } }

// WithoutDefaults starts the server with only the bot account and
// #general: no other users, no private group, no integrations. Declare
// them with the Go API or the control API.
func WithoutDefaults() Option { return func(cfg *config) { cfg.bare = true } }

// Server is a fake Rocket.Chat server on loopback. Create it with Start or
// New; it is safe for concurrent use.
type Server struct {
	cfg      config
	http     *fakes.Server
	faults   fakes.Faults
	mux      http.Handler
	control  fakes.Control // the control API's routes
	*persons               // the people and places a scenario named (fakes.People)

	mu          sync.Mutex
	closed      bool
	rng         *rand.Rand
	botID       string
	botPAT      string
	users       map[string]*User // by id
	userOrder   []string
	tokens      map[string]tokenRec
	rooms       map[string]*Room
	roomOrder   []string
	msgs        map[string]*Message
	outgoing    []*Outgoing
	incoming    []*Incoming
	interact    interaction
	target      string
	responses   map[string]*responseRec
	respOrder   fakes.History[string] // the response_urls kept, to forget the oldest
	responseTTL time.Duration
	calls       fakes.History[Call]
	deliveries  fakes.History[Delivery]
	queue       []*job
	wake        chan struct{}
	ddp         map[*ddpConn]struct{}

	// life ends at Close: the context the delivery worker and its
	// outgoing requests run under.
	life       context.Context
	endLife    context.CancelFunc
	workerDone chan struct{}
	connsDone  sync.WaitGroup
}

type tokenRec struct {
	userID  string
	expires time.Time // zero for a personal access token
	pat     bool
}

// Start starts a fake Rocket.Chat server on 127.0.0.1. Close it when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{seed: DefaultSeed, botUsername: DefaultBotUsername, botPassword: DefaultBotPassword, deliverTimeout: 30 * time.Second,
		history: fakes.DefaultHistory}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = fakes.NewVirtualClock(time.Time{})
	}
	if cfg.client == nil {
		cfg.client = &http.Client{Timeout: 30 * time.Second}
	}
	if err := validUsername(cfg.botUsername); err != nil {
		return nil, fmt.Errorf("start rocketchat: bot: %w", err)
	}
	if cfg.botPassword == "" {
		return nil, errors.New("start rocketchat: bot: the password must not be empty")
	}
	s := &Server{
		cfg:         cfg,
		rng:         rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)),
		users:       map[string]*User{},
		tokens:      map[string]tokenRec{},
		rooms:       map[string]*Room{},
		msgs:        map[string]*Message{},
		responses:   map[string]*responseRec{},
		respOrder:   fakes.NewHistory[string](cfg.history),
		calls:       fakes.NewHistory[Call](cfg.history),
		deliveries:  fakes.NewHistory[Delivery](cfg.history),
		responseTTL: ResponseURLTTL,
		wake:        make(chan struct{}, 1),
		ddp:         map[*ddpConn]struct{}{},
		workerDone:  make(chan struct{}),
	}
	s.persons = newPersons(s)
	s.life, s.endLife = context.WithCancel(context.Background())
	if err := s.seedState(); err != nil {
		s.endLife()
		return nil, fmt.Errorf("start rocketchat: %w", err)
	}
	s.mux = s.buildControl()
	var err error
	s.http, err = fakes.Listen(cfg.addr, fakes.Track(cfg.activity, "rocketchat", http.HandlerFunc(s.serveHTTP)))
	if err != nil {
		s.endLife()
		return nil, fmt.Errorf("start rocketchat: %w", err)
	}
	if cfg.target != "" {
		_ = s.SetWebhookTarget(context.Background(), cfg.target)
	}
	go s.deliverLoop()
	return s, nil
}

// New starts a Server for a test and closes it when the test ends; it fails
// the test if the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return fakes.ForTest(tb, "rocketchat", func() (*Server, error) { return Start(opts...) })
}

// URL returns the server's base URL, "http://127.0.0.1:PORT". The REST API
// is under URL()+"/api/v1/", the realtime API at URL()+"/websocket",
// incoming webhooks at URL()+"/hooks/<id>/<token>" and the control API
// under URL()+fakes.ControlPrefix.
func (s *Server) URL() string {
	if s == nil || s.http == nil {
		return ""
	}
	return s.http.URL
}

// Faults returns the server's fault list; the control API serves it at
// fakes.ControlPrefix+"faults". Each fault's Op is a REST endpoint
// ("chat.postMessage") or a DDP method ("ddp sendMessage").
func (s *Server) Faults() *fakes.Faults { return &s.faults }

// Close stops the delivery worker, the realtime connections and the server,
// waiting for requests in flight, and ends the activity of deliveries never
// made. It is safe to call more than once and on a nil Server.
func (s *Server) Close() error {
	if s == nil || s.http == nil {
		return nil
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.endLife()
	conns := make([]*ddpConn, 0, len(s.ddp))
	for c := range s.ddp {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	<-s.workerDone
	for _, c := range conns {
		c.close()
	}
	err := s.http.Close()
	s.connsDone.Wait()
	s.mu.Lock()
	for _, j := range s.queue {
		j.ticket.End()
	}
	s.queue = nil
	s.mu.Unlock()
	return err
}

func (s *Server) now() time.Time { return s.cfg.clock.Now().UTC() }

// serveHTTP routes a request: the control API, the REST API, the realtime
// API, incoming webhooks and response URLs.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, fakes.ControlPrefix) || p+"/" == fakes.ControlPrefix:
		s.mux.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/api/v1/"):
		s.serveREST(w, r, strings.TrimPrefix(p, "/api/v1/"))
	case strings.HasPrefix(p, responsePath):
		s.serveResponseURL(w, r, strings.TrimPrefix(p, responsePath))
	case p == "/websocket" || p == "/sockjs/websocket":
		s.serveDDP(w, r)
	case strings.HasPrefix(p, "/hooks/"):
		s.serveIncoming(w, r, strings.TrimPrefix(p, "/hooks/"))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": "Not found"})
	}
}

// idAlphabet is Meteor's Random.id alphabet.
const idAlphabet = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"

const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// newIDLocked draws a 17-character id like Meteor's Random.id from the
// seeded sequence, passing over the ids of users, rooms and messages a
// replay took from its recording (one made on a server with the same seed
// holds the very ids this one draws). s.mu must be held.
func (s *Server) newIDLocked() string {
	for {
		id := s.drawLocked(idAlphabet, 17)
		if s.users[id] == nil && s.rooms[id] == nil && s.msgs[id] == nil {
			return id
		}
	}
}

// newTokenLocked draws a 43-character login token. s.mu must be held.
func (s *Server) newTokenLocked() string { return s.drawLocked(tokenAlphabet, 43) }

func (s *Server) drawLocked(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func validUsername(u string) error {
	if u == "" {
		return fmt.Errorf("username must not be empty: %w", ErrInvalid)
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("username %q may hold only letters, digits, '.', '_' and '-': %w", u, ErrInvalid)
		}
	}
	return nil
}
