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
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

//go:embed definition.json
var definition []byte

// Definition returns the integration definition (definition.json) in the
// shape `bp read` prints, plus the secrets it needs. The slice is a copy.
func Definition() []byte { return append([]byte(nil), definition...) }

// ErrMissingEnv is wrapped by New's error when a required environment
// variable is empty; the error names the variable.
var ErrMissingEnv = errors.New("required environment variable is not set")

// ErrInvalidEnv is wrapped by New's error when an environment variable has a
// value the integration cannot use; the error names the variable.
var ErrInvalidEnv = errors.New("invalid environment variable")

// Option configures New.
type Option func(*integration)

// WithHTTPClient makes every Runtime API and Telegram call go through c.
// The default is a client with a 60 s timeout, like @botpress/client's.
func WithHTTPClient(c *http.Client) Option {
	return func(in *integration) { in.http = c }
}

// WithSleep replaces the timer used between retries (after Telegram's
// retry_after or the Runtime API's Retry-After). sleep must return early
// with ctx.Err() when ctx is done. Tests and simulators with a virtual clock
// use it; the default waits on a real timer.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(in *integration) { in.sleep = sleep }
}

// integration holds what New read from the environment. It has no mutable
// state: every operation carries its own context, so one handler serves any
// number of bots and installs concurrently.
type integration struct {
	apiURL      string // BP_API_URL
	apiToken    string // BP_TOKEN, optional
	secret      string // SECRET_WEBHOOK_SECRET
	telegramURL string // TELEGRAM_API_URL
	http        *http.Client
	sleep       func(ctx context.Context, d time.Duration) error
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
		apiURL:      strings.TrimRight(getenv("BP_API_URL"), "/"),
		apiToken:    getenv("BP_TOKEN"),
		secret:      getenv("SECRET_WEBHOOK_SECRET"),
		telegramURL: strings.TrimRight(getenv("TELEGRAM_API_URL"), "/"),
		http:        &http.Client{Timeout: 60 * time.Second},
		sleep:       sleep,
	}
	switch {
	case in.apiURL == "":
		return nil, fmt.Errorf("configure integration: BP_API_URL: %w", ErrMissingEnv)
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
	return in, nil
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// op is one operation in flight: the platform's headers, decoded, and the two
// clients built from them.
type op struct {
	name     string    // x-bp-operation
	body     []byte    // the request body
	secret   string    // SECRET_WEBHOOK_SECRET
	platform *platform // Runtime API, on behalf of this bot and install
	bot      *botAPI   // Telegram, with this install's bot token
}

// The headers every operation carries, in the order @botpress/sdk checks
// them (packages/sdk/src/integration/server/context.ts), with its messages.
var requiredHeaders = []struct{ name, missing string }{
	{"x-bot-id", "Missing bot header"},
	{"x-bot-user-id", "Missing bot user header"},
	{"x-integration-id", "Missing integration header"},
	{"x-integration-alias", "Missing integration alias header"},
	{"x-webhook-id", "Missing webhook header"},
	{"x-bp-operation", "Missing operation header"},
	{"x-bp-configuration", "Missing configuration header"},
}

// maxBody bounds what the handler reads from the platform.
const maxBody = 16 << 20

// ServeHTTP answers one request from the platform.
func (in *integration) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok")
		return
	}
	o, err := in.newOp(r)
	if err != nil {
		// The SDK checks headers before its error handling, so a bad header
		// is a 500 with {"error": …} rather than an API error.
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	res, err := o.run(r.Context())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, runtimeError(err))
		return
	}
	for k, v := range res.headers {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(res.status)
	io.WriteString(w, res.body)
}

// newOp reads the platform's headers and the body. Its errors read like the
// SDK's ("Missing bot header"), capital letter included, because the
// platform shows them as they are.
func (in *integration) newOp(r *http.Request) (*op, error) {
	h := make(map[string]string, len(requiredHeaders))
	for _, rh := range requiredHeaders {
		v := r.Header.Get(rh.name)
		if v == "" {
			return nil, errors.New(rh.missing)
		}
		h[rh.name] = v
	}
	// x-bp-configuration is the install's configuration as base64 JSON.
	raw, err := base64.StdEncoding.DecodeString(h["x-bp-configuration"])
	if err != nil {
		return nil, fmt.Errorf("Invalid configuration header: %v", err)
	}
	var config struct {
		BotToken string `json:"botToken"`
	}
	if err := json.Unmarshal(raw, &config); err != nil {
		return nil, fmt.Errorf("Invalid configuration header: %v", err)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read request body: %v", err)
	}

	// Every Runtime API call names the bot and the install it acts for, and
	// carries the platform's trace headers along.
	headers := http.Header{}
	headers.Set("Content-Type", "application/json")
	for _, k := range []string{"x-bot-id", "x-integration-id", "x-integration-alias"} {
		headers.Set(k, h[k])
	}
	for _, k := range []string{"traceparent", "tracestate", "sentry-trace"} {
		if v := r.Header.Get(k); v != "" {
			headers.Set(k, v)
		}
	}
	if in.apiToken != "" {
		headers.Set("Authorization", "Bearer "+in.apiToken)
	}
	return &op{
		name:     h["x-bp-operation"],
		body:     body,
		secret:   in.secret,
		platform: &platform{http: in.http, base: in.apiURL, headers: headers, sleep: in.sleep},
		bot:      &botAPI{http: in.http, base: in.telegramURL, token: config.BotToken, sleep: in.sleep},
	}, nil
}

// response is what an operation answers: for webhook_received it is passed
// back to Telegram by the platform.
type response struct {
	status  int
	headers map[string]string
	body    string
}

// done is the answer of an operation with nothing to say.
func done() response { return response{status: http.StatusOK, body: "{}"} }

// run performs the operation.
func (o *op) run(ctx context.Context) (response, error) {
	switch o.name {
	case "ping":
		return done(), nil
	case "register":
		return done(), o.register(ctx)
	case "unregister":
		// Keep pending updates: a re-install picks them up where we left.
		return done(), o.bot.call(ctx, "deleteWebhook", struct{}{}, nil)
	case "webhook_received":
		return o.webhook(ctx)
	case "message_created":
		return done(), o.messageCreated(ctx)
	case "action_triggered":
		return o.actionTriggered(ctx)
	default:
		return response{}, fmt.Errorf("unknown operation %q", o.name)
	}
}

// allowedUpdates are the update types the integration handles. chat_member
// is not delivered unless asked for, and only to admins.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member", "chat_member"}

// register points the bot's webhook at the platform and tells the platform
// which bot this install is, so that two installs of one bot are detected.
func (o *op) register(ctx context.Context) error {
	var body struct {
		WebhookURL string `json:"webhookUrl"`
	}
	if err := decode(o.body, &body); err != nil {
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
		"allowed_updates":      allowedUpdates,
		"drop_pending_updates": false,
	}, nil)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	return o.platform.do(ctx, http.MethodPost, "/v1/chat/integrations/configure",
		map[string]any{"identifier": id(me.ID)}, nil)
}

// apiError is the body of a failed operation, the JSON of @botpress/client's
// RuntimeError. The SDK (5.x) answers 400 with type "Runtime" for every
// error; the message says what went wrong.
type apiError struct {
	ID      string `json:"id"`
	Code    int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// runtimeError builds the error body. Its id is derived from the message
// rather than random, so the same failure always reads the same.
func runtimeError(err error) apiError {
	sum := sha256.Sum256([]byte(err.Error()))
	return apiError{
		ID:      "err_" + strings.ToUpper(hex.EncodeToString(sum[:13])),
		Code:    http.StatusBadRequest,
		Type:    "Runtime",
		Message: err.Error(),
	}
}

// decode reads a JSON operation body into v.
func decode(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode request body: %w", err)
	}
	return nil
}

// writeJSON answers v as JSON, with <, > and & left as they are.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		b.Reset()
		b.WriteString(`{"error":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
