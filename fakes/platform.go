package fakes

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Kind is one chat platform chatsim can simulate, as the registry (package
// sim) lists it: its names, how to start its fake on a World's wiring, its
// own step vocabulary and where its secrets travel. Each platform package
// exports a function that returns its Kind (telegram.Kind()); nothing
// outside the package names the platform, so adding a platform is its
// package and one line of the registry.
type Kind struct {
	// Name is the platform's name in cassettes, journals, `--platforms` and
	// `chatsim serve --json`: "telegram", "rocketchat". It is also the group
	// its steps are listed under by `chatsim steps`.
	Name string
	// Title is how people and steps write it: "Telegram", "Rocket.Chat".
	Title string
	// Start starts the platform's fake on a World's clock, journal and
	// activity tracker.
	Start func(w Wiring) (Platform, error)
	// Steps returns the platform's own step vocabulary: how a scenario sets
	// up its people and places, and its knobs. The shared vocabulary (send,
	// tap, sees …) reaches the platform through its People methods.
	Steps func() []Step
	// PersonStep is the setup step that makes a person on the platform, as a
	// scenario writes it with %q for the person's handle (`Given a Telegram
	// private chat with %q`), for the message of a step that names a person
	// nobody set up.
	PersonStep string
	// Carriers are the places in the platform's traffic where a secret
	// travels, for a recorder to redact and a replayer to put back.
	Carriers []Carrier
	// Wire is how the platform's live traffic reads, for a recorder; a
	// platform whose Wire has no Delivery cannot be recorded yet.
	Wire Wire
}

// ErrUnverified is wrapped by a Wire's Verify when a delivery cannot be
// checked: the secret it is signed with was not given.
var ErrUnverified = errors.New("cannot verify: the secret it is signed with was not given")

// Wire is how a platform's live traffic reads, for a recorder (package
// recorder) that sits between the real platform and an integration: which
// requests are deliveries and how they are signed, what the integration's
// calls are called, the call that tells the platform where to deliver, and
// the calls whose answers carry deliveries (long polling) or hand out a
// stream that does (Slack's Socket Mode).
type Wire struct {
	// APIURLEnv is the variable an integration reads the platform's API base
	// URL from ("TELEGRAM_API_URL"); a recorder points it at itself.
	APIURLEnv string
	// APIURL is the real platform's API base URL ("https://api.telegram.org"),
	// where a recorder forwards calls unless told otherwise; empty when there
	// is none to guess (a self-hosted Rocket.Chat).
	APIURL string
	// Delivery names a request the platform sent the integration, as a
	// cassette entry's kind ("update", "event_callback", "orders/create").
	// An empty kind is a request no replay delivers (Slack's
	// url_verification, sent when a person saves a Request URL): a
	// recorder verifies and forwards it, and records nothing of it.
	Delivery func(method, path string, h http.Header, body []byte) (kind string)
	// Verify checks a live delivery's signature with the secrets given, by
	// carrier name ("SLACK_SIGNING_SECRET"): nil when it is the platform's,
	// an error wrapping ErrUnverified when the secret is missing, another
	// error when the signature is wrong, stale or absent. nil Verify means
	// the platform signs nothing.
	Verify func(h http.Header, body []byte, secrets map[string]string, now time.Time) error
	// Call names a call the integration made to the platform's API, as a
	// cassette entry's kind ("sendMessage", "chat.postMessage").
	Call func(method, path string, body []byte) (kind string)
	// Register recognises the call that tells the platform where to deliver
	// (Telegram's setWebhook): it returns the call's request target (path
	// and query) and body with the address replaced by inbound, and the
	// address the integration asked for, where the recorder forwards
	// deliveries. ok is false for any other call.
	Register func(method, target string, h http.Header, body []byte, inbound string) (newTarget string, newBody []byte, deliverTo string, ok bool)
	// Volatile are the JSON or form fields of calls whose values a
	// platform hands out anew each time (a message's ts, a callback's
	// id), masked when a replay compares the integration's calls with a
	// recording's.
	Volatile []string
	// Route, when set, names the deliveries a Register call is for, as
	// Delivery names their kind (Shopify's topic, "orders/create"): the
	// recorder forwards deliveries of that kind to the address that call
	// asked for, and the others to the last address any call asked for.
	// It returns "" for a call that does not say (then the call's address
	// is only that last one). nil: every delivery goes to the last address.
	Route func(method, target string, h http.Header, body []byte) (kind string)
	// Seed learns the world from a call's answer while recording (the
	// bot's identity in Telegram's getMe), into seed, the platform's part
	// of the cassette's seed; the platform's fake starts from it at replay
	// (Wiring.Seed). nil: nothing to learn.
	Seed func(kind string, status int, answer []byte, seed map[string]json.RawMessage)
	// Poll names the call that waits for deliveries and brings them in its
	// answer (Telegram's getUpdates): it is not work in flight while it
	// waits, and it is recorded as the deliveries it brought (Pulled).
	Poll string
	// Pulled returns the deliveries a call's answer carries (the updates of
	// Telegram's getUpdates), each as the body of a delivery of kind.
	Pulled func(method, path string, status int, body []byte) (kind string, deliveries [][]byte)
	// Capabilities rewrites the capability URLs a verified delivery
	// carries: URLs that are their own credential, which the integration
	// calls directly instead of the API (Slack's response_url). swap(kind,
	// u) returns the recorder's URL standing for u: it forwards what the
	// integration sends there to u and records it as a call of kind in the
	// delivery's turn. Capabilities returns the body with every such URL
	// swapped and the headers signed anew for it with secrets; ok is false
	// when the delivery goes on as it came (it carries none, or there is no
	// secret to sign it anew with, when the calls go to u unrecorded).
	Capabilities func(h http.Header, body []byte, secrets map[string]string, swap func(kind, u string) string) (newHeader http.Header, newBody []byte, ok bool)
	// Stream recognises a call whose answer hands out the URL of a stream
	// the integration then opens, a WebSocket the platform pushes
	// deliveries down (Slack's apps.connections.open and its wss:// URL):
	// it returns the answer's body with that URL replaced by swap(u), the
	// recorder's ws:// URL standing for u, where the recorder relays the
	// stream to u and reads its frames with Frame. ok is false for any
	// other call, whose answer goes on as it came. The recording keeps the
	// answer as the platform gave it (a carrier should name the URL when
	// it is a credential). A stream at a fixed address needs no Stream: a
	// WebSocket the integration opens at any path of the recorder's API is
	// relayed to the same path of the upstream, when Frame is set.
	Stream func(method, path string, status int, body []byte, swap func(u string) string) (newBody []byte, ok bool)
	// Frame reads one text frame of a stream (Stream), going up (from the
	// integration to the platform) or down: a delivery, the ack of one, or
	// neither (a hello, a ping, a disconnect), which is relayed and not
	// recorded. nil means no frame is ever a delivery.
	Frame func(up bool, data []byte) Frame
}

// Frame is what a Wire makes of one frame of a stream.
type Frame struct {
	// Kind names a delivery coming down, as Delivery names a request (its
	// cassette kind, "event_callback"); empty for a frame that is no
	// delivery, and for one the recording leaves out as Delivery does (the
	// events of the bot's own doing).
	Kind string
	// ID pairs a delivery with the frame going up that acks it (Slack's
	// envelope_id); a delivery with none is not acked, and is recorded as
	// it comes, with no answer.
	ID string
	// Ack marks a frame going up that answers the delivery ID.
	Ack bool
	// Header and Body are, for a delivery, the request it is recorded as:
	// what the platform would send over HTTP for the same (Slack's
	// event_callback JSON, an interaction's payload= form), so that a
	// replay delivers it either way. For an ack they are its answer (the
	// ack's payload): Body nil for an ack that carries none.
	Header http.Header
	Body   []byte
}

// Wiring is what a World gives each fake it starts: the clock, journal and
// activity tracker every part of the World shares, and the HTTP client
// webhooks are delivered with.
type Wiring struct {
	Clock    Clock
	Journal  *Journal
	Activity *Activity
	// HTTPClient delivers the fake's webhooks; nil means a client of the
	// fake's own.
	HTTPClient *http.Client
	// Seed is the platform's part of a recorded cassette's seed (what
	// Wire.Seed learned while recording): the fake starts from it, so that
	// it answers as the real platform did. nil: the fake's defaults.
	Seed json.RawMessage
}

// Carrier is one place in a platform's traffic where a secret travels: a
// header, a part of a URL's path, a form, query or JSON field. A recorder
// replaces what it finds there with the placeholder ${Name}; a replayer puts
// the World's own value back, or, for a Signature, computes it anew.
type Carrier struct {
	// Name is the placeholder's name, "TELEGRAM_BOT_TOKEN"; the World's env
	// holds its value when the World has one.
	Name string
	// Header is a request or response header that carries the secret
	// ("X-Telegram-Bot-Api-Secret-Token"); for "Authorization" the value
	// after its scheme ("Bearer ").
	Header string
	// Path is a regular expression over a URL's path whose first group is
	// the secret (`^/bot([^/]+)/`).
	Path string
	// Field is a form, query or JSON field whose value is the secret
	// ("token", "response_url"), at any depth of a JSON body.
	Field string
	// Shape is a regular expression for the secret itself, wherever it
	// appears in any string of a request, a response or a frame
	// (`xoxb-[0-9A-Za-z-]+`): a recorder's scan for secrets no other
	// carrier names.
	Shape string
	// Signature marks a value computed from the request (an HMAC of its
	// body): never replayed as it was, always computed anew.
	Signature bool
	// In limits the carrier to one direction: Deliveries (what the platform
	// sends the integration) or Calls (what the integration sends the
	// platform's API, and its answers); empty means both.
	In Direction
}

// Direction is one way traffic goes between a platform and an integration.
type Direction string

// The two directions of a platform's traffic.
const (
	Deliveries Direction = "deliveries" // webhooks, events, updates the platform sends
	Calls      Direction = "calls"      // API calls the integration makes, and their answers
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
	// People is how a person acts on the platform and what they see.
	People
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
