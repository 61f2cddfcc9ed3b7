package shopify_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestWebhookHeadersAndBody(t *testing.T) {
	t.Parallel()
	w := newWorld(t, shopify.WithTopics("customers/create", "orders/create", "orders/paid"), shopify.WithTaxRate(0.1))
	vid := tea(t, w.srv)
	o, err := w.srv.CreateOrder(shopify.OrderInput{
		Email: "ada@example.com", FinancialStatus: "paid",
		LineItems:     []shopify.LineItemInput{{VariantID: vid, Quantity: 2}},
		DiscountCodes: []shopify.DiscountInput{{Code: "TEN", Amount: "10", Type: "percentage"}},
		ShippingLines: []shopify.ShippingInput{{Title: "Standard", Price: "5.00"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if got, want := w.recv.topics(), []string{"customers/create", "orders/create", "orders/paid"}; !slices.Equal(got, want) {
		t.Fatalf("topics = %v, want %v", got, want)
	}
	// 2 × 25.00 = 50.00, 10% off = 5.00, tax 10% of 45.00 = 4.50, shipping 5.00.
	if o.TotalLineItemsPrice != "50.00" || o.TotalDiscounts != "5.00" || o.SubtotalPrice != "45.00" ||
		o.TotalTax != "4.50" || o.TotalPrice != "54.50" || o.TotalPriceSet.ShopMoney.Amount != "54.50" ||
		o.TotalPriceSet.ShopMoney.CurrencyCode != "USD" || o.Name != "#1001" || o.OrderNumber != 1001 {
		t.Fatalf("order amounts inconsistent: %+v", o)
	}
	events := map[string]bool{}
	for _, g := range w.recv.got() {
		h := g.Header
		want := map[string]string{
			"Content-Type":          "application/json",
			"X-Shopify-Hmac-Sha256": fakes.HMACSHA256Base64([]byte(shopify.DefaultAPISecret), g.Body),
			"X-Shopify-Shop-Domain": shopify.DefaultShopDomain,
			"X-Shopify-API-Version": shopify.DefaultAPIVersion,
			// Nothing moved the virtual clock: it reads the epoch.
			"X-Shopify-Triggered-At": "2026-01-01T00:00:00.000000000Z",
		}
		for k, v := range want {
			if h.Get(k) != v {
				t.Errorf("%s: header %s = %q, want %q", g.topic(), k, h.Get(k), v)
			}
		}
		if len(h.Get("X-Shopify-Hmac-Sha256")) != 44 {
			t.Errorf("hmac %q is not 44 characters of padded base64", h.Get("X-Shopify-Hmac-Sha256"))
		}
		for _, k := range []string{"X-Shopify-Webhook-Id", "X-Shopify-Event-Id"} {
			if !uuidRE.MatchString(h.Get(k)) {
				t.Errorf("%s: %s = %q, want a UUID", g.topic(), k, h.Get(k))
			}
		}
		events[h.Get("X-Shopify-Event-Id")] = true
		m := g.object(t)
		switch g.topic() {
		case "orders/create", "orders/paid":
			if m["name"] != "#1001" || m["total_price"] != "54.50" || m["financial_status"] != "paid" {
				t.Errorf("%s: body is not the order at the top level: %s", g.topic(), g.Body)
			}
			set := m["subtotal_price_set"].(map[string]any)["shop_money"].(map[string]any)
			if set["amount"] != "45.00" || set["currency_code"] != "USD" {
				t.Errorf("subtotal_price_set = %v", set)
			}
			if m["created_at"] != "2026-01-01T00:00:00+00:00" {
				t.Errorf("created_at = %v, want the virtual clock's time", m["created_at"])
			}
		case "customers/create":
			if m["email"] != "ada@example.com" {
				t.Errorf("customers/create body: %s", g.Body)
			}
		}
	}
	if len(events) != 3 {
		t.Errorf("want one event id per change, got %d distinct", len(events))
	}
	lines := w.journalText()
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, "deliver orders/create #1001 $54.50 webhook=") }) {
		t.Errorf("journal has no delivery line for orders/create:\n%s", strings.Join(lines, "\n"))
	}
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []shopify.Option
		answers  []int
		attempts int
		moved    time.Duration
		outcome  string
	}{
		{name: "500 twice then 200", answers: []int{500, 500}, attempts: 3, moved: 3 * time.Minute, outcome: "500 Internal Server Error (retry in 1m0s)"},
		{name: "timeout then 200", opts: []shopify.Option{shopify.WithDeliveryTimeout(500 * time.Millisecond)}, answers: []int{0}, attempts: 2, moved: time.Minute, outcome: "timeout (retry in 1m0s)"},
		{name: "dropped after the schedule", opts: []shopify.Option{shopify.WithRetrySchedule(time.Second, 2*time.Second)}, answers: []int{503, 503, 503}, attempts: 3, moved: 3 * time.Second, outcome: "(dropped after 3 attempts)"},
		{name: "full schedule takes four hours", answers: slices.Repeat([]int{500}, 9), attempts: 9, moved: 4 * time.Hour, outcome: "(dropped after 9 attempts)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, append(tt.opts, shopify.WithTopics("products/create"))...)
			w.recv.answer(tt.answers...)
			start := w.clock.Now()
			if _, err := w.srv.CreateProduct(shopify.ProductInput{Title: "Tea"}); err != nil {
				t.Fatal(err)
			}
			w.settle(t)
			seen := w.recv.got()
			if len(seen) != tt.attempts {
				t.Fatalf("attempts = %d, want %d", len(seen), tt.attempts)
			}
			first := seen[0].Header
			for i, g := range seen {
				for _, k := range []string{"X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At", "X-Shopify-Hmac-Sha256"} {
					if g.Header.Get(k) != first.Get(k) {
						t.Errorf("attempt %d: %s changed from %q to %q", i+1, k, first.Get(k), g.Header.Get(k))
					}
				}
			}
			if moved := w.clock.Now().Sub(start); moved != tt.moved {
				t.Errorf("virtual clock moved %v, want %v", moved, tt.moved)
			}
			ds := w.srv.Deliveries()
			if len(ds) != tt.attempts || ds[len(ds)-1].Attempt != tt.attempts {
				t.Errorf("deliveries = %+v", ds)
			}
			if !slices.ContainsFunc(w.journalText(), func(l string) bool { return strings.Contains(l, tt.outcome) }) {
				t.Errorf("journal lacks %q:\n%s", tt.outcome, strings.Join(w.journalText(), "\n"))
			}
		})
	}
}

func TestWebhookKnobs(t *testing.T) {
	t.Parallel()
	t.Run("duplicates keep their ids", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, shopify.WithTopics("orders/create"))
		w.srv.SetKnobs(shopify.Knobs{Duplicate: true})
		if _, err := w.srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}}); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		seen := w.recv.got()
		if len(seen) != 2 {
			t.Fatalf("got %d deliveries, want the original and a duplicate", len(seen))
		}
		if seen[0].Header.Get("X-Shopify-Webhook-Id") != seen[1].Header.Get("X-Shopify-Webhook-Id") ||
			seen[0].Header.Get("X-Shopify-Event-Id") != seen[1].Header.Get("X-Shopify-Event-Id") ||
			string(seen[0].Body) != string(seen[1].Body) {
			t.Error("the duplicate differs from the original")
		}
	})
	t.Run("reverse delivers out of order", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, shopify.WithTopics("orders/create", "orders/paid"))
		w.srv.SetKnobs(shopify.Knobs{Reverse: true})
		if _, err := w.srv.CreateOrder(shopify.OrderInput{FinancialStatus: "paid", LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}}); err != nil {
			t.Fatal(err)
		}
		w.settle(t)
		if got, want := w.recv.topics(), []string{"orders/paid", "orders/create"}; !slices.Equal(got, want) {
			t.Fatalf("topics = %v, want %v", got, want)
		}
	})
}

func TestSubscriptionsFilterTopics(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.srv.AccessToken()
	base := "/admin/api/2025-01/"
	resp, body := api(t, w.srv, "POST", base+"webhooks.json", tok, map[string]any{"webhook": map[string]any{
		"topic": "orders/paid", "address": w.recv.url, "format": "json"}})
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), `"topic":"orders/paid"`) ||
		!strings.Contains(string(body), `"api_version":"2025-01"`) {
		t.Fatalf("create webhook = %d %s", resp.StatusCode, body)
	}
	tests := []struct {
		name, body, want string
		status           int
	}{
		{"duplicate", `{"webhook":{"topic":"orders/paid","address":"` + w.recv.url + `"}}`, `{"errors":{"address":["for this topic has already been taken"]}}`, 422},
		{"unknown topic", `{"webhook":{"topic":"orders/eaten","address":"https://x.example"}}`, `{"errors":{"topic":["Invalid topic specified: orders/eaten. Does not match the webhook topics list."]}}`, 422},
		{"compliance topic", `{"webhook":{"topic":"shop/redact","address":"https://x.example"}}`, `{"errors":{"topic":["Invalid topic specified: shop/redact. Does not match the webhook topics list."]}}`, 422},
		{"no address", `{"webhook":{"topic":"orders/create"}}`, `{"errors":{"address":["can't be blank"]}}`, 422},
		{"no root", `{"topic":"orders/create"}`, `{"errors":{"webhook":"Required parameter missing or invalid"}}`, 400},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("POST", w.srv.URL()+base+"webhooks.json", strings.NewReader(tt.body))
		req.Header.Set("X-Shopify-Access-Token", tok)
		req.Header.Set("Content-Type", "application/json")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b := readAll(t, r)
		if r.StatusCode != tt.status || string(b) != tt.want {
			t.Errorf("%s: %d %s, want %d %s", tt.name, r.StatusCode, b, tt.status, tt.want)
		}
	}
	if _, b := api(t, w.srv, "GET", base+"webhooks/count.json", tok, nil); string(b) != `{"count":1}` {
		t.Errorf("count = %s", b)
	}
	o, err := w.srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.srv.PayOrder(o.ID); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if got := w.recv.topics(); !slices.Equal(got, []string{"orders/paid"}) {
		t.Fatalf("delivered %v, want only orders/paid", got)
	}
	_, b := api(t, w.srv, "GET", base+"webhooks.json", tok, nil)
	subs := w.srv.Subscriptions()
	if len(subs) != 1 || !strings.Contains(string(b), w.recv.url) {
		t.Fatalf("list = %s", b)
	}
	if r, b := api(t, w.srv, "DELETE", base+"webhooks/"+itoa(subs[0].ID)+".json", tok, nil); r.StatusCode != 200 || string(b) != "{}" {
		t.Fatalf("delete = %d %s", r.StatusCode, b)
	}
	if _, err := w.srv.CreateOrder(shopify.OrderInput{FinancialStatus: "paid", LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}}); err != nil {
		t.Fatal(err)
	}
	w.settle(t)
	if n := len(w.recv.got()); n != 1 {
		t.Fatalf("a deleted subscription still delivers: %d deliveries", n)
	}
}
