package shopify_test

import (
	"errors"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/shopify"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// hmacPlaceholder is what the cassettes hold instead of a signature.
const hmacPlaceholder = "${SHOPIFY_HMAC}"

// loadCassette reads a bundled cassette.
func loadCassette(tb testing.TB, name string) (cassette.Header, []cassette.Entry) {
	tb.Helper()
	f, err := shopify.Cassettes().Open(name)
	if err != nil {
		tb.Fatalf("open %s: %v", name, err)
	}
	defer f.Close()
	r, err := cassette.NewReader(f, name)
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	var es []cassette.Entry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		es = append(es, e)
	}
	return r.Header(), es
}

// replay delivers a cassette's entries to the platform's webhook URL as
// Shopify would now: signed again with the test's API secret. It returns
// the statuses and bodies the platform answered.
func (w *world) replay(tb testing.TB, es []cassette.Entry) (statuses []int, bodies []string) {
	tb.Helper()
	for _, e := range es {
		req, err := http.NewRequest(e.Request.Method, strings.TrimSuffix(w.p.WebhookURL(), "/")+e.Request.URL, strings.NewReader(e.Request.Body.String()))
		if err != nil {
			tb.Fatal(err)
		}
		for k, vs := range e.Request.Headers {
			for _, v := range vs {
				if v == hmacPlaceholder {
					v = sign(apiSecret, e.Request.Body.String())
				}
				req.Header.Add(k, v)
			}
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatalf("%s: %v", e.Location(), err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		statuses = append(statuses, res.StatusCode)
		bodies = append(bodies, string(b))
	}
	return statuses, bodies
}

func TestCassettes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		faults         []fakes.Fault
		wantStatuses   []int
		wantEvents     []string // event types
		wantProcessed  int
		wantViolations []string
	}{
		{name: "order-life.cassette", wantStatuses: []int{200, 200, 200}, wantEvents: []string{"newOrderCreated", "orderPaid", "orderFulfilled"}, wantProcessed: 3},
		{name: "duplicate.cassette", wantStatuses: []int{200, 200}, wantEvents: []string{"newOrderCreated"}, wantProcessed: 1},
		{
			name:         "redelivery.cassette",
			faults:       []fakes.Fault{{Op: "event.create", Status: 500, Times: 1}},
			wantStatuses: []int{400, 200}, wantEvents: []string{"orderPaid"}, wantProcessed: 1,
		},
		{name: "redelivery.cassette", wantStatuses: []int{200, 200}, wantEvents: []string{"orderPaid"}, wantProcessed: 1}, // without the fault: a duplicate
		{name: "customer.cassette", wantStatuses: []int{200}, wantEvents: []string{"customerCreated"}, wantProcessed: 1},
		{
			name: "violation.cassette", wantStatuses: []int{200}, wantEvents: []string{"newOrderCreated"}, wantProcessed: 1,
			wantViolations: []string{"/payload/current_total_price: want string, got number"},
		},
	}
	for _, tt := range tests {
		label := tt.name
		if len(tt.faults) > 0 {
			label += " with faults"
		}
		t.Run(label, func(t *testing.T) {
			t.Parallel()
			_, es := loadCassette(t, tt.name)
			w := newWorld(t)
			for _, f := range tt.faults {
				w.p.Faults().Add(f)
			}
			statuses, bodies := w.replay(t, es)
			if !slices.Equal(statuses, tt.wantStatuses) {
				t.Errorf("statuses = %v, want %v (answers %q)", statuses, tt.wantStatuses, bodies)
			}
			// An answer recorded in the cassette is what the integration
			// says again when the recorded conditions (faults) are set.
			if len(tt.faults) > 0 {
				for i, e := range es {
					if e.Response != nil && (e.Response.Status != statuses[i] || e.Response.Body.String() != bodies[i]) {
						t.Errorf("%s: answer = %d %s, recorded %d %s", e.Location(), statuses[i], bodies[i], e.Response.Status, e.Response.Body)
					}
				}
			}
			var types []string
			for _, e := range w.p.Events() {
				types = append(types, e.Type)
			}
			diff(t, "events", types, tt.wantEvents)
			if got := len(w.processedIDs(t)); got != tt.wantProcessed {
				t.Errorf("processedWebhooks holds %d ids, want %d", got, tt.wantProcessed)
			}
			diff(t, "violations", w.violations(), tt.wantViolations)
		})
	}
}

// Every bundled cassette is a set of Shopify deliveries as Shopify sends
// them: inbound, kind = the topic, the headers shopify-app-js requires,
// the signature redacted to the declared placeholder.
func TestCassettesAreShopifyDeliveries(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(shopify.Cassettes(), "*.cassette")
	if err != nil || len(names) != 5 {
		t.Fatalf("cassettes = %v, %v; want 5", names, err)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h, es := loadCassette(t, name)
			if h.Platform != "shopify" || h.Integration != "examples/shopify" || string(h.Configuration) != `{"shopName":"chatsim-demo"}` {
				t.Errorf("header = %+v", h)
			}
			if len(h.Redactions) != 1 || h.Redactions[0].Placeholder != hmacPlaceholder || h.Redactions[0].Name != "X-Shopify-Hmac-Sha256" {
				t.Errorf("redactions = %+v, want the HMAC header", h.Redactions)
			}
			if len(es) == 0 {
				t.Fatal("no entries")
			}
			for _, e := range es {
				hd := e.Request.Headers
				if e.Direction != cassette.Inbound || e.Platform != "shopify" || e.Request.Method != "POST" || e.Kind != hd.Get("X-Shopify-Topic") {
					t.Errorf("%s: %s %s %s kind %q topic %q", e.Location(), e.Direction, e.Platform, e.Request.Method, e.Kind, hd.Get("X-Shopify-Topic"))
				}
				for _, k := range []string{"X-Shopify-Api-Version", "X-Shopify-Shop-Domain", "X-Shopify-Webhook-Id", "X-Shopify-Event-Id", "X-Shopify-Triggered-At"} {
					if hd.Get(k) == "" {
						t.Errorf("%s: no %s", e.Location(), k)
					}
				}
				if hd.Get("X-Shopify-Hmac-Sha256") != hmacPlaceholder {
					t.Errorf("%s: X-Shopify-Hmac-Sha256 = %q, want the placeholder", e.Location(), hd.Get("X-Shopify-Hmac-Sha256"))
				}
				if e.Request.Body.Kind() != cassette.BodyJSON || !strings.HasPrefix(e.Request.Body.String(), `{"id":`) {
					t.Errorf("%s: body is not the resource at the top level: %.60s", e.Location(), e.Request.Body)
				}
			}
		})
	}
}
