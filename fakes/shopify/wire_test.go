package shopify_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

func TestWireNames(t *testing.T) {
	t.Parallel()
	w := shopify.Kind().Wire
	if w.APIURLEnv != "SHOPIFY_API_URL" || w.APIURL != "" {
		t.Errorf("APIURLEnv %q, APIURL %q: want SHOPIFY_API_URL and none (each shop has its own)", w.APIURLEnv, w.APIURL)
	}
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/admin/api/2025-01/orders.json", "GET orders.json"},
		{"GET", "/admin/api/2025-01/orders/450789469.json", "GET orders/450789469.json"},
		{"POST", "/admin/api/unstable/webhooks.json", "POST webhooks.json"},
		{"DELETE", "/admin/api/2025-01/webhooks/7001.json", "DELETE webhooks/7001.json"},
		{"POST", "/admin/api/2025-01/graphql.json", "POST graphql.json"},
		{"GET", "/admin/orders.json", "GET orders.json"},
		{"POST", "/admin/oauth/access_token", "POST oauth/access_token"},
		{"GET", "/admin/api/2025-01/", ""},
		{"GET", "/other", ""},
	} {
		if got := w.Call(tc.method, tc.path, nil); got != tc.want {
			t.Errorf("Call(%s %s) = %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
	for _, tc := range []struct {
		h    http.Header
		want string
	}{
		{http.Header{"X-Shopify-Topic": {"orders/create"}}, "orders/create"},
		{http.Header{"Shopify-Topic": {"orders/paid"}}, "orders/paid"},
		{http.Header{}, ""},
	} {
		if got := w.Delivery("POST", "/", tc.h, []byte(`{}`)); got != tc.want {
			t.Errorf("Delivery(%v) = %q, want %q", tc.h, got, tc.want)
		}
	}
}

func TestWireRegister(t *testing.T) {
	t.Parallel()
	w := shopify.Kind().Wire
	const in = "http://127.0.0.1:7000/shopify"
	const gql = "/admin/api/2025-01/graphql.json"
	const create = `mutation webhookSubscriptionCreate($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) { webhookSubscription { id } userErrors { field message } } }`
	for _, tc := range []struct {
		name, method, target, body string
		asked                      string // "": not a subscription call
		topic                      string // its Route
		kept                       string // what the new body still holds
	}{
		{"create", "POST", "/admin/api/2025-01/webhooks.json", `{"webhook":{"topic":"orders/create","address":"http://127.0.0.1:9/hook","format":"json","fields":["id"]}}`, "http://127.0.0.1:9/hook", "orders/create", `"fields":["id"]`},
		{"change", "PUT", "/admin/api/2025-01/webhooks/7001.json", `{"webhook":{"id":7001,"address":"https://example.com/hook"}}`, "https://example.com/hook", "", `"id":7001`},
		{"unversioned", "POST", "/admin/webhooks.json", `{"webhook":{"topic":"app/uninstalled","address":"https://example.com/u"}}`, "https://example.com/u", "app/uninstalled", `"topic":"app/uninstalled"`},
		{"graphql variables", "POST", gql, `{"query":` + quote(create) + `,"variables":{"topic":"ORDERS_PAID","webhookSubscription":{"callbackUrl":"https://example.com/paid","format":"JSON"}}}`, "https://example.com/paid", "orders/paid", `"format":"JSON"`},
		{"graphql uri", "POST", gql, `{"query":` + quote(create) + `,"variables":{"topic":"CUSTOMERS_DATA_REQUEST","webhookSubscription":{"uri":"https://example.com/gdpr"}}}`, "https://example.com/gdpr", "customers/data_request", `"topic":"CUSTOMERS_DATA_REQUEST"`},
		{"graphql inline", "POST", gql, `{"query":"mutation { webhookSubscriptionCreate(topic: ORDERS_CREATE, webhookSubscription: {callbackUrl: \"https://example.com/o\", format: JSON}) { userErrors { message } } }"}`, "https://example.com/o", "orders/create", `format: JSON`},
		{"graphql raw", "POST", gql, `mutation { webhookSubscriptionUpdate(id: "gid://shopify/WebhookSubscription/1", webhookSubscription: {callbackUrl: "https://example.com/x"}) { userErrors { message } } }`, "https://example.com/x", "", `gid://shopify/WebhookSubscription/1`},
		{"graphql query", "POST", gql, `{"query":"{ webhookSubscriptions(first: 10) { nodes { uri } } }"}`, "", "", ""},
		{"graphql pub/sub", "POST", gql, `{"query":` + quote(create) + `,"variables":{"topic":"ORDERS_PAID","webhookSubscription":{"uri":"pubsub://project:topic"}}}`, "", "", ""},
		{"event bridge", "POST", "/admin/api/2025-01/webhooks.json", `{"webhook":{"topic":"orders/create","address":"arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/1/x"}}`, "", "", ""},
		{"a list", "GET", "/admin/api/2025-01/webhooks.json", ``, "", "", ""},
		{"an order", "POST", "/admin/api/2025-01/orders.json", `{"webhook":{"topic":"orders/create","address":"http://127.0.0.1:9/hook"}}`, "", "", ""},
		{"a put to the list", "PUT", "/admin/api/2025-01/webhooks.json", `{"webhook":{"address":"http://127.0.0.1:9/hook"}}`, "", "", ""},
		{"not json", "POST", "/admin/api/2025-01/webhooks.json", `webhook[address]=http://127.0.0.1:9/hook`, "", "", ""},
	} {
		target, body, asked, ok := w.Register(tc.method, tc.target, http.Header{"Content-Type": {"application/json"}}, []byte(tc.body), in)
		if ok != (tc.asked != "") || asked != tc.asked || target != tc.target {
			t.Errorf("%s: Register = %q %q %v, want %q", tc.name, target, asked, ok, tc.asked)
			continue
		}
		if !ok {
			if string(body) != tc.body {
				t.Errorf("%s: the body changed: %s", tc.name, body)
			}
			continue
		}
		if b := string(body); strings.Contains(b, tc.asked) || !strings.Contains(b, in) || !strings.Contains(b, tc.kept) {
			t.Errorf("%s: the new body %s: want %s in place of %s, and %s kept", tc.name, b, in, tc.asked, tc.kept)
		}
		if strings.HasPrefix(tc.body, "{") && !json.Valid(body) {
			t.Errorf("%s: the new body is not JSON: %s", tc.name, body)
		}
		if topic := w.Route(tc.method, tc.target, nil, []byte(tc.body)); topic != tc.topic {
			t.Errorf("%s: Route = %q, want %q", tc.name, topic, tc.topic)
		}
	}
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestWireVerify(t *testing.T) {
	t.Parallel()
	w := shopify.Kind().Wire
	const secret = "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"
	body := []byte(`{"id":820982911946154508,"name":"#1001"}`)
	good := fakes.HMACSHA256Base64([]byte(secret), body)
	secrets := map[string]string{"SHOPIFY_API_SECRET": secret}
	now := time.Now()
	for _, tc := range []struct {
		name    string
		h       http.Header
		secrets map[string]string
		want    error // nil: verified
	}{
		{"signed", http.Header{"X-Shopify-Hmac-Sha256": {good}}, secrets, nil},
		{"events", http.Header{"Shopify-Hmac-Sha256": {good}}, secrets, nil},
		{"forged", http.Header{"X-Shopify-Hmac-Sha256": {fakes.HMACSHA256Base64([]byte("another"), body)}}, secrets, shopify.ErrBadHMAC},
		{"not base64", http.Header{"X-Shopify-Hmac-Sha256": {"%%%"}}, secrets, shopify.ErrBadHMAC},
		{"hex", http.Header{"X-Shopify-Hmac-Sha256": {fakes.HMACSHA256Hex([]byte(secret), body)}}, secrets, shopify.ErrBadHMAC},
		{"unsigned", http.Header{}, secrets, shopify.ErrBadHMAC},
		{"no secret", http.Header{"X-Shopify-Hmac-Sha256": {good}}, nil, fakes.ErrUnverified},
		{"no secret, unsigned", http.Header{}, nil, fakes.ErrUnverified},
	} {
		err := w.Verify(tc.h, body, tc.secrets, now)
		if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := w.Verify(http.Header{"X-Shopify-Hmac-Sha256": {good}}, append(body, ' '), secrets, now); !errors.Is(err, shopify.ErrBadHMAC) {
		t.Errorf("a body changed after signing: %v", err)
	}
}
