package botpress

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clock         fakes.Clock
	journal       *fakes.Journal
	activity      *fakes.Activity
	def           *contracts.Definition
	token         string
	botID         string
	botUserID     string
	integrationID string
	alias         string
	webhookID     string
	cfg           json.RawMessage
	cfgType       string
	rules         []BotRule
	rulesSet      bool
	client        *http.Client
	history       int
}

// WithClock sets the clock that stamps ids, createdAt/updatedAt and state
// expiry. The default is a new fakes.VirtualClock.
func WithClock(c fakes.Clock) Option { return func(o *config) { o.clock = c } }

// WithJournal sets the journal every capture is recorded in. nil discards.
func WithJournal(j *fakes.Journal) Option { return func(o *config) { o.journal = j } }

// WithActivity sets the tracker that counts requests, invocations and bot
// replies in flight. nil tracks nothing.
func WithActivity(a *fakes.Activity) Option { return func(o *config) { o.activity = a } }

// WithDefinition sets the integration definition every capture is checked
// against. nil (the default) disables contract checks.
func WithDefinition(d *contracts.Definition) Option { return func(o *config) { o.def = d } }

// WithToken makes every Runtime API call carry "Authorization: Bearer
// <token>" (BP_TOKEN); a call without it, or with another, gets 401
// Unauthorized. Empty (the default) accepts calls without the header.
func WithToken(token string) Option { return func(o *config) { o.token = token } }

// WithIDs fixes the install's ids: the bot (x-bot-id), the bot's own user
// (x-bot-user-id), the installed integration (x-integration-id), its alias
// (x-integration-alias) and its webhook id. Empty values are generated: a
// UUID for the bot and the webhook, "user_"+ULID for the bot user,
// "intver_"+ULID for the integration, and the definition's name (or
// "integration") for the alias.
func WithIDs(botID, botUserID, integrationID, alias, webhookID string) Option {
	return func(o *config) {
		o.botID, o.botUserID, o.integrationID, o.alias, o.webhookID = botID, botUserID, integrationID, alias, webhookID
	}
}

// WithConfiguration sets the install's configuration object (sent base64 in
// x-bp-configuration, validated at Register) and the name of the entry of the
// definition's `configurations` it follows ("" for the default one). The
// default is {}.
func WithConfiguration(cfg json.RawMessage, typ string) Option {
	return func(o *config) { o.cfg, o.cfgType = cfg, typ }
}

// WithBot sets the scripted bot's rules. Without this option, or with nil,
// the bot echoes text messages (EchoRules); an empty non-nil list makes it
// silent.
func WithBot(rules []BotRule) Option {
	return func(o *config) { o.rules, o.rulesSet = rules, true }
}

// WithHistory bounds what the platform remembers: the last n messages of
// each conversation, the last n events and the last n action calls
// (default fakes.DefaultHistory, 1,000; n < 1 keeps everything). A message
// or event it has forgotten is gone as a deleted one is: fetching it is
// 404 ResourceNotFound, and get-or-create makes a new one. Users,
// conversations and states are kept: they are the cast, not the history.
func WithHistory(n int) Option { return func(o *config) { o.history = n } }

// WithHTTPClient sets the client used to invoke the integration. The default
// is a client of the Server's own.
func WithHTTPClient(c *http.Client) Option { return func(o *config) { o.client = c } }

// Server is the Botpress-compatible mock platform: the Runtime API an
// integration calls (under /v1/chat/), the invoker that calls the
// integration, a webhook endpoint for the installed integration, a scripted
// bot and the control API (under fakes.ControlPrefix). Its methods are safe
// for concurrent use.
type Server struct {
	clock     fakes.Clock
	journal   *fakes.Journal
	activity  *fakes.Activity
	validator *contracts.Validator
	spec      *apiSpec
	token     string
	control   fakes.Control // the control API's routes

	botID, botUserID, integrationID, alias, webhookID string
	integrationName                                   string
	cfg                                               json.RawMessage
	cfgType                                           string

	client    *http.Client
	ownClient bool
	ids       *idGen
	faults    *fakes.Faults
	srv       *fakes.Server

	mu             sync.Mutex // guards st, rules, integrationURL, cfg, cfgType
	st             *store
	rules          []BotRule
	integrationURL string

	bot *botQueue

	ctx    context.Context // cancelled by Close
	cancel context.CancelFunc
	once   sync.Once
}

// Start starts a platform on 127.0.0.1:0. It fails if the definition's
// schemas do not compile.
func Start(opts ...Option) (*Server, error) {
	c := config{history: fakes.DefaultHistory}
	for _, o := range opts {
		o(&c)
	}
	if c.clock == nil {
		c.clock = fakes.NewVirtualClock(time.Time{})
	}
	s := &Server{
		clock: c.clock, journal: c.journal, activity: c.activity, spec: embeddedSpec, token: c.token,
		cfg: c.cfg, cfgType: c.cfgType, client: c.client, faults: &fakes.Faults{}, st: newStore(c.history),
	}
	s.ids = &idGen{clock: c.clock}
	if c.def != nil {
		v, err := c.def.Validator()
		if err != nil {
			return nil, fmt.Errorf("start platform: compile definition: %w", err)
		}
		s.validator = v
	}
	if len(s.cfg) == 0 {
		s.cfg = json.RawMessage(`{}`)
	}
	if !json.Valid(s.cfg) {
		return nil, fmt.Errorf("start platform: configuration is not valid JSON: %.80s", s.cfg)
	}
	s.botID, s.botUserID, s.integrationID, s.alias, s.webhookID = c.botID, c.botUserID, c.integrationID, c.alias, c.webhookID
	if s.botID == "" {
		s.botID = newUUID()
	}
	if s.botUserID == "" {
		s.botUserID = s.ids.next(PrefixUser)
	}
	if s.integrationID == "" {
		s.integrationID = s.ids.next(PrefixIntegration)
	}
	s.integrationName = "integration"
	if c.def != nil && c.def.Name != "" {
		s.integrationName = c.def.Name
	}
	if s.alias == "" {
		s.alias = s.integrationName
	}
	if s.webhookID == "" {
		s.webhookID = newUUID()
	}
	if c.rulesSet && c.rules != nil {
		s.rules = slices.Clone(c.rules)
	} else {
		s.rules = EchoRules()
	}
	if s.client == nil {
		s.client = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		s.ownClient = true
	}
	// The bot's own user exists from the start (Slack's register updates it).
	now := s.clock.Now()
	bu := &user{seq: s.st.nextSeq(), id: s.botUserID, createdAt: now, updatedAt: now, tags: map[string]string{}}
	s.st.users = append(s.st.users, bu)
	s.st.usersBy[bu.id] = bu

	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.bot = newBotQueue(s)
	var err error
	s.srv, err = fakes.Listen("", fakes.Track(s.activity, "platform", s.routes()))
	if err != nil {
		s.cancel()
		return nil, fmt.Errorf("start platform: %w", err)
	}
	return s, nil
}

// New starts a platform for a test and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return fakes.ForTest(tb, "botpress", func() (*Server, error) { return Start(opts...) })
}

// URL returns the base URL of the Runtime API, what the integration gets as
// BP_API_URL ("http://127.0.0.1:PORT").
func (s *Server) URL() string {
	if s == nil || s.srv == nil {
		return ""
	}
	return s.srv.URL
}

// WebhookURL returns the installed integration's webhook URL, URL()+"/"+
// WebhookID(): what register hands the integration and where the fakes
// deliver.
func (s *Server) WebhookURL() string { return s.URL() + "/" + s.webhookID }

// BotID returns the bot id (x-bot-id).
func (s *Server) BotID() string { return s.botID }

// BotUserID returns the id of the bot's own user (x-bot-user-id).
func (s *Server) BotUserID() string { return s.botUserID }

// IntegrationID returns the installed integration's id (x-integration-id).
func (s *Server) IntegrationID() string { return s.integrationID }

// IntegrationAlias returns the install's alias (x-integration-alias).
func (s *Server) IntegrationAlias() string { return s.alias }

// WebhookID returns the install's webhook id (x-webhook-id).
func (s *Server) WebhookID() string { return s.webhookID }

// SetIntegrationURL sets where the integration listens; the invoker POSTs
// to it. Call it once the integration has been launched.
func (s *Server) SetIntegrationURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.integrationURL = u
}

// SetConfiguration replaces the install's configuration and its type (an
// entry of the definition's configurations; empty for the default), before
// register: a World expands the configuration's ${VAR} references once it
// knows every URL, the platform's own included. cfg must be a JSON object.
func (s *Server) SetConfiguration(cfg json.RawMessage, typ string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(cfg, &obj); err != nil || obj == nil {
		return fmt.Errorf("set configuration: want a JSON object, got %.80s", cfg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg, s.cfgType = cloneRaw(cfg), typ
	return nil
}

// configuration returns the install's configuration and its type.
func (s *Server) configuration() (json.RawMessage, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg, s.cfgType
}

// IntegrationURL returns what SetIntegrationURL set.
func (s *Server) IntegrationURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.integrationURL
}

// Faults returns the platform's injected faults, keyed by route name
// ("message.create", "state.get", …) or operation id ("createMessage").
func (s *Server) Faults() *fakes.Faults { return s.faults }

// Close stops the scripted bot, cancels invocations in flight, stops the
// server and waits for its handlers to return. It is safe to call more than
// once and on a nil Server.
func (s *Server) Close() error {
	if s == nil || s.srv == nil {
		return nil
	}
	var err error
	s.once.Do(func() {
		s.cancel()
		s.bot.close()
		err = s.srv.Close()
		if s.ownClient {
			s.client.CloseIdleConnections()
		}
	})
	return err
}

func (s *Server) closed() bool { return s.ctx.Err() != nil }

// Users returns every user the platform holds, the bot's own user first, in
// creation order.
func (s *Server) Users() []contracts.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]contracts.User, 0, len(s.st.users))
	for _, u := range s.st.users {
		out = append(out, u.capture())
	}
	return out
}

// Conversations returns every conversation, in creation order.
func (s *Server) Conversations() []contracts.Conversation {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]contracts.Conversation, 0, len(s.st.convs))
	for _, c := range s.st.convs {
		out = append(out, c.capture())
	}
	return out
}

// Messages returns every message the platform holds, incoming and outgoing,
// in creation order: the last ones of each conversation (WithHistory).
func (s *Server) Messages() []contracts.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]contracts.Message, 0, len(s.st.msgs))
	for _, m := range s.st.msgs {
		out = append(out, m.capture(s.channelOf(m.convID)))
	}
	return out
}

// Events returns the events the platform holds, in creation order: the
// last ones (WithHistory).
func (s *Server) Events() []contracts.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]contracts.Event, 0, len(s.st.events))
	for _, e := range s.st.events {
		out = append(out, e.capture())
	}
	return out
}

// States returns the current value of every state that is set and not
// expired, in the order they were first set.
func (s *Server) States() []contracts.StateChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	out := make([]contracts.StateChange, 0, len(s.st.states))
	for _, st := range s.st.states {
		if st.expired(now) {
			continue
		}
		out = append(out, st.capture())
	}
	return out
}

// State returns the current payload of one state, or ok false when it is
// not set or has expired.
func (s *Server) State(scope, id, name string) (payload json.RawMessage, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.liveState(stateKey{scope, id, name})
	if st == nil {
		return nil, false
	}
	return cloneRaw(st.payload), true
}

// Actions returns the last action_triggered calls and their outcomes, in
// order (WithHistory).
func (s *Server) Actions() []contracts.ActionCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.actions.All()
}

// DroppedMessages returns how many messages the platform let go of to keep
// its history bounded (WithHistory), the oldest of their conversations.
func (s *Server) DroppedMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.msgsDropped
}

// MaxViolations bounds the contract violations the platform keeps one by
// one (Violations): past it, they are only counted (ViolationCount), so
// that a long replay's memory stays flat.
const MaxViolations = 1_000

// Violations returns the contract violations recorded so far, in order:
// the first MaxViolations of them.
func (s *Server) Violations() []contracts.Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.violations)
}

// ViolationCount returns how many contract violations were recorded, those
// past MaxViolations included.
func (s *Server) ViolationCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.violationCount
}

// Identifier returns the identifier the integration set with
// configureIntegration, and whether it set one.
func (s *Server) Identifier() (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.identifier == nil {
		return "", false
	}
	return *s.st.identifier, true
}

// channelOf returns the channel of a conversation. Callers hold s.mu.
func (s *Server) channelOf(convID string) string {
	if c := s.st.convsBy[convID]; c != nil {
		return c.channel
	}
	return ""
}

// routes builds the whole handler: Runtime API, webhook, control API.
func (s *Server) routes() http.Handler {
	var rs fakes.Routes
	s.apiRoutes(&rs)
	shared := routeTable.Handler(&rs)
	hook := "/" + s.webhookID
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == hook || strings.HasPrefix(p, hook) && p[len(hook)] == '/' {
			s.serveWebhook(w, r)
			return
		}
		shared.ServeHTTP(w, r)
	})
}

// apiRoutes adds the Runtime API and the control API to rs, and an API
// error for any other path.
func (s *Server) apiRoutes(rs *fakes.Routes) {
	s.runtimeRoutes(rs)
	s.controlRoutes(rs)
	rs.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeAPIError(w, notFound("No webhook or route found for %s %s", r.Method, r.URL.Path))
	})
}

// routeTable routes every platform's Runtime and control API: the
// patterns are the same for each (only the webhook id differs, and it is
// not in the table), so they are registered once, from a zero Server's
// routes, and the table is never changed after.
var routeTable = func() *fakes.RouteTable {
	var rs fakes.Routes
	(&Server{spec: embeddedSpec}).apiRoutes(&rs)
	return fakes.NewRouteTable(&rs)
}()
