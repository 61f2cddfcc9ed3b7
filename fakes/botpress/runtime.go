package botpress

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// apiRequest is one Runtime API call after its headers and body were checked.
type apiRequest struct {
	r        *http.Request
	body     []byte          // the raw JSON body ({} when the operation takes none)
	nullTags map[string]bool // tag keys an update set to null (removals)
	// integration reports whether the caller is the integration (it sent
	// x-integration-id) rather than a bot.
	integration bool
}

// apiHandler serves one operation: it returns the response object or an
// API error.
type apiHandler func(s *Server, rq *apiRequest) (any, *apiError)

// route describes one implemented operation.
type route struct {
	method, path string // as in the spec: "POST", "/v1/chat/users/get-or-create"
	name         string // route name for faults and the journal: "user.get-or-create"
	h            apiHandler
	nullTags     bool    // tags may carry null values meaning "remove" (updates)
	op           *specOp // the operation in the spec
}

// runtimeOperations is every implemented Runtime API operation, each with
// its operation in the spec, and the spec's operations the mock does not
// implement, sorted.
type runtimeOperations struct {
	routes  []route
	missing []string // "METHOD /path", keys of the spec's operations
}

// runtimeOps is the Runtime API's operations in the embedded spec: the
// same for every Server, so computed at init, and never changed after.
var runtimeOps = newRuntimeOperations(embeddedSpec)

// newRuntimeOperations lists the operations of sp that the mock
// implements and those it does not.
func newRuntimeOperations(sp *apiSpec) *runtimeOperations {
	t := &runtimeOperations{}
	t.routes = []route{
		{"POST", "/v1/chat/users", "user.create", (*Server).createUser, false, nil},
		{"GET", "/v1/chat/users", "user.list", (*Server).listUsers, false, nil},
		{"GET", "/v1/chat/users/{id}", "user.get", (*Server).getUser, false, nil},
		{"PUT", "/v1/chat/users/{id}", "user.update", (*Server).updateUser, true, nil},
		{"DELETE", "/v1/chat/users/{id}", "user.delete", (*Server).deleteUser, false, nil},
		{"POST", "/v1/chat/users/get-or-create", "user.get-or-create", (*Server).getOrCreateUser, false, nil},

		{"POST", "/v1/chat/conversations", "conversation.create", (*Server).createConversation, false, nil},
		{"GET", "/v1/chat/conversations", "conversation.list", (*Server).listConversations, false, nil},
		{"GET", "/v1/chat/conversations/{id}", "conversation.get", (*Server).getConversation, false, nil},
		{"PUT", "/v1/chat/conversations/{id}", "conversation.update", (*Server).updateConversation, true, nil},
		{"DELETE", "/v1/chat/conversations/{id}", "conversation.delete", (*Server).deleteConversation, false, nil},
		{"POST", "/v1/chat/conversations/get-or-create", "conversation.get-or-create", (*Server).getOrCreateConversation, false, nil},
		{"GET", "/v1/chat/conversations/{id}/participants", "participant.list", (*Server).listParticipants, false, nil},
		{"POST", "/v1/chat/conversations/{id}/participants", "participant.add", (*Server).addParticipant, false, nil},
		{"GET", "/v1/chat/conversations/{id}/participants/{userId}", "participant.get", (*Server).getParticipant, false, nil},
		{"DELETE", "/v1/chat/conversations/{id}/participants/{userId}", "participant.remove", (*Server).removeParticipant, false, nil},

		{"POST", "/v1/chat/messages", "message.create", (*Server).createMessage, false, nil},
		{"GET", "/v1/chat/messages", "message.list", (*Server).listMessages, false, nil},
		{"POST", "/v1/chat/messages/get-or-create", "message.get-or-create", (*Server).getOrCreateMessage, false, nil},
		{"GET", "/v1/chat/messages/{id}", "message.get", (*Server).getMessage, false, nil},
		{"PUT", "/v1/chat/messages/{id}", "message.update", (*Server).updateMessage, true, nil},
		{"DELETE", "/v1/chat/messages/{id}", "message.delete", (*Server).deleteMessage, false, nil},
		{"POST", "/v1/chat/initialize-incoming-message", "message.initialize-incoming", (*Server).initializeIncomingMessage, false, nil},

		{"POST", "/v1/chat/events", "event.create", (*Server).createEvent, false, nil},
		{"GET", "/v1/chat/events", "event.list", (*Server).listEvents, false, nil},
		{"GET", "/v1/chat/events/{id}", "event.get", (*Server).getEvent, false, nil},
		{"DELETE", "/v1/chat/events/scheduled/{id}", "event.cancel", (*Server).cancelScheduledEvent, false, nil},

		{"GET", "/v1/chat/states/{type}/{id}/{name}", "state.get", (*Server).getState, false, nil},
		{"POST", "/v1/chat/states/{type}/{id}/{name}", "state.set", (*Server).setState, false, nil},
		{"PATCH", "/v1/chat/states/{type}/{id}/{name}", "state.patch", (*Server).patchState, false, nil},
		{"POST", "/v1/chat/states/{type}/{id}/{name}/get-or-set", "state.get-or-set", (*Server).getOrSetState, false, nil},
		{"POST", "/v1/chat/states/{type}/{id}/{name}/expiry", "state.expiry", (*Server).setStateExpiry, false, nil},

		{"POST", "/v1/chat/integrations/configure", "integration.configure", (*Server).configureIntegration, false, nil},
		{"POST", "/v1/chat/analytics", "analytics.track", (*Server).trackAnalytics, false, nil},
	}
	done := map[string]bool{}
	for i, rt := range t.routes {
		if t.routes[i].op = sp.op(rt.method, rt.path); t.routes[i].op == nil {
			panic("botpress: route not in the spec: " + rt.method + " " + rt.path) // a programming error
		}
		done[rt.method+" "+rt.path] = true
	}
	keys := make([]string, 0, len(sp.ops))
	for k := range sp.ops {
		if !done[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	t.missing = keys
	return t
}

// runtimeRoutes mounts every Runtime API operation. Operations of the spec
// the mock does not implement answer MethodNotFound naming themselves.
func (s *Server) runtimeRoutes(mux *fakes.Routes) {
	t := runtimeOps
	for _, rt := range t.routes {
		mux.Handle(rt.method+" "+rt.path, s.api(rt, rt.op))
	}
	for _, k := range t.missing {
		op := s.spec.ops[k]
		mux.HandleFunc(k, func(w http.ResponseWriter, r *http.Request) {
			s.writeAPIError(w, newAPIError("MethodNotFound", "%s (%s %s) is not implemented by the chatsim mock platform", op.ID, op.Method, op.Path))
		})
	}
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		s.writeAPIError(w, newAPIError("MethodNotFound", "No method found for %s %s", r.Method, r.URL.Path))
	})
}

// api wraps an operation: bearer token, caller headers, injected faults,
// body size, JSON and schema checks, then the handler and its answer.
func (s *Server) api(rt route, op *specOp) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := s.checkCaller(r); e != nil {
			s.writeAPIError(w, e)
			return
		}
		if e := s.injectFault(r, rt.name, op.ID); e != nil {
			s.writeAPIError(w, e)
			return
		}
		rq := &apiRequest{r: r, body: []byte(`{}`), integration: r.Header.Get("x-integration-id") != ""}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.writeAPIError(w, newAPIError("PayloadTooLarge", "The request body exceeds %d bytes", mbe.Limit))
				return
			}
			s.writeAPIError(w, invalidPayload("Could not read the request body: %v", err))
			return
		}
		if op.Body != nil {
			if e := s.checkBody(rq, raw, op, rt.nullTags); e != nil {
				s.writeAPIError(w, e)
				return
			}
		}
		resp, e := rt.h(s, rq)
		if e != nil {
			s.writeAPIError(w, e)
			return
		}
		status := op.Status
		if status == 0 {
			status = http.StatusOK
		}
		fakes.WriteJSON(w, status, resp)
	})
}

// checkCaller checks the Bearer token and the x-bot-id and x-integration-id
// headers.
func (s *Server) checkCaller(r *http.Request) *apiError {
	if s.token != "" {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return newAPIError("Unauthorized", "Authentication is required: missing Authorization header")
		}
		tok, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(tok) != s.token {
			return newAPIError("Unauthorized", "Invalid authentication token")
		}
	}
	bot := r.Header.Get("x-bot-id")
	if bot == "" {
		return invalidPayload("Missing required header x-bot-id")
	}
	if bot != s.botID {
		return newAPIError("Forbidden", "The token does not give access to bot %q", bot)
	}
	if id := r.Header.Get("x-integration-id"); id != "" && id != s.integrationID {
		return newAPIError("Forbidden", "Integration %q is not installed on bot %q", id, s.botID)
	}
	return nil
}

// injectFault applies the first armed fault for the route name or the
// operation id: it holds the answer back by the fault's delay, then answers
// with its status when it has one.
func (s *Server) injectFault(r *http.Request, name, opID string) *apiError {
	f, ok := s.faults.Take(name)
	if !ok {
		f, ok = s.faults.Take(opID)
	}
	if !ok {
		return nil
	}
	_ = s.clock.Sleep(r.Context(), time.Duration(f.Delay))
	if f.Status == 0 {
		return nil
	}
	typ := typeForStatus(f.Status)
	msg := f.Message
	if msg == "" {
		msg = description(typ)
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
	}
	return &apiError{Status: f.Status, Type: typ, Message: msg, RetryAfter: f.RetryAfter}
}

// checkBody decodes the body and checks it against the operation's schema.
// For updates, tags set to null are taken out (and remembered as removals)
// before the check.
func (s *Server) checkBody(rq *apiRequest, raw []byte, op *specOp, nullTags bool) *apiError {
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte(`{}`)
	}
	v, err := decodeAny(raw)
	if err != nil {
		return invalidPayload("The request body is not valid JSON: %v", err)
	}
	if obj, ok := v.(map[string]any); ok && nullTags {
		if tags, ok := obj["tags"].(map[string]any); ok {
			for k, tv := range tags {
				if tv == nil {
					if rq.nullTags == nil {
						rq.nullTags = map[string]bool{}
					}
					rq.nullTags[k] = true
					delete(tags, k)
				}
			}
			if len(rq.nullTags) > 0 {
				if raw, err = json.Marshal(obj); err != nil {
					return invalidPayload("The request body could not be re-encoded: %v", err)
				}
			}
		}
	}
	if err := s.spec.check(op.Body, v, ""); err != nil {
		return invalidPayload("Invalid request body for %s: %v", op.ID, err)
	}
	rq.body = raw
	return nil
}

// decode unmarshals the checked body into v.
func (rq *apiRequest) decode(v any) *apiError {
	if err := json.Unmarshal(rq.body, v); err != nil {
		return invalidPayload("Invalid request body: %v", fakes.JSONError(err))
	}
	return nil
}

// query is a parsed query string as @botpress/client sends it (qs with
// allowDots and arrayFormat "repeat"): tags.id=42&tags.chatId=9,
// participantIds=a&participantIds=b. Bracketed names (tags[id]=42) are
// accepted too.
type query struct {
	vals url.Values
	tags map[string]string
}

func parseQuery(r *http.Request) (query, *apiError) {
	vals, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return query{}, newAPIError("InvalidQuery", "Invalid query string: %v", err)
	}
	q := query{vals: url.Values{}, tags: map[string]string{}}
	for k, vs := range vals {
		name := k
		if i := strings.IndexByte(k, '['); i > 0 && strings.HasSuffix(k, "]") {
			inner := k[i+1 : len(k)-1]
			if inner == "" {
				name = k[:i] // participantIds[]=a
			} else {
				name = k[:i] + "." + inner
			}
		}
		if tag, ok := strings.CutPrefix(name, "tags."); ok {
			q.tags[tag] = vs[len(vs)-1]
			continue
		}
		q.vals[name] = append(q.vals[name], vs...)
	}
	return q, nil
}

func (q query) get(k string) string { return q.vals.Get(k) }

// enum checks an optional enumerated query parameter.
func (q query) enum(k string, allowed ...string) (string, *apiError) {
	v := q.get(k)
	if v == "" {
		return "", nil
	}
	for _, a := range allowed {
		if v == a {
			return v, nil
		}
	}
	return "", newAPIError("InvalidQuery", "Query parameter %q must be one of %s, got %q", k, strings.Join(allowed, ", "), v)
}

// dateRange reads afterDate and beforeDate (inclusive).
func (q query) dateRange() (after, before time.Time, e *apiError) {
	for _, p := range []struct {
		k string
		t *time.Time
	}{{"afterDate", &after}, {"beforeDate", &before}} {
		v := q.get(p.k)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return after, before, newAPIError("InvalidQuery", "Query parameter %q must be an ISO 8601 date, got %q", p.k, v)
		}
		*p.t = t
	}
	return after, before, nil
}

func inRange(t, after, before time.Time) bool {
	return (after.IsZero() || !t.Before(after)) && (before.IsZero() || !t.After(before))
}

// pageSize is how many items one list call returns at most.
const pageSize = 20

// paginate returns the page of items that nextToken points at and the token
// of the following page ("" on the last one).
func paginate[T any](items []T, token string) ([]T, string, *apiError) {
	off := 0
	if token != "" {
		b, err := base64.RawURLEncoding.DecodeString(token)
		n, perr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || perr != nil || !strings.HasPrefix(string(b), "offset:") || n < 0 {
			return nil, "", newAPIError("InvalidQuery", "Invalid nextToken %q", token)
		}
		off = n
	}
	if off > len(items) {
		off = len(items)
	}
	end := off + pageSize
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	} else {
		end = len(items)
	}
	return items[off:end], next, nil
}

// listMeta is the meta object of list responses; nextToken is omitted on
// the last page.
type listMeta struct {
	NextToken string `json:"nextToken,omitempty"`
}

// sortItems orders items as the API lists them: most recent first (by the
// time at returns, then by creation order), or oldest first when asc.
func sortItems[T any](items []T, at func(T) time.Time, seq func(T) int64, asc bool) {
	sort.SliceStable(items, func(i, j int) bool {
		ti, tj := at(items[i]), at(items[j])
		if !ti.Equal(tj) {
			if asc {
				return ti.Before(tj)
			}
			return ti.After(tj)
		}
		if asc {
			return seq(items[i]) < seq(items[j])
		}
		return seq(items[i]) > seq(items[j])
	})
}

// mergeTags applies an update's tags to current: "" (or null) removes a key.
func mergeTags(current, update map[string]string, nulls map[string]bool) map[string]string {
	out := tagsOrEmpty(current)
	for k, v := range update {
		if v == "" {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	for k := range nulls {
		delete(out, k)
	}
	return out
}

// cleanTags drops empty values from the tags of a new object.
func cleanTags(t map[string]string) map[string]string {
	out := make(map[string]string, len(t))
	for k, v := range t {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

func quoteName(name string) string {
	if name == "" {
		return ""
	}
	return strconv.Quote(name)
}

// describe joins the non-empty parts of a journal line with two spaces.
func describe(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(p)
	}
	return b.String()
}

func fmtExpiry(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("expiry=%dms", d.Milliseconds())
}

// optString is a nullable string field of an update: set reports whether
// the field was present; null reads as set with an empty value (removal).
type optString struct {
	set   bool
	value string
}

// UnmarshalJSON reads a string or null.
func (o *optString) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.value = ""
		return nil
	}
	return json.Unmarshal(b, &o.value)
}
