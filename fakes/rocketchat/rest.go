package rocketchat

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// loginTTL is how long a login token lives (the server default, 90 days).
const loginTTL = 90 * 24 * time.Hour

// Call is one REST call or DDP method the fake served, for inspection.
type Call struct {
	Endpoint string    `json:"endpoint"` // "chat.postMessage", "ddp sendMessage"
	UserID   string    `json:"user_id,omitempty"`
	Status   int       `json:"status"`
	Error    string    `json:"error,omitempty"`
	At       time.Time `json:"at"`
}

// restCall is one REST request being served.
type restCall struct {
	r        *http.Request
	endpoint string
	user     *User
	token    string
	params   map[string]any
	summary  string
}

// restErr is a REST failure: the status and Rocket.Chat's body.
type restErr struct {
	status int
	body   map[string]any
}

// failure is API.v1.failure(message, errorType): 400 with the error type
// appended to the message in brackets.
func failure(errorType, message string) *restErr {
	e := message + " [" + errorType + "]"
	if message == "" {
		e = "[" + errorType + "]"
	}
	return &restErr{status: http.StatusBadRequest, body: map[string]any{"success": false, "error": e, "errorType": errorType}}
}

// failureText is API.v1.failure(message) with no error type.
func failureText(message string) *restErr {
	return &restErr{status: http.StatusBadRequest, body: map[string]any{"success": false, "error": message}}
}

func unauthorized() *restErr {
	return &restErr{status: http.StatusUnauthorized, body: map[string]any{"status": "error", "message": "You must be logged in to do this."}}
}

func forbidden() *restErr {
	return &restErr{status: http.StatusForbidden, body: map[string]any{"success": false,
		"error": "User does not have the permissions required for this action [error-unauthorized]"}}
}

type endpoint struct {
	methods []string
	auth    bool
	fn      func(*restCall) (map[string]any, *restErr)
}

func (s *Server) endpoints() map[string]endpoint {
	get, post, both := []string{"GET"}, []string{"POST"}, []string{"GET", "POST"}
	return map[string]endpoint{
		"info":             {get, false, s.apiInfo},
		"login":            {post, false, s.apiLogin},
		"logout":           {both, true, s.apiLogout},
		"me":               {get, true, s.apiMe},
		"chat.postMessage": {post, true, s.apiPostMessage},
		"chat.sendMessage": {post, true, s.apiSendMessage},
		"chat.update":      {post, true, s.apiUpdate},
		"chat.delete":      {post, true, s.apiDelete},
		"chat.react":       {post, true, s.apiReact},
		"chat.getMessage":  {get, true, s.apiGetMessage},
		"channels.history": {get, true, s.historyOf("c")},
		"groups.history":   {get, true, s.historyOf("p")},
		"im.history":       {get, true, s.historyOf("d")},
		"dm.history":       {get, true, s.historyOf("d")},
		"im.create":        {post, true, s.apiIMCreate},
		"dm.create":        {post, true, s.apiIMCreate},
		"rooms.info":       {get, true, s.roomInfo("", "room")},
		"channels.info":    {get, true, s.roomInfo("c", "channel")},
		"groups.info":      {get, true, s.roomInfo("p", "group")},
		"users.info":       {get, true, s.apiUserInfo},
		"users.create":     {post, true, s.apiUserCreate},
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// serveREST serves /api/v1/<endpoint>.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request, name string) {
	ep, ok := s.endpoints()[name]
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": fmt.Sprintf("API endpoint \"/api/v1/%s\" does not exist", name)})
		return
	}
	if !slices.Contains(ep.methods, r.Method) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"success": false, "error": "Method not allowed"})
		return
	}
	c := &restCall{r: r, endpoint: name}
	params, err := readParams(r)
	if err != nil {
		s.finishREST(w, c, nil, failureText(err.Error()))
		return
	}
	c.params = params
	if ep.auth {
		s.mu.Lock()
		c.user, c.token = s.authLocked(r)
		s.mu.Unlock()
		if c.user == nil {
			s.finishREST(w, c, nil, unauthorized())
			return
		}
	}
	if f, ok := s.faults.Take(name); ok {
		_ = s.cfg.clock.Sleep(r.Context(), time.Duration(f.Delay))
		if f.Status != 0 {
			s.finishREST(w, c, nil, faultErr(w, f, s.now()))
			return
		}
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"success": false, "error": "server closed"})
		return
	}
	res, rerr := ep.fn(c)
	s.recordRESTLocked(c, rerr)
	s.mu.Unlock()
	s.writeREST(w, res, rerr)
}

// finishREST records and answers a call that failed before its handler.
func (s *Server) finishREST(w http.ResponseWriter, c *restCall, res map[string]any, rerr *restErr) {
	s.mu.Lock()
	s.recordRESTLocked(c, rerr)
	s.mu.Unlock()
	s.writeREST(w, res, rerr)
}

func (s *Server) writeREST(w http.ResponseWriter, res map[string]any, rerr *restErr) {
	if rerr != nil {
		writeJSON(w, rerr.status, rerr.body)
		return
	}
	if res == nil {
		res = map[string]any{}
	}
	// login and logout answer {"status":"success","data":…}; every other
	// endpoint adds "success":true, even beside a user's own "status"
	// ("online") as in me and users.info.
	if res["status"] != "success" {
		res["success"] = true
	}
	writeJSON(w, http.StatusOK, res)
}

func faultErr(w http.ResponseWriter, f fakes.Fault, now time.Time) *restErr {
	if f.Status == http.StatusTooManyRequests {
		wait := int(f.RetryAfter)
		if wait <= 0 {
			wait = 60
		}
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Duration(wait)*time.Second).UnixMilli(), 10))
		msg := f.Message
		if msg == "" {
			msg = fmt.Sprintf("Error, too many requests. Please slow down. You must wait %d seconds before trying this endpoint again.", wait)
		}
		e := failure("error-too-many-requests", msg)
		e.status = http.StatusTooManyRequests
		return e
	}
	msg := f.Message
	if msg == "" {
		msg = http.StatusText(f.Status)
	}
	if f.Status == http.StatusUnauthorized {
		return unauthorized()
	}
	return &restErr{status: f.Status, body: map[string]any{"success": false, "error": msg}}
}

// recordRESTLocked journals a call. s.mu must be held.
func (s *Server) recordRESTLocked(c *restCall, rerr *restErr) {
	status := http.StatusOK
	text := c.summary
	call := Call{Endpoint: c.endpoint, Status: status, At: s.now()}
	if c.user != nil {
		call.UserID = c.user.ID
	}
	if rerr != nil {
		call.Status = rerr.status
		msg, _ := rerr.body["errorType"].(string)
		if msg == "" {
			msg, _ = rerr.body["error"].(string)
		}
		if msg == "" {
			msg, _ = rerr.body["message"].(string)
		}
		call.Error = msg
		if text == "" {
			text = describeParams(c.params)
		}
		text = strings.TrimSpace(text + fmt.Sprintf(" → %d %s", rerr.status, msg))
	}
	s.calls.Add(call)
	data := map[string]any{"endpoint": c.endpoint, "status": call.Status}
	if p := redact(c.params); len(p) > 0 {
		data["params"] = p
	}
	if call.Error != "" {
		data["error"] = call.Error
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: c.endpoint, Text: text, Data: data, Class: fakes.ClassCall})
}

func redact(p map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range p {
		switch k {
		case "password", "resume", "code":
			out[k] = "[redacted]"
		default:
			out[k] = v
		}
	}
	return out
}

func describeParams(p map[string]any) string {
	b, _ := json.Marshal(redact(p))
	if string(b) == "{}" {
		return ""
	}
	return fakes.CanonicalJSON(b)
}

// readParams merges the query string and a JSON or form body.
func readParams(r *http.Request) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			out[k] = v[0]
		}
	}
	if r.Method != http.MethodPost {
		return out, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, fmt.Errorf("invalid form body: %w", err)
		}
		for k, v := range vs {
			if len(v) > 0 {
				out[k] = v[0]
			}
		}
		return out, nil
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("Invalid JSON body: %v", fakes.JSONError(err)) //nolint:staticcheck // Rocket.Chat's wording
	}
	for k, v := range obj {
		out[k] = v
	}
	return out, nil
}

// decodeJSON decodes one JSON value, numbers kept as written, and refuses
// data after it, as JSON.parse does.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("unexpected data after the JSON value")

// jsonProblem says what is wrong with a body decodeJSON refused, in a
// client's terms rather than the decoder's.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errTrailing):
		return err.Error()
	case errors.As(err, &se):
		return fmt.Sprintf("unexpected input at byte %d", se.Offset)
	case errors.As(err, &te):
		return "the body must be a JSON object"
	}
	return "unexpected end of input"
}

func str(p map[string]any, k string) string {
	switch v := p[k].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func boolParam(p map[string]any, k string) (bool, bool) {
	switch v := p[k].(type) {
	case bool:
		return v, true
	case string:
		b, err := strconv.ParseBool(v)
		return b, err == nil
	}
	return false, false
}

func rawParam(p map[string]any, k string) json.RawMessage {
	v, ok := p[k]
	if !ok || v == nil {
		return nil
	}
	if s, ok := v.(string); ok { // a form field holding JSON
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

// authLocked checks X-Auth-Token and X-User-Id. s.mu must be held.
func (s *Server) authLocked(r *http.Request) (*User, string) {
	token, uid := r.Header.Get("X-Auth-Token"), r.Header.Get("X-User-Id")
	if token == "" || uid == "" {
		return nil, ""
	}
	u := s.userForTokenLocked(token)
	if u == nil || u.ID != uid {
		return nil, ""
	}
	return u, token
}

func (s *Server) userForTokenLocked(token string) *User {
	t, ok := s.tokens[token]
	if !ok {
		return nil
	}
	if !t.pat && !t.expires.After(s.now()) {
		delete(s.tokens, token)
		return nil
	}
	return s.users[t.userID]
}

// loginLocked issues a new login token for u.
func (s *Server) loginLocked(u *User) (string, time.Time) {
	tok := s.newTokenLocked()
	exp := s.now().Add(loginTTL)
	s.tokens[tok] = tokenRec{userID: u.ID, expires: exp}
	return tok, exp
}

// checkPassword accepts the plain password or its sha-256 digest.
func checkPassword(u *User, plain, digest string) bool {
	if u.Password == "" {
		return false
	}
	if digest != "" {
		sum := sha256.Sum256([]byte(u.Password))
		return strings.EqualFold(hex.EncodeToString(sum[:]), digest)
	}
	return plain == u.Password
}

func (s *Server) apiInfo(c *restCall) (map[string]any, *restErr) {
	return map[string]any{"info": map[string]any{"version": "6.13.0"}}, nil
}

func (s *Server) apiLogin(c *restCall) (map[string]any, *restErr) {
	bad := &restErr{status: http.StatusUnauthorized, body: map[string]any{"status": "error", "error": "Unauthorized", "message": "Unauthorized"}}
	var u *User
	if resume := str(c.params, "resume"); resume != "" {
		c.summary = "resume"
		u = s.userForTokenLocked(resume)
		if u == nil {
			return nil, bad
		}
	} else {
		name := str(c.params, "user")
		if name == "" {
			name = str(c.params, "username")
		}
		if name == "" {
			name = str(c.params, "email")
		}
		c.summary = "user=" + name
		plain, digest := str(c.params, "password"), ""
		if pw, ok := c.params["password"].(map[string]any); ok {
			digest, _ = pw["digest"].(string)
		}
		if name == "" || plain == "" && digest == "" {
			return nil, bad
		}
		var err error
		if u, err = s.findUserLocked(name); err != nil || !checkPassword(u, plain, digest) {
			return nil, bad
		}
	}
	c.user = u
	tok, _ := s.loginLocked(u)
	me := s.userWire(u)
	me["avatarUrl"] = s.URL() + "/avatar/" + u.Username
	return map[string]any{"status": "success", "data": map[string]any{"authToken": tok, "userId": u.ID, "me": me}}, nil
}

func (s *Server) apiLogout(c *restCall) (map[string]any, *restErr) {
	if t := s.tokens[c.token]; !t.pat {
		delete(s.tokens, c.token)
	}
	return map[string]any{"status": "success", "data": map[string]any{"message": "You've been signed out!"}}, nil
}

func (s *Server) apiMe(c *restCall) (map[string]any, *restErr) {
	c.summary = c.user.Username
	return s.userWire(c.user), nil
}

// messageInput reads the fields a new message may carry.
func messageInput(p map[string]any) Message {
	return Message{
		Text: str(p, "msg"), Alias: str(p, "alias"), Emoji: str(p, "emoji"), Avatar: str(p, "avatar"),
		Attachments: rawParam(p, "attachments"), Blocks: rawParam(p, "blocks"), ThreadID: str(p, "tmid"),
	}
}

func (s *Server) apiPostMessage(c *restCall) (map[string]any, *restErr) {
	target := str(c.params, "roomId")
	if target == "" {
		target = str(c.params, "channel")
	}
	if target == "" {
		return nil, failure("error-invalid-channel", "Invalid channel")
	}
	if tooLong(str(c.params, "text")) {
		c.summary = target
		return nil, failure(sizeExceeded, sizeExceededReason)
	}
	r, err := s.findRoomLocked(target, c.user)
	if err != nil {
		c.summary = target
		return nil, failure("invalid-channel", "")
	}
	if !s.isMemberLocked(r, c.user) {
		c.summary = s.labelLocked(r, c.user.ID)
		return nil, failure("error-not-allowed", "Not allowed")
	}
	in := messageInput(c.params)
	in.Text = str(c.params, "text")
	if e := checkRich(in); e != nil {
		return nil, e
	}
	m := s.postLocked(r, c.user, in)
	c.summary = s.labelLocked(r, c.user.ID) + " " + summarizeMessage(m)
	return map[string]any{"ts": m.TS.UnixMilli(), "channel": target, "message": m.wire(false)}, nil
}

func checkRich(m Message) *restErr {
	if len(m.Blocks) > 0 {
		var blocks []map[string]any
		if json.Unmarshal(m.Blocks, &blocks) != nil {
			return failure("error-invalid-params", "The \"blocks\" param must be an array of blocks")
		}
		for i, b := range blocks {
			if _, ok := b["type"].(string); !ok {
				return failure("error-invalid-params", fmt.Sprintf("blocks/%d must have required property 'type'", i))
			}
		}
	}
	if len(m.Attachments) > 0 {
		var a []map[string]any
		if json.Unmarshal(m.Attachments, &a) != nil {
			return failure("error-invalid-params", "The \"attachments\" param must be an array of objects")
		}
	}
	return nil
}

func (s *Server) apiSendMessage(c *restCall) (map[string]any, *restErr) {
	raw, ok := c.params["message"].(map[string]any)
	if !ok {
		if js := str(c.params, "message"); js != "" {
			_ = json.Unmarshal([]byte(js), &raw)
		}
	}
	if raw == nil {
		return nil, failure("error-invalid-params", "The \"message\" parameter must be provided.")
	}
	rid := str(raw, "rid")
	if rid == "" {
		return nil, failure("error-invalid-params", "The \"rid\" parameter must be provided.")
	}
	if tooLong(str(raw, "msg")) {
		c.summary = "rid=" + rid
		return nil, failure(sizeExceeded, sizeExceededReason)
	}
	r := s.rooms[rid]
	if r == nil || !s.isMemberLocked(r, c.user) {
		c.summary = "rid=" + rid
		return nil, failure("error-not-allowed", "Not allowed")
	}
	in := messageInput(raw)
	if id := str(raw, "_id"); id != "" {
		if s.msgs[id] != nil {
			return nil, failure("error-message-already-exists", "Cannot send a message with an id that already exists")
		}
		in.ID = id
	}
	if e := checkRich(in); e != nil {
		return nil, e
	}
	m := s.postLocked(r, c.user, in)
	c.summary = s.labelLocked(r, c.user.ID) + " " + summarizeMessage(m)
	return map[string]any{"message": m.wire(false)}, nil
}

// ownMessage finds msgId (in roomId, when given) for an edit or delete.
func (s *Server) ownMessageLocked(c *restCall, idKey, roomKey string) (*Message, *restErr) {
	id := str(c.params, idKey)
	m := s.msgs[id]
	if m == nil || m.deleted {
		return nil, failureText(fmt.Sprintf("No message found with the id of \"%s\".", id))
	}
	if rid := str(c.params, roomKey); rid != "" && rid != m.RoomID {
		return nil, failureText("The room id provided does not match where the message is from.")
	}
	if m.User.ID != c.user.ID && !slices.Contains(c.user.Roles, "admin") {
		return nil, failure("error-action-not-allowed", "Not allowed")
	}
	return m, nil
}

func (s *Server) apiUpdate(c *restCall) (map[string]any, *restErr) {
	c.summary = "msg=" + str(c.params, "msgId")
	m, e := s.ownMessageLocked(c, "msgId", "roomId")
	if e != nil {
		return nil, e
	}
	var blocks, att *json.RawMessage
	if b := rawParam(c.params, "blocks"); b != nil {
		if e := checkRich(Message{Blocks: b}); e != nil {
			return nil, e
		}
		blocks = &b
	}
	if a := rawParam(c.params, "attachments"); a != nil {
		att = &a
	}
	s.editLocked(m, c.user, str(c.params, "text"), blocks, att)
	c.summary = "msg=" + m.ID + " " + summarizeMessage(m)
	return map[string]any{"message": m.wire(false)}, nil
}

func (s *Server) apiDelete(c *restCall) (map[string]any, *restErr) {
	c.summary = "msg=" + str(c.params, "msgId")
	m, e := s.ownMessageLocked(c, "msgId", "roomId")
	if e != nil {
		return nil, e
	}
	m.deleted = true
	s.streamDeleteLocked(m)
	now := s.now()
	return map[string]any{"_id": m.ID, "ts": now.UnixMilli(), "message": map[string]any{"_id": m.ID, "rid": m.RoomID, "u": m.User}}, nil
}

func (s *Server) apiReact(c *restCall) (map[string]any, *restErr) {
	id := str(c.params, "messageId")
	emoji := str(c.params, "emoji")
	if emoji == "" {
		emoji = str(c.params, "reaction")
	}
	c.summary = "msg=" + id + " " + emoji
	if id == "" {
		return nil, failure("error-messageid-param-not-provided", "The required \"messageId\" param is missing.")
	}
	if emoji == "" {
		return nil, failure("error-emoji-param-not-provided", "The required \"emoji\" param is missing.")
	}
	m := s.msgs[id]
	if m == nil || m.deleted || !s.isMemberLocked(s.rooms[m.RoomID], c.user) {
		return nil, failure("error-message-not-found", "The provided \"messageId\" does not match any existing message.")
	}
	if !validEmoji(emoji) {
		return nil, failure("error-not-allowed", "Invalid emoji provided.")
	}
	var should *bool
	if b, ok := boolParam(c.params, "shouldReact"); ok {
		should = &b
	}
	s.reactLocked(m, c.user, emoji, should)
	return map[string]any{}, nil
}

func (s *Server) apiGetMessage(c *restCall) (map[string]any, *restErr) {
	id := str(c.params, "msgId")
	c.summary = "msg=" + id
	if id == "" {
		return nil, failure("error-invalid-params", "The \"msgId\" query parameter must be provided.")
	}
	m := s.msgs[id]
	if m == nil || m.deleted || !s.isMemberLocked(s.rooms[m.RoomID], c.user) {
		return nil, failureText("Message not found")
	}
	return map[string]any{"message": m.wire(false)}, nil
}

// kindName names a room type ("c", "p", "d") as error messages do.
func kindName(typ string) string {
	switch typ {
	case "c":
		return "channel"
	case "p":
		return "group"
	case "d":
		return "direct message"
	}
	return ""
}

func (s *Server) historyOf(typ string) func(*restCall) (map[string]any, *restErr) {
	return func(c *restCall) (map[string]any, *restErr) {
		id, name := str(c.params, "roomId"), str(c.params, "roomName")
		if typ == "d" && name == "" {
			name = str(c.params, "username")
		}
		c.summary = id + name
		if id == "" && name == "" {
			return nil, failure("error-roomid-param-not-provided", "The parameter \"roomId\" or \"roomName\" is required")
		}
		var r *Room
		if id != "" {
			r = s.rooms[id]
		} else if typ == "d" {
			r, _ = s.findRoomLocked("@"+name, c.user)
		} else {
			r = s.roomByNameLocked(name)
		}
		if r == nil || r.Type != typ || !s.isMemberLocked(r, c.user) {
			return nil, failure("error-room-not-found", fmt.Sprintf("The required \"roomId\" or \"roomName\" param provided does not match any %s", kindName(typ)))
		}
		msgs := s.historyLocked(r)
		latest, oldest := time.Time{}, time.Time{}
		if v := str(c.params, "latest"); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, failure("error-invalid-params", "The \"latest\" query parameter must be a valid date.")
			}
			latest = t
		}
		if v := str(c.params, "oldest"); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return nil, failure("error-invalid-params", "The \"oldest\" query parameter must be a valid date.")
			}
			oldest = t
		}
		inclusive, _ := boolParam(c.params, "inclusive")
		count, offset := 20, 0
		if v, err := strconv.Atoi(str(c.params, "count")); err == nil && v > 0 {
			count = v
		}
		if v, err := strconv.Atoi(str(c.params, "offset")); err == nil && v > 0 {
			offset = v
		}
		var out []map[string]any
		for i := len(msgs) - 1; i >= 0; i-- { // newest first
			m := msgs[i]
			if !latest.IsZero() && (m.TS.After(latest) || !inclusive && m.TS.Equal(latest)) {
				continue
			}
			if !oldest.IsZero() && (m.TS.Before(oldest) || !inclusive && m.TS.Equal(oldest)) {
				continue
			}
			out = append(out, m.wire(false))
		}
		if offset > len(out) {
			offset = len(out)
		}
		out = out[offset:]
		if len(out) > count {
			out = out[:count]
		}
		if out == nil {
			out = []map[string]any{}
		}
		c.summary = fmt.Sprintf("%s → %d messages", s.labelLocked(r, c.user.ID), len(out))
		return map[string]any{"messages": out}, nil
	}
}

func (s *Server) apiIMCreate(c *restCall) (map[string]any, *restErr) {
	name := str(c.params, "username")
	c.summary = "@" + name
	if name == "" {
		return nil, failure("error-invalid-params", "Body param \"username\" or \"usernames\" is required")
	}
	u := s.userByNameLocked(name)
	if u == nil {
		return nil, failure("error-invalid-user", "Invalid user")
	}
	r := s.dmLocked(c.user, u)
	room := s.roomWire(r)
	room["rid"] = r.ID
	return map[string]any{"room": room}, nil
}

func (s *Server) roomInfo(typ, key string) func(*restCall) (map[string]any, *restErr) {
	return func(c *restCall) (map[string]any, *restErr) {
		id, name := str(c.params, "roomId"), str(c.params, "roomName")
		c.summary = id + name
		if id == "" && name == "" {
			return nil, failure("error-roomid-param-not-provided", "The parameter \"roomId\" or \"roomName\" is required")
		}
		r := s.rooms[id]
		if id == "" {
			r = s.roomByNameLocked(name)
		}
		if r == nil || typ != "" && r.Type != typ || !s.isMemberLocked(r, c.user) {
			if typ == "" {
				return nil, failure("not-allowed", "Not Allowed")
			}
			return nil, failure("error-room-not-found", fmt.Sprintf("The required \"roomId\" or \"roomName\" param provided does not match any %s", kindName(typ)))
		}
		c.summary = s.labelLocked(r, c.user.ID)
		return map[string]any{key: s.roomWire(r)}, nil
	}
}

func (s *Server) apiUserInfo(c *restCall) (map[string]any, *restErr) {
	id, name := str(c.params, "userId"), str(c.params, "username")
	c.summary = id + name
	if id == "" && name == "" {
		return nil, failure("error-user-param-not-provided", "The required \"userId\" or \"username\" param was not provided")
	}
	u := s.users[id]
	if id == "" {
		u = s.userByNameLocked(name)
	}
	if u == nil {
		return nil, failureText("User not found.")
	}
	c.summary = u.Username
	return map[string]any{"user": s.userWire(u)}, nil
}

func (s *Server) apiUserCreate(c *restCall) (map[string]any, *restErr) {
	c.summary = str(c.params, "username")
	if !slices.Contains(c.user.Roles, "admin") {
		return nil, forbidden()
	}
	for _, k := range []string{"email", "name", "password", "username"} {
		if str(c.params, k) == "" {
			return nil, failure("invalid-params", fmt.Sprintf("must have required property '%s'", k))
		}
	}
	var roles []string
	if rs, ok := c.params["roles"].([]any); ok {
		for _, r := range rs {
			if s, ok := r.(string); ok {
				roles = append(roles, s)
			}
		}
	}
	nu := User{Username: str(c.params, "username"), Name: str(c.params, "name"), Email: str(c.params, "email"),
		Password: str(c.params, "password"), Roles: roles}
	if s.userByNameLocked(nu.Username) != nil {
		return nil, failure("error-field-unavailable", nu.Username+" is already in use :(")
	}
	if s.userByEmailLocked(nu.Email) != nil {
		return nil, failure("error-field-unavailable", nu.Email+" is already in use :(")
	}
	u, err := s.addUserLocked(nu)
	if err != nil {
		return nil, failure("error-invalid-params", err.Error())
	}
	if join, ok := boolParam(c.params, "joinDefaultChannels"); !ok || join {
		g := s.rooms[GeneralID]
		g.Members = append(g.Members, u.ID)
	}
	now := isoTime(s.now())
	out := s.userWire(u)
	out["status"] = "offline"
	out["createdAt"], out["_updatedAt"] = now, now
	out["services"] = map[string]any{"password": map[string]any{"bcrypt": "$2b$10$chatsim.fake.bcrypt.hash.of.the.password"}}
	out["customFields"] = map[string]string{}
	return map[string]any{"user": out}, nil
}
