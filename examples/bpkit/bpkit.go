// Package bpkit is a small, standard-library-only toolkit for writing a
// Botpress integration in Go: the HTTP side of the integration protocol (the
// platform POSTs operations with x-bp-* headers) and a client for the Runtime
// API the integration calls back. The example integrations under examples/
// are built on it; copy it along with them.
//
//	h := bpkit.Serve(bpkit.FromEnv(os.Getenv), func(ctx context.Context, op *bpkit.Operation) (bpkit.Response, error) {
//		switch op.Name {
//		case bpkit.OpWebhookReceived:
//			req, err := op.WebhookRequest()
//			…
//			_, err = op.Client.CreateEvent(ctx, bpkit.EventInput{Type: "orderPaid", Payload: p})
//			return bpkit.OK(), err
//		}
//		return bpkit.OK(), nil
//	})
//	log.Fatal(http.ListenAndServe("127.0.0.1:8072", h))
//
// Run wraps such a handler in a command: 127.0.0.1:$PORT, one log line per
// request, a clean stop on SIGINT or SIGTERM, and exit statuses 0, 1 and 2
// (package bpkittest checks a command built on it).
//
// The protocol is the one @botpress/sdk implements: every operation carries
// x-bot-id, x-bot-user-id, x-integration-id, x-integration-alias,
// x-webhook-id, x-bp-operation and x-bp-configuration (base64 JSON); a
// failure answers 400 with a RuntimeError body {id, code, type, message}.
package bpkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The operations the platform sends (x-bp-operation).
const (
	OpPing            = "ping"
	OpRegister        = "register"
	OpUnregister      = "unregister"
	OpWebhookReceived = "webhook_received"
	OpMessageCreated  = "message_created"
	OpActionTriggered = "action_triggered"
)

// MaxBody bounds what the handler reads from the platform (16 MiB).
const MaxBody = 16 << 20

// Env is what an integration reads from its environment.
type Env struct {
	// APIURL is the Runtime API's base URL (BP_API_URL).
	APIURL string
	// Token is sent as "Authorization: Bearer <token>" when set (BP_TOKEN).
	Token string
	// HTTPClient makes every Runtime API call; nil means a client with a
	// 60 s timeout, like @botpress/client's.
	HTTPClient *http.Client
	// Sleep waits between retries; nil means a real timer. Simulators with a
	// virtual clock replace it. It must return ctx.Err() when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
}

// ErrMissingEnv is wrapped by FromEnv's callers' errors when a required
// environment variable is empty; the error names the variable.
var ErrMissingEnv = errors.New("required environment variable is not set")

// FromEnv reads BP_API_URL and BP_TOKEN through getenv.
func FromEnv(getenv func(string) string) Env {
	return Env{APIURL: strings.TrimRight(getenv("BP_API_URL"), "/"), Token: getenv("BP_TOKEN")}
}

// Check returns an error naming BP_API_URL when it is empty.
func (e Env) Check() error {
	if e.APIURL == "" {
		return fmt.Errorf("configure integration: BP_API_URL: %w", ErrMissingEnv)
	}
	return nil
}

// Operation is one request from the platform, its headers decoded.
type Operation struct {
	// Name is the x-bp-operation header: one of the Op constants.
	Name             string
	BotID            string
	BotUserID        string
	IntegrationID    string
	IntegrationAlias string
	WebhookID        string
	// Configuration is the install's configuration, decoded from
	// x-bp-configuration.
	Configuration json.RawMessage
	// Body is the request body, whose shape depends on Name.
	Body []byte
	// Client calls the Runtime API on behalf of this bot and install.
	Client *Client
}

// Decode unmarshals the operation's body into v.
func (op *Operation) Decode(v any) error {
	if err := json.Unmarshal(op.Body, v); err != nil {
		return fmt.Errorf("decode request body: %w", err)
	}
	return nil
}

// Config unmarshals the install's configuration into v.
func (op *Operation) Config(v any) error {
	if err := json.Unmarshal(op.Configuration, v); err != nil {
		return fmt.Errorf("decode configuration: %w", err)
	}
	return nil
}

// WebhookRequest is what a chat platform sent to the integration's webhook
// URL, as the platform forwards it in webhook_received:
// {"req":{"method","path","query","headers","body"}}.
type WebhookRequest struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Query  string `json:"query"`
	// Headers has lower-case names.
	Headers map[string]string `json:"headers"`
	// Body is the raw body, exactly as sent: verify signatures over it.
	Body string `json:"body"`
}

// WebhookRequest decodes a webhook_received body.
func (op *Operation) WebhookRequest() (WebhookRequest, error) {
	var body struct {
		Req WebhookRequest `json:"req"`
	}
	if err := op.Decode(&body); err != nil {
		return WebhookRequest{}, err
	}
	return body.Req, nil
}

// MessageCreated is the body of message_created: the bot wrote a message
// that must reach the chat platform.
type MessageCreated struct {
	Type         string          `json:"type"`
	Payload      json.RawMessage `json:"payload"`
	Conversation Conversation    `json:"conversation"`
	Message      Message         `json:"message"`
	User         User            `json:"user"`
}

// ActionTriggered is the body of action_triggered.
type ActionTriggered struct {
	Type  string          `json:"type"`
	Input json.RawMessage `json:"input"`
}

// Register is the body of register.
type Register struct {
	WebhookURL string `json:"webhookUrl"`
}

// Response is an operation's answer. For webhook_received the platform
// passes it back to the chat platform as it is.
type Response struct {
	Status int
	Header map[string]string
	Body   string
}

// OK is the answer of an operation with nothing to say: 200 "{}".
func OK() Response { return Response{Status: http.StatusOK, Body: "{}"} }

// JSON answers v as a 200 JSON body.
func JSON(v any) (Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Response{}, fmt.Errorf("encode response: %w", err)
	}
	return Response{Status: http.StatusOK, Header: map[string]string{"Content-Type": "application/json"}, Body: string(b)}, nil
}

// ActionOutput answers action_triggered with the action's output:
// {"output": <output>, "meta": {"cost": 0}}.
func ActionOutput(output any) (Response, error) {
	if output == nil {
		output = struct{}{}
	}
	type meta struct {
		Cost int `json:"cost"`
	}
	return JSON(struct {
		Output any  `json:"output"`
		Meta   meta `json:"meta"`
	}{output, meta{}})
}

// Func handles one operation. An error answers 400 with a RuntimeError
// body whose message is the error's text.
type Func func(ctx context.Context, op *Operation) (Response, error)

// requiredHeaders returns the headers every operation carries, in the
// order @botpress/sdk checks them, with its messages.
func requiredHeaders() []struct{ name, missing string } {
	return []struct{ name, missing string }{
		{"x-bot-id", "Missing bot header"},
		{"x-bot-user-id", "Missing bot user header"},
		{"x-integration-id", "Missing integration header"},
		{"x-integration-alias", "Missing integration alias header"},
		{"x-webhook-id", "Missing webhook header"},
		{"x-bp-operation", "Missing operation header"},
		{"x-bp-configuration", "Missing configuration header"},
	}
}

// Serve returns the integration's HTTP handler: GET /health answers "ok",
// every other request is an operation handed to fn.
func Serve(env Env, fn Func) http.Handler {
	if env.HTTPClient == nil {
		env.HTTPClient = &http.Client{Timeout: 60 * time.Second}
	}
	if env.Sleep == nil {
		env.Sleep = sleep
	}
	return &server{env: env, fn: fn}
}

type server struct {
	env Env
	fn  Func
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/health" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
		return
	}
	op, err := s.operation(r)
	if err != nil {
		// The SDK checks headers before its error handling, so a bad
		// header is a 500 with {"error": …} rather than an API error.
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	res, err := s.fn(r.Context(), op)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, RuntimeError(err))
		return
	}
	for k, v := range res.Header {
		w.Header().Set(k, v)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if res.Status == 0 {
		res.Status = http.StatusOK
	}
	w.WriteHeader(res.Status)
	_, _ = io.WriteString(w, res.Body)
}

// operation reads the platform's headers and the body. Its errors read like
// the SDK's ("Missing bot header"), capital letter included, because the
// platform shows them as they are.
func (s *server) operation(r *http.Request) (*Operation, error) {
	required := requiredHeaders()
	h := make(map[string]string, len(required))
	for _, rh := range required {
		v := r.Header.Get(rh.name)
		if v == "" {
			return nil, errors.New(rh.missing)
		}
		h[rh.name] = v
	}
	cfg, err := base64.StdEncoding.DecodeString(h["x-bp-configuration"])
	if err != nil || !json.Valid(cfg) {
		if err == nil {
			err = errors.New("not JSON")
		}
		return nil, fmt.Errorf("Invalid configuration header: %v", err)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
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
	if s.env.Token != "" {
		headers.Set("Authorization", "Bearer "+s.env.Token)
	}
	return &Operation{
		Name:             h["x-bp-operation"],
		BotID:            h["x-bot-id"],
		BotUserID:        h["x-bot-user-id"],
		IntegrationID:    h["x-integration-id"],
		IntegrationAlias: h["x-integration-alias"],
		WebhookID:        h["x-webhook-id"],
		Configuration:    cfg,
		Body:             body,
		Client:           &Client{http: s.env.HTTPClient, base: s.env.APIURL, headers: headers, sleep: s.env.Sleep},
	}, nil
}

// APIErrorBody is the body of a failed operation, the JSON of
// @botpress/client's RuntimeError. The SDK (5.x) answers 400 with type
// "Runtime" for every error; the message says what went wrong.
type APIErrorBody struct {
	ID      string `json:"id"`
	Code    int    `json:"code"`
	Type    string `json:"type"`
	Message string `json:"message"`
}

// RuntimeError builds the error body for err. Its id is derived from the
// message rather than random, so the same failure always reads the same.
func RuntimeError(err error) APIErrorBody {
	sum := sha256.Sum256([]byte(err.Error()))
	return APIErrorBody{
		ID:      "err_" + strings.ToUpper(hex.EncodeToString(sum[:13])),
		Code:    http.StatusBadRequest,
		Type:    "Runtime",
		Message: err.Error(),
	}
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
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
