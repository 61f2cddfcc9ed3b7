package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// FuzzAdminREST drives the Admin REST API and the OAuth token endpoint
// through the fake's own handler, so the parsing exercised is the
// production one. (The fake serves no GraphQL Admin API: graphql.json is
// a 404 like any unknown resource.)

type refuseAll struct{}

func (refuseAll) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("fuzz: no network")
}

// fuzzServer starts a store with a customer (7001000001), a product with
// two variants (8001000001; variants 8101000001 and 8101000002) and an
// open order (5001000001), and a webhook target that is never reached.
func fuzzServer(tb testing.TB) (*Server, *fakes.Journal) {
	tb.Helper()
	j := fakes.NewJournal()
	s, err := Start(WithJournal(j), WithHTTPClient(&http.Client{Transport: refuseAll{}}), WithRetrySchedule())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	_ = s.SetWebhookTarget(context.Background(), "http://127.0.0.1:1/hooks")
	if _, err := s.CreateCustomer(CustomerInput{Email: "ada@example.com", FirstName: "Ada"}); err != nil {
		tb.Fatal(err)
	}
	p, err := s.CreateProduct(ProductInput{Title: "Tea", Variants: []VariantInput{{Title: "Small", Price: "4.50", SKU: "TEA-S"}, {Title: "Large", Price: "6.00"}}})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := s.CreateOrder(OrderInput{Email: "ada@example.com", LineItems: []LineItemInput{{VariantID: p.Variants[0].ID, Quantity: 2}},
		DiscountCodes: []DiscountInput{{Code: "TEN", Amount: "10", Type: "percentage"}}, ShippingLines: []ShippingInput{{Title: "Post", Price: "2.00"}}}); err != nil {
		tb.Fatal(err)
	}
	return s, j
}

var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\b(shopify|json|url|http)\.[A-Z]\w*`)

func checkNoGo(t *testing.T, msg string, input ...string) {
	t.Helper()
	all := strings.Join(input, "\x00")
	for _, w := range goWords.FindAllString(msg, -1) {
		if !strings.Contains(all, w) {
			t.Fatalf("error %q names Go internals (%q)", msg, w)
		}
	}
}

// moneyKey names the fields that hold money as a decimal string.
var moneyKey = regexp.MustCompile(`(^|_)(price|amount|total|tax|discounts?|subtotal|outstanding|received)($|_)`)

// checkMoney walks a resource: every money string must be a non-negative
// decimal with two places, as Shopify writes them.
func checkMoney(t *testing.T, path string, v any) {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && moneyKey.MatchString(k) && !strings.HasSuffix(k, "_url") {
				if !moneyRE.MatchString(s) {
					t.Fatalf("%s/%s = %q, not an amount Shopify would write", path, k, s)
				}
			}
			checkMoney(t, path+"/"+k, e)
		}
	case []any:
		for i, e := range x {
			checkMoney(t, path+"/"+strconv.Itoa(i), e)
		}
	}
}

var moneyRE = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// checkErrors checks an error body: {"errors": "text"} or {"errors":
// {"field": ["text", …]}} (or the OAuth endpoint's {"error", …}), its
// texts non-empty and free of Go.
func checkErrors(t *testing.T, body map[string]json.RawMessage, input ...string) {
	t.Helper()
	var texts []string
	if raw, ok := body["errors"]; ok {
		var s string
		var m map[string][]string
		var single map[string]string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			texts = append(texts, s)
		case json.Unmarshal(raw, &m) == nil:
			for k, v := range m {
				if len(v) == 0 {
					t.Fatalf("errors.%s is empty", k)
				}
				texts = append(texts, v...)
			}
		case json.Unmarshal(raw, &single) == nil:
			for _, v := range single {
				texts = append(texts, v)
			}
		default:
			t.Fatalf("errors %s is neither a string nor field messages", raw)
		}
	} else {
		var code, desc string
		if json.Unmarshal(body["error"], &code) != nil || code == "" || json.Unmarshal(body["error_description"], &desc) != nil {
			t.Fatalf("an error answer without errors: %v", body)
		}
		texts = append(texts, desc)
	}
	for _, s := range texts {
		if strings.TrimSpace(s) == "" {
			t.Fatal("an empty error message")
		}
		checkNoGo(t, s, input...)
	}
}

// FuzzAdminREST sends arbitrary Admin REST requests: a verb, a path under
// /admin/api/<version>/ (or the OAuth token endpoint), a query and a JSON
// body. Every answer must be JSON and never a 5xx; an error must be in
// Shopify's shapes and name no Go types; a resource must carry money as
// Shopify writes it; a created or updated resource must read back the
// same with GET; and the journal must be JSON.
func FuzzAdminREST(f *testing.F) {
	v := DefaultAPIVersion
	b := func(s string) []byte { return []byte(s) }
	// As go-shopify and @shopify/shopify-api send them.
	f.Add("GET", v+"/orders.json", "status=any&limit=50&fields=id,name,total_price", true, []byte(nil))
	f.Add("GET", v+"/orders/5001000001.json", "", true, []byte(nil))
	f.Add("GET", v+"/products.json", "page_info=eyJkaXJlY3Rpb24iOiJuZXh0IiwibGFzdF9pZCI6MSwibGFzdF92YWx1ZSI6IjEifQ&limit=1", true, []byte(nil))
	f.Add("GET", v+"/customers/count.json", "created_at_min=2026-01-01T00:00:00Z", true, []byte(nil))
	f.Add("POST", v+"/orders.json", "", true, b(`{"order":{"email":"bob@example.com","line_items":[{"variant_id":8101000002,"quantity":3},{"title":"Gift wrap","price":"1.50"}],"financial_status":"paid","discount_codes":[{"code":"FIVE","amount":"5.00","type":"fixed_amount"}],"shipping_lines":[{"title":"Express","price":12.5}],"tax_rate":0.2}}`))
	f.Add("POST", v+"/customers.json", "", true, b(`{"customer":{"first_name":"Bob","email":"bob@example.com","addresses":[{"address1":"1 Main St","city":"Ottawa","country":"Canada"}]}}`))
	f.Add("POST", v+"/products.json", "", true, b(`{"product":{"title":"Coffee","vendor":"chatsim","status":"draft","variants":[{"option1":"Beans","price":"12.00","inventory_quantity":10}]}}`))
	f.Add("PUT", v+"/products/8001000001.json", "", true, b(`{"product":{"title":"Green tea"}}`))
	f.Add("PUT", v+"/orders/5001000001.json", "", true, b(`{"order":{"note":"leave at the door","tags":"vip"}}`))
	f.Add("PUT", v+"/customers/7001000001.json", "", true, b(`{"customer":{"tags":"regular"}}`))
	f.Add("POST", v+"/orders/5001000001/cancel.json", "", true, b(`{"reason":"customer"}`))
	f.Add("POST", v+"/orders/5001000001/close.json", "", true, b(``))
	f.Add("POST", v+"/webhooks.json", "", true, b(`{"webhook":{"topic":"orders/create","address":"https://example.com/hooks","format":"json","fields":["id","name"]}}`))
	f.Add("DELETE", v+"/products/8001000001.json", "", true, []byte(nil))
	f.Add("GET", v+"/shop.json", "fields=name,domain", false, []byte(nil))
	f.Add("POST", v+"/graphql.json", "", true, b(`{"query":"{ shop { name } }"}`))
	f.Add("POST", "oauth/access_token", "", false, b(`{"client_id":"`+DefaultAPIKey+`","client_secret":"`+DefaultAPISecret+`","code":"x"}`))
	f.Fuzz(func(t *testing.T, verb, path, query string, authed bool, body []byte) {
		switch verb {
		case "GET", "POST", "PUT", "DELETE":
		default:
			return
		}
		if strings.ContainsAny(path, "?#% \t\r\n") || strings.ContainsAny(query, "#\r\n") {
			return // not a request line a client can send
		}
		s, j := fuzzServer(t)
		target := "/admin/api/" + path
		if strings.HasPrefix(path, "oauth/") {
			target = "/admin/" + path
		}
		if query != "" {
			target += "?" + query
		}
		req, err := http.NewRequest(verb, target, bytes.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/json")
		if authed {
			req.Header.Set("X-Shopify-Access-Token", s.AccessToken())
		}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		input := []string{path, query, string(body)}
		res := checkAnswer(t, rec, input...)
		if rec.Code == http.StatusOK || rec.Code == http.StatusCreated {
			checkMoney(t, path, res)
			if verb == "POST" || verb == "PUT" {
				readBack(t, s, path, rec.Body.Bytes())
			}
		}
		for _, o := range j.Observations() {
			if _, err := json.Marshal(o.Data); err != nil {
				t.Fatalf("journal %s %s: data is not JSON: %v", o.Kind, o.Text, err)
			}
		}
	})
}

// checkAnswer checks the status and shape of any answer and returns it
// decoded.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, input ...string) any {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d for a client's request: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var v any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("answer is not JSON: %v: %s", err, rec.Body)
	}
	if rec.Code >= 400 {
		var body map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("error answer is not an object: %s", rec.Body)
		}
		checkErrors(t, body, input...)
	}
	return v
}

// readBack GETs the resource a POST or PUT answered with and wants the
// same object.
func readBack(t *testing.T, s *Server, path string, answer []byte) {
	t.Helper()
	var top map[string]json.RawMessage
	if json.Unmarshal(answer, &top) != nil || len(top) != 1 {
		return
	}
	for root, raw := range top {
		var id struct {
			ID int64 `json:"id"`
		}
		if json.Unmarshal(raw, &id) != nil || id.ID == 0 {
			return
		}
		version, _, _ := strings.Cut(path, "/")
		req := httptest.NewRequest("GET", fmt.Sprintf("/admin/api/%s/%ss/%d.json", version, root, id.ID), nil)
		req.Header.Set("X-Shopify-Access-Token", s.AccessToken())
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %d answered, but GET says %d %s", root, id.ID, rec.Code, rec.Body)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if fakes.CanonicalJSON(got[root]) != fakes.CanonicalJSON(raw) {
			t.Fatalf("%s %d answered\n%s\nbut reads back\n%s", root, id.ID, raw, got[root])
		}
	}
}

// FuzzVerifyCallback checks the OAuth callback's hmac: SignedQuery must
// be a form encoding that reads back as the parameters it signs (hmac and
// signature left out), the query signed with the app's secret must pass
// VerifyCallback, and changing any value or the hmac must fail it.
func FuzzVerifyCallback(f *testing.F) {
	// As Shopify redirects to an app after install.
	f.Add("hush", "code=0907a61c0c8d55e99db179b68161bc00&host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvcXVpY2tzdGFydC0xMjM&shop=chatsim-demo.myshopify.com&state=0.6784241404160823&timestamp=1337178173")
	f.Add("hush", "shop=a.myshopify.com&state=%7E%2A+x%26y%3Dz&timestamp=1")
	f.Add("", "a=1&a=2&signature=s&b=")
	f.Fuzz(func(t *testing.T, secret, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		params := map[string]string{}
		for k, v := range q {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		signed := SignedQuery(params)
		back, err := url.ParseQuery(signed)
		if err != nil {
			t.Fatalf("SignedQuery %q is not a form: %v", signed, err)
		}
		for k, v := range params {
			if k == "hmac" || k == "signature" {
				if back.Has(k) {
					t.Fatalf("SignedQuery %q signs %s", signed, k)
				}
				continue
			}
			if got := back[k]; len(got) != 1 || got[0] != v {
				t.Fatalf("SignedQuery %q reads back %s=%q, want %q", signed, k, got, v)
			}
		}
		if len(back) > len(params) {
			t.Fatalf("SignedQuery %q has more than %v", signed, params)
		}
		s := &Server{cfg: config{secret: secret}}
		mac := fakes.HMACSHA256Hex([]byte(secret), []byte(signed))
		q.Set("hmac", mac)
		if !s.VerifyCallback(q) {
			t.Fatalf("VerifyCallback refuses %v signed %s", q, mac)
		}
		for k := range q {
			if k == "hmac" || k == "signature" { // not signed: Shopify leaves both out
				continue
			}
			changed := url.Values{}
			for k2, v := range q {
				changed[k2] = append([]string(nil), v...)
			}
			changed[k][0] += "x"
			if s.VerifyCallback(changed) {
				t.Fatalf("VerifyCallback passes %v with %s changed", changed, k)
			}
		}
		q.Set("hmac", strings.ToUpper(mac)+"0")
		if s.VerifyCallback(q) {
			t.Fatal("VerifyCallback passes a wrong hmac")
		}
	})
}
