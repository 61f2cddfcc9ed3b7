package recorder

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// MinSecret is the shortest value a Redactor takes for a secret: a carrier
// holding fewer characters (an empty token field, "abc") is left as it is,
// so that replacing it everywhere cannot mangle the rest of the recording.
const MinSecret = 6

// Rules are a person's own redaction rules, on top of the platforms'
// carriers and token shapes.
type Rules struct {
	// Patterns are regular expressions (`--redact`): what they match, or
	// their first group, is a secret wherever it appears.
	Patterns []string
	// Pointers are JSON pointers (`--redact-pointer /customer/email`): the
	// string at that place of any JSON body is a secret.
	Pointers []string
	// Headers are more headers to keep besides the allowlist (AllowedHeader).
	Headers []string
}

// Redactor finds the secrets in recorded traffic and replaces each with one
// stable placeholder, ${NAME}, everywhere it appears: in URLs, header
// values and bodies, raw, JSON-escaped and URL-encoded, in requests and in
// the responses that echo it. Where it looks comes from the platforms'
// carriers (fakes.Carrier: headers, path segments, form and JSON fields),
// their token shapes and generic ones (a JWT, a Bearer token), and the
// person's Rules. Headers outside AllowedHeader are dropped, and signature
// headers always are: a replayer computes them anew.
//
// One Redactor serves one recording; it is safe for concurrent use.
type Redactor struct {
	carriers []carrier
	shapes   []shape
	pointers []string
	allowed  map[string]bool

	mu         sync.Mutex
	names      map[string]string // secret → placeholder name
	taken      map[string]bool   // placeholder names given
	order      []string          // secrets, longest first
	redactions []cassette.Redaction
	seen       map[cassette.Redaction]bool
	last       string // the placeholder name learnLocked gave or found last
}

type carrier struct {
	fakes.Carrier
	path *regexp.Regexp
}

type shape struct {
	name string
	re   *regexp.Regexp
	in   fakes.Direction
}

// genericShapes are secrets of no platform in particular.
func genericShapes() []fakes.Carrier {
	return []fakes.Carrier{
		{Name: "JWT", Shape: `eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}`},
		{Name: "BEARER_TOKEN", Shape: `(?i:bearer)\s+([A-Za-z0-9._~+/=-]{8,})`},
	}
}

// NewRedactor returns a Redactor for traffic carrying carriers' secrets
// (the carriers of the platforms recorded), with rules on top. It fails on
// a rule or a carrier whose expression does not compile.
func NewRedactor(carriers []fakes.Carrier, rules Rules) (*Redactor, error) {
	r := &Redactor{
		allowed: map[string]bool{}, names: map[string]string{}, taken: map[string]bool{},
		seen: map[cassette.Redaction]bool{},
	}
	for _, c := range append(slices.Clone(carriers), genericShapes()...) {
		switch {
		case c.Shape != "":
			re, err := regexp.Compile(c.Shape)
			if err != nil {
				return nil, fmt.Errorf("redact: carrier %s: shape: %w", c.Name, err)
			}
			r.shapes = append(r.shapes, shape{name: c.Name, re: re, in: c.In})
		case c.Path != "":
			re, err := regexp.Compile(c.Path)
			if err != nil || re.NumSubexp() < 1 {
				return nil, fmt.Errorf("redact: carrier %s: path %q: want an expression with a group", c.Name, c.Path)
			}
			r.carriers = append(r.carriers, carrier{Carrier: c, path: re})
		default:
			r.carriers = append(r.carriers, carrier{Carrier: c})
		}
	}
	for i, p := range rules.Patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("redact: --redact %q: %w", p, err)
		}
		r.shapes = append(r.shapes, shape{name: "REDACTED_" + strconv.Itoa(i+1), re: re})
	}
	for _, p := range rules.Pointers {
		if p != "" && !strings.HasPrefix(p, "/") {
			return nil, fmt.Errorf("redact: --redact-pointer %q: a JSON pointer starts with /", p)
		}
		r.pointers = append(r.pointers, p)
	}
	for _, h := range rules.Headers {
		r.allowed[http.CanonicalHeaderKey(h)] = true
	}
	return r, nil
}

// AllowedHeader reports whether a recording keeps the header name: the
// content headers, the platforms' own delivery and rate-limit headers, and
// the headers a carrier names (redacted). Everything else (cookies, proxies'
// headers, tracing ids) is dropped.
func (r *Redactor) AllowedHeader(name string) bool {
	name = http.CanonicalHeaderKey(name)
	switch name {
	case "Content-Type", "Content-Encoding", "Accept", "Location", "Retry-After", "Authorization":
		return true
	}
	for _, p := range []string{"X-Slack-", "X-Shopify-", "X-Telegram-", "X-Ratelimit-", "X-Rate-Limit-", "X-Auth-", "X-User-Id"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return r.allowed[name]
}

// Known registers a secret the recorder was given (a --secret): it is
// replaced by ${NAME} wherever it appears, even where no carrier names it.
func (r *Redactor) Known(name, value string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnLocked(value, name)
}

// Redactions returns the redactions made so far, for the cassette header:
// one per placeholder and place, in the order they were first made.
func (r *Redactor) Redactions() []cassette.Redaction {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.redactions)
}

// Placeholders returns the placeholders given so far, sorted.
func (r *Redactor) Placeholders() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.taken))
	for n := range r.taken {
		out = append(out, "${"+n+"}")
	}
	sort.Strings(out)
	return out
}

// Redact finds the secrets of one exchange, in its request and its
// response, and replaces every secret known so far wherever it appears in
// the exchange. dir says which way the exchange went (a delivery or a call),
// for carriers that only hold in one.
func (r *Redactor) Redact(e *cassette.Entry, dir fakes.Direction) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.findRequest(&e.Request, dir)
	if e.Response != nil {
		r.findHeaders(e.Response.Headers, dir)
		r.findBody(e.Response.Body, e.Response.Headers, dir)
	}
	r.scan(e, dir)
	e.Request.URL = r.replaceURL(e.Request.URL)
	r.replaceHeaders(e.Request.Headers)
	e.Request.Body = r.replaceBody(e.Request.Body)
	if e.Response != nil {
		r.replaceHeaders(e.Response.Headers)
		e.Response.Body = r.replaceBody(e.Response.Body)
	}
}

// applies reports whether a carrier or shape for direction in holds for
// traffic going dir.
func applies(in, dir fakes.Direction) bool { return in == "" || dir == "" || in == dir }

// findRequest learns the secrets the carriers name in a request: its path,
// its query, its headers and its body.
func (r *Redactor) findRequest(req *cassette.Request, dir fakes.Direction) {
	u, err := url.Parse(req.URL)
	if err == nil {
		for _, c := range r.carriers {
			if c.path == nil || !applies(c.In, dir) {
				continue
			}
			if m := c.path.FindStringSubmatch(u.Path); m != nil && r.learnLocked(m[1], c.Name) {
				r.record(cassette.Redaction{Kind: cassette.RedactPath})
			}
		}
		for name, vals := range u.Query() {
			for _, c := range r.carriers {
				if c.Field == name && applies(c.In, dir) {
					for _, v := range vals {
						if r.learnLocked(v, c.Name) {
							r.record(cassette.Redaction{Kind: cassette.RedactQuery, Name: name})
						}
					}
				}
			}
		}
	}
	r.findHeaders(req.Headers, dir)
	r.findBody(req.Body, req.Headers, dir)
}

// findHeaders learns the secrets of carrier headers, drops the signatures
// and every header outside the allowlist.
func (r *Redactor) findHeaders(h http.Header, dir fakes.Direction) {
	for name, vals := range h {
		keep := r.AllowedHeader(name)
		for _, c := range r.carriers {
			if c.Header == "" || http.CanonicalHeaderKey(c.Header) != name || !applies(c.In, dir) {
				continue
			}
			if c.Signature {
				keep = false
				continue
			}
			keep = true
			for _, v := range vals {
				v = stripScheme(v)
				if r.learnLocked(v, c.Name) {
					r.record(cassette.Redaction{Kind: cassette.RedactHeader, Name: name})
				}
			}
		}
		if !keep {
			delete(h, name)
		}
	}
}

// stripScheme drops the scheme of an Authorization value: "Bearer xoxb-…"
// → "xoxb-…".
func stripScheme(v string) string {
	if scheme, rest, ok := strings.Cut(v, " "); ok && !strings.ContainsAny(scheme, ":/") {
		return strings.TrimSpace(rest)
	}
	return v
}

// findBody learns the secrets of carrier fields in a form or JSON body,
// and of the Rules' pointers.
func (r *Redactor) findBody(b cassette.Body, h http.Header, dir fakes.Direction) {
	switch b.Kind() {
	case cassette.BodyJSON:
		var v any
		if json.Unmarshal(b.Bytes(), &v) != nil {
			return
		}
		walkJSON(v, "", func(ptr, key, s string) {
			for _, c := range r.carriers {
				if c.Field != "" && c.Field == key && applies(c.In, dir) && r.learnLocked(s, c.Name) {
					r.record(cassette.Redaction{Kind: cassette.RedactBody, Pointer: ptr})
				}
			}
			for _, p := range r.pointers {
				if p == ptr && r.learnLocked(s, "REDACTED"+pointerName(p)) {
					r.record(cassette.Redaction{Kind: cassette.RedactBody, Pointer: ptr})
				}
			}
			// A form inside JSON (a payload field of a form, say) is
			// left to the shape scan.
		})
	case cassette.BodyText:
		if !isForm(h, b.Bytes()) {
			return
		}
		form, err := url.ParseQuery(string(b.Bytes()))
		if err != nil {
			return
		}
		for name, vals := range form {
			for _, c := range r.carriers {
				if c.Field == name && applies(c.In, dir) {
					for _, v := range vals {
						if r.learnLocked(v, c.Name) {
							r.record(cassette.Redaction{Kind: cassette.RedactBody, Name: name})
						}
					}
				}
			}
			// A form field that holds JSON (Slack's payload=, blocks=):
			// its fields are carriers too.
			for _, v := range vals {
				if jb, err := cassette.JSONBody([]byte(v)); err == nil && jb.Kind() == cassette.BodyJSON {
					r.findBody(jb, nil, dir)
				}
			}
		}
	}
}

// isForm reports whether a text body is a URL-encoded form.
func isForm(h http.Header, b []byte) bool {
	if ct := h.Get("Content-Type"); ct != "" {
		return strings.HasPrefix(ct, "application/x-www-form-urlencoded")
	}
	s := string(b)
	return strings.Contains(s, "=") && !strings.ContainsAny(s, " \n{")
}

// pointerName turns a JSON pointer into a placeholder's suffix:
// "/customer/email" → "_CUSTOMER_EMAIL".
func pointerName(p string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(p) {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.TrimRight(b.String(), "_")
}

// walkJSON calls fn for every string of v with its JSON pointer and the key
// it is under ("" in an array).
func walkJSON(v any, ptr string, fn func(ptr, key, s string)) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			p := ptr + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			if s, ok := e.(string); ok {
				fn(p, k, s)
				continue
			}
			walkJSON(e, p, fn)
		}
	case []any:
		for i, e := range t {
			p := ptr + "/" + strconv.Itoa(i)
			if s, ok := e.(string); ok {
				fn(p, "", s)
				continue
			}
			walkJSON(e, p, fn)
		}
	}
}

// scan learns every token-shaped string anywhere in the exchange: in its
// URL, its header values and its text and JSON bodies (JSON strings
// decoded, so that an escaped URL is found as the URL).
func (r *Redactor) scan(e *cassette.Entry, dir fakes.Direction) {
	var texts []string
	add := func(s string) {
		if s == "" {
			return
		}
		texts = append(texts, s)
		if u, err := url.QueryUnescape(s); err == nil && u != s {
			texts = append(texts, u)
		}
	}
	add(e.Request.URL)
	addHeaders := func(h http.Header) {
		for _, vals := range h {
			for _, v := range vals {
				add(v)
			}
		}
	}
	addBody := func(b cassette.Body) {
		switch b.Kind() {
		case cassette.BodyText:
			add(string(b.Bytes()))
		case cassette.BodyJSON:
			var v any
			if json.Unmarshal(b.Bytes(), &v) == nil {
				walkJSON(v, "", func(_, _, s string) { add(s) })
			}
		}
	}
	addHeaders(e.Request.Headers)
	addBody(e.Request.Body)
	if e.Response != nil {
		addHeaders(e.Response.Headers)
		addBody(e.Response.Body)
	}
	for _, s := range texts {
		for _, sh := range r.shapes {
			if !applies(sh.in, dir) {
				continue
			}
			for _, m := range sh.re.FindAllStringSubmatch(s, -1) {
				v := m[0]
				if len(m) > 1 && m[1] != "" {
					v = m[1]
				}
				if r.learnLocked(v, sh.name) {
					r.record(cassette.Redaction{Kind: cassette.RedactBody})
				}
			}
		}
	}
}

// learnLocked gives value a placeholder named for name (NAME, then NAME_2
// for a second value under the same name) unless it has one; it reports
// whether value is a secret now, which the last redaction recorded then
// belongs to. Values shorter than MinSecret, and placeholders themselves,
// are not secrets.
func (r *Redactor) learnLocked(value, name string) bool {
	if len(value) < MinSecret || strings.HasPrefix(value, "${") && strings.HasSuffix(value, "}") {
		return false
	}
	if _, ok := r.names[value]; ok {
		r.last = r.names[value]
		return true
	}
	given := name
	for n := 2; r.taken[given]; n++ {
		given = name + "_" + strconv.Itoa(n)
	}
	r.taken[given] = true
	r.names[value] = given
	r.order = append(r.order, value)
	sort.SliceStable(r.order, func(i, j int) bool { return len(r.order[i]) > len(r.order[j]) })
	r.last = given
	return true
}

// record notes a redaction of the secret learnLocked saw last, once per
// placeholder and place.
func (r *Redactor) record(red cassette.Redaction) {
	red.Placeholder = "${" + r.last + "}"
	if r.seen[red] {
		return
	}
	r.seen[red] = true
	r.redactions = append(r.redactions, red)
}

// forms returns the ways secret may be written in a recording: as it is,
// JSON-escaped (with "/" escaped too, as some encoders do), and
// URL-encoded.
func forms(secret string) []string {
	out := []string{secret}
	add := func(f string) {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if b, err := json.Marshal(secret); err == nil {
		j := string(b[1 : len(b)-1])
		add(j)
		add(strings.ReplaceAll(j, "/", `\/`))
	}
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	return out
}

// replaceString replaces every secret known so far in s, in each of its
// forms, with its placeholder.
func (r *Redactor) replaceString(s string) string {
	for _, secret := range r.order {
		ph := "${" + r.names[secret] + "}"
		for _, f := range forms(secret) {
			if strings.Contains(s, f) {
				s = strings.ReplaceAll(s, f, ph)
			}
		}
	}
	return s
}

func (r *Redactor) replaceURL(u string) string { return r.replaceString(u) }

func (r *Redactor) replaceHeaders(h http.Header) {
	for name, vals := range h {
		for i, v := range vals {
			vals[i] = r.replaceString(v)
		}
		h[name] = vals
	}
}

// replaceBody replaces the secrets in a text or JSON body. A JSON body
// stays JSON: where a replacement in its text would break it, its strings
// are rewritten one by one.
func (r *Redactor) replaceBody(b cassette.Body) cassette.Body {
	switch b.Kind() {
	case cassette.BodyText:
		return cassette.TextBody(r.replaceString(string(b.Bytes())))
	case cassette.BodyJSON:
		out := r.replaceString(string(b.Bytes()))
		if nb, err := cassette.JSONBody([]byte(out)); err == nil {
			return nb
		}
		if nb, err := cassette.JSONBody(r.rewriteJSON(b.Bytes())); err == nil {
			return nb
		}
	}
	return b
}

// rewriteJSON rewrites every string of a JSON document through
// replaceString, keeping the order of keys and the spelling of numbers.
func (r *Redactor) rewriteJSON(raw []byte) []byte {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	var b strings.Builder
	type frame struct {
		obj   bool
		n     int
		isKey bool
	}
	var stack []frame
	sep := func() {
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		switch {
		case f.obj && f.isKey:
			if f.n > 0 {
				b.WriteByte(',')
			}
		case f.obj:
			b.WriteByte(':')
		default:
			if f.n > 0 {
				b.WriteByte(',')
			}
		}
	}
	after := func() {
		if len(stack) == 0 {
			return
		}
		f := &stack[len(stack)-1]
		if f.obj {
			if !f.isKey {
				f.n++
			}
			f.isKey = !f.isKey
		} else {
			f.n++
		}
	}
	for {
		t, err := dec.Token()
		if err != nil {
			break
		}
		switch v := t.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				sep()
				b.WriteRune(rune(v))
				stack = append(stack, frame{obj: v == '{', isKey: v == '{'})
			default:
				stack = stack[:len(stack)-1]
				b.WriteRune(rune(v))
				after()
			}
		case string:
			sep()
			enc, _ := json.Marshal(r.replaceString(v))
			b.Write(enc)
			after()
		case json.Number:
			sep()
			b.WriteString(v.String())
			after()
		case bool:
			sep()
			b.WriteString(strconv.FormatBool(v))
			after()
		case nil:
			sep()
			b.WriteString("null")
			after()
		}
	}
	return []byte(b.String())
}
