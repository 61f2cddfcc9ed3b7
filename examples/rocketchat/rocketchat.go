// Package rocketchat is an example Rocket.Chat integration for Botpress,
// written in Go with nothing but the standard library. It speaks the
// Botpress integration protocol on one side (the platform POSTs operations
// to it and it calls the Runtime API back) and Rocket.Chat on the other:
// messages arrive from an outgoing webhook integration, button clicks, menu
// picks and date picks arrive as block_actions interaction payloads, and
// the bot's messages leave through the REST API.
//
// It is meant to be read and copied: one file per concern, every protocol
// detail commented where it is used.
//
//	h, err := rocketchat.New(os.Getenv) // BP_API_URL, ROCKETCHAT_URL, SECRET_WEBHOOK_TOKEN, …
//	if err != nil {
//		log.Fatal(err)
//	}
//	log.Fatal(http.ListenAndServe("127.0.0.1:8072", h))
//
// Files:
//   - rocketchat.go: configuration, the HTTP handler, the operation switch, register
//   - webhook.go: outgoing-webhook messages → users, conversations, messages
//   - interaction.go: block_actions → incoming messages, and the answer through response_url
//   - outgoing.go: bot messages → chat.postMessage and chat.sendMessage (blocks)
//   - blocks.go: Botpress choice, dropdown, card and datepicker → Block Kit blocks
//   - restapi.go: the Rocket.Chat REST client (X-User-Id, X-Auth-Token)
//   - platform.go: the Botpress Runtime API, in Rocket.Chat terms
//   - definition.json: the integration definition, as `bp read` prints it
//
// The directory hookbot next to this one is the other way to write a
// Rocket.Chat bot: no Botpress, the reply goes back in the outgoing
// webhook's HTTP response.
package rocketchat

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

// WithHTTPClient makes every Runtime API, Rocket.Chat REST and response_url
// call go through c. The default is a client with a 60 s timeout, like
// @botpress/client's.
func WithHTTPClient(c *http.Client) Option {
	return func(in *integration) { in.env.HTTPClient = c }
}

// WithSleep replaces the timer used between retries (after a 429 from
// Rocket.Chat or the Runtime API). sleep must return early with ctx.Err()
// when ctx is done. Tests and simulators with a virtual clock use it; the
// default waits on a real timer.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(in *integration) { in.env.Sleep = sleep }
}

// integration holds what New read from the environment. It has no mutable
// state: every operation carries its own context, so one handler serves any
// number of operations concurrently.
type integration struct {
	env       bpkit.Env // BP_API_URL, BP_TOKEN, the HTTP client and timer
	token     string    // SECRET_WEBHOOK_TOKEN: the outgoing integration's token
	serverURL *url.URL  // ROCKETCHAT_URL
	userID    string    // ROCKETCHAT_USER_ID: the bot's user id
	authToken string    // ROCKETCHAT_AUTH_TOKEN: the bot's personal access token
}

// New builds the integration's HTTP handler from its environment:
//
//   - BP_API_URL (required): base URL of the Botpress Runtime API.
//   - BP_TOKEN (optional): sent as "Authorization: Bearer <token>".
//   - ROCKETCHAT_URL (required): the Rocket.Chat server, such as
//     https://chat.example.com; the REST API is under /api/v1/.
//   - ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN (required): the bot
//     account's user id and personal access token, sent as X-User-Id and
//     X-Auth-Token on every REST call.
//   - SECRET_WEBHOOK_TOKEN (required): the token of the outgoing webhook
//     integration (the WEBHOOK_TOKEN secret of the definition; Botpress hands
//     secrets over as SECRET_<NAME>). Every outgoing-webhook body carries it.
//
// The handler answers GET /health with "ok" and every other request as a
// Botpress operation (the x-bp-operation header).
func New(getenv func(string) string, opts ...Option) (http.Handler, error) {
	in := &integration{
		env:       bpkit.FromEnv(getenv),
		token:     getenv("SECRET_WEBHOOK_TOKEN"),
		userID:    getenv("ROCKETCHAT_USER_ID"),
		authToken: getenv("ROCKETCHAT_AUTH_TOKEN"),
	}
	if err := in.env.Check(); err != nil {
		return nil, err
	}
	for _, req := range []struct{ name, value string }{
		{"ROCKETCHAT_URL", getenv("ROCKETCHAT_URL")},
		{"ROCKETCHAT_USER_ID", in.userID},
		{"ROCKETCHAT_AUTH_TOKEN", in.authToken},
		{"SECRET_WEBHOOK_TOKEN", in.token},
	} {
		if req.value == "" {
			return nil, fmt.Errorf("configure integration: %s: %w", req.name, ErrMissingEnv)
		}
	}
	u, err := url.Parse(strings.TrimRight(getenv("ROCKETCHAT_URL"), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("configure integration: ROCKETCHAT_URL: %w: want an http or https URL such as https://chat.example.com, got %q", ErrInvalidEnv, getenv("ROCKETCHAT_URL"))
	}
	in.serverURL = u
	for _, opt := range opts {
		opt(in)
	}
	return bpkit.Serve(in.env, in.handle), nil
}

// config is the install's configuration (configuration.schema in
// definition.json). Every field is optional.
type config struct {
	// MarkChoices says whether an interaction replaces the rich message's
	// buttons and menus with "✓ <label> chosen by @user" (default true).
	MarkChoices *bool `json:"markChoices"`
}

func (c config) markChoices() bool { return c.MarkChoices == nil || *c.MarkChoices }

// op is one operation in flight: the platform's operation, the install's
// configuration and the Rocket.Chat client.
type op struct {
	*bpkit.Operation
	in       *integration
	config   config
	platform platform // Runtime API, on behalf of this bot and install
	rc       *restAPI // Rocket.Chat, as the bot account
}

// handle answers one operation from the platform.
func (in *integration) handle(ctx context.Context, bop *bpkit.Operation) (bpkit.Response, error) {
	o := &op{
		Operation: bop,
		in:        in,
		platform:  platform{bop.Client},
		rc: &restAPI{http: bop.Client.HTTPClient(), base: in.serverURL.String() + "/api/v1/",
			userID: in.userID, authToken: in.authToken, sleep: bop.Client.Sleep},
	}
	if err := bop.Config(&o.config); err != nil {
		return bpkit.Response{}, err
	}
	switch o.Name {
	case bpkit.OpPing:
		return bpkit.OK(), nil
	case bpkit.OpRegister:
		return bpkit.OK(), o.register(ctx)
	case bpkit.OpUnregister:
		// The outgoing webhook integration and the interaction URL are
		// set up in Rocket.Chat by its administrator (see register):
		// there is nothing of ours to take down.
		return bpkit.OK(), nil
	case bpkit.OpWebhookReceived:
		return o.webhook(ctx)
	case bpkit.OpMessageCreated:
		return bpkit.OK(), o.messageCreated(ctx)
	case bpkit.OpActionTriggered:
		var body bpkit.ActionTriggered
		if err := o.Decode(&body); err != nil {
			return bpkit.Response{}, err
		}
		// Rocket.Chat's typing indicator is a realtime (DDP) method with
		// no REST equivalent, so this integration declares no actions.
		return bpkit.Response{}, fmt.Errorf("action %q not found", body.Type)
	default:
		return bpkit.Response{}, fmt.Errorf("unknown operation %q", o.Name)
	}
}

// register checks the bot's credentials and tells the platform which
// Rocket.Chat account this install is, so two installs of one bot are
// detected.
//
// Unlike Telegram there is no API call to point Rocket.Chat at the webhook
// URL: the administrator creates an outgoing webhook integration (event
// "Message Sent", URL = the Botpress webhook URL, token = the WEBHOOK_TOKEN
// secret) and sets the interaction URL to the same webhook URL, once, in
// the server's settings. chatsim's fake does both when it starts the
// World. README.md has the steps.
func (o *op) register(ctx context.Context) error {
	var me struct {
		ID       string `json:"_id"`
		Username string `json:"username"`
	}
	if err := o.rc.call(ctx, http.MethodGet, "me", nil, &me); err != nil {
		var re *restError
		if errors.As(err, &re) && re.Status == http.StatusUnauthorized {
			return fmt.Errorf("register: Rocket.Chat rejected the bot's credentials, check ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN: %w", err)
		}
		return fmt.Errorf("register: %w", err)
	}
	if me.ID == "" {
		return errors.New("register: Rocket.Chat's /api/v1/me answered no _id")
	}
	return o.platform.Configure(ctx, me.ID)
}
