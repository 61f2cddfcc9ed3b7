package shopify

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// grant is an authorization code handed to the app's callback.
type grant struct {
	code        string
	scopes      []string
	redirectURI string
	perUser     bool
	used        bool
}

// scopeRE matches an access scope: read_orders, write_products,
// unauthenticated_read_product_listings, …
var scopeRE = regexp.MustCompile(`^(unauthenticated_)?(read|write)_[a-z_]+$`)

// serveOAuth serves /admin/oauth/authorize and /admin/oauth/access_token.
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/admin/oauth/authorize":
		if r.Method != http.MethodGet {
			writeErrors(w, http.StatusNotFound, "Not Found")
			return
		}
		s.authorize(w, r)
	case "/admin/oauth/access_token":
		if r.Method != http.MethodPost {
			writeErrors(w, http.StatusNotFound, "Not Found")
			return
		}
		s.accessToken(w, r)
	default:
		writeErrors(w, http.StatusNotFound, "Not Found")
	}
}

// oauthPage answers the authorize step's errors as Shopify does: an HTML
// page saying "Oauth error <code>: <text>".
func (s *Server) oauthPage(w http.ResponseWriter, status int, code, text string, q url.Values) {
	msg := "Oauth error " + code + ": " + text
	s.record(fakes.ClassCall, "GET oauth/authorize", q.Encode()+" → "+strconv.Itoa(status)+" "+msg, map[string]any{"status": status, "error": code})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Shopify</title></head><body><h1>%s</h1></body></html>\n", htmlEscape(msg))
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// authorize is the merchant approving the install: it checks client_id,
// scope and redirect_uri and redirects to the app's callback with code,
// hmac, host, shop, state and timestamp.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.cfg.apiKey {
		s.oauthPage(w, http.StatusBadRequest, "application_cannot_be_found", "Unable to find an application with the client_id "+q.Get("client_id"), q)
		return
	}
	var scopes []string
	for _, sc := range strings.Split(q.Get("scope"), ",") {
		sc = strings.TrimSpace(sc)
		if sc == "" {
			continue
		}
		if !scopeRE.MatchString(sc) {
			s.oauthPage(w, http.StatusBadRequest, "invalid_scope", "The access scope is invalid: "+sc, q)
			return
		}
		scopes = append(scopes, sc)
	}
	redirect := q.Get("redirect_uri")
	if !s.redirectAllowed(redirect) {
		s.oauthPage(w, http.StatusBadRequest, "invalid_request", "The redirect_uri is not whitelisted", q)
		return
	}
	perUser := false
	for _, g := range q["grant_options[]"] {
		if g == "per-user" {
			perUser = true
		}
	}
	s.mu.Lock()
	s.uuidSeq++
	code := hashHex(fmt.Sprintf("%s/code/%d", s.cfg.domain, s.uuidSeq), 32)
	s.grants[code] = &grant{code: code, scopes: scopes, redirectURI: redirect, perUser: perUser}
	params := map[string]string{
		"code":      code,
		"host":      s.Host(),
		"shop":      s.cfg.domain,
		"timestamp": strconv.FormatInt(s.now().Unix(), 10),
	}
	if q.Has("state") {
		params["state"] = q.Get("state")
	}
	s.mu.Unlock()
	params["hmac"] = fakes.HMACSHA256Hex([]byte(s.cfg.secret), []byte(SignedQuery(params)))
	u, _ := url.Parse(redirect)
	v := u.Query()
	for k, p := range params {
		v.Set(k, p)
	}
	u.RawQuery = v.Encode()
	s.record(fakes.ClassCall, "GET oauth/authorize", q.Encode()+" → 302 code="+code, map[string]any{"status": http.StatusFound, "scopes": scopes})
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// Host returns the host parameter Shopify gives an app: the base64 of
// "admin.shopify.com/store/<shop name>", without padding.
func (s *Server) Host() string {
	name := strings.TrimSuffix(s.cfg.domain, ".myshopify.com")
	return base64.RawStdEncoding.EncodeToString([]byte("admin.shopify.com/store/" + name))
}

func (s *Server) redirectAllowed(u string) bool {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return false
	}
	if len(s.cfg.redirects) == 0 {
		return true
	}
	for _, allowed := range s.cfg.redirects {
		if strings.HasPrefix(u, allowed) {
			return true
		}
	}
	return false
}

// SignedQuery is the message Shopify's OAuth hmac signs: every parameter
// but hmac and signature, sorted by name, form-encoded as a browser's
// URLSearchParams does and joined with &. The hmac is its hex
// HMAC-SHA256 under the app's secret.
func SignedQuery(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, formEscape(k)+"="+formEscape(params[k]))
	}
	return strings.Join(parts, "&")
}

// formEscape encodes as application/x-www-form-urlencoded does in a
// browser: letters, digits and *-._ stay, space is +, the rest %XX.
func formEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '*', c == '-', c == '.', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// VerifyCallback checks an OAuth callback query as an app does: the hmac
// over the other parameters with the app's secret.
func (s *Server) VerifyCallback(q url.Values) bool {
	params := map[string]string{}
	for k, v := range q {
		if len(v) > 0 {
			params[k] = v[0]
		}
	}
	want := fakes.HMACSHA256Hex([]byte(s.cfg.secret), []byte(SignedQuery(params)))
	return q.Get("hmac") != "" && q.Get("hmac") == want
}

// accessToken exchanges an authorization code (single use) for an access
// token, given the app's client id and secret as JSON or a form.
func (s *Server) accessToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
	if err != nil {
		writeBody(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "unreadable body"})
		return
	}
	var in struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
		Code         string `json:"code"`
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		if err := json.Unmarshal(body, &in); err != nil {
			s.tokenError(w, "invalid_request", "The request body is not valid JSON")
			return
		}
	} else {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			s.tokenError(w, "invalid_request", "The request body is not a valid form")
			return
		}
		for k, v := range r.URL.Query() {
			if !form.Has(k) {
				form[k] = v
			}
		}
		in.ClientID, in.ClientSecret, in.Code = form.Get("client_id"), form.Get("client_secret"), form.Get("code")
	}
	switch {
	case in.ClientID == "" || in.ClientSecret == "" || in.Code == "":
		s.tokenError(w, "invalid_request", "client_id, client_secret and code are required")
		return
	case in.ClientID != s.cfg.apiKey || in.ClientSecret != s.cfg.secret:
		s.tokenError(w, "invalid_client", "Client credentials are invalid")
		return
	}
	s.mu.Lock()
	g := s.grants[in.Code]
	if g == nil || g.used {
		s.mu.Unlock()
		s.tokenError(w, "invalid_request", "The authorization code was not found or was already used")
		return
	}
	g.used = true
	s.uuidSeq++
	value := "shpua_" + hashHex(fmt.Sprintf("%s/token/%d", s.cfg.domain, s.uuidSeq), 32)
	s.tokens[value] = &token{value: value, scopes: g.scopes}
	s.installed = true
	scope := strings.Join(g.scopes, ",")
	s.mu.Unlock()
	out := map[string]any{"access_token": value, "scope": scope}
	if g.perUser {
		out["expires_in"] = 86399
		out["associated_user_scope"] = scope
		out["associated_user"] = map[string]any{"id": 90201000001, "first_name": "Chatsim", "last_name": "Owner",
			"email": s.shop.Email, "email_verified": true, "account_owner": true, "locale": "en", "collaborator": false}
	}
	s.record(fakes.ClassCall, "POST oauth/access_token", "code="+in.Code+" → 200 scope="+scope, map[string]any{"status": 200, "scope": scope})
	writeBody(w, http.StatusOK, out)
}

func (s *Server) tokenError(w http.ResponseWriter, code, desc string) {
	s.record(fakes.ClassCall, "POST oauth/access_token", "→ 400 "+code+": "+desc, map[string]any{"status": 400, "error": code})
	writeBody(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}
