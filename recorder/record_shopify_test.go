package recorder_test

import (
	"context"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// delivered waits until the upstream has made n deliveries, each answered
// 200: the integration's answer to what happened in the shop.
func delivered(t *testing.T, up *shopify.Server, n int) {
	t.Helper()
	waitFor(t, "the integration's 200 to each webhook", func() bool {
		ds := up.Deliveries()
		return len(ds) >= n && !slices.ContainsFunc(ds, func(d shopify.Delivery) bool { return d.Status != http.StatusOK })
	})
	if ds := up.Deliveries(); len(ds) != n {
		t.Fatalf("the upstream made %d deliveries, want %d: %+v", len(ds), n, ds)
	}
}

// recordShopify records Ada's order in a shop (a new customer, an order
// with a discount code paid at once, then fulfilled) through the bundled Shopify example, with a
// fake Shopify standing in for the real one, and returns the cassette's
// path and every secret the upstream and the World held.
func recordShopify(t *testing.T, clock *fakes.VirtualClock) (string, []string) {
	t.Helper()
	shop := fakes.NewVirtualClock(time.Time{})
	up, err := shopify.Start(shopify.WithClock(shop))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	tea, err := up.CreateProduct(shopify.ProductInput{Title: "Sencha", Variants: []shopify.VariantInput{{Price: "12.50"}}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := bundled.Lookup("examples/shopify")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "order.cassette")
	f, err := recorder.CreateFile(path, cassette.Header{Name: "recorded-order", Platform: "shopify", Integration: "examples/shopify",
		Configuration: in.Configuration})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Abort()
	proxy, err := recorder.NewProxy(recorder.Options{Kind: shopify.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"SHOPIFY_ACCESS_TOKEN": up.AccessToken(), "SHOPIFY_API_SECRET": up.APISecret()}, Sink: f.Write})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := sim.SetupFromHeader(cassette.Header{Platform: "shopify"}, sim.Options{Integration: in, Clock: clock,
		Starters: map[string]func(fakes.Wiring) (fakes.Platform, error){"shopify": proxy.Start}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := sim.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// As the app's owner would in the Partner Dashboard: the app's own
	// webhooks (the compliance topics) go to the recorder too.
	if err := up.SetWebhookTarget(context.Background(), proxy.InboundURL()); err != nil {
		t.Fatal(err)
	}
	subs := up.Subscriptions()
	if len(subs) != 6 || slices.ContainsFunc(subs, func(s shopify.Webhook) bool { return s.Address != proxy.InboundURL() }) {
		t.Errorf("the integration's subscriptions on the upstream are %+v, want 6 to the recorder's %s", subs, proxy.InboundURL())
	}
	clock.Advance(time.Second)
	order, err := up.CreateOrder(shopify.OrderInput{Email: "ada@example.com", FinancialStatus: "paid",
		Customer:      &shopify.CustomerInput{FirstName: "Ada", LastName: "Lovelace", Email: "ada@example.com"},
		LineItems:     []shopify.LineItemInput{{VariantID: tea.Variants[0].ID, Quantity: 2}},
		DiscountCodes: []shopify.DiscountInput{{Code: "WELCOME10", Amount: "10", Type: "percentage"}}})
	if err != nil {
		t.Fatal(err)
	}
	delivered(t, up, 3) // customers/create, orders/create, orders/paid
	clock.Advance(time.Minute)
	shop.Advance(time.Minute)
	if _, err := up.FulfillOrder(order.ID, shopify.FulfillInput{TrackingCompany: "UPS", TrackingNumber: "1Z999AA10123456784"}); err != nil {
		t.Fatal(err)
	}
	delivered(t, up, 4) // orders/fulfilled; nobody subscribed to orders/updated
	if err := w.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	secrets := []string{up.AccessToken(), up.APISecret()}
	for k, v := range w.Env {
		if strings.Contains(k, "SECRET") || strings.Contains(k, "TOKEN") {
			secrets = append(secrets, v)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if c := proxy.Counts(); c.Deliveries != 4 || c.Refused != 0 || c.Calls != 7 {
		t.Errorf("recorded %+v, want 4 deliveries, 7 calls (a list and 6 subscriptions) and none refused", c)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		t.Fatal(err)
	}
	return path, secrets
}

// TestRecordShopifyWebhooks records an order's life in a shop through the
// recorder with a fake Shopify as the real one, then replays the cassette
// through the same integration: the replay gives the golden journal, 20
// times byte for byte, and the cassette holds no secret.
func TestRecordShopifyWebhooks(t *testing.T) {
	t.Parallel()
	path, secrets := recordShopify(t, fakes.NewVirtualClock(time.Time{}))
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(string(raw), s) {
			t.Errorf("the cassette holds the secret %q", s)
		}
	}
	for _, want := range []string{`"direction":"outbound","kind":"GET webhooks.json","request"`, `"direction":"outbound","kind":"POST webhooks.json","request"`,
		`"direction":"inbound","kind":"customers/create","turn":1,"verified":true`, `"direction":"inbound","kind":"orders/create","turn":2,"verified":true`,
		`"direction":"inbound","kind":"orders/paid","turn":3,"verified":true`, `"direction":"inbound","kind":"orders/fulfilled","turn":4,"verified":true`,
		`"X-Shopify-Access-Token":["${SHOPIFY_ACCESS_TOKEN}"]`, `"X-Shopify-Topic":["orders/create"]`,
		`"discount_codes":[{"code":"WELCOME10"`} { // a discount code is no OAuth code
		if !strings.Contains(string(raw), want) {
			t.Errorf("the cassette lacks %s", want)
		}
	}
	if found, err := recorder.Lint(strings.NewReader(string(raw)), "order.cassette", sim.Registry()); err != nil || len(found) > 0 {
		t.Errorf("lint: %v %q", err, found)
	}
	checkGolden(t, "shopify-order.golden", replayBundled(t, path, "examples/shopify", 4))
}

// TestRecordShopifyRefuses: a webhook whose HMAC is not the app's is
// refused and recorded nowhere, --insecure or not; without the API secret
// nothing can be checked, and a webhook is refused unless Insecure, which
// records it unverified.
func TestRecordShopifyRefuses(t *testing.T) {
	t.Parallel()
	const secret = "shpss_0123456789abcdef0123456789abcdef"
	body := `{"id":820982911946154508,"name":"#1001"}`
	good := fakes.HMACSHA256Base64([]byte(secret), []byte(body))
	forged := fakes.HMACSHA256Base64([]byte("shpss_another"), []byte(body))
	for _, tc := range []struct {
		name            string
		secret          string // the API secret the recorder is given
		insecure        bool
		hmac            string // X-Shopify-Hmac-Sha256; "" sends none
		want            int
		recorded, sound bool // recorded, and recorded as verified
	}{
		{"signed", secret, false, good, 200, true, true},
		{"forged", secret, false, forged, 401, false, false},
		{"forged, insecure", secret, true, forged, 401, false, false},
		{"unsigned, insecure", secret, true, "", 401, false, false},
		{"no secret", "", false, good, 401, false, false},
		{"no secret, unsigned", "", false, "", 401, false, false},
		{"no secret, insecure", "", true, good, 200, true, false},
		{"no secret, unsigned, insecure", "", true, "", 200, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var got []cassette.Entry
			secrets := map[string]string{}
			if tc.secret != "" {
				secrets["SHOPIFY_API_SECRET"] = tc.secret
			}
			proxy, err := recorder.NewProxy(recorder.Options{Kind: shopify.Kind(), Upstream: "http://127.0.0.1:9", Secrets: secrets, Insecure: tc.insecure,
				Sink: func(e cassette.Entry) error { mu.Lock(); defer mu.Unlock(); got = append(got, e); return nil }})
			if err != nil {
				t.Fatal(err)
			}
			reached := 0
			srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				reached++
				mu.Unlock()
				io.WriteString(w, "ok")
			}))
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
				t.Fatal(err)
			}
			proxy.SetWebhookTarget(context.Background(), srv.URL)
			req, _ := http.NewRequest("POST", proxy.InboundURL()+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Shopify-Topic", "orders/create")
			req.Header.Set("X-Shopify-Shop-Domain", "chatsim-demo.myshopify.com")
			if tc.hmac != "" {
				req.Header.Set("X-Shopify-Hmac-Sha256", tc.hmac)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if err := proxy.Close(); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode != tc.want || (len(got) == 1) != tc.recorded || reached != len(got) || len(got) > 1 {
				t.Fatalf("answered %d, recorded %d, forwarded %d: want %d, recorded %v", resp.StatusCode, len(got), reached, tc.want, tc.recorded)
			}
			if c := proxy.Counts(); c.Refused != 1-len(got) {
				t.Errorf("counts %+v", c)
			}
			if tc.recorded && (got[0].Verified != tc.sound || got[0].Kind != "orders/create") {
				t.Errorf("recorded %q verified %v, want orders/create verified %v", got[0].Kind, got[0].Verified, tc.sound)
			}
		})
	}
}

// TestRecordShopifyRoutesTopics: an integration that subscribes each topic
// to its own address gets each topic's webhooks at that address, however
// they all come to the recorder's one inbound URL.
func TestRecordShopifyRoutesTopics(t *testing.T) {
	t.Parallel()
	up, err := shopify.Start(shopify.WithClock(fakes.NewVirtualClock(time.Time{})))
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	var mu sync.Mutex
	got := map[string][]string{} // receiver → topics
	receiver := func(name string) *fakes.Server {
		srv, err := fakes.Listen("", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[name] = append(got[name], r.Header.Get("X-Shopify-Topic"))
			mu.Unlock()
		}))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv
	}
	customers, orders := receiver("customers"), receiver("orders")
	var entries []cassette.Entry
	proxy, err := recorder.NewProxy(recorder.Options{Kind: shopify.Kind(), Upstream: up.URL(),
		Secrets: map[string]string{"SHOPIFY_ACCESS_TOKEN": up.AccessToken(), "SHOPIFY_API_SECRET": up.APISecret()},
		Sink:    func(e cassette.Entry) error { mu.Lock(); defer mu.Unlock(); entries = append(entries, e); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := proxy.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{})}); err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	for _, sub := range []struct{ topic, address string }{
		{"customers/create", customers.URL + "/customers"}, {"orders/create", orders.URL + "/orders"},
	} {
		req, _ := http.NewRequest("POST", proxy.URL()+"/admin/api/2025-01/webhooks.json",
			strings.NewReader(`{"webhook":{"topic":"`+sub.topic+`","address":"`+sub.address+`","format":"json"}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Shopify-Access-Token", up.AccessToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("subscribe %s: %d", sub.topic, resp.StatusCode)
		}
	}
	if _, err := up.CreateOrder(shopify.OrderInput{Email: "ada@example.com", LineItems: []shopify.LineItemInput{{Title: "Sencha", Price: "12.50"}}}); err != nil {
		t.Fatal(err)
	}
	delivered(t, up, 2)
	mu.Lock()
	defer mu.Unlock()
	if want := map[string][]string{"customers": {"customers/create"}, "orders": {"orders/create"}}; !maps.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("the receivers got %v, want %v", got, want)
	}
	for _, s := range up.Subscriptions() {
		if s.Address != proxy.InboundURL() {
			t.Errorf("subscription %d delivers to %s, not to the recorder", s.ID, s.Address)
		}
	}
	if !slices.ContainsFunc(entries, func(e cassette.Entry) bool {
		return e.Kind == "POST webhooks.json" && strings.Contains(string(e.Request.Body.Bytes()), orders.URL+"/orders")
	}) {
		t.Errorf("the cassette does not keep the address the integration asked for: %+v", entries)
	}
}
