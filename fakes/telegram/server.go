package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// DefaultToken is the bot token a Server accepts unless WithToken says
// otherwise. It has the shape of a real token: the bot's id, a colon and 35
// characters.
const DefaultToken = "123456789:AAE-chatsim-test-token-000000000000"

// DefaultBotUsername is the bot's username unless WithBotUser says otherwise.
const DefaultBotUsername = "chatsim_bot"

// FirstUpdateID is the update_id of the first update a Server creates; the
// following ones count up from it.
const FirstUpdateID = 100000001

// Errors the Go API and the control API return for expected conditions.
var (
	ErrUnknownUser    = errors.New("unknown user")
	ErrUnknownChat    = errors.New("unknown chat")
	ErrUnknownMessage = errors.New("unknown message")
	ErrUnknownButton  = errors.New("no such button")
	ErrNotMember      = errors.New("user is not a member of the chat")
	ErrBlocked        = errors.New("user has blocked the bot")
	ErrExists         = errors.New("already exists")
	ErrInvalid        = errors.New("invalid")
	ErrClosed         = errors.New("server closed")
)

// Option configures a Server.
type Option func(*config)

type config struct {
	seed     json.RawMessage // a recording's seed (WithWiring)
	clock    fakes.Clock
	journal  *fakes.Journal
	activity *fakes.Activity
	token    string
	bot      *User
	client   *http.Client
	attempts int
	backoff  time.Duration
	addr     string
	privacy  bool
	history  int
}

// WithClock stamps messages and updates with c (default: a fresh
// fakes.VirtualClock starting at fakes.EpochUnix).
func WithClock(c fakes.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithJournal records every Bot API call and webhook delivery in j.
func WithJournal(j *fakes.Journal) Option { return func(cfg *config) { cfg.journal = j } }

// WithActivity counts requests being served and updates being delivered as
// work in flight in a.
func WithActivity(a *fakes.Activity) Option { return func(cfg *config) { cfg.activity = a } }

// WithToken sets the bot token the API accepts (default DefaultToken). It
// must look like a real token, "<bot id>:<secret>", with the secret made of
// [A-Za-z0-9_-]; the bot's id is taken from it unless WithBotUser says
// otherwise.
func WithToken(token string) Option { return func(cfg *config) { cfg.token = token } }

// WithBotUser sets the bot's identity as getMe reports it (default: the id
// from the token, username DefaultBotUsername, first name "chatsim").
func WithBotUser(id int64, username, firstName string) Option {
	return func(cfg *config) {
		cfg.bot = &User{ID: id, IsBot: true, Username: username, FirstName: firstName}
	}
}

// WithHTTPClient sets the client webhook deliveries are made with (default:
// a client of the Server's own with a 30 s timeout). It is the only outbound
// traffic the fake makes.
func WithHTTPClient(c *http.Client) Option { return func(cfg *config) { cfg.client = c } }

// WithWiring puts the fake on a World's wiring: its clock, journal,
// activity tracker and, when set, the HTTP client it delivers with.
func WithWiring(w fakes.Wiring) Option {
	return func(cfg *config) {
		cfg.clock, cfg.journal, cfg.activity = w.Clock, w.Journal, w.Activity
		if w.HTTPClient != nil {
			cfg.client = w.HTTPClient
		}
		cfg.seed = w.Seed
	}
}

// WithDeliveryRetry sets how many times a webhook delivery is attempted
// before the update is dropped (default 4) and the first pause between
// attempts (default 20 ms, doubling, capped at 500 ms).
func WithDeliveryRetry(attempts int, backoff time.Duration) Option {
	return func(cfg *config) { cfg.attempts, cfg.backoff = attempts, backoff }
}

// WithGroupPrivacy sets the bot's privacy mode (default on, as for every
// new bot): in groups where the bot is not an administrator it receives
// only commands, mentions of it, replies to its messages and service
// messages. getMe reports it as can_read_all_group_messages.
func WithGroupPrivacy(on bool) Option { return func(cfg *config) { cfg.privacy = on } }

// WithHistory bounds what the fake remembers: the last n messages of each
// chat, the last n Bot API calls, webhook deliveries, callback queries and
// files (default fakes.DefaultHistory, 1,000; n < 1 keeps everything). A
// message it has forgotten answers as one Telegram no longer has: editing
// it is "Bad Request: message to edit not found", a callback query
// forgotten "query is too old…", a file "invalid file_id".
func WithHistory(n int) Option { return func(cfg *config) { cfg.history = n } }

// WithAddr makes the server listen on addr (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// Server is a fake Telegram Bot API server on loopback. Create it with Start
// or New; it is safe for concurrent use.
type Server struct {
	cfg    config
	http   *fakes.Server
	faults fakes.Faults

	mu          sync.Mutex
	closed      bool
	users       map[int64]*User
	chats       map[int64]*chatState
	chatOrder   []int64
	blocked     map[int64]bool
	files       map[string]*fileRec
	filePaths   map[string]*fileRec
	fileOrder   fakes.History[*fileRec] // the files kept, to forget the oldest
	fileSeq     int
	callbacks   map[string]*callbackRec
	cbOrder     fakes.History[string] // the callback queries kept, to forget the oldest
	callbackSeq int
	nextUpdate  int64
	queue       []*queued // updates not yet confirmed or delivered, in order
	allowed     []string  // nil: the default set
	webhook     webhook
	changed     chan struct{} // closed and replaced when the queue or webhook changes
	poller      *poller
	calls       fakes.History[Call]
	deliveries  fakes.History[Delivery]
	mux         http.Handler
	control     fakes.Control // the control API's routes
	*persons                  // the people and places a scenario named (fakes.People)

	// life ends at Close: the context the delivery worker and its
	// outgoing requests run under.
	life       context.Context
	endLife    context.CancelFunc
	workerDone chan struct{}
}

type webhook struct {
	url            string
	secret         string
	maxConnections int
	ipAddress      string
	lastErrorDate  int64
	lastErrorMsg   string
	allowedSet     bool
}

// Start starts a fake Telegram server on 127.0.0.1. Close it when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{token: DefaultToken, attempts: 4, backoff: 20 * time.Millisecond, privacy: true, history: fakes.DefaultHistory}
	for _, o := range opts {
		o(&cfg)
	}
	id, err := tokenBotID(cfg.token)
	if err != nil {
		return nil, fmt.Errorf("start telegram: %w", err)
	}
	if len(cfg.seed) > 0 {
		bot, err := seededBot(cfg.seed)
		if err != nil {
			return nil, fmt.Errorf("start telegram: %w", err)
		}
		if bot != nil && cfg.bot == nil {
			cfg.bot = bot
		}
	}
	if cfg.bot == nil {
		cfg.bot = &User{ID: id, IsBot: true, FirstName: "chatsim", Username: DefaultBotUsername}
	}
	if cfg.bot.ID <= 0 {
		return nil, fmt.Errorf("start telegram: bot user id must be positive, got %d", cfg.bot.ID)
	}
	if err := checkNames(*cfg.bot); err != nil {
		return nil, fmt.Errorf("start telegram: bot: %w", err)
	}
	cfg.bot.IsBot = true
	if cfg.clock == nil {
		cfg.clock = fakes.NewVirtualClock(time.Time{})
	}
	if cfg.client == nil {
		cfg.client = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.attempts < 1 {
		cfg.attempts = 1
	}
	s := &Server{
		cfg:        cfg,
		users:      map[int64]*User{},
		chats:      map[int64]*chatState{},
		blocked:    map[int64]bool{},
		files:      map[string]*fileRec{},
		filePaths:  map[string]*fileRec{},
		callbacks:  map[string]*callbackRec{},
		fileOrder:  fakes.NewHistory[*fileRec](cfg.history),
		cbOrder:    fakes.NewHistory[string](cfg.history),
		calls:      fakes.NewHistory[Call](cfg.history),
		deliveries: fakes.NewHistory[Delivery](cfg.history),
		nextUpdate: FirstUpdateID,
		changed:    make(chan struct{}),
		workerDone: make(chan struct{}),
	}
	s.persons = newPersons(s)
	s.life, s.endLife = context.WithCancel(context.Background())
	s.webhook.maxConnections = 40
	s.mux = s.buildControl()
	bot := *cfg.bot
	s.users[bot.ID] = &bot
	s.http, err = fakes.Listen(cfg.addr, fakes.Track(cfg.activity, "telegram", http.HandlerFunc(s.serveHTTP)))
	if err != nil {
		s.endLife()
		return nil, fmt.Errorf("start telegram: %w", err)
	}
	go s.deliverLoop()
	return s, nil
}

// New starts a Server for a test and closes it when the test ends; it fails
// the test if the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return fakes.ForTest(tb, "telegram", func() (*Server, error) { return Start(opts...) })
}

// URL returns the server's base URL, "http://127.0.0.1:PORT". The Bot API is
// at URL()+"/bot"+Token()+"/"+method, files at URL()+"/file/bot"+Token()+"/"+path
// and the control API under URL()+fakes.ControlPrefix.
func (s *Server) URL() string {
	if s == nil || s.http == nil {
		return ""
	}
	return s.http.URL
}

// Token returns the bot token the API accepts.
func (s *Server) Token() string { return s.cfg.token }

// BotUser returns the bot as getMe reports it.
func (s *Server) BotUser() User {
	u := *s.cfg.bot
	u.CanJoinGroups = true
	u.CanReadAllGroupMessages = !s.cfg.privacy
	return u
}

// Faults returns the server's fault list; the control API serves it at
// fakes.ControlPrefix+"faults". Each fault's Op is a Bot API method name.
func (s *Server) Faults() *fakes.Faults { return &s.faults }

// Close stops the webhook worker and the server, waiting for requests in
// flight, and ends the activity of updates never delivered. It is safe to
// call more than once and on a nil Server.
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
	s.notifyLocked()
	s.mu.Unlock()
	<-s.workerDone
	err := s.http.Close()
	s.mu.Lock()
	for _, q := range s.queue {
		q.finish()
	}
	s.queue = nil
	s.mu.Unlock()
	return err
}

// tokenBotID checks the shape of a bot token and returns the bot id in it.
func tokenBotID(token string) (int64, error) {
	id, secret, ok := strings.Cut(token, ":")
	if !ok || id == "" || secret == "" {
		return 0, fmt.Errorf("token %q: want \"<bot id>:<secret>\"", token)
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("token %q: the part before the colon must be the bot's numeric id", token)
	}
	for _, r := range secret {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return 0, fmt.Errorf("token %q: the secret may hold only A-Z, a-z, 0-9, _ and -", token)
		}
	}
	return n, nil
}

// notifyLocked wakes every parked long poll and the webhook worker. s.mu must
// be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) now() time.Time { return s.cfg.clock.Now() }

func (s *Server) unix() int64 { return s.cfg.clock.Now().Unix() }

// serveHTTP routes a request: the control API, file downloads, Bot API
// methods; anything else is Telegram's 404.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, fakes.ControlPrefix) || p+"/" == fakes.ControlPrefix:
		s.mux.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(p, "/file/bot"))
	case strings.HasPrefix(p, "/bot"):
		s.serveAPI(w, r, strings.TrimPrefix(p, "/bot"))
	default:
		writeError(w, errNotFound())
	}
}
