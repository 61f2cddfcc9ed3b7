// Package telegram is an example Telegram integration for Botpress, written
// in Go with nothing but the standard library. It speaks the Botpress
// integration protocol on one side (the platform POSTs operations to it and
// it calls the Runtime API back) and the Telegram Bot API on the other.
//
// It is meant to be read and copied: one file per concern, every protocol
// detail commented where it is used.
//
//	h, err := telegram.New(os.Getenv) // BP_API_URL, SECRET_WEBHOOK_SECRET, …
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8072", h))
//
// Files:
//   - telegram.go: configuration, the HTTP handler and the operation switch
//   - webhook.go: Telegram updates → users, conversations, messages, events, state
//   - outgoing.go: bot messages → Telegram, and the typing-indicator actions
//   - platform.go: the Botpress Runtime API client
//   - botapi.go: the Telegram Bot API client
//   - definition.json: the integration definition, as `bp read` prints it
package telegram

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

// Option configures New.
type Option func(*integration)

// WithHTTPClient makes every Runtime API and Telegram call go through c.
// The default is a client with a 60 s timeout, like @botpress/client's.
func WithHTTPClient(c *http.Client) Option {
	return func(in *integration) { in.env.HTTPClient = c }
}

// WithSleep replaces the timer used between retries (after Telegram's
// retry_after or the Runtime API's Retry-After). sleep must return early
// with ctx.Err() when ctx is done. Tests and simulators with a virtual clock
// use it; the default waits on a real timer.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(in *integration) { in.env.Sleep = sleep }
}

// integration holds what New read from the environment. It has no mutable
// state: every operation carries its own context, so one handler serves any
// number of bots and installs concurrently.
type integration struct {
	env         bpkit.Env // BP_API_URL, BP_TOKEN, the HTTP client and timer
	secret      string    // SECRET_WEBHOOK_SECRET
	telegramURL string    // TELEGRAM_API_URL
}

// secretToken is what Telegram accepts as setWebhook's secret_token.
var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// New builds the integration's HTTP handler from its environment:
//
//   - BP_API_URL (required): base URL of the Botpress Runtime API.
//   - BP_TOKEN (optional): sent as "Authorization: Bearer <token>".
//   - SECRET_WEBHOOK_SECRET (required): the WEBHOOK_SECRET secret of the
//     definition; Botpress hands secrets over as SECRET_<NAME>.
//   - TELEGRAM_API_URL (optional, default https://api.telegram.org): the Bot
//     API is <base>/bot<token>/<method>, files are <base>/file/bot<token>/<path>.
//
// The handler answers GET /health with "ok" and every other request as a
// Botpress operation (the x-bp-operation header).
func New(getenv func(string) string, opts ...Option) (http.Handler, error) {
	in := &integration{
		env:         bpkit.FromEnv(getenv),
		secret:      getenv("SECRET_WEBHOOK_SECRET"),
		telegramURL: strings.TrimRight(getenv("TELEGRAM_API_URL"), "/"),
	}
	if err := in.env.Check(); err != nil {
		return nil, err
	}
	switch {
	case in.secret == "":
		return nil, fmt.Errorf("configure integration: SECRET_WEBHOOK_SECRET: %w", ErrMissingEnv)
	case !secretToken.MatchString(in.secret):
		return nil, fmt.Errorf("configure integration: SECRET_WEBHOOK_SECRET: %w: Telegram wants 1-256 characters of A-Z, a-z, 0-9, _ and -", ErrInvalidEnv)
	}
	if in.telegramURL == "" {
		in.telegramURL = "https://api.telegram.org"
	}
	for _, opt := range opts {
		opt(in)
	}
	return bpkit.Serve(in.env, in.handle), nil
}

// op is one operation in flight: the platform's operation and the Telegram
// client built from its configuration.
type op struct {
	*bpkit.Operation
	secret   string   // SECRET_WEBHOOK_SECRET
	platform platform // Runtime API, on behalf of this bot and install
	bot      *botAPI  // Telegram, with this install's bot token
}

// handle answers one operation from the platform.
func (in *integration) handle(ctx context.Context, bop *bpkit.Operation) (bpkit.Response, error) {
	var config struct {
		BotToken string `json:"botToken"`
	}
	if err := bop.Config(&config); err != nil {
		return bpkit.Response{}, err
	}
	o := &op{
		Operation: bop,
		secret:    in.secret,
		platform:  platform{bop.Client},
		bot:       &botAPI{http: bop.Client.HTTPClient(), base: in.telegramURL, token: config.BotToken, sleep: bop.Client.Sleep},
	}
	switch o.Name {
	case bpkit.OpPing:
		return bpkit.OK(), nil
	case bpkit.OpRegister:
		return bpkit.OK(), o.register(ctx)
	case bpkit.OpUnregister:
		// Keep pending updates: a re-install picks them up where we left.
		return bpkit.OK(), o.bot.call(ctx, "deleteWebhook", struct{}{}, nil)
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

// allowedUpdates returns the update types the integration handles. chat_member
// is not delivered unless asked for, and only to admins.
func allowedUpdates() []string {
	return []string{"message", "edited_message", "callback_query", "my_chat_member", "chat_member"}
}

// register points the bot's webhook at the platform and tells the platform
// which bot this install is, so that two installs of one bot are detected.
func (o *op) register(ctx context.Context) error {
	var body bpkit.Register
	if err := o.Decode(&body); err != nil {
		return err
	}
	if body.WebhookURL == "" {
		return errors.New("register: webhookUrl is empty")
	}
	var me tgUser
	if err := o.bot.call(ctx, "getMe", struct{}{}, &me); err != nil {
		var te *telegramError
		if errors.As(err, &te) && te.Code == http.StatusUnauthorized {
			return fmt.Errorf("register: Telegram rejected the bot token, check the botToken configuration: %w", err)
		}
		return fmt.Errorf("register: %w", err)
	}
	err := o.bot.call(ctx, "setWebhook", map[string]any{
		"url":                  body.WebhookURL,
		"secret_token":         o.secret,
		"allowed_updates":      allowedUpdates(),
		"drop_pending_updates": false,
	}, nil)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return o.platform.Configure(ctx, id(me.ID))
}
