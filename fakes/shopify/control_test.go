package shopify_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

func TestControlAPIProducesTheStoresWebhooks(t *testing.T) {
	t.Parallel()
	var all []string
	for _, topic := range shopify.Topics() {
		if !strings.Contains(topic, "redact") && topic != "customers/data_request" {
			all = append(all, topic)
		}
	}
	tests := []struct {
		name  string
		steps func(t *testing.T, srv *shopify.Server)
		want  []string
	}{
		{"paid order from a new buyer", func(t *testing.T, srv *shopify.Server) {
			code, m := control(t, srv, "POST", "products", map[string]any{"title": "Tea", "variants": []map[string]any{{"price": "25.00"}}})
			if code != 201 {
				t.Fatalf("product: %d %v", code, m)
			}
			vid := m["product"].(map[string]any)["variants"].([]any)[0].(map[string]any)["id"]
			code, m = control(t, srv, "POST", "orders", map[string]any{"email": "ada@example.com", "financial_status": "paid",
				"line_items": []map[string]any{{"variant_id": vid, "quantity": 1}}})
			if code != 201 || m["order"].(map[string]any)["total_price"] != "25.00" {
				t.Fatalf("order: %d %v", code, m)
			}
		}, []string{"products/create", "customers/create", "orders/create", "orders/paid"}},
		{"pay, fulfil, close", func(t *testing.T, srv *shopify.Server) {
			o, err := srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, action := range []string{"pay", "fulfil", "close"} {
				if code, m := control(t, srv, "POST", "orders/"+itoa(o.ID)+"/"+action, nil); code != 200 {
					t.Fatalf("%s: %d %v", action, code, m)
				}
			}
			if code, _ := control(t, srv, "POST", "orders/"+itoa(o.ID)+"/cancel", nil); code != 409 {
				t.Errorf("cancel a fulfilled order = %d, want 409", code)
			}
		}, []string{"orders/create", "orders/paid", "orders/updated", "orders/fulfilled", "orders/updated", "orders/updated"}},
		{"cancel", func(t *testing.T, srv *shopify.Server) {
			o, err := srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}})
			if err != nil {
				t.Fatal(err)
			}
			if code, m := control(t, srv, "POST", "orders/"+itoa(o.ID)+"/cancel", map[string]any{"reason": "fraud"}); code != 200 ||
				m["order"].(map[string]any)["cancel_reason"] != "fraud" {
				t.Fatalf("cancel: %d %v", code, m)
			}
		}, []string{"orders/create", "orders/cancelled", "orders/updated"}},
		{"customer and product changes", func(t *testing.T, srv *shopify.Server) {
			_, m := control(t, srv, "POST", "customers", map[string]any{"email": "bob@example.com"})
			id := int64(m["customer"].(map[string]any)["id"].(float64))
			if code, _ := control(t, srv, "POST", "customers/"+itoa(id), map[string]any{"first_name": "Bob"}); code != 200 {
				t.Fatal(code)
			}
			_, m = control(t, srv, "POST", "products", map[string]any{"title": "Mug"})
			pid := int64(m["product"].(map[string]any)["id"].(float64))
			control(t, srv, "POST", "products/"+itoa(pid), map[string]any{"title": "Big Mug"})
			if code, _ := control(t, srv, "DELETE", "products/"+itoa(pid), nil); code != 200 {
				t.Fatal(code)
			}
		}, []string{"customers/create", "customers/update", "products/create", "products/update", "products/delete"}},
		{"compliance", func(t *testing.T, srv *shopify.Server) {
			c, _ := srv.CreateCustomer(shopify.CustomerInput{Email: "x@example.com"})
			if code, m := control(t, srv, "POST", "compliance", map[string]any{"topic": "customers/redact", "customer_id": c.ID}); code != 200 {
				t.Fatalf("%d %v", code, m)
			}
			if code, _ := control(t, srv, "POST", "compliance", map[string]any{"topic": "orders/create"}); code != 400 {
				t.Errorf("a non-compliance topic = %d, want 400", code)
			}
		}, []string{"customers/create", "customers/redact"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, shopify.WithTopics(all...))
			tt.steps(t, w.srv)
			w.settle(t)
			if got := w.recv.topics(); !slices.Equal(got, tt.want) {
				t.Errorf("topics = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestControlAPIErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tests := []struct {
		name, method, route string
		body                any
		status              int
	}{
		{"unknown route", "GET", "nope", nil, 404},
		{"unknown field", "POST", "orders", map[string]any{"line_items": []any{}, "colour": "red"}, 400},
		{"no line items", "POST", "orders", map[string]any{"line_items": []any{}}, 400},
		{"unknown order", "POST", "orders/1/pay", nil, 404},
		{"unknown action", "POST", "orders/1/eat", nil, 404},
		{"bad topic", "POST", "subscriptions", map[string]any{"topic": "orders/eaten"}, 400},
		{"routes", "GET", "", nil, 200},
		{"knobs", "POST", "knobs", map[string]any{"duplicate": true}, 200},
	}
	for _, tt := range tests {
		if code, m := control(t, w.srv, tt.method, tt.route, tt.body); code != tt.status {
			t.Errorf("%s: %d %v, want %d", tt.name, code, m, tt.status)
		}
	}
	if !w.srv.Knobs().Duplicate {
		t.Error("knobs not set")
	}
}

func TestFaultsAnswerInShopifysWords(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.srv.Faults().Add(fakes.Fault{Op: "GET shop.json", Status: 429, RetryAfter: 3, Times: 1})
	w.srv.Faults().Add(fakes.Fault{Op: "orders", Status: 503, Times: 1})
	r, b := api(t, w.srv, "GET", "/admin/api/2025-01/shop.json", w.srv.AccessToken(), nil)
	if r.StatusCode != 429 || r.Header.Get("Retry-After") != "3.0" || !strings.Contains(string(b), "Exceeded 2 calls per second") {
		t.Errorf("429 fault = %d %q %s", r.StatusCode, r.Header.Get("Retry-After"), b)
	}
	r, b = api(t, w.srv, "GET", "/admin/api/2025-01/orders/count.json", w.srv.AccessToken(), nil)
	if r.StatusCode != 503 || string(b) != `{"errors":"Service Unavailable"}` {
		t.Errorf("503 fault = %d %s", r.StatusCode, b)
	}
	if r, _ := api(t, w.srv, "GET", "/admin/api/2025-01/shop.json", w.srv.AccessToken(), nil); r.StatusCode != 200 {
		t.Errorf("faults did not run out: %d", r.StatusCode)
	}
}

func TestReplay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	recorded := []byte(`{"id":820982911946154508,"name":"#1001","order_number":1001,"total_price":"25.00","currency":"USD","customer":{"id":115310627314723954,"email":"ada@example.com"}}`)
	title, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "orders/create", Body: recorded, Header: http.Header{
		"X-Shopify-Hmac-Sha256":  {"c3RhbGU="},
		"X-Shopify-Webhook-Id":   {"b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"},
		"X-Shopify-Event-Id":     {"98880550-7158-44d4-b7cd-2c97c8a091b5"},
		"X-Shopify-Triggered-At": {"2023-03-29T18:00:27.877041743Z"},
		"X-Shopify-Shop-Domain":  {"real-shop.myshopify.com"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if title != "shopify → integration: orders/create #1001 $25.00" {
		t.Errorf("title = %q", title)
	}
	w.settle(t)
	seen := w.recv.got()
	if len(seen) != 1 {
		t.Fatalf("deliveries = %d", len(seen))
	}
	h := seen[0].Header
	if string(seen[0].Body) != string(recorded) || h.Get("X-Shopify-Hmac-Sha256") != fakes.HMACSHA256Base64([]byte(shopify.DefaultAPISecret), recorded) ||
		h.Get("X-Shopify-Webhook-Id") != "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043" || h.Get("X-Shopify-Event-Id") != "98880550-7158-44d4-b7cd-2c97c8a091b5" ||
		h.Get("X-Shopify-Triggered-At") != "2026-01-01T00:00:00.000000000Z" || h.Get("X-Shopify-Shop-Domain") != shopify.DefaultShopDomain {
		t.Errorf("replayed delivery: %v %s", h, seen[0].Body)
	}
	// The store learnt the order: the Admin API serves it.
	if r, b := api(t, w.srv, "GET", "/admin/api/2025-01/orders/820982911946154508.json", w.srv.AccessToken(), nil); r.StatusCode != 200 ||
		!strings.Contains(string(b), `"name":"#1001"`) {
		t.Errorf("ingested order = %d %s", r.StatusCode, b)
	}
	// The next order continues the numbering.
	o, err := w.srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "1"}}})
	if err != nil || o.Name != "#1002" {
		t.Errorf("next order = %q, %v", o.Name, err)
	}
	if _, err := w.srv.Replay(context.Background(), fakes.Delivery{Kind: "orders/eaten", Body: []byte(`{}`), Location: "demo.cassette:3"}); err == nil ||
		!strings.Contains(err.Error(), "demo.cassette:3") {
		t.Errorf("unknown topic: %v", err)
	}
	bare := shopify.New(t)
	if _, err := bare.Replay(context.Background(), fakes.Delivery{Kind: "orders/create", Body: recorded}); err == nil {
		t.Error("replay without a target or subscription succeeded")
	}
}

func TestPlatform(t *testing.T) {
	t.Parallel()
	srv := shopify.New(t)
	var p fakes.Platform = srv
	env := p.Env()
	for k, want := range map[string]string{"SHOPIFY_API_URL": srv.URL(), "SHOPIFY_SHOP_DOMAIN": "chatsim-demo.myshopify.com",
		"SHOPIFY_ACCESS_TOKEN": shopify.DefaultAccessToken, "SHOPIFY_API_KEY": shopify.DefaultAPIKey,
		"SHOPIFY_API_SECRET": shopify.DefaultAPISecret, "SHOPIFY_API_VERSION": "2025-01"} {
		if env[k] != want {
			t.Errorf("Env[%s] = %q, want %q", k, env[k], want)
		}
	}
	if p.Name() != "shopify" || p.Service()["adminApiUrl"] != srv.URL()+"/admin/api/2025-01" || p.Literals()[srv.URL()] != "${SHOPIFY_API_URL}" {
		t.Errorf("name %q service %v literals %v", p.Name(), p.Service(), p.Literals())
	}
	// The integration's way in: SHOPIFY_API_URL + "/admin/api/2025-01/…".
	if r, b := api(t, srv, "GET", env["SHOPIFY_API_URL"]+"/admin/api/2025-01/shop.json", env["SHOPIFY_ACCESS_TOKEN"], nil); r.StatusCode != 200 ||
		r.Header.Get("X-Shopify-Shop-Api-Call-Limit") != "1/40" {
		t.Errorf("shop.json = %d %s", r.StatusCode, b)
	}
}
