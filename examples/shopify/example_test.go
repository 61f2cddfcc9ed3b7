package shopify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"

	"github.com/chatsim/chatsim/examples/shopify"
)

// Shopify delivers orders/create; the platform forwards it as
// webhook_received. The integration checks the signature, sees that the
// event id is new, fires newOrderCreated and remembers the id.
func ExampleNew() {
	// A stand-in for the Botpress Runtime API that prints what it is asked.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(strings.TrimSpace(fmt.Sprintf("platform  %s %s %s", r.Method, r.URL.Path, body)))
		if r.Method == http.MethodGet {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"id":"err_1","code":404,"type":"ResourceNotFound","message":"State not found"}`)
			return
		}
		io.WriteString(w, `{}`)
	}))
	defer api.Close()

	env := map[string]string{
		"BP_API_URL":                  api.URL,
		"SECRET_SHOPIFY_API_SECRET":   "shpss_secret",
		"SECRET_SHOPIFY_ACCESS_TOKEN": "shpat_token",
	}
	h, err := shopify.New(func(k string) string { return env[k] })
	if err != nil {
		fmt.Println(err)
		return
	}

	order := `{"id":820982911946154508,"name":"#1001","created_at":"2026-01-01T00:00:00-05:00","currency":"USD",` +
		`"current_subtotal_price":"53.10","current_total_discounts":"5.90","current_total_price":"67.82","current_total_tax":"4.72",` +
		`"order_status_url":"https://chatsim-demo.myshopify.com/orders/b19"}`
	mac := hmac.New(sha256.New, []byte("shpss_secret"))
	mac.Write([]byte(order))
	req, _ := json.Marshal(map[string]any{"req": map[string]any{
		"method": "POST", "path": "/", "query": "", "body": order,
		"headers": map[string]string{
			"content-type":          "application/json",
			"x-shopify-topic":       "orders/create",
			"x-shopify-hmac-sha256": base64.StdEncoding.EncodeToString(mac.Sum(nil)),
			"x-shopify-shop-domain": "chatsim-demo.myshopify.com",
			"x-shopify-webhook-id":  "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
			"x-shopify-event-id":    "8e5e9e5c-4b0a-4f0c-9d6e-3c1f2a7b9d10",
		},
	}})
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(req)))
	for k, v := range map[string]string{
		"x-bp-operation": "webhook_received", "x-bot-id": "bot_1", "x-bot-user-id": "user_bot",
		"x-integration-id": "intver_1", "x-integration-alias": "shopify", "x-webhook-id": "wh_1",
		"x-bp-configuration": base64.StdEncoding.EncodeToString([]byte(`{"shopName":"chatsim-demo"}`)),
	} {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	fmt.Println("answer   ", rec.Code, rec.Body)
	// Output:
	// platform  GET /v1/chat/states/integration/intver_1/processedWebhooks
	// platform  POST /v1/chat/events {"payload":{"created_at":"2026-01-01T00:00:00-05:00","currency":"USD","current_subtotal_price":"53.10","current_total_discounts":"5.90","current_total_price":"67.82","current_total_tax":"4.72","fullBody":{"id":820982911946154508,"name":"#1001","created_at":"2026-01-01T00:00:00-05:00","currency":"USD","current_subtotal_price":"53.10","current_total_discounts":"5.90","current_total_price":"67.82","current_total_tax":"4.72","order_status_url":"https://chatsim-demo.myshopify.com/orders/b19"},"order_id":"820982911946154508","order_status_url":"https://chatsim-demo.myshopify.com/orders/b19","shopName":"chatsim-demo"},"type":"newOrderCreated"}
	// platform  POST /v1/chat/states/integration/intver_1/processedWebhooks {"payload":{"ids":["orders/create 8e5e9e5c-4b0a-4f0c-9d6e-3c1f2a7b9d10"]}}
	// answer    200 {}
}

func ExampleDefinition() {
	var def struct {
		Name    string                     `json:"name"`
		Events  map[string]json.RawMessage `json:"events"`
		Actions map[string]json.RawMessage `json:"actions"`
	}
	if err := json.Unmarshal(shopify.Definition(), &def); err != nil {
		fmt.Println(err)
		return
	}
	var events []string
	for e := range def.Events {
		events = append(events, e)
	}
	sort.Strings(events)
	fmt.Println(def.Name, events, len(def.Actions), "action")
	// Output: shopify-example [appUninstalled customerCreated newOrderCreated orderCancelled orderFulfilled orderPaid] 1 action
}
