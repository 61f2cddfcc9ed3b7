package shopify_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/shopify"
)

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize runs the authorize step and returns the callback's query.
func authorize(tb testing.TB, srv *shopify.Server, q url.Values) url.Values {
	tb.Helper()
	resp, err := noRedirect.Get(srv.URL() + "/admin/oauth/authorize?" + q.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	b := readAll(tb, resp)
	if resp.StatusCode != http.StatusFound {
		tb.Fatalf("authorize = %d %s", resp.StatusCode, b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		tb.Fatal(err)
	}
	if want := q.Get("redirect_uri"); !strings.HasPrefix(loc.String(), want+"?") {
		tb.Fatalf("redirected to %s, want %s", loc, want)
	}
	return loc.Query()
}

func exchange(tb testing.TB, srv *shopify.Server, form bool, id, secret, code string) (int, map[string]any) {
	tb.Helper()
	var resp *http.Response
	var err error
	if form {
		resp, err = http.PostForm(srv.URL()+"/admin/oauth/access_token", url.Values{"client_id": {id}, "client_secret": {secret}, "code": {code}})
	} else {
		b, _ := json.Marshal(map[string]string{"client_id": id, "client_secret": secret, "code": code})
		resp, err = http.Post(srv.URL()+"/admin/oauth/access_token", "application/json", strings.NewReader(string(b)))
	}
	if err != nil {
		tb.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(readAll(tb, resp), &m); err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, m
}

func TestOAuthInstallFlow(t *testing.T) {
	t.Parallel()
	w := newWorld(t, shopify.WithRedirectURIs("https://app.example/auth/"))
	srv := w.srv
	q := authorize(t, srv, url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders,write_products"},
		"redirect_uri": {"https://app.example/auth/callback"}, "state": {"xyz-123"}})
	for _, k := range []string{"code", "hmac", "host", "shop", "state", "timestamp"} {
		if q.Get(k) == "" {
			t.Errorf("callback lacks %s: %v", k, q)
		}
	}
	if q.Get("shop") != shopify.DefaultShopDomain || q.Get("state") != "xyz-123" || q.Get("timestamp") != "1767225600" {
		t.Errorf("callback = %v", q)
	}
	// The hmac is the hex HMAC-SHA256 of the other parameters, sorted.
	signed := "code=" + q.Get("code") + "&host=" + q.Get("host") + "&shop=" + q.Get("shop") + "&state=xyz-123&timestamp=" + q.Get("timestamp")
	if want := fakes.HMACSHA256Hex([]byte(srv.APISecret()), []byte(signed)); q.Get("hmac") != want {
		t.Errorf("hmac = %s, want %s", q.Get("hmac"), want)
	}
	if !srv.VerifyCallback(q) {
		t.Error("VerifyCallback rejects the real callback")
	}
	tampered := url.Values{}
	for k, v := range q {
		tampered[k] = v
	}
	tampered.Set("hmac", strings.Repeat("0", 64))
	if srv.VerifyCallback(tampered) {
		t.Error("VerifyCallback accepts a tampered hmac")
	}
	tampered = url.Values{}
	for k, v := range q {
		tampered[k] = v
	}
	tampered.Set("shop", "evil.myshopify.com")
	if srv.VerifyCallback(tampered) {
		t.Error("VerifyCallback accepts a tampered shop")
	}

	status, tok := exchange(t, srv, false, srv.APIKey(), srv.APISecret(), q.Get("code"))
	if status != 200 || !strings.HasPrefix(tok["access_token"].(string), "shpua_") || tok["scope"] != "read_orders,write_products" {
		t.Fatalf("exchange = %d %v", status, tok)
	}
	status, again := exchange(t, srv, true, srv.APIKey(), srv.APISecret(), q.Get("code"))
	if status != 400 || again["error"] != "invalid_request" {
		t.Errorf("reused code = %d %v, want 400 invalid_request", status, again)
	}
	access := tok["access_token"].(string)
	if r, b := api(t, srv, "GET", "/admin/api/2025-01/orders.json", access, nil); r.StatusCode != 200 {
		t.Errorf("orders with the new token = %d %s", r.StatusCode, b)
	}
	if r, b := api(t, srv, "GET", "/admin/api/2025-01/customers.json", access, nil); r.StatusCode != 403 ||
		string(b) != `{"errors":"[API] This action requires merchant approval for read_customers scope."}` {
		t.Errorf("customers without the scope = %d %s", r.StatusCode, b)
	}

	q2 := authorize(t, srv, url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders"}, "redirect_uri": {"https://app.example/auth/callback"}})
	if status, m := exchange(t, srv, true, srv.APIKey(), "wrong-secret", q2.Get("code")); status != 400 || m["error"] != "invalid_client" {
		t.Errorf("wrong secret = %d %v", status, m)
	}

	bad := []struct {
		name string
		q    url.Values
		want string
	}{
		{"unknown client", url.Values{"client_id": {"nope"}, "scope": {"read_orders"}, "redirect_uri": {"https://app.example/auth/callback"}}, "application_cannot_be_found"},
		{"redirect not allowed", url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders"}, "redirect_uri": {"https://evil.example/cb"}}, "The redirect_uri is not whitelisted"},
		{"bad scope", url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders,eat_cake"}, "redirect_uri": {"https://app.example/auth/callback"}}, "invalid_scope"},
	}
	for _, tt := range bad {
		resp, err := noRedirect.Get(srv.URL() + "/admin/oauth/authorize?" + tt.q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		b := readAll(t, resp)
		if resp.StatusCode != 400 || !strings.Contains(string(b), tt.want) {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, b)
		}
	}
}

func TestUninstallRevokesAndReinstalls(t *testing.T) {
	t.Parallel()
	w := newWorld(t, shopify.WithTopics("app/uninstalled"))
	srv := w.srv
	if code, _ := control(t, srv, "POST", "uninstall", nil); code != 200 {
		t.Fatalf("uninstall = %d", code)
	}
	w.settle(t)
	seen := w.recv.got()
	if len(seen) != 1 || seen[0].topic() != "app/uninstalled" || seen[0].object(t)["myshopify_domain"] != shopify.DefaultShopDomain {
		t.Fatalf("deliveries = %v", w.recv.topics())
	}
	if r, _ := api(t, srv, "GET", "/admin/api/2025-01/shop.json", srv.AccessToken(), nil); r.StatusCode != 401 {
		t.Errorf("after uninstall the token still works: %d", r.StatusCode)
	}
	if code, _ := control(t, srv, "POST", "uninstall", nil); code != 409 {
		t.Errorf("uninstall twice = %d, want 409", code)
	}
	q := authorize(t, srv, url.Values{"client_id": {srv.APIKey()}, "scope": {"read_orders"}, "redirect_uri": {"https://app.example/cb"}})
	_, tok := exchange(t, srv, false, srv.APIKey(), srv.APISecret(), q.Get("code"))
	if r, b := api(t, srv, "GET", "/admin/api/2025-01/shop.json", tok["access_token"].(string), nil); r.StatusCode != 200 ||
		!strings.Contains(string(b), `"myshopify_domain":"chatsim-demo.myshopify.com"`) {
		t.Errorf("shop after reinstall = %d %s", r.StatusCode, b)
	}
	if !srv.Installed() {
		t.Error("not installed after the OAuth exchange")
	}
}
