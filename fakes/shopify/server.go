package shopify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Defaults a Server uses unless told otherwise.
const (
	DefaultShopDomain  = "chatsim-demo.myshopify.com"
	DefaultAccessToken = "shpat_chatsim0000000000000000000000"
	DefaultAPIKey      = "chatsim-api-key-0000000000000000"
	DefaultAPISecret   = "shpss_chatsim00000000000000000000"
	DefaultAPIVersion  = "2025-01"
	// DefaultDeliveryTimeout is how long Shopify waits for a webhook's
	// answer.
	DefaultDeliveryTimeout = 5 * time.Second
	// BucketSize and LeakRate are the Admin REST API's leaky bucket for a
	// standard plan: 40 calls, leaking 2 a second.
	BucketSize = 40
	LeakRate   = 2.0
)

// DefaultRetrySchedule returns the pauses between webhook attempts: Shopify
// retries a failed delivery 8 times over 4 hours with exponential backoff
// (shopify.dev changelog, 2024-09-10). The exact steps are not published;
// these double from one minute and end at the four-hour mark.
func DefaultRetrySchedule() []time.Duration {
	return []time.Duration{
		time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute,
		16 * time.Minute, 32 * time.Minute, 64 * time.Minute, 113 * time.Minute,
	}
}

// SupportedVersions returns the Admin API versions the fake serves by
// default: the four quarterly versions supported on 2026-01-01 plus the
// one released then, and "unstable". A dated version outside the list is
// served as the oldest supported one, as Shopify does.
func SupportedVersions() []string {
	return []string{"2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "unstable"}
}

// Errors the Go API returns for expected conditions.
var (
	ErrNotFound  = errors.New("not found")
	ErrInvalid   = errors.New("invalid")
	ErrConflict  = errors.New("not allowed in the order's state")
	ErrNoTarget  = errors.New("no webhook address for the topic")
	ErrClosed    = errors.New("server closed")
	ErrBadTopic  = errors.New("unknown webhook topic")
	ErrUninstall = errors.New("the app is not installed")
	// ErrTooManyTags is a product given more than MaxProductTags tags.
	ErrTooManyTags = errors.New("too many tags")
)

// Option configures a Server.
type Option func(*config)

type config struct {
	clock     fakes.Clock
	journal   *fakes.Journal
	activity  *fakes.Activity
	client    *http.Client
	addr      string
	domain    string
	token     string
	apiKey    string
	secret    string
	version   string
	versions  []string
	timeout   time.Duration
	schedule  []time.Duration
	topics    []string
	redirects []string
	scopes    []string
	taxRate   float64
	currency  string
	history   int
}

// WithClock stamps everything with c and runs the retry schedule and the
// leaky bucket on it (default: a fresh fakes.VirtualClock).
func WithClock(c fakes.Clock) Option { return func(cfg *config) { cfg.clock = c } }

// WithJournal records every Admin API call and webhook delivery in j.
func WithJournal(j *fakes.Journal) Option { return func(cfg *config) { cfg.journal = j } }

// WithActivity counts requests being served and webhooks queued as work in
// flight in a.
func WithActivity(a *fakes.Activity) Option { return func(cfg *config) { cfg.activity = a } }

// WithHTTPClient sets the client webhooks are delivered with (default: a
// client of the Server's own). The delivery timeout applies on top of it.
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

// WithHistory bounds what the store remembers: the last n orders and the
// last n webhook deliveries (default fakes.DefaultHistory, 1,000; n < 1
// keeps everything). An order it has forgotten is gone as one Shopify no
// longer has: fetching or changing it is 404 {"errors":"Not Found"}.
// Customers and products are kept.
func WithHistory(n int) Option { return func(cfg *config) { cfg.history = n } }

// WithAddr makes the server listen on addr (default "127.0.0.1:0").
func WithAddr(addr string) Option { return func(cfg *config) { cfg.addr = addr } }

// WithShopDomain sets the shop's myshopify domain (default
// DefaultShopDomain).
func WithShopDomain(d string) Option { return func(cfg *config) { cfg.domain = d } }

// WithAccessToken sets the Admin API access token the app starts with
// (default DefaultAccessToken), as a custom app's installation gives it.
func WithAccessToken(t string) Option { return func(cfg *config) { cfg.token = t } }

// WithAPIKey sets the app's client id (default DefaultAPIKey).
func WithAPIKey(k string) Option { return func(cfg *config) { cfg.apiKey = k } }

// WithAPISecret sets the app's client secret, which signs webhooks and
// OAuth callbacks (default DefaultAPISecret).
func WithAPISecret(s string) Option { return func(cfg *config) { cfg.secret = s } }

// WithAPIVersion sets the app's webhook API version, which declared
// subscriptions deliver with (default DefaultAPIVersion).
func WithAPIVersion(v string) Option { return func(cfg *config) { cfg.version = v } }

// WithSupportedVersions replaces SupportedVersions.
func WithSupportedVersions(vs ...string) Option {
	return func(cfg *config) { cfg.versions = append([]string(nil), vs...) }
}

// WithDeliveryTimeout sets how long a webhook's answer is awaited (default
// DefaultDeliveryTimeout, Shopify's five seconds).
func WithDeliveryTimeout(d time.Duration) Option { return func(cfg *config) { cfg.timeout = d } }

// WithRetrySchedule sets the pauses between attempts at a failed webhook
// (default DefaultRetrySchedule: 8 retries over 4 hours). The pauses are
// taken on the Server's clock: a virtual clock is moved instead of waited.
func WithRetrySchedule(pauses ...time.Duration) Option {
	return func(cfg *config) { cfg.schedule = append([]time.Duration{}, pauses...) }
}

// WithTopics declares webhook subscriptions in the app's configuration (as
// shopify.app.toml does): they deliver to the address SetWebhookTarget
// gives.
func WithTopics(topics ...string) Option {
	return func(cfg *config) { cfg.topics = append(cfg.topics, topics...) }
}

// WithRedirectURIs sets the app's allowed OAuth redirection URLs; a
// redirect_uri must start with one of them. With none, any http or https
// redirect_uri is allowed.
func WithRedirectURIs(uris ...string) Option {
	return func(cfg *config) { cfg.redirects = append(cfg.redirects, uris...) }
}

// WithScopes sets the access scopes of the token the app starts with
// (default: read and write on orders, customers and products).
func WithScopes(scopes ...string) Option {
	return func(cfg *config) { cfg.scopes = append([]string(nil), scopes...) }
}

// WithTaxRate sets the tax rate charged on orders, such as 0.1 for 10%
// (default 0).
func WithTaxRate(r float64) Option { return func(cfg *config) { cfg.taxRate = r } }

// WithCurrency sets the shop's currency (default "USD").
func WithCurrency(c string) Option { return func(cfg *config) { cfg.currency = c } }

// Server is a fake Shopify store with one app installed: the Admin REST
// API, webhooks, the OAuth install flow and a control API. Create it with
// Start or New; it is safe for concurrent use.
type Server struct {
	cfg      config
	http     *fakes.Server
	faults   fakes.Faults
	mux      http.Handler
	control  fakes.Control // the control API's routes
	*persons               // the shoppers, products and orders a scenario named (fakes.People)

	mu          sync.Mutex
	closed      bool
	installed   bool
	shop        Shop
	customers   map[int64]*Customer
	products    map[int64]*Product
	orders      map[int64]*Order
	orderIDs    fakes.History[int64] // the orders kept, to forget the oldest
	webhooks    map[int64]*Webhook
	ids         map[string]int64
	orderNumber int
	tokens      map[string]*token
	grants      map[string]*grant
	target      string
	uuidSeq     int64
	queue       []*job
	jobSeq      int64
	knobs       Knobs
	deliveries  fakes.History[Delivery]

	wake chan struct{}
	// life ends at Close: the context the delivery worker and its
	// outgoing requests run under.
	life       context.Context
	endLife    context.CancelFunc
	workerDone chan struct{}
}

// token is an Admin API access token and what it may do.
type token struct {
	value  string
	scopes []string
	bucket bucket
}

// idBase is where each kind of id starts counting, so that ids of
// different kinds never collide and have Shopify's size.
func idBase(kind string) int64 {
	switch kind {
	case "customer":
		return 7001000001
	case "address":
		return 7101000001
	case "product":
		return 8001000001
	case "variant":
		return 8101000001
	case "option":
		return 8201000001
	case "inventory_item":
		return 8301000001
	case "order":
		return 5001000001
	case "line_item":
		return 5101000001
	case "fulfillment":
		return 5201000001
	case "shipping_line":
		return 5301000001
	case "webhook":
		return 1101000001
	}
	return 9001000001
}

// Start starts a fake Shopify store on 127.0.0.1. Close it when done.
func Start(opts ...Option) (*Server, error) {
	cfg := config{
		domain: DefaultShopDomain, token: DefaultAccessToken, apiKey: DefaultAPIKey, secret: DefaultAPISecret,
		version: DefaultAPIVersion, timeout: DefaultDeliveryTimeout, currency: "USD", history: fakes.DefaultHistory,
		scopes: []string{"read_customers", "read_orders", "read_products", "write_customers", "write_orders", "write_products"},
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.clock == nil {
		cfg.clock = fakes.NewVirtualClock(time.Time{})
	}
	if cfg.client == nil {
		cfg.client = &http.Client{}
	}
	if cfg.schedule == nil {
		cfg.schedule = DefaultRetrySchedule()
	}
	if cfg.versions == nil {
		cfg.versions = SupportedVersions()
	}
	if !strings.HasSuffix(cfg.domain, ".myshopify.com") || len(cfg.domain) == len(".myshopify.com") {
		return nil, fmt.Errorf("start shopify: shop domain %q: want <name>.myshopify.com: %w", cfg.domain, ErrInvalid)
	}
	if cfg.token == "" || cfg.apiKey == "" || cfg.secret == "" {
		return nil, fmt.Errorf("start shopify: access token, API key and API secret must not be empty: %w", ErrInvalid)
	}
	if !datedVersion(cfg.version) {
		return nil, fmt.Errorf("start shopify: API version %q: want YYYY-MM: %w", cfg.version, ErrInvalid)
	}
	for _, t := range cfg.topics {
		if !knownTopic(t) {
			return nil, fmt.Errorf("start shopify: declared topic %q: %w", t, ErrBadTopic)
		}
	}
	s := &Server{
		cfg:         cfg,
		installed:   true,
		customers:   map[int64]*Customer{},
		products:    map[int64]*Product{},
		orders:      map[int64]*Order{},
		orderIDs:    fakes.NewHistory[int64](cfg.history),
		deliveries:  fakes.NewHistory[Delivery](cfg.history),
		webhooks:    map[int64]*Webhook{},
		ids:         map[string]int64{},
		orderNumber: 1000,
		tokens:      map[string]*token{},
		grants:      map[string]*grant{},
		wake:        make(chan struct{}, 1),
		workerDone:  make(chan struct{}),
	}
	s.persons = newPersons(s)
	s.life, s.endLife = context.WithCancel(context.Background())
	s.tokens[cfg.token] = &token{value: cfg.token, scopes: cfg.scopes}
	s.shop = s.newShop()
	for _, t := range cfg.topics {
		now := stamp(s.now())
		id := s.nextIDLocked("webhook")
		s.webhooks[id] = &Webhook{ID: id, Topic: t, Format: "json", CreatedAt: now, UpdatedAt: now,
			APIVersion: cfg.version, Fields: []string{}, MetafieldNamespaces: []string{},
			PrivateMetafieldNamespaces: []string{}, Declared: true}
	}
	s.mux = s.buildControl()
	var err error
	s.http, err = fakes.Listen(cfg.addr, fakes.Track(cfg.activity, "shopify", http.HandlerFunc(s.serveHTTP)))
	if err != nil {
		s.endLife()
		return nil, fmt.Errorf("start shopify: %w", err)
	}
	go s.deliverLoop()
	return s, nil
}

// New starts a Server for a test and closes it when the test ends; it fails
// the test if the server cannot start.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	return fakes.ForTest(tb, "shopify", func() (*Server, error) { return Start(opts...) })
}

func (s *Server) newShop() Shop {
	name := strings.TrimSuffix(s.cfg.domain, ".myshopify.com")
	created := stamp(s.now())
	return Shop{
		ID: 60001000001, Name: name, Email: "owner@" + name + ".example", Domain: s.cfg.domain,
		Province: "", Country: "US", Address1: "1 Simulation Way", Zip: "94107", City: "San Francisco",
		Phone: "", PrimaryLocale: "en", CreatedAt: created, UpdatedAt: created, CountryCode: "US",
		CountryName: "United States", Currency: s.cfg.currency, CustomerEmail: "owner@" + name + ".example",
		Timezone: "(GMT+00:00) UTC", IanaTimezone: "UTC", ShopOwner: "chatsim", MoneyFormat: "${{amount}}",
		MoneyWithCurrency: "${{amount}} " + s.cfg.currency, WeightUnit: "kg", ProvinceCode: "CA",
		PlanDisplayName: "Development", PlanName: "partner_test", MyshopifyDomain: s.cfg.domain,
		EnabledPresentment: []string{s.cfg.currency}, HasDiscounts: true,
	}
}

// URL returns the server's base URL, "http://127.0.0.1:PORT". The Admin
// API is at URL()+"/admin/api/<version>/", OAuth at URL()+"/admin/oauth/"
// and the control API under URL()+fakes.ControlPrefix.
func (s *Server) URL() string {
	if s == nil || s.http == nil {
		return ""
	}
	return s.http.URL
}

// ShopDomain returns the shop's myshopify domain.
func (s *Server) ShopDomain() string { return s.cfg.domain }

// AccessToken returns the Admin API access token the app started with.
func (s *Server) AccessToken() string { return s.cfg.token }

// APIKey returns the app's client id.
func (s *Server) APIKey() string { return s.cfg.apiKey }

// APISecret returns the app's client secret, which signs webhooks.
func (s *Server) APISecret() string { return s.cfg.secret }

// APIVersion returns the app's API version.
func (s *Server) APIVersion() string { return s.cfg.version }

// Faults returns the server's fault list; the control API serves it at
// fakes.ControlPrefix+"faults". A fault's Op is an Admin API call as the
// journal names it ("GET orders.json", "POST webhooks.json"), its
// resource ("orders") or "*".
func (s *Server) Faults() *fakes.Faults { return &s.faults }

// Close stops the webhook worker and the server, waiting for requests in
// flight, and ends the activity of webhooks never delivered. It is safe to
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
	s.mu.Unlock()
	<-s.workerDone
	err := s.http.Close()
	s.mu.Lock()
	for _, j := range s.queue {
		j.ticket.End()
	}
	s.queue = nil
	s.mu.Unlock()
	return err
}

func (s *Server) now() time.Time { return s.cfg.clock.Now() }

// nextIDLocked returns the next id of a kind. s.mu must be held (or the
// Server not yet shared).
func (s *Server) nextIDLocked(kind string) int64 {
	n := s.ids[kind]
	s.ids[kind] = n + 1
	return idBase(kind) + n
}

// uuidLocked returns a deterministic version-4-shaped UUID: the same run
// of events gives the same ids on every run. s.mu must be held.
func (s *Server) uuidLocked(kind string) string {
	s.uuidSeq++
	return fakeUUID(fmt.Sprintf("%s/%s/%d", s.cfg.domain, kind, s.uuidSeq))
}

func fakeUUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// hashHex returns n hex characters derived from seed, for tokens that must
// look random but be the same on every run.
func hashHex(seed string, n int) string {
	h := sha256.Sum256([]byte(seed))
	x := hex.EncodeToString(h[:])
	for len(x) < n {
		h = sha256.Sum256(h[:])
		x += hex.EncodeToString(h[:])
	}
	return x[:n]
}

// record journals an observation of class.
func (s *Server) record(class fakes.Class, kind, text string, data any) {
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "shopify", Kind: kind, Text: text, Data: data, Class: class})
}

// serveHTTP routes a request: the control API, OAuth, the Admin API;
// anything else is Shopify's 404.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, fakes.ControlPrefix) || p+"/" == fakes.ControlPrefix:
		s.mux.ServeHTTP(w, r)
	case strings.HasPrefix(p, "/admin/oauth/"):
		s.serveOAuth(w, r)
	case strings.HasPrefix(p, "/admin/api/"):
		s.serveAdmin(w, r)
	default:
		writeErrors(w, http.StatusNotFound, "Not Found")
	}
}

// sortedIDs returns a map's keys in ascending order.
// putOrderLocked stores o under its id, forgetting the oldest order when
// the store holds too many (WithHistory). s.mu must be held.
func (s *Server) putOrderLocked(o *Order) {
	if s.orders[o.ID] == nil {
		if old, ok := s.orderIDs.Add(o.ID); ok && old != o.ID {
			delete(s.orders, old)
		}
	}
	s.orders[o.ID] = o
}

func sortedIDs[T any](m map[int64]T) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
