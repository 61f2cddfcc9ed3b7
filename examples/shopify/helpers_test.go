package shopify_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/shopify"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

// The tests run the integration for real between the mock platform
// (fakes/botpress: the Runtime API, the invoker and the webhook endpoint,
// with contract checks on) and a stub of the Shopify Admin API written
// below. Deliveries are POSTed to the platform's webhook URL signed like
// Shopify signs them, so every request crosses HTTP as in production.

const (
	apiSecret   = "shpss_0123456789abcdef0123456789abcdef"
	accessToken = "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"
	shopName    = "chatsim-demo"
	shopDomain  = "chatsim-demo.myshopify.com"
	apiVersion  = "2025-01"
	bpToken     = "bp-token"
	orderID     = "820982911946154508"
)

// adminCall is one request the Admin API stub received.
type adminCall struct {
	Method, Path, Query string
	Token               string // X-Shopify-Access-Token
	Body                string // compacted JSON
}

// String renders a call for comparisons, the path relative to the API
// version: "POST webhooks.json {…}".
func (c adminCall) String() string {
	s := c.Method + " " + strings.TrimPrefix(c.Path, "/admin/api/"+apiVersion+"/")
	if c.Query != "" {
		s += "?" + c.Query
	}
	if c.Body != "" {
		s += " " + c.Body
	}
	return s
}

// reply is a canned Admin API answer.
type reply struct {
	status int
	header map[string]string
	body   string
}

// adminStub is a Shopify Admin REST API for one shop: webhook
// subscriptions kept in memory, one known order, the access token checked
// on every call and the call-limit header on every answer, as Shopify does.
type adminStub struct {
	*httptest.Server

	mu        sync.Mutex
	calls     []adminCall
	webhooks  []map[string]any
	nextID    int64
	orders    map[string]string  // id → the order's JSON
	overrides map[string][]reply // "METHOD resource" → answers, in order
	limits    map[string]string  // "METHOD resource" → X-Shopify-Shop-Api-Call-Limit
}

func newAdminStub(tb testing.TB) *adminStub {
	tb.Helper()
	a := &adminStub{nextID: 4759306, orders: map[string]string{orderID: testOrder}, overrides: map[string][]reply{}, limits: map[string]string{}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	tb.Cleanup(a.Close)
	return a
}

// on makes "METHOD resource" answer with rs, in order, then as usual.
func (a *adminStub) on(route string, rs ...reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.overrides[route] = append(a.overrides[route], rs...)
}

// limit makes "METHOD resource" carry this X-Shopify-Shop-Api-Call-Limit.
func (a *adminStub) limit(route, value string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.limits[route] = value
}

// subscribe adds a subscription as if it had been created earlier.
func (a *adminStub) subscribe(topic, address string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.addLocked(topic, address)
}

func (a *adminStub) addLocked(topic, address string) map[string]any {
	a.nextID++
	w := map[string]any{
		"id": a.nextID, "address": address, "topic": topic, "format": "json", "fields": []string{},
		"metafield_namespaces": []string{}, "private_metafield_namespaces": []string{}, "api_version": apiVersion,
		"created_at": "2026-01-01T00:00:00-05:00", "updated_at": "2026-01-01T00:00:00-05:00",
	}
	a.webhooks = append(a.webhooks, w)
	return w
}

// subscriptions lists "topic address" of every subscription.
func (a *adminStub) subscriptions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, w := range a.webhooks {
		out = append(out, fmt.Sprintf("%s %s", w["topic"], w["address"]))
	}
	return out
}

func (a *adminStub) recorded() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]string, len(a.calls))
	for i, c := range a.calls {
		out[i] = c.String()
	}
	return out
}

func (a *adminStub) all() []adminCall {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]adminCall(nil), a.calls...)
}

func (a *adminStub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	body := string(raw)
	var buf bytes.Buffer
	if json.Compact(&buf, raw) == nil {
		body = buf.String()
	}
	c := adminCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Token: r.Header.Get("X-Shopify-Access-Token"), Body: body}
	resource := strings.TrimPrefix(r.URL.Path, "/admin/api/"+apiVersion+"/")
	route := r.Method + " " + resource

	a.mu.Lock()
	a.calls = append(a.calls, c)
	n := len(a.calls)
	rep, overridden := reply{}, false
	if rs := a.overrides[route]; len(rs) > 0 {
		rep, overridden = rs[0], true
		a.overrides[route] = rs[1:]
	}
	limit := a.limits[route]
	if !overridden {
		rep = a.answerLocked(r, resource, raw)
	}
	a.mu.Unlock()

	if limit == "" {
		limit = strconv.Itoa(min(n, 40)) + "/40"
	}
	w.Header().Set("X-Shopify-Shop-Api-Call-Limit", limit)
	w.Header().Set("X-Shopify-API-Version", apiVersion)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// answerLocked is the Admin API's usual answer. Callers hold a.mu.
func (a *adminStub) answerLocked(r *http.Request, resource string, raw []byte) reply {
	if r.Header.Get("X-Shopify-Access-Token") != accessToken {
		return reply{status: 401, body: `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`}
	}
	if !strings.HasPrefix(r.URL.Path, "/admin/api/"+apiVersion+"/") {
		return reply{status: 404, body: `{"errors":"Not Found"}`}
	}
	notFound := reply{status: 404, body: `{"errors":"Not Found"}`}
	switch {
	case r.Method == http.MethodGet && resource == "webhooks.json":
		b, _ := json.Marshal(map[string]any{"webhooks": append([]map[string]any{}, a.webhooks...)})
		return reply{status: 200, body: string(b)}
	case r.Method == http.MethodPost && resource == "webhooks.json":
		var in struct {
			Webhook struct{ Topic, Address, Format string } `json:"webhook"`
		}
		if json.Unmarshal(raw, &in) != nil || in.Webhook.Topic == "" || in.Webhook.Address == "" {
			return reply{status: 422, body: `{"errors":{"topic":["can't be blank"]}}`}
		}
		for _, w := range a.webhooks {
			if w["topic"] == in.Webhook.Topic && w["address"] == in.Webhook.Address {
				return reply{status: 422, body: `{"errors":{"address":["for this topic has already been taken"]}}`}
			}
		}
		b, _ := json.Marshal(map[string]any{"webhook": a.addLocked(in.Webhook.Topic, in.Webhook.Address)})
		return reply{status: 201, body: string(b)}
	case r.Method == http.MethodDelete && strings.HasPrefix(resource, "webhooks/"):
		id := strings.TrimSuffix(strings.TrimPrefix(resource, "webhooks/"), ".json")
		for i, w := range a.webhooks {
			if fmt.Sprint(w["id"]) == id {
				a.webhooks = append(a.webhooks[:i], a.webhooks[i+1:]...)
				return reply{status: 200, body: `{}`}
			}
		}
		return notFound
	case r.Method == http.MethodGet && strings.HasPrefix(resource, "orders/"):
		id := strings.TrimSuffix(strings.TrimPrefix(resource, "orders/"), ".json")
		if o, ok := a.orders[id]; ok {
			return reply{status: 200, body: `{"order":` + o + `}`}
		}
		return notFound
	}
	return notFound
}

// world is the integration between the mock platform and the Admin API
// stub.
type world struct {
	p      *botpress.Server
	admin  *adminStub
	url    string // the integration's URL
	mu     sync.Mutex
	sleeps []time.Duration
}

// newWorld starts everything; the platform is silent (no bot rules) and
// checks every capture against the definition.
func newWorld(tb testing.TB) *world {
	tb.Helper()
	def, err := contracts.Parse(shopify.Definition(), "definition.json")
	if err != nil {
		tb.Fatalf("parse definition: %v", err)
	}
	w := &world{admin: newAdminStub(tb)}
	w.p = botpress.New(tb,
		botpress.WithDefinition(def),
		botpress.WithToken(bpToken),
		botpress.WithConfiguration(json.RawMessage(`{"shopName":"`+shopName+`"}`), ""),
		botpress.WithBot([]botpress.BotRule{}),
	)
	env := map[string]string{
		"BP_API_URL":                  w.p.URL(),
		"BP_TOKEN":                    bpToken,
		"SECRET_SHOPIFY_API_SECRET":   apiSecret,
		"SECRET_SHOPIFY_ACCESS_TOKEN": accessToken,
		"SHOPIFY_API_URL":             w.admin.URL,
		"SHOPIFY_API_VERSION":         apiVersion,
	}
	h, err := shopify.New(func(k string) string { return env[k] }, shopify.WithSleep(w.sleep))
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	w.url = srv.URL
	w.p.SetIntegrationURL(srv.URL)
	return w
}

// sleep records the wait instead of waiting.
func (w *world) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sleeps = append(w.sleeps, d)
	return ctx.Err()
}

func (w *world) slept() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.sleeps...)
}

// delivery is a webhook as Shopify sends it.
type delivery struct {
	topic, body        string
	webhookID, eventID string
	secret             string            // signs the body; "" means apiSecret
	header             map[string]string // overrides, "" deletes
}

// sign is X-Shopify-Hmac-Sha256 for body.
func sign(secret, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(body))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// deliver POSTs d to the platform's webhook URL and returns Shopify's view
// of the answer: the status and the body.
func (w *world) deliver(tb testing.TB, d delivery) (int, string) {
	tb.Helper()
	secret := d.secret
	if secret == "" {
		secret = apiSecret
	}
	req, err := http.NewRequest(http.MethodPost, w.p.WebhookURL(), strings.NewReader(d.body))
	if err != nil {
		tb.Fatal(err)
	}
	h := map[string]string{
		"Content-Type":           "application/json",
		"X-Shopify-Topic":        d.topic,
		"X-Shopify-Hmac-Sha256":  sign(secret, d.body),
		"X-Shopify-Shop-Domain":  shopDomain,
		"X-Shopify-API-Version":  apiVersion,
		"X-Shopify-Webhook-Id":   d.webhookID,
		"X-Shopify-Event-Id":     d.eventID,
		"X-Shopify-Triggered-At": "2026-01-01T05:00:00.203618407Z",
	}
	for k, v := range d.header {
		h[k] = v
	}
	for k, v := range h {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("deliver %s: %v", d.topic, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// events renders the platform's events as "type {payload}", canonical
// JSON, fullBody left out (it is checked on its own).
func (w *world) events(tb testing.TB) []string {
	tb.Helper()
	var out []string
	for _, e := range w.p.Events() {
		var p map[string]json.RawMessage
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			tb.Fatalf("event %s payload: %v", e.ID, err)
		}
		if _, ok := p["fullBody"]; ok {
			p["fullBody"] = json.RawMessage(`"…"`)
		}
		b, _ := json.Marshal(p)
		line := e.Type + " " + strings.ReplaceAll(fakes.CanonicalJSON(b), `\u0026`, "&")
		if e.ConversationID != "" || e.UserID != "" {
			line += " conv=" + e.ConversationID + " user=" + e.UserID
		}
		out = append(out, line)
	}
	return out
}

// processedIDs returns the processedWebhooks state's ids.
func (w *world) processedIDs(tb testing.TB) []string {
	tb.Helper()
	raw, ok := w.p.State("integration", w.p.IntegrationID(), "processedWebhooks")
	if !ok {
		return nil
	}
	var p struct {
		IDs []string `json:"ids"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		tb.Fatalf("processedWebhooks: %v", err)
	}
	return p.IDs
}

// violations renders the contract violations.
func (w *world) violations() []string {
	var out []string
	for _, v := range w.p.Violations() {
		out = append(out, v.Pointer+": "+v.Message)
	}
	return out
}

// diff fails tb when got and want differ, showing both in full.
func diff(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if strings.Join(got, "\n") == strings.Join(want, "\n") {
		return
	}
	tb.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
}

// operate sends one operation straight to an integration handler, as the
// platform would, for the cases fakes/botpress does not produce.
func operate(tb testing.TB, h http.Handler, op, config, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	for k, v := range map[string]string{
		"x-bp-operation":      op,
		"x-bot-id":            "bot_1",
		"x-bot-user-id":       "user_bot",
		"x-integration-id":    "intver_1",
		"x-integration-alias": "shopify",
		"x-webhook-id":        "wh_0123456789",
		"x-bp-configuration":  base64.StdEncoding.EncodeToString([]byte(config)),
	} {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A small order, as orders/create delivers it (most fields left out).
const testOrder = `{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508",` +
	`"confirmation_number":"X7KQ2M9PA","created_at":"2026-01-01T00:00:00-05:00","currency":"USD",` +
	`"current_subtotal_price":"53.10","current_total_discounts":"5.90","current_total_price":"67.82","current_total_tax":"4.72",` +
	`"customer_locale":"en","email":"ada@example.com","financial_status":"pending","fulfillment_status":null,"name":"#1001",` +
	`"order_status_url":"https://chatsim-demo.myshopify.com/73612345678/orders/b1946ac9/authenticate?key=a81f",` +
	`"total_outstanding":"67.82","total_price":"67.82","updated_at":"2026-01-01T00:00:01-05:00",` +
	`"line_items":[{"id":866550311766439020,"title":"Earl Grey Tea","quantity":2,"price":"12.00","sku":"TEA-EG-100"}],` +
	`"total_price_set":{"shop_money":{"amount":"67.82","currency_code":"USD"},"presentment_money":{"amount":"67.82","currency_code":"USD"}}}`
