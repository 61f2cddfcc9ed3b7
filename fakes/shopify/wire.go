package shopify

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// wire is how Shopify's live traffic reads, for a recorder: a webhook is a
// POST whose X-Shopify-Topic is its kind, signed with the app's API secret
// in X-Shopify-Hmac-Sha256; Admin API calls are named as the fake's journal
// names them ("GET orders.json"); POST webhooks.json, PUT
// webhooks/<id>.json and GraphQL's webhookSubscriptionCreate and
// webhookSubscriptionUpdate say where a topic is delivered. There is no one
// API address (each shop is https://<shop>.myshopify.com), so a recorder
// must be told the shop's.
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
// through the Admin API (REST or GraphQL) to inbound, and returns the
// address the app asked for. An address that is not http(s) (Amazon
// EventBridge, Google Pub/Sub) is left alone: its deliveries do not come
// over HTTP.
func registerWebhook(method, target string, _ http.Header, body []byte, inbound string) (string, []byte, string, bool) {
	if graphQLCall(method, target) {
		nb, asked, ok := registerGraphQL(body, inbound)
		if !ok {
			return target, body, "", false
		}
		return target, nb, asked, true
	}
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
	if graphQLCall(method, target) {
		return graphQLTopic(body)
	}
	_, hook, ok := webhookCall(method, target, body)
	if !ok {
		return ""
	}
	var topic string
	_ = json.Unmarshal(hook["topic"], &topic)
	return topic
}

// graphQLCall reports whether a call goes to the GraphQL Admin API.
func graphQLCall(method, target string) bool {
	path, _, _ := strings.Cut(target, "?")
	return callKind(method, path, nil) == http.MethodPost+" graphql.json"
}

// graphQLMutationRE finds the mutations that set a subscription's address.
var graphQLMutationRE = regexp.MustCompile(`\bwebhookSubscription(?:Create|Update)\b`)

// graphQLURLRE is an address written in a query's text: callbackUrl, or
// uri since the 2025-04 API.
var graphQLURLRE = regexp.MustCompile(`\b(callbackUrl|uri)(\s*:\s*)"(https?://[^"\\]*)"`)

// graphQLTopicRE is a topic written in a query's text: topic: ORDERS_CREATE.
var graphQLTopicRE = regexp.MustCompile(`\btopic\s*:\s*([A-Z][A-Z0-9_]*)\b`)

// graphQLRequest splits a GraphQL call's body into its query and
// variables: a JSON body {"query", "variables"}, or the query itself
// (application/graphql).
func graphQLRequest(body []byte) (req map[string]json.RawMessage, query string, vars any) {
	if json.Unmarshal(body, &req) != nil || req == nil {
		return nil, string(body), nil
	}
	if json.Unmarshal(req["query"], &query) != nil {
		return req, "", nil
	}
	if raw := req["variables"]; len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&vars)
	}
	return req, query, vars
}

// registerGraphQL rewrites the http(s) address of a webhookSubscriptionCreate
// or webhookSubscriptionUpdate to inbound, in the query's text and in its
// variables (callbackUrl or uri, at any depth), and returns the first
// address the app asked for.
func registerGraphQL(body []byte, inbound string) ([]byte, string, bool) {
	req, query, vars := graphQLRequest(body)
	if !graphQLMutationRE.MatchString(query) {
		return nil, "", false
	}
	asked := ""
	query = graphQLURLRE.ReplaceAllStringFunc(query, func(m string) string {
		sm := graphQLURLRE.FindStringSubmatch(m)
		asked = cmp.Or(asked, sm[3])
		return sm[1] + sm[2] + strconv.Quote(inbound)
	})
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if u, ok := x.(string); ok && (k == "callbackUrl" || k == "uri") && (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
					asked = cmp.Or(asked, u)
					v[k] = inbound
					continue
				}
				v[k] = walk(x)
			}
		case []any:
			for i, x := range v {
				v[i] = walk(x)
			}
		}
		return v
	}
	vars = walk(vars)
	if asked == "" {
		return nil, "", false
	}
	if req == nil {
		return []byte(query), asked, true
	}
	var err error
	if req["query"], err = json.Marshal(query); err != nil {
		return nil, "", false
	}
	if vars != nil {
		if req["variables"], err = json.Marshal(vars); err != nil {
			return nil, "", false
		}
	}
	nb, err := json.Marshal(req)
	return nb, asked, err == nil
}

// graphQLTopic is the topic of a GraphQL subscription call, its enum
// (ORDERS_CREATE, in the variables' topic or the query's text) as a
// webhook's X-Shopify-Topic reads (orders/create); "" when the enum is
// not one of the topics the fake knows.
func graphQLTopic(body []byte) string {
	_, query, vars := graphQLRequest(body)
	enum := ""
	if m, ok := vars.(map[string]any); ok {
		enum, _ = m["topic"].(string)
	}
	if sm := graphQLTopicRE.FindStringSubmatch(query); enum == "" && sm != nil {
		enum = sm[1]
	}
	for _, t := range Topics() {
		if enum != "" && strings.ToUpper(strings.ReplaceAll(t, "/", "_")) == enum {
			return t
		}
	}
	return ""
}
