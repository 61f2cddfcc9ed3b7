// Package shopify is an example Shopify integration for Botpress, written in
// Go with nothing but the standard library. It is an event-flow integration:
// Shopify's webhooks become typed Botpress events (newOrderCreated,
// orderPaid, orderFulfilled, orderCancelled, customerCreated,
// appUninstalled) that a bot reacts to, and the bot can look an
// order up through the Admin REST API (the getOrder action). There are no
// channels and no conversations.
//
// It is meant to be read and copied: one file per concern, every protocol
// detail commented where it is used.
//
//	h, err := shopify.New(os.Getenv) // BP_API_URL, SECRET_SHOPIFY_API_SECRET, …
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8072", h))
//
// Files:
//   - shopify.go: configuration, the HTTP handler, the operation switch,
//     register and unregister (webhook subscriptions)
//   - webhook.go: Shopify deliveries → HMAC check, topic dispatch, events
//   - dedup.go: the processedWebhooks state that keeps a redelivered
//     webhook from firing its event twice
//   - actions.go: the getOrder action
//   - admin.go: the Admin REST API client (access token, 429 Retry-After,
//     the call-limit header, Shopify's error bodies)
//   - definition.json: the integration definition, as `bp read` prints it
package shopify

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

//go:embed definition.json
var definition []byte

// Definition returns the integration definition (definition.json) in the
// shape `bp read` prints, plus the secrets it needs. The slice is a copy.
func Definition() []byte { return append([]byte(nil), definition...) }

// ErrMissingEnv is wrapped by New's error when a required environment
// variable is empty; the error names the variable.
var ErrMissingEnv = bpkit.ErrMissingEnv

// ErrInvalidEnv is wrapped by New's error when an environment variable has a
// value the integration cannot use; the error names the variable.
var ErrInvalidEnv = errors.New("invalid environment variable")

// ErrInvalidConfiguration is wrapped by an operation's error when the
// install's configuration cannot be used (no shopName, say).
var ErrInvalidConfiguration = errors.New("invalid configuration")

// DefaultAPIVersion is the Admin API version used when SHOPIFY_API_VERSION
// is not set. Shopify supports a version for a year after its release.
const DefaultAPIVersion = "2025-01"

// Option configures New.
type Option func(*integration)

// WithHTTPClient makes every Runtime API and Shopify Admin API call go
// through c. The default is a client with a 60 s timeout, like
// @botpress/client's.
func WithHTTPClient(c *http.Client) Option {
	return func(in *integration) { in.env.HTTPClient = c }
}

// WithSleep replaces the timer used between retries (after Shopify's
// Retry-After, when its call-limit bucket is full, or after the Runtime
// API's Retry-After). sleep must return early with ctx.Err() when ctx is
// done. Tests and simulators with a virtual clock use it; the default waits
// on a real timer.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(in *integration) { in.env.Sleep = sleep }
}

// integration holds what New read from the environment. It has no mutable
// state: every operation carries its own context, so one handler serves any
// number of bots and installs concurrently. What must survive between
// deliveries (the webhooks already processed) lives in the platform's state.
type integration struct {
	env         bpkit.Env // BP_API_URL, BP_TOKEN, the HTTP client and timer
	apiSecret   string    // SECRET_SHOPIFY_API_SECRET: signs webhooks
	accessToken string    // SECRET_SHOPIFY_ACCESS_TOKEN: X-Shopify-Access-Token
	apiURL      string    // SHOPIFY_API_URL; "" means https://<shopName>.myshopify.com
	apiVersion  string    // SHOPIFY_API_VERSION
}

// apiVersionRE is the form of an Admin API version: YYYY-MM, or
// "unstable".
var apiVersionRE = regexp.MustCompile(`^(\d{4}-(0[1-9]|1[0-2])|unstable)$`)

// New builds the integration's HTTP handler from its environment:
//
//   - BP_API_URL (required): base URL of the Botpress Runtime API.
//   - BP_TOKEN (optional): sent as "Authorization: Bearer <token>".
//   - SECRET_SHOPIFY_API_SECRET (required): the app's API secret key (client
//     secret). Shopify signs every webhook with it: X-Shopify-Hmac-Sha256 is
//     the base64 HMAC-SHA256 of the raw body.
//   - SECRET_SHOPIFY_ACCESS_TOKEN (required): the Admin API access token,
//     sent as X-Shopify-Access-Token.
//   - SHOPIFY_API_URL (optional): the Admin API's base URL; the default is
//     https://<shopName>.myshopify.com, shopName from the configuration.
//   - SHOPIFY_API_VERSION (optional, default 2025-01): the Admin API
//     version, /admin/api/<version>/….
//
// The handler answers GET /health with "ok" and every other request as a
// Botpress operation (the x-bp-operation header).
func New(getenv func(string) string, opts ...Option) (http.Handler, error) {
	in := &integration{
		env:         bpkit.FromEnv(getenv),
		apiSecret:   getenv("SECRET_SHOPIFY_API_SECRET"),
		accessToken: getenv("SECRET_SHOPIFY_ACCESS_TOKEN"),
		apiURL:      strings.TrimRight(getenv("SHOPIFY_API_URL"), "/"),
		apiVersion:  getenv("SHOPIFY_API_VERSION"),
	}
	if err := in.env.Check(); err != nil {
		return nil, err
	}
	switch {
	case in.apiSecret == "":
		return nil, fmt.Errorf("configure integration: SECRET_SHOPIFY_API_SECRET: %w", ErrMissingEnv)
	case in.accessToken == "":
		return nil, fmt.Errorf("configure integration: SECRET_SHOPIFY_ACCESS_TOKEN: %w", ErrMissingEnv)
	}
	if in.apiURL != "" && !strings.HasPrefix(in.apiURL, "http://") && !strings.HasPrefix(in.apiURL, "https://") {
		return nil, fmt.Errorf("configure integration: SHOPIFY_API_URL: %w: want an http:// or https:// URL, got %q", ErrInvalidEnv, in.apiURL)
	}
	if in.apiVersion == "" {
		in.apiVersion = DefaultAPIVersion
	}
	if !apiVersionRE.MatchString(in.apiVersion) {
		return nil, fmt.Errorf("configure integration: SHOPIFY_API_VERSION: %w: want YYYY-MM such as %s, got %q", ErrInvalidEnv, DefaultAPIVersion, in.apiVersion)
	}
	for _, opt := range opts {
		opt(in)
	}
	return bpkit.Serve(in.env, in.handle), nil
}

// config is the install's configuration (x-bp-configuration).
type config struct {
	ShopName string `json:"shopName"`
}

// shopNameRE is a shop's handle, the <name> of <name>.myshopify.com.
var shopNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// op is one operation in flight: the platform's operation, the install's
// shop and the Admin API client built for it.
type op struct {
	*bpkit.Operation
	apiSecret string    // SECRET_SHOPIFY_API_SECRET
	shop      string    // the configuration's shopName
	admin     *adminAPI // the Admin API, with this install's shop
}

// shopDomain is the shop's permanent domain, as X-Shopify-Shop-Domain
// carries it: <shopName>.myshopify.com.
func (o *op) shopDomain() string { return o.shop + ".myshopify.com" }

// handle answers one operation from the platform.
func (in *integration) handle(ctx context.Context, bop *bpkit.Operation) (bpkit.Response, error) {
	if bop.Name == bpkit.OpPing {
		return bpkit.OK(), nil
	}
	var cfg config
	if err := bop.Config(&cfg); err != nil {
		return bpkit.Response{}, err
	}
	if !shopNameRE.MatchString(cfg.ShopName) {
		return bpkit.Response{}, fmt.Errorf("%w: shopName %q: want the shop's handle, the <name> of <name>.myshopify.com (lower-case letters, digits and -)", ErrInvalidConfiguration, cfg.ShopName)
	}
	base := in.apiURL
	if base == "" {
		base = "https://" + cfg.ShopName + ".myshopify.com"
	}
	o := &op{
		Operation: bop,
		apiSecret: in.apiSecret,
		shop:      cfg.ShopName,
		admin: &adminAPI{
			http:    bop.Client.HTTPClient(),
			base:    base,
			version: in.apiVersion,
			token:   in.accessToken,
			sleep:   bop.Client.Sleep,
		},
	}
	switch o.Name {
	case bpkit.OpRegister:
		return bpkit.OK(), o.register(ctx)
	case bpkit.OpUnregister:
		return bpkit.OK(), o.unregister(ctx)
	case bpkit.OpWebhookReceived:
		return o.webhook(ctx)
	case bpkit.OpActionTriggered:
		return o.actionTriggered(ctx)
	case bpkit.OpMessageCreated:
		// The definition declares no channel, so the platform has no
		// conversation of ours to send a message to.
		return bpkit.Response{}, errors.New("message_created: this integration has no channels")
	default:
		return bpkit.Response{}, fmt.Errorf("unknown operation %q", o.Name)
	}
}

// topics returns the webhook topics the integration subscribes to, in the order
// register creates them. Each becomes one of the definition's events.
func topics() []string {
	return []string{"orders/create", "orders/paid", "orders/fulfilled", "orders/cancelled", "customers/create", "app/uninstalled"}
}

// webhook is a webhook subscription as the Admin API returns it.
type webhook struct {
	ID      int64  `json:"id,omitempty"`
	Topic   string `json:"topic"`
	Address string `json:"address"`
	Format  string `json:"format,omitempty"`
}

// register subscribes the platform's webhook URL to every topic through the
// Admin API, and tells the platform which shop this install is, so that two
// installs of one shop are detected.
//
// Register runs again whenever the configuration changes, so it skips the
// subscriptions that already exist: Shopify answers 422 "address for this
// topic has already been taken" to a second one.
//
//	GET  /admin/api/<v>/webhooks.json
//	POST /admin/api/<v>/webhooks.json {"webhook":{"topic","address","format":"json"}}  (each missing topic)
//	POST /v1/chat/integrations/configure {"identifier":"<shop>.myshopify.com"}
func (o *op) register(ctx context.Context) error {
	var body bpkit.Register
	if err := o.Decode(&body); err != nil {
		return err
	}
	if body.WebhookURL == "" {
		return errors.New("register: webhookUrl is empty")
	}
	existing, err := o.admin.listWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	for _, topic := range topics() {
		if subscribed(existing, topic, body.WebhookURL) {
			continue
		}
		in := map[string]webhook{"webhook": {Topic: topic, Address: body.WebhookURL, Format: "json"}}
		if err := o.admin.do(ctx, http.MethodPost, "webhooks.json", in, nil); err != nil {
			return fmt.Errorf("register: subscribe %s: %w", topic, err)
		}
	}
	return o.Client.Configure(ctx, o.shopDomain())
}

// subscribed reports whether ws holds a subscription of topic to address.
func subscribed(ws []webhook, topic, address string) bool {
	for _, w := range ws {
		if w.Topic == topic && w.Address == address {
			return true
		}
	}
	return false
}

// unregister removes the subscriptions that point at this install: those
// whose address is the webhookUrl the platform sends, or, should a platform
// send none, whose address holds the install's webhook id. Other
// subscriptions of the app (another install's, a backend's) are left alone.
//
//	GET    /admin/api/<v>/webhooks.json
//	DELETE /admin/api/<v>/webhooks/<id>.json  (each of ours)
func (o *op) unregister(ctx context.Context) error {
	var body bpkit.Register
	if err := o.Decode(&body); err != nil {
		return err
	}
	ours := func(w webhook) bool {
		if body.WebhookURL != "" {
			return w.Address == body.WebhookURL
		}
		return o.WebhookID != "" && strings.Contains(w.Address, o.WebhookID)
	}
	existing, err := o.admin.listWebhooks(ctx)
	if err != nil {
		return fmt.Errorf("unregister: %w", err)
	}
	for _, w := range existing {
		if !ours(w) {
			continue
		}
		err := o.admin.do(ctx, http.MethodDelete, fmt.Sprintf("webhooks/%d.json", w.ID), nil, nil)
		if err != nil && !isStatus(err, http.StatusNotFound) { // already gone is what we want
			return fmt.Errorf("unregister: delete webhook %d (%s): %w", w.ID, w.Topic, err)
		}
	}
	return nil
}
