package shopify_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chatsim/chatsim/fakes/shopify"
)

// TestHistoryIsBounded keeps the last orders and deliveries: an order it
// forgot is 404 Not Found, as one Shopify no longer has.
func TestHistoryIsBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, shopify.WithHistory(3), shopify.WithTopics("orders/create"))
	var ids []int64
	for range 5 {
		o, err := w.srv.CreateOrder(shopify.OrderInput{LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "5"}}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	w.settle(t)
	if got := len(w.srv.Orders()); got != 3 {
		t.Errorf("the store holds %d orders, want the last 3", got)
	}
	if got := len(w.srv.Deliveries()); got != 3 {
		t.Errorf("the store keeps %d deliveries, want the last 3", got)
	}
	tests := []struct {
		name   string
		id     int64
		status int
	}{
		{"a forgotten order", ids[0], http.StatusNotFound},
		{"a kept order", ids[4], http.StatusOK},
	}
	for _, tc := range tests {
		req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/admin/api/%s/orders/%d.json", w.srv.URL(), shopify.DefaultAPIVersion, tc.id), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Shopify-Access-Token", w.srv.AccessToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s: GET orders/%d.json = %d, want %d", tc.name, tc.id, resp.StatusCode, tc.status)
		}
	}
}
