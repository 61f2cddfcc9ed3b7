package shopify

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// wire is how Shopify's live traffic reads, for a recorder: a webhook is a
// POST whose X-Shopify-Topic is its kind, signed with the app's API secret
// in X-Shopify-Hmac-Sha256; Admin API calls are named as the fake's journal
// names them ("GET orders.json"); POST webhooks.json (and PUT
// webhooks/<id>.json) says where a topic is delivered. There is no one API
// address (each shop is https://<shop>.myshopify.com), so a recorder must
// be told the shop's.
func wire() fakes.Wire {
	return fakes.Wire{
		APIURLEnv: "SHOPIFY_API_URL",
		Delivery:  deliveryTopic,
		Verify:    verifyDelivery,
		Call:      callKind,
		Register:  registerWebhook,
		Route:     registeredTopic,
	}
}

// ErrBadHMAC is a delivery whose X-Shopify-Hmac-Sha256 is not the HMAC of
// its body under the app's API secret, or is missing.
var ErrBadHMAC = errors.New("X-Shopify-Hmac-Sha256 is not the body's HMAC under the app's API secret")

// deliveryTopic names a webhook by its topic: X-Shopify-Topic, or the
// un-prefixed Shopify-Topic of the newer Events deliveries.
func deliveryTopic(_, _ string, h http.Header, _ []byte) string {
	if t := h.Get("X-Shopify-Topic"); t != "" {
		return t
	}
	return h.Get("Shopify-Topic")
}

// verifyDelivery checks X-Shopify-Hmac-Sha256 (Shopify-Hmac-Sha256 for
// Events): the standard base64 HMAC-SHA256 of the raw body under the app's
// API secret (SHOPIFY_API_SECRET). Shopify signs every webhook, so a
// missing signature is refused once the secret is known.
func verifyDelivery(h http.Header, body []byte, secrets map[string]string, _ time.Time) error {
	key := secrets["SHOPIFY_API_SECRET"]
	got := h.Get("X-Shopify-Hmac-Sha256")
	if got == "" {
		got = h.Get("Shopify-Hmac-Sha256")
	}
	switch {
	case key == "":
		return fmt.Errorf("the webhook's X-Shopify-Hmac-Sha256 (SHOPIFY_API_SECRET): %w", fakes.ErrUnverified)
	case got == "":
		return fmt.Errorf("%w: the webhook carries none", ErrBadHMAC)
	}
	mac, err := base64.StdEncoding.DecodeString(got)
	want, _ := base64.StdEncoding.DecodeString(fakes.HMACSHA256Base64([]byte(key), body))
	if err != nil || !hmac.Equal(mac, want) {
		return ErrBadHMAC
	}
	return nil
}

// adminPathRE splits an Admin API path: /admin/api/<version>/<rest>,
// /admin/oauth/<rest> or the unversioned /admin/<rest>.
var adminPathRE = regexp.MustCompile(`^/admin/(?:api/[^/]+/(.+)|(oauth/.+)|(.+\.json))$`)

// callKind names an Admin API call as the fake's journal does: the method
// and the path after the version ("GET orders/450789469.json", "POST
// webhooks.json", "POST graphql.json", "POST oauth/access_token").
func callKind(method, path string, _ []byte) string {
	m := adminPathRE.FindStringSubmatch(path)
	if m == nil {
		return ""
	}
	return method + " " + m[1] + m[2] + m[3]
}

// webhookPathRE is webhooks.json and webhooks/<id>.json.
var webhookPathRE = regexp.MustCompile(`^webhooks(?:/[0-9]+)?\.json$`)

// webhookCall returns the webhook object of a call that creates (POST
// webhooks.json) or changes (PUT webhooks/<id>.json) a subscription, and
// the whole body decoded around it.
func webhookCall(method, target string, body []byte) (whole, hook map[string]json.RawMessage, ok bool) {
	path, _, _ := strings.Cut(target, "?")
	rest, _ := strings.CutPrefix(callKind(method, path, nil), method+" ")
	create := method == http.MethodPost && rest == "webhooks.json"
	change := method == http.MethodPut && rest != "webhooks.json" && webhookPathRE.MatchString(rest)
	if !create && !change {
		return nil, nil, false
	}
	if json.Unmarshal(body, &whole) != nil || json.Unmarshal(whole["webhook"], &hook) != nil || hook == nil {
		return nil, nil, false
	}
	return whole, hook, true
}

// registerWebhook rewrites the address of a subscription made or changed
// through the Admin API to inbound, and returns the
// address the app asked for. An address that is not http(s) (Amazon
// EventBridge, Google Pub/Sub) is left alone: its deliveries do not come
// over HTTP.
func registerWebhook(method, target string, _ http.Header, body []byte, inbound string) (string, []byte, string, bool) {
	whole, hook, ok := webhookCall(method, target, body)
	if !ok {
		return target, body, "", false
	}
	var asked string
	if json.Unmarshal(hook["address"], &asked) != nil || !strings.HasPrefix(asked, "http://") && !strings.HasPrefix(asked, "https://") {
		return target, body, "", false
	}
	hook["address"], _ = json.Marshal(inbound)
	var err error
	if whole["webhook"], err = json.Marshal(hook); err != nil {
		return target, body, "", false
	}
	nb, err := json.Marshal(whole)
	if err != nil {
		return target, body, "", false
	}
	return target, nb, asked, true
}

// registeredTopic is the topic a subscription call is for, the kind of the
// deliveries that go to the address it asked for; "" for a PUT that does
// not name it.
func registeredTopic(method, target string, _ http.Header, body []byte) string {
	_, hook, ok := webhookCall(method, target, body)
	if !ok {
		return ""
	}
	var topic string
	_ = json.Unmarshal(hook["topic"], &topic)
	return topic
}
