package shopify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/shopify"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

const (
	statusURL = `https://chatsim-demo.myshopify.com/73612345678/orders/b1946ac9/authenticate?key=a81f`
	wantOrder = `newOrderCreated {"confirmation_number":"X7KQ2M9PA","created_at":"2026-01-01T00:00:00-05:00","currency":"USD",` +
		`"current_subtotal_price":"53.10","current_total_discounts":"5.90","current_total_price":"67.82","current_total_tax":"4.72",` +
		`"customer_locale":"en","fullBody":"…","order_id":"820982911946154508","order_status_url":"` + statusURL + `","shopName":"chatsim-demo"}`
	paidOrder = `{"id":820982911946154508,"name":"#1001","currency":"USD","current_total_price":"67.82","financial_status":"paid",` +
		`"total_outstanding":"0.00","updated_at":"2026-01-01T00:00:31-05:00","created_at":"2026-01-01T00:00:00-05:00"}`
	fulfilledOrder = `{"id":820982911946154508,"name":"#1001","financial_status":"paid","fulfillment_status":"fulfilled",` +
		`"updated_at":"2026-01-02T10:00:00-05:00","fulfillments":[{"id":255858046,"tracking_numbers":["1Z999AA10123456784"]},` +
		`{"id":255858047,"tracking_numbers":["1Z999AA10123456785"]}]}`
	cancelledOrder = `{"id":820982911946154508,"name":"#1001","financial_status":"voided","cancel_reason":"customer",` +
		`"cancelled_at":"2026-01-01T00:10:00-05:00","currency":"USD","updated_at":"2026-01-01T00:10:00-05:00"}`
	customer = `{"id":207119551529415836,"email":"grace@example.com","created_at":"2026-01-02T09:30:00-05:00",` +
		`"updated_at":"2026-01-02T09:30:00-05:00","first_name":"Grace","last_name":"Hopper","state":"disabled",` +
		`"verified_email":true,"phone":"+16135550135","tags":"newsletter","currency":"USD"}`
)

func TestWebhookFiresEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		topic, body   string
		wantEvents    []string
		wantProcessed []string
	}{
		{
			name:  "orders/create is newOrderCreated",
			topic: "orders/create", body: testOrder,
			wantEvents:    []string{wantOrder},
			wantProcessed: []string{"orders/create evt-1"},
		},
		{
			name:  "orders/paid is orderPaid",
			topic: "orders/paid", body: paidOrder,
			wantEvents: []string{`orderPaid {"currency":"USD","current_total_price":"67.82","financial_status":"paid","order_id":"820982911946154508",` +
				`"order_name":"#1001","paid_at":"2026-01-01T00:00:31-05:00","shopName":"chatsim-demo","total_outstanding":"0.00"}`},
			wantProcessed: []string{"orders/paid evt-1"},
		},
		{
			name:  "customers/create is customerCreated",
			topic: "customers/create", body: customer,
			wantEvents: []string{`customerCreated {"created_at":"2026-01-02T09:30:00-05:00","customer_id":"207119551529415836",` +
				`"email":"grace@example.com","first_name":"Grace","last_name":"Hopper","phone":"+16135550135","shopName":"chatsim-demo","verified_email":true}`},
			wantProcessed: []string{"customers/create evt-1"},
		},
		{
			name:  "a customer without email or name keeps the nulls",
			topic: "customers/create", body: `{"id":5,"email":null,"first_name":null,"last_name":null,"phone":"+16135550199","created_at":"2026-01-02T09:30:00-05:00"}`,
			wantEvents: []string{`customerCreated {"created_at":"2026-01-02T09:30:00-05:00","customer_id":"5",` +
				`"email":null,"first_name":null,"last_name":null,"phone":"+16135550199","shopName":"chatsim-demo"}`},
			wantProcessed: []string{"customers/create evt-1"},
		},
		{
			name:  "orders/fulfilled is orderFulfilled, with every tracking number",
			topic: "orders/fulfilled", body: fulfilledOrder,
			wantEvents: []string{`orderFulfilled {"financial_status":"paid","fulfilled_at":"2026-01-02T10:00:00-05:00","fulfillment_status":"fulfilled",` +
				`"order_id":"820982911946154508","order_name":"#1001","shopName":"chatsim-demo","tracking_numbers":["1Z999AA10123456784","1Z999AA10123456785"]}`},
			wantProcessed: []string{"orders/fulfilled evt-1"},
		},
		{
			name:  "orders/cancelled is orderCancelled",
			topic: "orders/cancelled", body: cancelledOrder,
			wantEvents: []string{`orderCancelled {"cancel_reason":"customer","cancelled_at":"2026-01-01T00:10:00-05:00","currency":"USD",` +
				`"financial_status":"voided","order_id":"820982911946154508","order_name":"#1001","shopName":"chatsim-demo"}`},
			wantProcessed: []string{"orders/cancelled evt-1"},
		},
		{
			name:  "app/uninstalled is appUninstalled",
			topic: "app/uninstalled", body: `{"id":73612345678,"name":"Chatsim Demo","domain":"chatsim-demo.myshopify.com","myshopify_domain":"chatsim-demo.myshopify.com"}`,
			wantEvents:    []string{`appUninstalled {"myshopify_domain":"chatsim-demo.myshopify.com","shopName":"chatsim-demo","shop_id":"73612345678"}`},
			wantProcessed: []string{"app/uninstalled evt-1"},
		},
		{
			name:  "orders/updated is not subscribed: acknowledged, nothing fired",
			topic: "orders/updated", body: testOrder,
		},
		{
			name:  "products/update is not subscribed either",
			topic: "products/update", body: `{"id":632910392,"title":"Earl Grey Tea"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			status, body := w.deliver(t, delivery{topic: tt.topic, body: tt.body, webhookID: "wh-1", eventID: "evt-1"})
			if status != http.StatusOK {
				t.Fatalf("answer = %d %s, want 200", status, body)
			}
			diff(t, "events", w.events(t), tt.wantEvents)
			diff(t, "processedWebhooks", w.processedIDs(t), tt.wantProcessed)
			diff(t, "violations", w.violations(), nil)
			diff(t, "Admin API calls", w.admin.recorded(), nil)
		})
	}
}

// fullBody is the order exactly as Shopify sent it, and the event carries
// no conversation or user: this integration is an event flow.
func TestNewOrderCreatedFullBody(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	if status, body := w.deliver(t, delivery{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"}); status != 200 {
		t.Fatalf("answer = %d %s", status, body)
	}
	evs := w.p.Events()
	if len(evs) != 1 {
		t.Fatalf("events = %d, want 1", len(evs))
	}
	var p struct {
		FullBody json.RawMessage `json:"fullBody"`
	}
	if err := json.Unmarshal(evs[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if string(p.FullBody) != testOrder {
		t.Errorf("fullBody =\n  %s\nwant the delivered order\n  %s", p.FullBody, testOrder)
	}
	if evs[0].ConversationID != "" || evs[0].UserID != "" || evs[0].MessageID != "" {
		t.Errorf("event refers to %q %q %q, want nothing", evs[0].ConversationID, evs[0].UserID, evs[0].MessageID)
	}
}

func TestWebhookDeduplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		deliveries []delivery
		wantEvents int
		wantIDs    []string
	}{
		{
			name: "same webhook id and event id twice",
			deliveries: []delivery{
				{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"},
				{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"},
			},
			wantEvents: 1,
			wantIDs:    []string{"orders/create evt-1"},
		},
		{
			name: "one event through two subscriptions (same event id)",
			deliveries: []delivery{
				{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"},
				{topic: "orders/create", body: testOrder, webhookID: "wh-2", eventID: "evt-1"},
			},
			wantEvents: 1,
			wantIDs:    []string{"orders/create evt-1"},
		},
		{
			name: "no event id: the webhook id decides",
			deliveries: []delivery{
				{topic: "orders/create", body: testOrder, webhookID: "wh-1"},
				{topic: "orders/create", body: testOrder, webhookID: "wh-1"},
				{topic: "orders/create", body: testOrder, webhookID: "wh-2"},
			},
			wantEvents: 2,
			wantIDs:    []string{"orders/create wh-1", "orders/create wh-2"},
		},
		{
			name: "two events of one order are two events",
			deliveries: []delivery{
				{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"},
				{topic: "orders/paid", body: paidOrder, webhookID: "wh-2", eventID: "evt-2"},
				{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "evt-1"},
			},
			wantEvents: 2,
			wantIDs:    []string{"orders/create evt-1", "orders/paid evt-2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			for i, d := range tt.deliveries {
				if status, body := w.deliver(t, d); status != http.StatusOK {
					t.Fatalf("delivery %d: answer = %d %s, want 200", i+1, status, body)
				}
			}
			if got := len(w.p.Events()); got != tt.wantEvents {
				t.Errorf("events = %d, want %d: %v", got, tt.wantEvents, w.events(t))
			}
			diff(t, "processedWebhooks", w.processedIDs(t), tt.wantIDs)
			diff(t, "violations", w.violations(), nil)
		})
	}
}

// The processed ids are bounded: the 501st pushes the oldest out, and the
// state still satisfies its schema (maxItems 500).
func TestWebhookDedupStateIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ids := make([]string, 500)
	for i := range ids {
		ids[i] = fmt.Sprintf("orders/create old-%03d", i)
	}
	seed, _ := json.Marshal(map[string]any{"payload": map[string]any{"ids": ids}})
	req, _ := http.NewRequest(http.MethodPost, w.p.URL()+"/v1/chat/states/integration/"+w.p.IntegrationID()+"/processedWebhooks", strings.NewReader(string(seed)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bpToken)
	req.Header.Set("x-bot-id", w.p.BotID())
	req.Header.Set("x-integration-id", w.p.IntegrationID())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("seed state: %d", res.StatusCode)
	}

	if status, body := w.deliver(t, delivery{topic: "orders/create", body: testOrder, webhookID: "wh-1", eventID: "old-000"}); status != 200 {
		t.Fatalf("answer = %d %s", status, body)
	}
	if n := len(w.p.Events()); n != 0 {
		t.Fatalf("a remembered id fired %d events", n)
	}
	if status, body := w.deliver(t, delivery{topic: "orders/create", body: testOrder, webhookID: "wh-2", eventID: "new"}); status != 200 {
		t.Fatalf("answer = %d %s", status, body)
	}
	got := w.processedIDs(t)
	if len(got) != 500 || got[0] != "orders/create old-001" || got[499] != "orders/create new" {
		t.Errorf("processedWebhooks = %d ids, first %q, last %q; want 500, old-001 … new", len(got), got[0], got[len(got)-1])
	}
	diff(t, "violations", w.violations(), nil)
}

func TestWebhookRejectsBadSignature(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    delivery
	}{
		{"signed with another secret", delivery{secret: "shpss_not_the_secret"}},
		{"no signature", delivery{header: map[string]string{"X-Shopify-Hmac-Sha256": ""}}},
		{"not base64", delivery{header: map[string]string{"X-Shopify-Hmac-Sha256": "not base64!"}}},
		{"hex instead of base64", delivery{header: map[string]string{"X-Shopify-Hmac-Sha256": strings.Repeat("ab", 32)}}},
		{"signature of another body", delivery{header: map[string]string{"X-Shopify-Hmac-Sha256": sign(apiSecret, `{"id":1}`)}}},
		{"truncated signature", delivery{header: map[string]string{"X-Shopify-Hmac-Sha256": sign(apiSecret, testOrder)[:20]}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			d := tt.d
			d.topic, d.body, d.webhookID, d.eventID = "orders/create", testOrder, "wh-1", "evt-1"
			status, body := w.deliver(t, d)
			if status != http.StatusUnauthorized {
				t.Errorf("answer = %d %s, want 401", status, body)
			}
			if n := len(w.p.Events()); n != 0 {
				t.Errorf("%d events fired", n)
			}
			if ids := w.processedIDs(t); ids != nil {
				t.Errorf("processedWebhooks = %v, want no state", ids)
			}
		})
	}
}

func TestWebhookBadDeliveries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		d          delivery
		wantStatus int
		wantBody   string
	}{
		{"no delivery id", delivery{topic: "orders/create", body: testOrder}, 400, "missing X-Shopify-Event-Id"},
		{"body is not an object", delivery{topic: "orders/create", body: `[1,2]`, eventID: "evt-1"}, 400, "decode orders/create webhook evt-1"},
		{"body is not JSON", delivery{topic: "orders/paid", body: `id=1`, eventID: "evt-1"}, 400, "decode orders/paid webhook evt-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			status, body := w.deliver(t, tt.d)
			if status != tt.wantStatus || !strings.Contains(body, tt.wantBody) {
				t.Errorf("answer = %d %s, want %d containing %q", status, body, tt.wantStatus, tt.wantBody)
			}
			if n := len(w.p.Events()); n != 0 {
				t.Errorf("%d events fired", n)
			}
		})
	}
}

// A delivery that fails halfway (the platform's createEvent answers 500)
// answers an error, so Shopify retries it; the retry, with the same ids,
// fires the event: the id is remembered only once the event exists.
func TestWebhookRetryAfterFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.p.Faults().Add(fakes.Fault{Op: "event.create", Status: 500, Times: 1})
	d := delivery{topic: "orders/paid", body: paidOrder, webhookID: "wh-1", eventID: "evt-1"}

	status, body := w.deliver(t, d)
	if status < 300 || !strings.Contains(body, "handle orders/paid webhook evt-1") {
		t.Fatalf("first delivery: answer = %d %s, want a failure naming the webhook", status, body)
	}
	if n := len(w.p.Events()); n != 0 {
		t.Fatalf("first delivery fired %d events", n)
	}
	if ids := w.processedIDs(t); ids != nil {
		t.Fatalf("first delivery remembered %v", ids)
	}

	if status, body := w.deliver(t, d); status != 200 {
		t.Fatalf("retry: answer = %d %s, want 200", status, body)
	}
	if status, body := w.deliver(t, d); status != 200 { // and a late duplicate
		t.Fatalf("duplicate: answer = %d %s, want 200", status, body)
	}
	if got := w.events(t); len(got) != 1 || !strings.HasPrefix(got[0], "orderPaid ") {
		t.Errorf("events = %v, want one orderPaid", got)
	}
	diff(t, "processedWebhooks", w.processedIDs(t), []string{"orders/paid evt-1"})
}

// Fields are passed through as Shopify sent them, so a wrong type or a
// missing field is caught by the event's schema, not hidden.
func TestEventContractViolations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, topic, body string
		want              []string
	}{
		{
			name: "money as a number", topic: "orders/create",
			body: strings.Replace(testOrder, `"current_total_price":"67.82"`, `"current_total_price":67.82`, 1),
			want: []string{"/payload/current_total_price: want string, got number"},
		},
		{
			name: "a required field missing", topic: "orders/create",
			body: strings.Replace(testOrder, `"order_status_url":"`+statusURL+`",`, ``, 1),
			want: []string{`/payload/order_status_url: missing property "order_status_url"`},
		},
		{
			name: "an id that is not a number", topic: "orders/paid",
			body: strings.Replace(paidOrder, `"id":820982911946154508`, `"id":"gid://shopify/Order/820982911946154508"`, 1),
			want: []string{`/payload/order_id: "gid://shopify/Order/820982911946154508" does not match pattern "^[0-9]+$"`},
		},
		{
			name: "an unknown financial status", topic: "orders/paid",
			body: strings.Replace(paidOrder, `"financial_status":"paid"`, `"financial_status":"settled"`, 1),
			want: []string{`/payload/financial_status: value "settled" is not one of "pending", "authorized", "partially_paid", "paid", "partially_refunded", "refunded", "voided"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			if status, body := w.deliver(t, delivery{topic: tt.topic, body: tt.body, eventID: "evt-1"}); status != 200 {
				t.Fatalf("answer = %d %s", status, body)
			}
			if n := len(w.p.Events()); n != 1 {
				t.Fatalf("events = %d, want the event, violations and all", n)
			}
			diff(t, "violations", w.violations(), tt.want)
		})
	}
}

func TestGetOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("reads the order through the Admin API", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		out, err := w.p.TriggerAction(ctx, "getOrder", json.RawMessage(`{"orderId":"`+orderID+`"}`))
		if err != nil {
			t.Fatalf("getOrder: %v", err)
		}
		if want := `{"order":` + testOrder + `}`; fakes.CanonicalJSON(out) != fakes.CanonicalJSON([]byte(want)) {
			t.Errorf("output = %s\nwant %s", out, want)
		}
		calls := w.admin.all()
		if len(calls) != 1 || calls[0].Method != "GET" || calls[0].Path != "/admin/api/2025-01/orders/"+orderID+".json" || calls[0].Token != accessToken {
			t.Errorf("Admin API calls = %+v, want one GET orders/%s.json with the access token", calls, orderID)
		}
		diff(t, "violations", w.violations(), nil)
	})

	t.Run("an unknown order is an error naming it", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		_, err := w.p.TriggerAction(ctx, "getOrder", json.RawMessage(`{"orderId":"450789469"}`))
		if err == nil || !strings.Contains(err.Error(), "order 450789469 in shop chatsim-demo: order not found") {
			t.Errorf("err = %v, want order 450789469 not found", err)
		}
		acts := w.p.Actions()
		if len(acts) != 1 || acts[0].Error == "" {
			t.Errorf("actions = %+v, want one failed getOrder", acts)
		}
	})

	t.Run("429 waits Retry-After and tries again", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.admin.on("GET orders/"+orderID+".json",
			reply{status: 429, header: map[string]string{"Retry-After": "2.0"}, body: `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`},
			reply{status: 429, header: map[string]string{"Retry-After": "0.5"}, body: `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`})
		if _, err := w.p.TriggerAction(ctx, "getOrder", json.RawMessage(`{"orderId":"`+orderID+`"}`)); err != nil {
			t.Fatalf("getOrder: %v", err)
		}
		if got := w.slept(); len(got) != 2 || got[0] != 2*time.Second || got[1] != 500*time.Millisecond {
			t.Errorf("slept %v, want [2s 500ms]", got)
		}
		if n := len(w.admin.all()); n != 3 {
			t.Errorf("Admin API calls = %d, want 3", n)
		}
	})

	t.Run("429 four times gives up and says so", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		limited := reply{status: 429, header: map[string]string{"Retry-After": "2.0", "X-Shopify-Shop-Api-Call-Limit": "40/40"},
			body: `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`}
		w.admin.on("GET orders/"+orderID+".json", limited, limited, limited, limited)
		_, err := w.p.TriggerAction(ctx, "getOrder", json.RawMessage(`{"orderId":"`+orderID+`"}`))
		if err == nil || !strings.Contains(err.Error(), "429 Exceeded 2 calls per second") || !strings.Contains(err.Error(), "call limit 40/40") {
			t.Errorf("err = %v, want the 429 and the call limit", err)
		}
		if n := len(w.admin.all()); n != 4 {
			t.Errorf("Admin API calls = %d, want 4", n)
		}
	})

	t.Run("a bad orderId is refused before any call", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		for _, in := range []string{`{"orderId":"../webhooks"}`, `{"orderId":820982911946154508}`, `{}`} {
			if _, err := w.p.TriggerAction(ctx, "getOrder", json.RawMessage(in)); err == nil || !strings.Contains(err.Error(), "input.orderId") {
				t.Errorf("getOrder %s: err = %v, want one naming input.orderId", in, err)
			}
		}
		if n := len(w.admin.all()); n != 0 {
			t.Errorf("Admin API calls = %d, want none", n)
		}
	})

	t.Run("an unknown action", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if _, err := w.p.TriggerAction(ctx, "cancelOrder", json.RawMessage(`{}`)); err == nil || !strings.Contains(err.Error(), `action "cancelOrder" not found`) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRegister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sub := func(topic, url string) string {
		return `POST webhooks.json {"webhook":{"topic":"` + topic + `","address":"` + url + `","format":"json"}}`
	}

	t.Run("subscribes every topic and configures the shop", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		if err := w.p.Register(ctx); err != nil {
			t.Fatalf("register: %v", err)
		}
		url := w.p.WebhookURL()
		diff(t, "Admin API calls", w.admin.recorded(), []string{
			"GET webhooks.json",
			sub("orders/create", url), sub("orders/paid", url), sub("orders/fulfilled", url),
			sub("orders/cancelled", url), sub("customers/create", url), sub("app/uninstalled", url),
		})
		if id, ok := w.p.Identifier(); !ok || id != shopDomain {
			t.Errorf("identifier = %q, %v; want %q", id, ok, shopDomain)
		}
		for _, c := range w.admin.all() {
			if c.Token != accessToken {
				t.Errorf("%s without the access token", c)
			}
		}
	})

	t.Run("skips the subscriptions that exist", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		url := w.p.WebhookURL()
		w.admin.subscribe("orders/paid", url)
		w.admin.subscribe("orders/create", "https://backend.example.com/shopify") // not ours
		if err := w.p.Register(ctx); err != nil {
			t.Fatalf("register: %v", err)
		}
		diff(t, "Admin API calls", w.admin.recorded(), []string{
			"GET webhooks.json",
			sub("orders/create", url), sub("orders/fulfilled", url), sub("orders/cancelled", url),
			sub("customers/create", url), sub("app/uninstalled", url),
		})
		if err := w.p.Register(ctx); err != nil { // registering again changes nothing
			t.Fatalf("second register: %v", err)
		}
		if got := w.admin.recorded(); got[len(got)-1] != "GET webhooks.json" || len(got) != 7 {
			t.Errorf("second register called %v", got[6:])
		}
	})

	t.Run("a full call bucket slows the next call down", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.admin.limit("GET webhooks.json", "39/40")
		if err := w.p.Register(ctx); err != nil {
			t.Fatalf("register: %v", err)
		}
		if got := w.slept(); len(got) != 1 || got[0] != 500*time.Millisecond {
			t.Errorf("slept %v, want [500ms] (one call's drain time at 2/s)", got)
		}
	})

	t.Run("a rejected token fails register", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.admin.on("GET webhooks.json", reply{status: 401, body: `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`})
		err := w.p.Register(ctx)
		if err == nil || !strings.Contains(err.Error(), "shopify GET webhooks.json: 401 [API] Invalid API key") {
			t.Errorf("err = %v, want the 401", err)
		}
	})

	t.Run("a 422 on a subscription names the topic", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t)
		w.admin.on("POST webhooks.json", reply{status: 422, body: `{"errors":{"address":["is invalid"],"topic":["is not supported"]}}`})
		err := w.p.Register(ctx)
		if err == nil || !strings.Contains(err.Error(), "subscribe orders/create: shopify POST webhooks.json: 422 address is invalid; topic is not supported") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("the platform refuses a configuration without shopName", func(t *testing.T) {
		t.Parallel()
		p := botpress.New(t, botpress.WithDefinition(mustParse(t)), botpress.WithConfiguration(json.RawMessage(`{}`), ""))
		if err := p.Register(ctx); !errors.Is(err, botpress.ErrInvalidConfiguration) {
			t.Errorf("err = %v, want ErrInvalidConfiguration", err)
		}
	})
}

func TestUnregister(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t)
	if err := w.p.Register(ctx); err != nil {
		t.Fatalf("register: %v", err)
	}
	w.admin.subscribe("orders/create", "https://backend.example.com/shopify")
	if err := w.p.Unregister(ctx); err != nil {
		t.Fatalf("unregister: %v", err)
	}
	got := w.admin.recorded()[7:]
	diff(t, "Admin API calls", got, []string{
		"GET webhooks.json",
		"DELETE webhooks/4759307.json", "DELETE webhooks/4759308.json", "DELETE webhooks/4759309.json",
		"DELETE webhooks/4759310.json", "DELETE webhooks/4759311.json", "DELETE webhooks/4759312.json",
	})
	diff(t, "subscriptions left", w.admin.subscriptions(), []string{"orders/create https://backend.example.com/shopify"})
}

// Without a webhookUrl in the body, unregister deletes the subscriptions
// whose address holds the install's webhook id; one already gone (404) is
// fine.
func TestUnregisterByWebhookID(t *testing.T) {
	t.Parallel()
	admin := newAdminStub(t)
	admin.subscribe("orders/create", "https://webhook.botpress.cloud/wh_0123456789")
	admin.subscribe("orders/paid", "https://webhook.botpress.cloud/wh_0123456789")
	admin.subscribe("orders/paid", "https://webhook.botpress.cloud/wh_someone_else")
	admin.on("DELETE webhooks/4759308.json", reply{status: 404, body: `{"errors":"Not Found"}`})
	h := newHandler(t, map[string]string{"SHOPIFY_API_URL": admin.URL})
	rec := operate(t, h, "unregister", `{"shopName":"chatsim-demo"}`, `{}`)
	if rec.Code != 200 {
		t.Fatalf("answer = %d %s", rec.Code, rec.Body)
	}
	diff(t, "Admin API calls", admin.recorded(), []string{
		"GET webhooks.json", "DELETE webhooks/4759307.json", "DELETE webhooks/4759308.json",
	})
}

// Without SHOPIFY_API_URL the Admin API is the shop's own domain.
func TestDefaultAdminURL(t *testing.T) {
	t.Parallel()
	admin := newAdminStub(t)
	hosts := make(chan string, 1)
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		hosts <- r.URL.Scheme + "://" + r.URL.Host
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host = "http", strings.TrimPrefix(admin.URL, "http://")
		return http.DefaultTransport.RoundTrip(r)
	})}
	h := newHandler(t, map[string]string{"SHOPIFY_API_URL": ""}, shopify.WithHTTPClient(client))
	rec := operate(t, h, "action_triggered", `{"shopName":"chatsim-demo"}`, `{"type":"getOrder","input":{"orderId":"`+orderID+`"}}`)
	if rec.Code != 200 {
		t.Fatalf("answer = %d %s", rec.Code, rec.Body)
	}
	if got := <-hosts; got != "https://chatsim-demo.myshopify.com" {
		t.Errorf("Admin API at %s, want https://chatsim-demo.myshopify.com", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOperations(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, op, config, body string
		wantStatus             int
		wantBody               string
	}{
		{"ping", "ping", `{}`, `{}`, 200, `{}`},
		{"message_created has no channel", "message_created", `{"shopName":"chatsim-demo"}`, `{}`, 400, "this integration has no channels"},
		{"unknown operation", "event_received", `{"shopName":"chatsim-demo"}`, `{}`, 400, `unknown operation \"event_received\"`},
		{"shopName missing", "webhook_received", `{}`, `{"req":{}}`, 400, `invalid configuration: shopName \"\"`},
		{"shopName is a domain", "action_triggered", `{"shopName":"chatsim-demo.myshopify.com"}`, `{}`, 400, "invalid configuration"},
		{"register without webhookUrl", "register", `{"shopName":"chatsim-demo"}`, `{}`, 400, "webhookUrl is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHandler(t, nil)
			rec := operate(t, h, tt.op, tt.config, tt.body)
			if rec.Code != tt.wantStatus || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("answer = %d %s, want %d containing %s", rec.Code, rec.Body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestNewEnvironment(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		"BP_API_URL":                  "http://127.0.0.1:1",
		"SECRET_SHOPIFY_API_SECRET":   apiSecret,
		"SECRET_SHOPIFY_ACCESS_TOKEN": accessToken,
	}
	tests := []struct {
		name    string
		set     map[string]string
		want    string
		wantErr error
	}{
		{"complete", nil, "", nil},
		{"with version and URL", map[string]string{"SHOPIFY_API_VERSION": "2024-10", "SHOPIFY_API_URL": "http://127.0.0.1:2/"}, "", nil},
		{"no BP_API_URL", map[string]string{"BP_API_URL": ""}, "BP_API_URL", shopify.ErrMissingEnv},
		{"no API secret", map[string]string{"SECRET_SHOPIFY_API_SECRET": ""}, "SECRET_SHOPIFY_API_SECRET", shopify.ErrMissingEnv},
		{"no access token", map[string]string{"SECRET_SHOPIFY_ACCESS_TOKEN": ""}, "SECRET_SHOPIFY_ACCESS_TOKEN", shopify.ErrMissingEnv},
		{"bad version", map[string]string{"SHOPIFY_API_VERSION": "2025-13"}, "SHOPIFY_API_VERSION", shopify.ErrInvalidEnv},
		{"bad URL", map[string]string{"SHOPIFY_API_URL": "chatsim-demo.myshopify.com"}, "SHOPIFY_API_URL", shopify.ErrInvalidEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for k, v := range full {
				env[k] = v
			}
			for k, v := range tt.set {
				env[k] = v
			}
			_, err := shopify.New(func(k string) string { return env[k] })
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want %v naming %s", err, tt.wantErr, tt.want)
			}
		})
	}
}

func TestDefinition(t *testing.T) {
	t.Parallel()
	def := mustParse(t)
	if _, err := def.Validator(); err != nil {
		t.Fatalf("validator: %v", err)
	}
	if def.Name != "shopify-example" || def.Version != "0.1.0" {
		t.Errorf("name, version = %q, %q", def.Name, def.Version)
	}
	for _, e := range []string{"newOrderCreated", "orderPaid", "customerCreated"} {
		if _, ok := def.Events[e]; !ok {
			t.Errorf("event %s is not declared", e)
		}
	}
	if _, ok := def.Actions["getOrder"]; !ok {
		t.Error("action getOrder is not declared")
	}
	if st, ok := def.States["processedWebhooks"]; !ok || st.Type != "integration" {
		t.Errorf("state processedWebhooks = %+v, want an integration state", st)
	}
	for _, s := range []string{"SHOPIFY_API_SECRET", "SHOPIFY_ACCESS_TOKEN"} {
		if _, ok := def.Secrets[s]; !ok {
			t.Errorf("secret %s is not declared", s)
		}
	}
	v, _ := def.Validator()
	if vs := v.CheckConfiguration("", json.RawMessage(`{"shopName":"chatsim-demo"}`)); len(vs) != 0 {
		t.Errorf("the example configuration violates the schema: %v", vs)
	}
	if vs := v.CheckConfiguration("", json.RawMessage(`{}`)); len(vs) == 0 {
		t.Error("a configuration without shopName passes the schema")
	}
	d := shopify.Definition()
	d[0] = 'X'
	if shopify.Definition()[0] == 'X' {
		t.Error("Definition returned the embedded bytes, not a copy")
	}
}

func mustParse(tb testing.TB) *contracts.Definition {
	tb.Helper()
	def, err := contracts.Parse(shopify.Definition(), "definition.json")
	if err != nil {
		tb.Fatalf("parse definition: %v", err)
	}
	return def
}

// newHandler builds the integration with a complete environment, set
// overriding it, and the platform unreachable.
func newHandler(tb testing.TB, set map[string]string, opts ...shopify.Option) http.Handler {
	tb.Helper()
	env := map[string]string{
		"BP_API_URL":                  "http://127.0.0.1:1",
		"SECRET_SHOPIFY_API_SECRET":   apiSecret,
		"SECRET_SHOPIFY_ACCESS_TOKEN": accessToken,
		"SHOPIFY_API_VERSION":         apiVersion,
	}
	for k, v := range set {
		env[k] = v
	}
	h, err := shopify.New(func(k string) string { return env[k] }, opts...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return h
}
