package rocketchat

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// wire is how a Rocket.Chat server's live traffic reads, for a recorder.
// Deliveries are the outgoing webhook integration's JSON posts (kind
// "outgoing"), which carry the integration's token, and interaction
// payloads (kind "block_actions", JSON or a form with payload=), which
// carry nothing to check them with. Calls are REST endpoints under
// /api/v1/, named as the fake's journal names them ("chat.postMessage").
// An administrator points the outgoing integration at its URL, so no call
// registers one; a self-hosted server has no one API URL to guess.
func wire() fakes.Wire {
	return fakes.Wire{
		APIURLEnv: "ROCKETCHAT_URL",
		Delivery:  deliveryKind,
		Verify:    verifyDelivery,
		Call:      callKind,
		// An interaction's response_url is on the server itself: swapped
		// for the recorder's, the integration's posts to it are recorded
		// in the interaction's turn.
		Capabilities: swapResponseURL,
	}
}

// swapResponseURL swaps the response_url of an interaction, in a JSON body
// or in a payload= form. Rocket.Chat signs nothing, so nothing is signed
// anew.
func swapResponseURL(h http.Header, body []byte, _ map[string]string, swap func(kind, u string) string) (http.Header, []byte, bool) {
	fn := func(u string) string { return swap("response_url", u) }
	if nb, ok := fakes.SwapJSONStrings(body, "response_url", fn); ok {
		nh := h.Clone()
		nh.Del("Content-Length")
		return nh, nb, true
	}
	vals, err := url.ParseQuery(string(body))
	if err != nil || vals.Get("payload") == "" {
		return h, body, false
	}
	np, ok := fakes.SwapJSONStrings([]byte(vals.Get("payload")), "response_url", fn)
	if !ok {
		return h, body, false
	}
	vals.Set("payload", string(np))
	nh := h.Clone()
	nh.Del("Content-Length")
	return nh, []byte(vals.Encode()), true
}

// ErrBadToken is a delivery whose token is not the outgoing integration's
// (ROCKETCHAT_WEBHOOK_TOKEN), or an outgoing webhook that carries none.
var ErrBadToken = errors.New("the delivery's token is not the outgoing integration's")

// deliveryJSON returns the JSON object of a delivery: the body, or the
// payload field of a form.
func deliveryJSON(h http.Header, body []byte) map[string]any {
	ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		if vs, err := url.ParseQuery(string(body)); err == nil && vs.Has("payload") {
			body = []byte(vs.Get("payload"))
		}
	}
	var m map[string]any
	if json.Unmarshal(bytes.TrimSpace(body), &m) != nil {
		return nil
	}
	return m
}

// deliveryKind names a delivery: an interaction payload by its type
// ("block_actions"), anything else "outgoing".
func deliveryKind(_, _ string, h http.Header, body []byte) string {
	if typ := str(deliveryJSON(h, body), "type"); typ != "" {
		return typ
	}
	return "outgoing"
}

// verifyDelivery checks an outgoing webhook's token against
// ROCKETCHAT_WEBHOOK_TOKEN in constant time. Rocket.Chat signs no
// interaction payload: one that carries a token must carry the
// integration's, and any other cannot be verified.
func verifyDelivery(h http.Header, body []byte, secrets map[string]string, _ time.Time) error {
	want := secrets["ROCKETCHAT_WEBHOOK_TOKEN"]
	m := deliveryJSON(h, body)
	got, has := m["token"].(string)
	interaction := str(m, "type") != ""
	switch {
	case interaction && !has:
		return fmt.Errorf("a %s payload carries no token or signature: %w", str(m, "type"), fakes.ErrUnverified)
	case want == "":
		return fmt.Errorf("the outgoing webhook's token (ROCKETCHAT_WEBHOOK_TOKEN): %w", fakes.ErrUnverified)
	case subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1:
		return ErrBadToken
	}
	return nil
}

// callKind names a call by its REST endpoint ("chat.postMessage",
// "users.info"); a post to an incoming webhook is "hooks", to an
// interaction's response_url (an app's public endpoint,
// /api/apps/public/<app>/response/<token>) "response_url".
func callKind(_, path string, _ []byte) string {
	switch {
	case strings.HasPrefix(path, "/api/v1/"):
		return strings.TrimPrefix(path, "/api/v1/")
	case strings.HasPrefix(path, "/hooks/"):
		return "hooks"
	case strings.HasPrefix(path, "/api/apps/public/") && strings.Contains(path, "/response/"):
		return "response_url"
	}
	return ""
}
