package slack

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// wire is how Slack's live traffic reads, for a recorder: Slack POSTs the
// Events API, interactivity and slash commands to the app's Request URLs
// (set in the app's settings, so there is no call to rewrite), each signed
// with the app's signing secret; the integration calls the Web API at
// {SLACK_API_URL}/api/{method} and answers interactions through their
// response_url, which the recorder swaps for a URL of its own. A Socket
// Mode app calls apps.connections.open, whose wss:// URL the recorder
// swaps for its own to relay the socket and read its envelopes.
func wire() fakes.Wire {
	return fakes.Wire{
		APIURLEnv:    "SLACK_API_URL",
		APIURL:       "https://slack.com",
		Delivery:     deliveryKind,
		Verify:       verifyDelivery,
		Call:         callKind,
		Capabilities: swapResponseURLs,
		Stream:       swapSocketURL,
		Frame:        readFrame,
	}
}

// Why a live delivery is refused.
var (
	// ErrUnsigned is a delivery without X-Slack-Signature or
	// X-Slack-Request-Timestamp: Slack signs every request it sends.
	ErrUnsigned = errors.New("missing X-Slack-Signature or X-Slack-Request-Timestamp")
	// ErrBadSignature is a delivery whose X-Slack-Signature is not the v0
	// signature of its body under the signing secret.
	ErrBadSignature = errors.New("X-Slack-Signature is not the signature of the request under SLACK_SIGNING_SECRET")
	// ErrStale is a delivery whose X-Slack-Request-Timestamp is more than
	// five minutes away from now.
	ErrStale = errors.New("X-Slack-Request-Timestamp is more than five minutes from now")
)

// maxSkew is how far a delivery's timestamp may be from now, either way,
// as slack-go's SecretsVerifier allows.
const maxSkew = 5 * time.Minute

// deliveryKind names a request Slack sent by its body, as Replay tells
// them apart: "event_callback"; an interaction's payload type
// ("block_actions", "view_submission"…); "slash_command". A request no
// replay delivers is "", forwarded but not recorded: url_verification (a
// person saving the Request URL), app_rate_limited, ssl_check, and the
// events of the bot's own doing (its messages, edits, reactions), which a
// replay's fake sends again itself when the integration makes the calls.
func deliveryKind(_, _ string, _ http.Header, body []byte) string {
	body = bytes.TrimSpace(body)
	if bytes.HasPrefix(body, []byte("{")) {
		var env struct {
			Type           string          `json:"type"`
			Event          json.RawMessage `json:"event"`
			Authorizations []struct {
				UserID string `json:"user_id"`
				IsBot  bool   `json:"is_bot"`
			} `json:"authorizations"`
		}
		if json.Unmarshal(body, &env) != nil || env.Type != "event_callback" {
			return ""
		}
		for _, a := range env.Authorizations {
			if a.IsBot && a.UserID != "" && a.UserID == actor(env.Event) {
				return ""
			}
		}
		return "event_callback"
	}
	vals, err := url.ParseQuery(string(body))
	switch {
	case err != nil:
		return ""
	case vals.Has("payload"):
		var p struct {
			Type string `json:"type"`
		}
		if json.Unmarshal([]byte(vals.Get("payload")), &p) != nil || p.Type == "" {
			return "interactive"
		}
		return p.Type
	case vals.Get("command") != "":
		return "slash_command"
	}
	return ""
}

// actor is the user an inner event is the doing of: its user, or for an
// edit or a deletion the user of the message.
func actor(raw json.RawMessage) string {
	var ev struct {
		User    string `json:"user"`
		Message struct {
			User string `json:"user"`
		} `json:"message"`
		Previous struct {
			User string `json:"user"`
		} `json:"previous_message"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return ""
	}
	switch {
	case ev.User != "":
		return ev.User
	case ev.Message.User != "":
		return ev.Message.User
	}
	return ev.Previous.User
}

// verifyDelivery checks Slack's v0 signature with SLACK_SIGNING_SECRET:
// X-Slack-Signature is "v0=" and the hex HMAC-SHA256 of
// "v0:{X-Slack-Request-Timestamp}:{body}", and the timestamp is within five
// minutes of now.
func verifyDelivery(h http.Header, body []byte, secrets map[string]string, now time.Time) error {
	secret := secrets["SLACK_SIGNING_SECRET"]
	if secret == "" {
		return fmt.Errorf("the request's X-Slack-Signature (give SLACK_SIGNING_SECRET, the app's Signing Secret): %w", fakes.ErrUnverified)
	}
	ts, sig := h.Get("X-Slack-Request-Timestamp"), h.Get("X-Slack-Signature")
	if ts == "" || sig == "" {
		return ErrUnsigned
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: X-Slack-Request-Timestamp %q is not a number of seconds", ErrUnsigned, ts)
	}
	if d := now.Sub(time.Unix(secs, 0)); d > maxSkew || d < -maxSkew {
		return fmt.Errorf("%w (%s, now %s)", ErrStale, time.Unix(secs, 0).UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(sig)), []byte(Sign(secret, ts, body))) != 1 {
		return ErrBadSignature
	}
	return nil
}

// callKind names a Web API call by its method: "/api/chat.postMessage" is
// "chat.postMessage".
func callKind(_, path string, _ []byte) string {
	method, ok := strings.CutPrefix(path, "/api/")
	if !ok || method == "" || strings.Contains(method, "/") {
		return ""
	}
	return method
}

// swapResponseURLs replaces the response_url of a slash command, and the
// response_url (and view_submission's response_urls) of an interaction's
// payload, with swap's, and signs the new body with the request's own
// timestamp.
func swapResponseURLs(h http.Header, body []byte, secrets map[string]string, swap func(kind, u string) string) (http.Header, []byte, bool) {
	secret := secrets["SLACK_SIGNING_SECRET"]
	if secret == "" || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return h, body, false
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return h, body, false
	}
	changed := false
	if u := vals.Get("response_url"); u != "" {
		vals.Set("response_url", swap("response_url", u))
		changed = true
	}
	if p := vals.Get("payload"); p != "" {
		if np, ok := fakes.SwapJSONStrings([]byte(p), "response_url", func(u string) string { return swap("response_url", u) }); ok {
			vals.Set("payload", string(np))
			changed = true
		}
	}
	if !changed {
		return h, body, false
	}
	nb := []byte(vals.Encode())
	nh := h.Clone()
	nh.Set("X-Slack-Signature", Sign(secret, h.Get("X-Slack-Request-Timestamp"), nb))
	nh.Del("Content-Length")
	return nh, nb, true
}

// swapSocketURL swaps the url of apps.connections.open's answer, the
// Socket Mode WebSocket the app opens next.
func swapSocketURL(_, path string, status int, body []byte, swap func(u string) string) ([]byte, bool) {
	if status != http.StatusOK || callKind("", path, nil) != "apps.connections.open" {
		return body, false
	}
	return fakes.SwapJSONStrings(body, "url", swap)
}

// readFrame reads a Socket Mode frame. Down, an envelope of type
// events_api, interactive or slash_commands is a delivery, recorded as the
// request Slack would POST to a Request URL for the same (the event_callback
// JSON, payload= and the interaction's JSON, the slash command's form) and
// named as deliveryKind names that request; a redelivery (retry_attempt)
// carries X-Slack-Retry-Num and X-Slack-Retry-Reason as over HTTP. hello,
// disconnect and anything else are no delivery. Up, a frame with an
// envelope_id is the ack of that envelope, its payload the answer.
func readFrame(up bool, data []byte) fakes.Frame {
	var f struct {
		Type         string          `json:"type"`
		EnvelopeID   string          `json:"envelope_id"`
		Payload      json.RawMessage `json:"payload"`
		RetryAttempt int             `json:"retry_attempt"`
		RetryReason  string          `json:"retry_reason"`
	}
	if json.Unmarshal(data, &f) != nil || f.EnvelopeID == "" {
		return fakes.Frame{}
	}
	var payload bytes.Buffer
	if len(f.Payload) > 0 && string(f.Payload) != "null" && json.Compact(&payload, f.Payload) != nil {
		return fakes.Frame{}
	}
	if up {
		ack := fakes.Frame{ID: f.EnvelopeID, Ack: true}
		if payload.Len() > 0 {
			ack.Header, ack.Body = http.Header{"Content-Type": {"application/json"}}, payload.Bytes()
		}
		return ack
	}
	var body []byte
	ctype := "application/x-www-form-urlencoded"
	switch f.Type {
	case "events_api":
		body, ctype = payload.Bytes(), "application/json"
	case "interactive":
		body = []byte("payload=" + url.QueryEscape(payload.String()))
	case "slash_commands":
		var fields map[string]any
		if json.Unmarshal(payload.Bytes(), &fields) != nil {
			return fakes.Frame{ID: f.EnvelopeID}
		}
		vals := url.Values{}
		for k, v := range fields {
			if s, ok := v.(string); ok {
				vals.Set(k, s)
			} else if v != nil {
				b, _ := json.Marshal(v)
				vals.Set(k, string(b))
			}
		}
		body = []byte(vals.Encode())
	default:
		return fakes.Frame{ID: f.EnvelopeID}
	}
	h := http.Header{"Content-Type": {ctype}}
	if f.RetryAttempt > 0 {
		h.Set("X-Slack-Retry-Num", strconv.Itoa(f.RetryAttempt))
		if f.RetryReason != "" {
			h.Set("X-Slack-Retry-Reason", f.RetryReason)
		}
	}
	return fakes.Frame{Kind: deliveryKind(http.MethodPost, "/", h, body), ID: f.EnvelopeID, Header: h, Body: body}
}
