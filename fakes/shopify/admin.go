package shopify

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Shopify's words for its errors.
const (
	msgInvalidToken = "[API] Invalid API key or access token (unrecognized login or wrong password)"
	msgThrottled    = "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
	paginationDoc   = "See https://shopify.dev/api/usage/pagination-rest for more information."
)

// writeErrors answers {"errors": v} with status, as the Admin API does.
func writeErrors(w http.ResponseWriter, status int, v any) {
	writeBody(w, status, map[string]any{"errors": v})
}

func writeBody(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"errors":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// bucket is the leaky bucket of one access token: BucketSize calls,
// leaking LeakRate a second on the Server's clock.
type bucket struct {
	level float64
	at    time.Time
}

// take lets one call in if there is room and returns the level to report.
func (b *bucket) take(now time.Time) (ok bool, used int) {
	if !b.at.IsZero() && now.After(b.at) {
		b.level = math.Max(0, b.level-now.Sub(b.at).Seconds()*LeakRate)
	}
	b.at = now
	if b.level+1 > BucketSize {
		return false, BucketSize
	}
	b.level++
	return true, int(math.Ceil(b.level - 1e-9))
}

// versionRE matches Shopify's quarterly release names.
var versionRE = regexp.MustCompile(`^[0-9]{4}-(01|04|07|10)$`)

func datedVersion(v string) bool { return versionRE.MatchString(v) }

// effectiveVersion returns the version a request to /admin/api/<v>/ is
// served with: a supported one as is, any other quarterly version as the
// oldest supported one (Shopify falls forward), and "" for what is not a
// version at all (404).
func (s *Server) effectiveVersion(v string) string {
	oldest := ""
	for _, sv := range s.cfg.versions {
		if sv == v {
			return v
		}
		if sv != "unstable" && (oldest == "" || sv < oldest) {
			oldest = sv
		}
	}
	if versionRE.MatchString(v) {
		return oldest
	}
	return ""
}

// apiCall is one Admin API request being served.
type apiCall struct {
	w       http.ResponseWriter
	r       *http.Request
	version string
	path    string // after /admin/api/<v>/, such as "orders/123.json"
	kind    string // "GET orders/123.json"
	tok     *token
	body    []byte
	status  int
	summary string
	data    map[string]any
}

func (c *apiCall) reply(status int, v any, summary string) {
	c.status, c.summary = status, summary
	writeBody(c.w, status, v)
}

func (c *apiCall) fail(status int, errs any) {
	c.status = status
	if s, ok := errs.(string); ok {
		c.summary = s
	} else {
		c.summary = fakes.CanonicalJSON(mustJSON(errs))
	}
	writeErrors(c.w, status, errs)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// serveAdmin serves /admin/api/<version>/<resource>.json.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/admin/api/")
	v, path, ok := strings.Cut(rest, "/")
	eff := s.effectiveVersion(v)
	if !ok || eff == "" || path == "" {
		writeErrors(w, http.StatusNotFound, "Not Found")
		return
	}
	c := &apiCall{w: w, r: r, version: eff, path: path, kind: r.Method + " " + path, data: map[string]any{}}
	w.Header().Set("X-Shopify-API-Version", eff)
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
	if err != nil {
		writeErrors(w, http.StatusBadRequest, "Bad Request")
		return
	}
	c.body = body
	defer s.recordCall(c)

	s.mu.Lock()
	tok := s.tokens[r.Header.Get("X-Shopify-Access-Token")]
	if tok == nil {
		s.mu.Unlock()
		c.fail(http.StatusUnauthorized, msgInvalidToken)
		return
	}
	c.tok = tok
	ok, used := tok.bucket.take(s.now())
	s.mu.Unlock()
	w.Header().Set("X-Shopify-Shop-Api-Call-Limit", fmt.Sprintf("%d/%d", used, BucketSize))
	c.data["call_limit"] = fmt.Sprintf("%d/%d", used, BucketSize)
	if !ok {
		w.Header().Set("Retry-After", "2.0")
		c.fail(http.StatusTooManyRequests, msgThrottled)
		return
	}
	if f, hit := s.takeFault(c); hit {
		if f.Status != 0 {
			msg := f.Message
			if msg == "" {
				msg = http.StatusText(f.Status)
			}
			if f.Status == http.StatusTooManyRequests {
				ra := f.RetryAfter
				if ra <= 0 {
					ra = 2
				}
				w.Header().Set("Retry-After", strconv.FormatFloat(ra, 'f', 1, 64))
				if f.Message == "" {
					msg = msgThrottled
				}
			}
			c.fail(f.Status, msg)
			return
		}
	}
	s.route(c)
}

// takeFault applies an injected fault: by the call's kind, its route, its
// resource or "*".
func (s *Server) takeFault(c *apiCall) (fakes.Fault, bool) {
	if f, ok := s.faults.Take(c.kind); ok {
		return s.delayFault(c, f), true
	}
	res, _, _ := strings.Cut(strings.TrimSuffix(c.path, ".json"), "/")
	if f, ok := s.faults.Take(res); ok {
		return s.delayFault(c, f), true
	}
	return fakes.Fault{}, false
}

func (s *Server) delayFault(c *apiCall, f fakes.Fault) fakes.Fault {
	_ = s.cfg.clock.Sleep(c.r.Context(), time.Duration(f.Delay))
	return f
}

// recordCall journals one Admin API call: Kind "GET orders.json", Text
// the sorted query, the canonical body and the answer.
func (s *Server) recordCall(c *apiCall) {
	var parts []string
	if q := c.r.URL.Query(); len(q) > 0 {
		parts = append(parts, plainQuery(q))
	}
	if len(strings.TrimSpace(string(c.body))) > 0 {
		parts = append(parts, fakes.CanonicalJSON(c.body))
	}
	ans := fmt.Sprintf("→ %d", c.status)
	if c.summary != "" {
		ans += " " + c.summary
	}
	parts = append(parts, ans)
	c.data["status"] = c.status
	c.data["version"] = c.version
	s.record(fakes.ClassCall, c.kind, strings.Join(parts, " "), c.data)
}

// plainQuery renders a query for the journal: keys sorted, values as
// given, "fields=id,name&limit=5".
func plainQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range q[k] {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, "&")
}

var idPathRE = regexp.MustCompile(`^([a-z_]+)/([0-9]+)(?:/([a-z_]+))?\.json$`)

// route dispatches an authorised call to its resource.
func (s *Server) route(c *apiCall) {
	m := c.r.Method
	switch c.path {
	case "shop.json":
		if m == http.MethodGet {
			s.mu.Lock()
			shop := s.shop
			s.mu.Unlock()
			c.reply(http.StatusOK, map[string]any{"shop": filterFields(shop, c.r.URL.Query().Get("fields"))}, "shop "+shop.MyshopifyDomain)
			return
		}
	case "orders.json", "customers.json", "products.json", "webhooks.json":
		res := strings.TrimSuffix(c.path, ".json")
		if !s.scoped(c, res, m != http.MethodGet) {
			return
		}
		switch m {
		case http.MethodGet:
			s.list(c, res)
			return
		case http.MethodPost:
			s.create(c, res)
			return
		}
	case "orders/count.json", "customers/count.json", "products/count.json", "webhooks/count.json":
		res, _, _ := strings.Cut(c.path, "/")
		if !s.scoped(c, res, false) {
			return
		}
		if m == http.MethodGet {
			s.count(c, res)
			return
		}
	default:
		sm := idPathRE.FindStringSubmatch(c.path)
		if sm == nil {
			break
		}
		res, action := sm[1], sm[3]
		id, err := strconv.ParseInt(sm[2], 10, 64)
		if err != nil {
			break
		}
		switch res {
		case "orders", "customers", "products", "webhooks":
		default:
			c.fail(http.StatusNotFound, "Not Found")
			return
		}
		if !s.scoped(c, res, m != http.MethodGet) {
			return
		}
		if action != "" {
			if res == "orders" && m == http.MethodPost && (action == "close" || action == "open" || action == "cancel") {
				s.orderAction(c, id, action)
				return
			}
			break
		}
		switch m {
		case http.MethodGet:
			s.get(c, res, id)
			return
		case http.MethodPut:
			s.update(c, res, id)
			return
		case http.MethodDelete:
			if res == "products" || res == "webhooks" {
				s.remove(c, res, id)
				return
			}
		}
	}
	c.fail(http.StatusNotFound, "Not Found")
}

// scoped checks the token's access scopes for a resource; webhooks need
// none of their own.
func (s *Server) scoped(c *apiCall, res string, write bool) bool {
	if res == "webhooks" {
		return true
	}
	need := "read_" + res
	if write {
		need = "write_" + res
	}
	for _, have := range c.tok.scopes {
		if have == need || (!write && have == "write_"+res) {
			return true
		}
	}
	c.fail(http.StatusForbidden, fmt.Sprintf("[API] This action requires merchant approval for %s scope.", need))
	return false
}

// filterFields keeps the top-level keys named in a comma-separated fields
// parameter; empty keeps everything.
func filterFields(v any, fields string) any {
	if strings.TrimSpace(fields) == "" {
		return v
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(mustJSON(v), &m) != nil {
		return v
	}
	out := map[string]json.RawMessage{}
	for _, f := range strings.Split(fields, ",") {
		if raw, ok := m[strings.TrimSpace(f)]; ok {
			out[strings.TrimSpace(f)] = raw
		}
	}
	return out
}

// cursor is what a page_info value carries.
type cursor struct {
	Direction string `json:"direction"`
	LastID    int64  `json:"last_id"`
	LastValue string `json:"last_value"`
	Query     string `json:"query,omitempty"`
}

func encodeCursor(c cursor) string { return base64.RawURLEncoding.EncodeToString(mustJSON(c)) }

func decodeCursor(s string) (cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, false
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || (c.Direction != "next" && c.Direction != "prev") {
		return cursor{}, false
	}
	return c, true
}

// list serves GET <resource>.json with cursor pagination: limit (default
// 50, at most 250), page_info with only limit and fields beside it, and
// Link headers rel="previous" and rel="next".
func (s *Server) list(c *apiCall, res string) {
	q := c.r.URL.Query()
	limit := 50
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			c.fail(http.StatusBadRequest, map[string]string{"limit": "Invalid value."})
			return
		}
		limit = min(n, 250)
	}
	filters := url.Values{}
	for k, v := range q {
		if k != "limit" && k != "fields" && k != "page_info" {
			filters[k] = v
		}
	}
	var cur *cursor
	if pi := q.Get("page_info"); pi != "" {
		if len(filters) > 0 {
			keys := make([]string, 0, len(filters))
			for k := range filters {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			c.fail(http.StatusBadRequest, map[string]string{keys[0]: keys[0] + " cannot be passed when page_info is present. " + paginationDoc})
			return
		}
		cc, ok := decodeCursor(pi)
		if !ok {
			c.fail(http.StatusBadRequest, map[string]string{"page_info": "Invalid value."})
			return
		}
		cur = &cc
		filters, _ = url.ParseQuery(cc.Query)
	}
	s.mu.Lock()
	items, ferr := s.filteredLocked(res, filters)
	s.mu.Unlock()
	if ferr != nil {
		c.fail(http.StatusBadRequest, ferr)
		return
	}
	// items are in ascending id order.
	start, end := 0, len(items)
	if cur != nil {
		if cur.Direction == "next" {
			start = sort.Search(len(items), func(i int) bool { return items[i].id > cur.LastID })
			end = min(start+limit, len(items))
		} else {
			end = sort.Search(len(items), func(i int) bool { return items[i].id >= cur.LastID })
			start = max(0, end-limit)
		}
	} else {
		end = min(limit, len(items))
	}
	page := items[start:end]
	out := make([]any, 0, len(page))
	for _, it := range page {
		out = append(out, filterFields(it.v, q.Get("fields")))
	}
	var links []string
	base := "http://" + c.r.Host + c.r.URL.Path
	link := func(dir string, id int64) string {
		v := url.Values{}
		v.Set("page_info", encodeCursor(cursor{Direction: dir, LastID: id, LastValue: strconv.FormatInt(id, 10), Query: filters.Encode()}))
		v.Set("limit", strconv.Itoa(limit))
		if f := q.Get("fields"); f != "" {
			v.Set("fields", f)
		}
		return "<" + base + "?" + v.Encode() + ">"
	}
	if start > 0 && len(page) > 0 {
		links = append(links, link("prev", page[0].id)+`; rel="previous"`)
	}
	if end < len(items) && len(page) > 0 {
		links = append(links, link("next", page[len(page)-1].id)+`; rel="next"`)
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	c.data["count"] = len(out)
	c.reply(http.StatusOK, map[string]any{res: out}, fmt.Sprintf("%d %s", len(out), res))
}

// count serves GET <resource>/count.json with the list's filters.
func (s *Server) count(c *apiCall, res string) {
	q := c.r.URL.Query()
	q.Del("limit")
	q.Del("fields")
	q.Del("page_info")
	s.mu.Lock()
	items, err := s.filteredLocked(res, q)
	s.mu.Unlock()
	if err != nil {
		c.fail(http.StatusBadRequest, err)
		return
	}
	c.reply(http.StatusOK, map[string]int{"count": len(items)}, fmt.Sprintf("count %d", len(items)))
}

type item struct {
	id int64
	v  any
}

// filteredLocked returns a resource's items that pass the query's filters,
// in ascending id order, or the error body for a bad filter. s.mu must be
// held.
func (s *Server) filteredLocked(res string, q url.Values) ([]item, any) {
	var ids map[int64]bool
	if v := q.Get("ids"); v != "" {
		ids = map[int64]bool{}
		for _, p := range strings.Split(v, ",") {
			n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
			if err != nil {
				return nil, map[string]string{"ids": "Invalid value."}
			}
			ids[n] = true
		}
	}
	var since int64
	if v := q.Get("since_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, map[string]string{"since_id": "Invalid value."}
		}
		since = n
	}
	var times [4]*time.Time
	for i, k := range []string{"created_at_min", "created_at_max", "updated_at_min", "updated_at_max"} {
		if v := q.Get(k); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return nil, map[string]string{k: "Invalid value."}
			}
			times[i] = &t
		}
	}
	inTime := func(created, updated string) bool {
		ct, _ := time.Parse(timeFormat, created)
		ut, _ := time.Parse(timeFormat, updated)
		return (times[0] == nil || !ct.Before(*times[0])) && (times[1] == nil || !ct.After(*times[1])) &&
			(times[2] == nil || !ut.Before(*times[2])) && (times[3] == nil || !ut.After(*times[3]))
	}
	keep := func(id int64) bool { return (ids == nil || ids[id]) && id > since }
	var out []item
	switch res {
	case "orders":
		status := q.Get("status")
		switch status {
		case "":
			status = "open"
		case "open", "closed", "cancelled", "any":
		default:
			return nil, map[string]string{"status": "Invalid value."}
		}
		fin, ful := q.Get("financial_status"), q.Get("fulfillment_status")
		for _, id := range sortedIDs(s.orders) {
			o := s.orders[id]
			if !keep(id) || !inTime(o.CreatedAt, o.UpdatedAt) || !orderStatus(o, status) ||
				!financial(o, fin) || !fulfilment(o, ful) {
				continue
			}
			out = append(out, item{id, *o})
		}
	case "customers":
		for _, id := range sortedIDs(s.customers) {
			if c := s.customers[id]; keep(id) && inTime(c.CreatedAt, c.UpdatedAt) {
				out = append(out, item{id, *c})
			}
		}
	case "products":
		for _, id := range sortedIDs(s.products) {
			p := s.products[id]
			if !keep(id) || !inTime(p.CreatedAt, p.UpdatedAt) {
				continue
			}
			if t := q.Get("title"); t != "" && !strings.Contains(strings.ToLower(p.Title), strings.ToLower(t)) {
				continue
			}
			if st := q.Get("status"); st != "" && !strings.Contains(","+st+",", ","+p.Status+",") {
				continue
			}
			out = append(out, item{id, *p})
		}
	case "webhooks":
		for _, id := range sortedIDs(s.webhooks) {
			w := s.webhooks[id]
			if w.Declared || !keep(id) || !inTime(w.CreatedAt, w.UpdatedAt) {
				continue
			}
			if t := q.Get("topic"); t != "" && t != w.Topic {
				continue
			}
			if a := q.Get("address"); a != "" && a != w.Address {
				continue
			}
			out = append(out, item{id, *w})
		}
	}
	return out, nil
}

func orderStatus(o *Order, status string) bool {
	switch status {
	case "open":
		return o.ClosedAt == nil && o.CancelledAt == nil
	case "closed":
		return o.ClosedAt != nil
	case "cancelled":
		return o.CancelledAt != nil
	}
	return true
}

func financial(o *Order, want string) bool {
	switch want {
	case "", "any":
		return true
	case "unpaid":
		return o.FinancialStatus == "pending" || o.FinancialStatus == "authorized" || o.FinancialStatus == "partially_paid"
	}
	return o.FinancialStatus == want
}

func fulfilment(o *Order, want string) bool {
	done := o.FulfillmentStatus != nil && *o.FulfillmentStatus == "fulfilled"
	switch want {
	case "", "any":
		return true
	case "shipped":
		return done
	case "unshipped", "unfulfilled":
		return o.FulfillmentStatus == nil
	case "partial":
		return o.FulfillmentStatus != nil && *o.FulfillmentStatus == "partial"
	}
	return false
}

// get serves GET <resource>/<id>.json.
func (s *Server) get(c *apiCall, res string, id int64) {
	s.mu.Lock()
	var v any
	switch res {
	case "orders":
		if o := s.orders[id]; o != nil {
			v = *o
		}
	case "customers":
		if cu := s.customers[id]; cu != nil {
			v = *cu
		}
	case "products":
		if p := s.products[id]; p != nil {
			v = *p
		}
	case "webhooks":
		if w := s.webhooks[id]; w != nil && !w.Declared {
			v = *w
		}
	}
	var b []byte
	if v != nil {
		b = mustJSON(filterFields(v, c.r.URL.Query().Get("fields")))
	}
	s.mu.Unlock()
	if v == nil {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	c.reply(http.StatusOK, map[string]json.RawMessage{singular(res): b}, singular(res)+" "+strconv.FormatInt(id, 10))
}

func singular(res string) string { return strings.TrimSuffix(res, "s") }

// decodeRoot reads {"<root>": {…}} into v; a missing root is Shopify's
// 400 "Required parameter missing or invalid".
func decodeRoot(c *apiCall, root string, v any) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &m); err != nil {
		c.fail(http.StatusBadRequest, "[API] Invalid JSON body: "+fakes.JSONError(err).Error())
		return false
	}
	raw, ok := m[root]
	if !ok || len(raw) == 0 || raw[0] != '{' {
		c.fail(http.StatusBadRequest, map[string]string{root: "Required parameter missing or invalid"})
		return false
	}
	if err := json.Unmarshal(raw, v); err != nil {
		c.fail(http.StatusBadRequest, map[string]string{root: "Required parameter missing or invalid"})
		return false
	}
	return true
}

// invalidJSON is the error for a body that is not JSON, saying where it
// stops being JSON in a client's terms, not the decoder's.
func invalidJSON(body []byte) string {
	var v any
	var se *json.SyntaxError
	if err := json.Unmarshal(body, &v); errors.As(err, &se) {
		return fmt.Sprintf("[API] Invalid JSON body: unexpected input at byte %d", se.Offset)
	}
	return "[API] Invalid JSON body: unexpected end of input"
}

// failErr answers an error from the store in Shopify's shape.
func (c *apiCall) failErr(err error) {
	if fe, ok := asFieldError(err); ok {
		c.fail(http.StatusUnprocessableEntity, map[string][]string{fe.Field: {fe.Message}})
		return
	}
	if errors.Is(err, ErrNotFound) {
		c.fail(http.StatusNotFound, "Not Found")
		return
	}
	var tle *tagLimitError
	if errors.As(err, &tle) {
		c.fail(http.StatusLocked, tle.msg)
		return
	}
	c.fail(http.StatusUnprocessableEntity, map[string][]string{"base": {err.Error()}})
}

// create serves POST <resource>.json.
func (s *Server) create(c *apiCall, res string) {
	root := singular(res)
	var v any
	var err error
	switch res {
	case "orders":
		var in OrderInput
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		var o *Order
		if o, err = s.createOrderLocked(in); err == nil {
			v = *o
		}
		s.mu.Unlock()
	case "customers":
		var in CustomerInput
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		var cu *Customer
		if cu, err = s.createCustomerLocked(in); err == nil {
			v = *cu
		}
		s.mu.Unlock()
	case "products":
		var in ProductInput
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		var p *Product
		if p, err = s.createProductLocked(in); err == nil {
			v = *p
		}
		s.mu.Unlock()
	case "webhooks":
		var in struct {
			Topic   string   `json:"topic"`
			Address string   `json:"address"`
			Format  string   `json:"format"`
			Fields  []string `json:"fields"`
		}
		if !decodeRoot(c, root, &in) {
			return
		}
		if in.Format != "" && in.Format != "json" && in.Format != "xml" {
			err = fieldErr("format", "is not included in the list")
			break
		}
		s.mu.Lock()
		var w *Webhook
		if w, err = s.subscribeLocked(in.Topic, in.Address, c.version, in.Fields); err == nil {
			if in.Format != "" {
				w.Format = in.Format
			}
			v = *w
		}
		s.mu.Unlock()
	}
	if err != nil {
		c.failErr(err)
		return
	}
	id := mustID(v)
	c.reply(http.StatusCreated, map[string]any{root: v}, root+" "+strconv.FormatInt(id, 10))
}

func mustID(v any) int64 {
	var x struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal(mustJSON(v), &x)
	return x.ID
}

// update serves PUT <resource>/<id>.json.
func (s *Server) update(c *apiCall, res string, id int64) {
	root := singular(res)
	var v any
	var err error
	switch res {
	case "orders":
		var in struct {
			Note  *string `json:"note"`
			Tags  *string `json:"tags"`
			Email *string `json:"email"`
			Phone *string `json:"phone"`
		}
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		o := s.orders[id]
		if o == nil {
			err = ErrNotFound
		} else {
			if in.Note != nil {
				o.Note = in.Note
			}
			if in.Tags != nil {
				o.Tags = *in.Tags
			}
			if in.Email != nil {
				o.Email = *in.Email
			}
			if in.Phone != nil {
				o.Phone = in.Phone
			}
			o.UpdatedAt = stamp(s.now())
			s.emitLocked("orders/updated", o)
			v = *o
		}
		s.mu.Unlock()
	case "customers":
		var in CustomerInput
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		var cu *Customer
		if cu, err = s.updateCustomerLocked(id, in); err == nil {
			v = *cu
		}
		s.mu.Unlock()
	case "products":
		var in ProductInput
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		var p *Product
		if p, err = s.updateProductLocked(id, in); err == nil {
			v = *p
		}
		s.mu.Unlock()
	case "webhooks":
		var in struct {
			Address string   `json:"address"`
			Fields  []string `json:"fields"`
		}
		if !decodeRoot(c, root, &in) {
			return
		}
		s.mu.Lock()
		w := s.webhooks[id]
		switch {
		case w == nil || w.Declared:
			err = ErrNotFound
		case in.Address != "" && !strings.HasPrefix(in.Address, "https://") && !strings.HasPrefix(in.Address, "http://"):
			err = fieldErr("address", "protocol is not supported")
		default:
			if in.Address != "" {
				w.Address = in.Address
			}
			if in.Fields != nil {
				w.Fields = in.Fields
			}
			w.UpdatedAt = stamp(s.now())
			v = *w
		}
		s.mu.Unlock()
	}
	if err != nil {
		c.failErr(err)
		return
	}
	c.reply(http.StatusOK, map[string]any{root: v}, root+" "+strconv.FormatInt(id, 10))
}

// remove serves DELETE products/<id>.json and webhooks/<id>.json: 200 {}.
func (s *Server) remove(c *apiCall, res string, id int64) {
	s.mu.Lock()
	var err error
	if res == "products" {
		err = s.deleteProductLocked(id)
	} else if w := s.webhooks[id]; w == nil || w.Declared {
		err = ErrNotFound
	} else {
		delete(s.webhooks, id)
	}
	s.mu.Unlock()
	if err != nil {
		c.failErr(err)
		return
	}
	c.reply(http.StatusOK, map[string]any{}, "deleted "+singular(res)+" "+strconv.FormatInt(id, 10))
}

// orderAction serves POST orders/<id>/{close,open,cancel}.json.
func (s *Server) orderAction(c *apiCall, id int64, action string) {
	var in struct {
		Reason string `json:"reason"`
	}
	if len(strings.TrimSpace(string(c.body))) > 0 {
		if !json.Valid(c.body) {
			c.fail(http.StatusBadRequest, invalidJSON(c.body))
			return
		}
		if err := json.Unmarshal(c.body, &in); err != nil {
			c.fail(http.StatusBadRequest, "[API] Invalid JSON body: "+fakes.JSONError(err).Error())
			return
		}
	}
	s.mu.Lock()
	var o *Order
	var err error
	switch action {
	case "close":
		o, err = s.closeOrderLocked(id)
	case "open":
		if o, err = s.orderLocked(id); err == nil && o.ClosedAt != nil && o.CancelledAt == nil {
			o.ClosedAt, o.UpdatedAt = nil, stamp(s.now())
			s.emitLocked("orders/updated", o)
		}
	case "cancel":
		o, err = s.cancelOrderLocked(id, in.Reason)
	}
	var v Order
	if err == nil {
		v = *o
	}
	s.mu.Unlock()
	if err != nil {
		c.failErr(err)
		return
	}
	c.reply(http.StatusOK, map[string]any{"order": v}, fmt.Sprintf("order %d %s", id, action))
}
