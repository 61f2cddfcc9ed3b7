package shopify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

// nodeDir holds validate.mjs and the pinned @shopify/shopify-api.
const nodeDir = "testdata/node"

// npmOnce installs the Node dependencies once per test binary; tests that
// need them call nodeReady.
var npmOnce = sync.OnceValues(func() ([]byte, error) {
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "@shopify", "shopify-api")); err == nil {
		return nil, nil
	}
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = nodeDir
	return cmd.CombinedOutput()
})

func nodeReady(tb testing.TB) {
	tb.Helper()
	for _, bin := range []string{"node", "npm"} {
		if _, err := exec.LookPath(bin); err != nil {
			tb.Fatalf("%s is needed to validate deliveries with @shopify/shopify-api: %v", bin, err)
		}
	}
	if out, err := npmOnce(); err != nil {
		tb.Fatalf("npm ci in %s: %v\n%s", nodeDir, err, out)
	}
}

// runNode feeds inputs to validate.mjs and returns its results in order.
func runNode(tb testing.TB, inputs []map[string]any) []map[string]any {
	tb.Helper()
	nodeReady(tb)
	in, err := json.Marshal(inputs)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "validate.mjs")
	cmd.Dir = nodeDir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node validate.mjs: %v\n%s", err, stderr.String())
	}
	var results []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			tb.Fatalf("node output %q: %v", line, err)
		}
		results = append(results, m)
	}
	if len(results) != len(inputs) {
		tb.Fatalf("node gave %d results for %d inputs", len(results), len(inputs))
	}
	return results
}

func headerMap(h http.Header) map[string]string {
	m := map[string]string{}
	for k := range h {
		m[k] = h.Get(k)
	}
	return m
}

// TestShopifyLibraryValidatesEveryDelivery makes one delivery of every
// kind the fake makes (every topic, a retry, duplicates, a subscription
// with a fields filter, a replay) and has @shopify/shopify-api's
// webhooks.validate judge each; a delivery signed with another secret must
// fail. It needs node and npm, and fails (never skips) without them: CI
// installs them (.ci/run).
func TestShopifyLibraryValidatesEveryDelivery(t *testing.T) {
	t.Parallel()
	var declared []string
	for _, topic := range shopify.Topics() {
		if !strings.Contains("customers/data_request customers/redact shop/redact", topic) {
			declared = append(declared, topic)
		}
	}
	w := newWorld(t, shopify.WithTopics(declared...))
	srv := w.srv
	// The first delivery fails once, so its retry is judged too, and every
	// successful delivery comes twice (the duplicates knob): a retry and a
	// duplicate carry the first attempt's ids and must validate as well.
	w.recv.answer(http.StatusInternalServerError)
	srv.SetKnobs(shopify.Knobs{Duplicate: true})
	// A subscription made through the Admin API, with a fields filter.
	resp, body := api(t, srv, "POST", "/admin/api/2025-04/webhooks.json", srv.AccessToken(), map[string]any{
		"webhook": map[string]any{"topic": "orders/create", "address": w.recv.url, "fields": []string{"id", "name", "total_price"}}})
	if resp.StatusCode != 201 {
		t.Fatalf("subscribe: %d %s", resp.StatusCode, body)
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c, err := srv.CreateCustomer(shopify.CustomerInput{Email: "ada@example.com", FirstName: "Ada", LastName: "Lovelace"})
	must(c, err)
	must(srv.UpdateCustomer(c.ID, shopify.CustomerInput{Phone: "+15555550100"}))
	vid := tea(t, srv)
	p, err := srv.CreateProduct(shopify.ProductInput{Title: "Mug", Variants: []shopify.VariantInput{{Price: "9.99"}}})
	must(p, err)
	must(srv.UpdateProduct(p.ID, shopify.ProductInput{Title: "Big Mug"}))
	o, err := srv.CreateOrder(shopify.OrderInput{Customer: &shopify.CustomerInput{ID: c.ID}, FinancialStatus: "paid",
		LineItems: []shopify.LineItemInput{{VariantID: vid}}})
	must(o, err)
	must(srv.FulfillOrder(o.ID, shopify.FulfillInput{TrackingNumber: "1Z999"}))
	o2, err := srv.CreateOrder(shopify.OrderInput{Email: "grace@example.com", LineItems: []shopify.LineItemInput{{Title: "Gift", Price: "3"}}})
	must(o2, err)
	must(srv.CancelOrder(o2.ID, "customer"))
	must(nil, srv.DeleteProduct(p.ID))
	must(nil, srv.RequestCompliance("customers/data_request", c.ID))
	must(nil, srv.RequestCompliance("customers/redact", c.ID))
	must(nil, srv.RequestCompliance("shop/redact", 0))
	must(srv.Replay(context.Background(), fakes.Delivery{Kind: "orders/updated", Body: []byte(`{"id":820982911946154508,"name":"#9999","total_price":"1.00"}`),
		Header: http.Header{"X-Shopify-Webhook-Id": {"b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}, "X-Shopify-Hmac-Sha256": {"recorded-and-stale"}}}))
	must(nil, srv.Uninstall())
	w.settle(t)

	seen := w.recv.got()
	var retried, duplicated bool
	for _, d := range srv.Deliveries() {
		retried = retried || d.Attempt > 1
		duplicated = duplicated || d.Duplicate
	}
	if !retried || !duplicated {
		t.Fatalf("retried %v, duplicated %v: want both among the deliveries judged", retried, duplicated)
	}
	topics := map[string]bool{}
	var inputs []map[string]any
	for _, g := range seen {
		topics[g.topic()] = true
		inputs = append(inputs, map[string]any{"secret": shopify.DefaultAPISecret, "headers": headerMap(g.Header), "body": string(g.Body)})
	}
	var missing []string
	for _, topic := range shopify.Topics() {
		if !topics[topic] {
			missing = append(missing, topic)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("no delivery of %v", missing)
	}
	// The same delivery judged under another secret must fail.
	inputs = append(inputs, map[string]any{"secret": "shpss_someone_else", "headers": headerMap(seen[0].Header), "body": string(seen[0].Body)})
	results := runNode(t, inputs)
	for i, r := range results[:len(seen)] {
		if r["valid"] != true {
			t.Errorf("%s delivery %d: @shopify/shopify-api says %v", seen[i].topic(), i, r)
			continue
		}
		if r["topic"] != strings.ToUpper(strings.ReplaceAll(seen[i].topic(), "/", "_")) || r["domain"] != shopify.DefaultShopDomain ||
			r["webhookId"] != seen[i].Header.Get("X-Shopify-Webhook-Id") || r["eventId"] != seen[i].Header.Get("X-Shopify-Event-Id") {
			t.Errorf("%s: library read %v", seen[i].topic(), r)
		}
	}
	if last := results[len(results)-1]; last["valid"] != false || last["reason"] != "invalid_hmac" {
		t.Errorf("another secret: %v, want invalid_hmac", last)
	}
	var list []string
	for k := range topics {
		list = append(list, k)
	}
	sort.Strings(list)
	t.Logf("validated %d deliveries: %s", len(seen), strings.Join(list, " "))
}

// TestShopifyLibraryValidatesOAuthCallback runs the install flow on a real
// clock (the library checks the timestamp against the time) and has
// shopify.utils.validateHmac judge the callback query, and a tampered one.
func TestShopifyLibraryValidatesOAuthCallback(t *testing.T) {
	t.Parallel()
	srv := shopify.New(t, shopify.WithClock(fakes.RealClock{}))
	q := authorize(t, srv, url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders"},
		"redirect_uri": {"https://app.example/auth/callback"}, "state": {"nonce 1/2+3"}})
	query := map[string]any{}
	for k := range q {
		query[k] = q.Get(k)
	}
	tampered := map[string]any{}
	for k, v := range query {
		tampered[k] = v
	}
	tampered["shop"] = "evil.myshopify.com"
	res := runNode(t, []map[string]any{
		{"secret": srv.APISecret(), "oauth_query": query},
		{"secret": srv.APISecret(), "oauth_query": tampered},
	})
	if res[0]["valid"] != true || res[1]["valid"] != false {
		t.Fatalf("validateHmac = %v, %v; want true, false", res[0], res[1])
	}
	if !slices.Contains([]string{"nonce 1/2+3"}, q.Get("state")) {
		t.Errorf("state not passed through: %q", q.Get("state"))
	}
}
