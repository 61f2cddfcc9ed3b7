package fakes

import (
	"context"
	"errors"
	"net/http"
)

// Platform is a chat platform's fake as a World (package sim) drives it. Every
// fake under fakes/<platform> implements it, so that the World, `chatsim
// serve`, replay and the step library treat them alike.
type Platform interface {
	// Name is the platform's name in cassettes, journals and `chatsim
	// serve --json`: "telegram", "slack", "shopify", "rocketchat".
	Name() string
	// URL is the fake's base URL, "http://127.0.0.1:PORT".
	URL() string
	// Env is what an integration under test is given to reach the fake:
	// base URLs and credentials, such as SLACK_API_URL and SLACK_BOT_TOKEN.
	Env() map[string]string
	// Service describes the fake for `chatsim serve --json`: its "url",
	// "control" URL and every credential a person needs to point a client at
	// it. Values must marshal to JSON.
	Service() map[string]any
	// Literals maps the run-dependent strings the fake hands out (its base
	// URL, tokens, secrets) to the placeholders a rendered journal shows
	// instead, such as "${SLACK_BOT_TOKEN}".
	Literals() map[string]string
	// SetWebhookTarget tells the fake where the platform receives its
	// webhooks for the integration under test. Fakes whose webhooks are set
	// through their own API (Telegram's setWebhook, Shopify's webhooks.json)
	// may use it as the default for deliveries configured outside the API
	// (Slack's Request URL, a Rocket.Chat outgoing integration).
	// It fails when the platform refuses the address, as Slack does when
	// the url_verification challenge is not answered.
	SetWebhookTarget(ctx context.Context, url string) error
	// Replay delivers one recorded inbound request as the platform would
	// send it now: re-signed with this fake's secrets, with fresh
	// timestamps, through the fake's own delivery machinery (retries,
	// journal). It returns a one-line title for the step ("slack → integration:
	// message in #general from ada: hi") once the delivery is under way; the
	// shared Activity tells when it, and all it caused, has finished. A
	// delivery the platform could not have sent (a body that does not
	// decode, a kind it does not have) is an error wrapping
	// ErrBadDelivery: the recording is at fault, not the integration.
	Replay(ctx context.Context, d Delivery) (title string, err error)
	// Close stops the fake and its deliveries.
	Close() error
}

// Delivery is one inbound request from a recording (a cassette entry whose
// direction is "inbound"), as a fake receives it for Replay.
type Delivery struct {
	// Kind is the recording's name for it: "event_callback", "update",
	// "orders/create", "block_actions".
	Kind   string
	Method string
	// URL is the URL it was sent to when recorded; only its path and query
	// may matter to the fake.
	URL    string
	Header http.Header
	Body   []byte
	// Location names where it was recorded ("demo.cassette:3"), for errors.
	Location string
}

// ErrBadDelivery is wrapped by the error of Platform.Replay when the
// recorded delivery is not one the platform could have sent: its body does
// not decode as the platform's, or it is of a kind the platform does not
// have. A replay stops there, for bad input, whatever the integration does.
var ErrBadDelivery = errors.New("not a delivery the platform sends")
