// Package slack is an example Slack integration for Botpress, written in Go
// with nothing but the standard library. It speaks the Botpress integration
// protocol on one side (the platform POSTs operations to it and it calls the
// Runtime API back) and Slack on the other: the Events API, interactivity
// and slash commands come in through the platform's webhook, and bot
// messages go out through the Web API as Block Kit.
//
// It is meant to be read and copied: one file per concern, every protocol
// detail commented where it is used.
//
//	h, err := slack.New(os.Getenv) // BP_API_URL, SECRET_SIGNING_SECRET, SLACK_API_URL, …
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8072", h))
//
// Files:
//   - slack.go: configuration, the HTTP handler, the operation switch and register
//   - webhook.go: signed Slack requests → the Events API, interactivity and slash commands
//   - incoming.go: Slack messages, clicks, reactions and joins → users, conversations, messages, events
//   - outgoing.go: bot messages → Block Kit through chat.postMessage, and the actions
//   - platform.go: the Runtime API calls, in this integration's terms
//   - webapi.go: the Slack Web API client
//   - definition.json: the integration definition, as `bp read` prints it
package slack

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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

// Option configures New.
type Option func(*integration)

// WithHTTPClient makes every Runtime API and Slack Web API call go through
// c. The default is a client with a 60 s timeout, like @botpress/client's.
func WithHTTPClient(c *http.Client) Option {
	return func(in *integration) { in.env.HTTPClient = c }
}

// WithSleep replaces the timer used between retries (after Slack's 429
// Retry-After or the Runtime API's). sleep must return early with ctx.Err()
// when ctx is done. Tests and simulators with a virtual clock use it; the
// default waits on a real timer.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(in *integration) { in.env.Sleep = sleep }
}

// WithClock sets where "now" comes from when a request's
// X-Slack-Request-Timestamp is checked for replays (older than five minutes
// is refused). The default is time.Now; a simulator replaying on a virtual
// clock passes that clock's Now.
func WithClock(now func() time.Time) Option {
	return func(in *integration) { in.now = now }
}

// integration holds what New read from the environment. It has no mutable
// state: every operation carries its own context, so one handler serves any
// number of bots and installs concurrently.
type integration struct {
	env           bpkit.Env // BP_API_URL, BP_TOKEN, the HTTP client and timer
	signingSecret string    // SECRET_SIGNING_SECRET
	slackURL      string    // SLACK_API_URL, without a trailing slash
	now           func() time.Time
}

// New builds the integration's HTTP handler from its environment:
//
//   - BP_API_URL (required): base URL of the Botpress Runtime API.
//   - BP_TOKEN (optional): sent as "Authorization: Bearer <token>".
//   - SECRET_SIGNING_SECRET (required): the SIGNING_SECRET secret of the
//     definition, the Slack app's signing secret; Botpress hands secrets over
//     as SECRET_<NAME>.
//   - SLACK_API_URL (optional, default https://slack.com): Web API methods
//     are POST <base>/api/<method>.
//
// The bot token is not in the environment: it is the install's
// configuration ({"botToken": "xoxb-…"}). The handler answers GET /health
// with "ok" and every other request as a Botpress operation (the
// x-bp-operation header).
func New(getenv func(string) string, opts ...Option) (http.Handler, error) {
	in := &integration{
		env:           bpkit.FromEnv(getenv),
		signingSecret: getenv("SECRET_SIGNING_SECRET"),
		slackURL:      strings.TrimRight(getenv("SLACK_API_URL"), "/"),
		now:           time.Now,
	}
	if err := in.env.Check(); err != nil {
		return nil, err
	}
	if in.signingSecret == "" {
		return nil, fmt.Errorf("configure integration: SECRET_SIGNING_SECRET: %w", ErrMissingEnv)
	}
	if in.slackURL == "" {
		in.slackURL = "https://slack.com"
	}
	if !strings.HasPrefix(in.slackURL, "http://") && !strings.HasPrefix(in.slackURL, "https://") {
		return nil, fmt.Errorf("configure integration: SLACK_API_URL: %w: want an http or https URL, got %q", ErrInvalidEnv, in.slackURL)
	}
	for _, opt := range opts {
		opt(in)
	}
	if in.now == nil {
		in.now = time.Now
	}
	return bpkit.Serve(in.env, in.handle), nil
}

// op is one operation in flight: the platform's operation, the Slack client
// built from its configuration, and what this operation learnt so far.
type op struct {
	*bpkit.Operation
	in       *integration
	platform platform // Runtime API, on behalf of this bot and install
	slack    *webAPI  // Slack, with this install's bot token
	config   config   // the install's configuration

	// names caches users.info for this operation only: a message and its
	// mention, or a reaction and its message, ask for the same person.
	names map[string]string
}

// config is the install's configuration (x-bp-configuration).
type config struct {
	// BotToken is the app's bot token, xoxb-….
	BotToken string `json:"botToken"`
	// MarkChoices says whether a click or a pick replaces the message it
	// was on through the response_url (absent means yes).
	MarkChoices *bool `json:"markChoices"`
}

func (c config) markChoices() bool { return c.MarkChoices == nil || *c.MarkChoices }

// handle answers one operation from the platform.
func (in *integration) handle(ctx context.Context, bop *bpkit.Operation) (bpkit.Response, error) {
	var cfg config
	if err := bop.Config(&cfg); err != nil {
		return bpkit.Response{}, err
	}
	o := &op{
		Operation: bop,
		in:        in,
		platform:  platform{bop.Client},
		slack:     &webAPI{http: bop.Client.HTTPClient(), base: in.slackURL, token: cfg.BotToken, sleep: bop.Client.Sleep},
		config:    cfg,
		names:     map[string]string{},
	}
	switch o.Name {
	case bpkit.OpPing:
		return bpkit.OK(), nil
	case bpkit.OpRegister:
		return bpkit.OK(), o.register(ctx)
	case bpkit.OpUnregister:
		// The Request URLs live in the Slack app's settings, not behind an
		// API: there is nothing to undo.
		return bpkit.OK(), nil
	case bpkit.OpWebhookReceived:
		return o.webhook(ctx)
	case bpkit.OpMessageCreated:
		return bpkit.OK(), o.messageCreated(ctx)
	case bpkit.OpActionTriggered:
		return o.actionTriggered(ctx)
	default:
		return bpkit.Response{}, fmt.Errorf("unknown operation %q", o.Name)
	}
}

// rejectedToken returns auth.test's answers for a token Slack does not accept.
func rejectedToken() []string {
	return []string{"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}
}

// register checks the bot token with auth.test, remembers which workspace
// and bot user it belongs to (the workspace state, read by every webhook to
// recognise the bot's own messages), and tells the platform which account
// this install is, so that two installs in one workspace are detected.
//
// Slack has no API to set the Request URLs: point Event Subscriptions,
// Interactivity and every slash command of the app at the webhook URL in
// the app's settings.
func (o *op) register(ctx context.Context) error {
	var me authTest
	if err := o.slack.call(ctx, "auth.test", url.Values{}, &me); err != nil {
		if isSlackError(err, rejectedToken()...) {
			return fmt.Errorf("register: Slack rejected the bot token, check the botToken configuration (a bot token starts with xoxb-): %w", err)
		}
		return fmt.Errorf("register: %w", err)
	}
	if me.TeamID == "" || me.UserID == "" {
		return errors.New("register: slack auth.test: no team_id or user_id in the answer")
	}
	ws := workspace{TeamID: me.TeamID, BotUserID: me.UserID, BotID: me.BotID}
	if err := o.platform.SetState(ctx, "integration", o.IntegrationID, workspaceState, ws); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if err := o.platform.Configure(ctx, me.TeamID+":"+me.UserID); err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return nil
}
