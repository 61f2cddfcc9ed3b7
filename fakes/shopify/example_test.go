package shopify_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

// A store takes a paid order; the app's webhook endpoint gets orders/create
// and orders/paid, signed with the app's secret, and reads the order back
// through the Admin REST API.
func Example() {
	var mu sync.Mutex
	var got []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ok := r.Header.Get("X-Shopify-Hmac-Sha256") == fakes.HMACSHA256Base64([]byte(shopify.DefaultAPISecret), body)
		mu.Lock()
		got = append(got, fmt.Sprintf("%s signed=%v", r.Header.Get("X-Shopify-Topic"), ok))
		mu.Unlock()
	}))
	defer app.Close()

	journal, activity := fakes.NewJournal(), fakes.NewActivity()
	srv, err := shopify.Start(shopify.WithJournal(journal), shopify.WithActivity(activity),
		shopify.WithTopics("orders/create", "orders/paid"))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if err := srv.SetWebhookTarget(context.Background(), app.URL); err != nil {
		log.Fatal(err)
	}

	p, _ := srv.CreateProduct(shopify.ProductInput{Title: "Green Tea", Variants: []shopify.VariantInput{{Price: "25.00"}}})
	o, _ := srv.CreateOrder(shopify.OrderInput{FinancialStatus: "paid",
		LineItems: []shopify.LineItemInput{{VariantID: p.Variants[0].ID}}})
	_ = activity.Wait(context.Background()) // every delivery has finished

	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/admin/api/2025-01/orders/%d.json?fields=name,total_price", srv.URL(), o.ID), nil)
	req.Header.Set("X-Shopify-Access-Token", srv.AccessToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.Header.Get("X-Shopify-Shop-Api-Call-Limit"), string(body))

	for _, line := range got {
		fmt.Println(line)
	}
	for _, o := range journal.Observations() {
		fmt.Printf("%-9s %-28s %s\n", o.Source, o.Kind, o.Text)
	}
	// Output:
	// 1/40 {"order":{"name":"#1001","total_price":"25.00"}}
	// orders/create signed=true
	// orders/paid signed=true
	// shopify   deliver                      orders/create #1001 $25.00 webhook=6ffc9319-6e46-493a-80e1-9e2b27eafb42
	// shopify   deliver                      orders/paid #1001 $25.00 webhook=02a99101-c5d0-4409-942b-846484bc7cdb
	// shopify   GET orders/5001000001.json   fields=name,total_price → 200 order 5001000001
}
