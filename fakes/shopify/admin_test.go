package shopify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func readAll(tb testing.TB, r *http.Response) []byte {
	tb.Helper()
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// restClient is a Shopify REST client written from Shopify's documentation:
// it follows Link rel="next", reads X-Shopify-Shop-Api-Call-Limit and backs
// off on 429 for Retry-After seconds on the given clock.
type restClient struct {
	token   string
	clock   fakes.Clock
	http    *http.Client
	got429  int
	maxUsed int
}

var nextLinkRE = regexp.MustCompile(`<([^>]+)>;\s*rel="next"`)

func (c *restClient) get(ctx context.Context, u string) (*http.Response, []byte, error) {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("X-Shopify-Access-Token", c.token)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, nil, err
		}
		var used, size int
		if _, err := fmt.Sscanf(resp.Header.Get("X-Shopify-Shop-Api-Call-Limit"), "%d/%d", &used, &size); err != nil || size != 40 {
			return nil, nil, fmt.Errorf("call limit header %q", resp.Header.Get("X-Shopify-Shop-Api-Call-Limit"))
		}
		c.maxUsed = max(c.maxUsed, used)
		if resp.StatusCode == http.StatusTooManyRequests {
			c.got429++
			secs, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("retry-after %q: %w", resp.Header.Get("Retry-After"), err)
			}
			if err := c.clock.Sleep(ctx, time.Duration(secs*float64(time.Second))); err != nil {
				return nil, nil, err
			}
			continue
		}
		return resp, body, nil
	}
}

// all pages through a list, returning every item's id.
func (c *restClient) all(ctx context.Context, first, key string) ([]int64, int, error) {
	var ids []int64
	pages := 0
	for u := first; u != ""; {
		resp, body, err := c.get(ctx, u)
		if err != nil {
			return nil, pages, err
		}
		if resp.StatusCode != http.StatusOK {
			return nil, pages, fmt.Errorf("GET %s: %d %s", u, resp.StatusCode, body)
		}
		pages++
		var page map[string][]struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return nil, pages, err
		}
		for _, it := range page[key] {
			ids = append(ids, it.ID)
		}
		u = ""
		if m := nextLinkRE.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			u = m[1]
		}
	}
	return ids, pages, nil
}

func TestClientPagesAndBacksOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for i := range 300 {
		in := shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: shopify.Decimal(fmt.Sprintf("%d.00", i+1))}}}
		if i%3 == 0 {
			in.FinancialStatus = "paid"
		}
		o, err := w.srv.CreateOrder(in)
		if err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			if _, err := w.srv.CloseOrder(o.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	c := &restClient{token: w.srv.AccessToken(), clock: w.clock, http: http.DefaultClient}
	start := w.clock.Now()
	ids, pages, err := c.all(context.Background(), w.srv.URL()+"/admin/api/2025-01/orders.json?status=any&limit=5", "orders")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	if len(ids) != 300 || len(seen) != 300 || pages != 60 {
		t.Fatalf("got %d ids (%d distinct) in %d pages, want 300 in 60", len(ids), len(seen), pages)
	}
	// 40 calls fill the bucket; each 2 s back-off leaks 4 calls: the other
	// 20 pages hit 5 throttles.
	if c.got429 != 5 || c.maxUsed != 40 {
		t.Errorf("429s = %d (want 5), max call limit %d (want 40)", c.got429, c.maxUsed)
	}
	if moved := w.clock.Now().Sub(start); moved != 10*time.Second {
		t.Errorf("backed off %v of virtual time, want 10s", moved)
	}
	// The default status is open: 30 of the 300 are closed. The bucket is
	// full; let it drain first.
	w.clock.Advance(20 * time.Second)
	resp, body := api(t, w.srv, "GET", "/admin/api/2025-01/orders/count.json", w.srv.AccessToken(), nil)
	if resp.StatusCode != 200 || string(body) != `{"count":270}` {
		t.Errorf("count = %d %s", resp.StatusCode, body)
	}
	_, body = api(t, w.srv, "GET", "/admin/api/2025-01/orders/count.json?status=any&financial_status=paid", w.srv.AccessToken(), nil)
	if string(body) != `{"count":100}` {
		t.Errorf("paid count = %s", body)
	}
}

func TestAdminErrors(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tok := w.srv.AccessToken()
	c, err := w.srv.CreateCustomer(shopify.CustomerInput{Email: "ada@example.com", FirstName: "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	_, next := api(t, w.srv, "GET", "/admin/api/2025-01/customers.json?limit=1", tok, nil)
	_ = next
	tests := []struct {
		name, method, path, token string
		body                      any
		status                    int
		want                      string
		version                   string
	}{
		{name: "no token", method: "GET", path: "/admin/api/2025-01/orders.json", status: 401,
			want: `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
		{name: "wrong token", method: "GET", path: "/admin/api/2025-01/shop.json", token: "shpat_wrong", status: 401,
			want: `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
		{name: "unknown resource", method: "GET", path: "/admin/api/2025-01/widgets.json", token: tok, status: 404, want: `{"errors":"Not Found"}`},
		{name: "unknown order", method: "GET", path: "/admin/api/2025-01/orders/1.json", token: tok, status: 404, want: `{"errors":"Not Found"}`},
		{name: "not a version", method: "GET", path: "/admin/api/latest/shop.json", token: tok, status: 404, want: `{"errors":"Not Found"}`},
		{name: "duplicate email", method: "POST", path: "/admin/api/2025-01/customers.json", token: tok,
			body: map[string]any{"customer": map[string]any{"email": "ada@example.com"}}, status: 422,
			want: `{"errors":{"email":["has already been taken"]}}`},
		{name: "blank title", method: "POST", path: "/admin/api/2025-01/products.json", token: tok,
			body: map[string]any{"product": map[string]any{"vendor": "x"}}, status: 422, want: `{"errors":{"title":["can't be blank"]}}`},
		{name: "body an array", method: "POST", path: "/admin/api/2025-01/customers.json", token: tok,
			body: []any{1}, status: 400, want: `{"errors":"[API] Invalid JSON body: body: want an object, got an array"}`},
		{name: "reason a number", method: "POST", path: "/admin/api/2025-01/orders/1/cancel.json", token: tok,
			body: map[string]any{"reason": 5}, status: 400, want: `{"errors":"[API] Invalid JSON body: field \"reason\": want a string, got a number"}`},
		{name: "filter beside page_info", method: "GET", path: "/admin/api/2025-01/orders.json?status=any&page_info=abc", token: tok, status: 400,
			want: `{"errors":{"status":"status cannot be passed when page_info is present. See https://shopify.dev/api/usage/pagination-rest for more information."}}`},
		{name: "bad page_info", method: "GET", path: "/admin/api/2025-01/orders.json?page_info=abc", token: tok, status: 400,
			want: `{"errors":{"page_info":"Invalid value."}}`},
		{name: "retired version falls forward", method: "GET", path: "/admin/api/2023-01/customers/count.json", token: tok, status: 200,
			want: `{"count":1}`, version: "2025-01"},
		{name: "supported version", method: "GET", path: "/admin/api/2025-07/customers/count.json", token: tok, status: 200,
			want: `{"count":1}`, version: "2025-07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := api(t, w.srv, tt.method, tt.path, tt.token, tt.body)
			if resp.StatusCode != tt.status || string(body) != tt.want {
				t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.path, resp.StatusCode, body, tt.status, tt.want)
			}
			if tt.version != "" && resp.Header.Get("X-Shopify-API-Version") != tt.version {
				t.Errorf("X-Shopify-API-Version = %q, want %q", resp.Header.Get("X-Shopify-API-Version"), tt.version)
			}
			if tt.token == tok && tt.name != "not a version" && resp.Header.Get("X-Shopify-Shop-Api-Call-Limit") == "" {
				t.Error("no X-Shopify-Shop-Api-Call-Limit")
			}
		})
	}
	resp, body := api(t, w.srv, "GET", "/admin/api/2025-01/customers/"+itoa(c.ID)+".json?fields=id,email", tok, nil)
	if resp.StatusCode != 200 || string(body) != fmt.Sprintf(`{"customer":{"email":"ada@example.com","id":%d}}`, c.ID) {
		t.Errorf("fields = %s", body)
	}
}

func TestOrderActionsThroughTheAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, shopify.WithTopics("orders/cancelled", "orders/updated"))
	tok := w.srv.AccessToken()
	resp, body := api(t, w.srv, "POST", "/admin/api/2025-01/orders.json", tok, map[string]any{"order": map[string]any{
		"email": "bob@example.com", "line_items": []map[string]any{{"title": "Mug", "price": 12.5, "quantity": 2}}}})
	if resp.StatusCode != 201 {
		t.Fatalf("create = %d %s", resp.StatusCode, body)
	}
	var created struct{ Order shopify.Order }
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	o := created.Order
	if o.TotalPrice != "25.00" || o.FinancialStatus != "pending" || o.Customer == nil || o.Customer.Email != "bob@example.com" {
		t.Fatalf("created %+v", o)
	}
	path := "/admin/api/2025-01/orders/" + itoa(o.ID)
	resp, body = api(t, w.srv, "POST", path+"/cancel.json", tok, map[string]any{"reason": "customer"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"cancel_reason":"customer"`) || !strings.Contains(string(body), `"financial_status":"voided"`) {
		t.Fatalf("cancel = %d %s", resp.StatusCode, body)
	}
	resp, body = api(t, w.srv, "POST", path+"/cancel.json", tok, nil)
	if resp.StatusCode != 422 || string(body) != `{"errors":{"base":["Order has already been cancelled"]}}` {
		t.Fatalf("cancel twice = %d %s", resp.StatusCode, body)
	}
	w.settle(t)
	if got := strings.Join(w.recv.topics(), ","); got != "orders/cancelled,orders/updated" {
		t.Fatalf("topics = %s", got)
	}
	_, body = api(t, w.srv, "GET", "/admin/api/2025-01/orders/count.json?status=cancelled", tok, nil)
	if string(body) != `{"count":1}` {
		t.Errorf("cancelled count = %s", body)
	}
	var kinds []string
	for _, ob := range w.journal.Observations() {
		if ob.Source == "shopify" && ob.Kind != "deliver" {
			kinds = append(kinds, ob.Kind)
		}
	}
	want := "POST orders.json|POST orders/" + itoa(o.ID) + "/cancel.json|POST orders/" + itoa(o.ID) + "/cancel.json|GET orders/count.json"
	if got := strings.Join(kinds, "|"); got != want {
		t.Errorf("journal kinds = %s, want %s", got, want)
	}
}
