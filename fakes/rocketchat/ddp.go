package rocketchat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/chatsim/chatsim/fakes"
)

// ddpConn is one realtime (DDP) connection. Its fields other than ws, out
// and done are guarded by Server.mu.
type ddpConn struct {
	ws     *websocket.Conn
	out    chan frame
	done   chan struct{}
	dead   bool
	userID string
	subs   map[string]string // sub id → eventName (room id or __my_messages__)
}

type frame struct {
	b   []byte
	end func()
}

// sendLocked queues a frame for the connection's writer. s.mu must be held.
func (s *Server) sendLocked(c *ddpConn, v any) {
	if c.dead {
		return
	}
	b, _ := json.Marshal(v)
	f := frame{b: b, end: s.cfg.activity.Begin("rocketchat ddp write")}
	select {
	case c.out <- f:
	default: // a client that reads nothing for 4096 frames is dropped
		f.end()
		c.dead = true
		_ = c.ws.Close()
	}
}

func (c *ddpConn) close() { _ = c.ws.Close() }

// serveDDP upgrades /websocket and serves the DDP protocol on it.
func (s *Server) serveDDP(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	fakes.Idle(r) // an open connection is not work in flight
	c := &ddpConn{ws: ws, out: make(chan frame, 4096), done: make(chan struct{}), subs: map[string]string{}}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	s.ddp[c] = struct{}{}
	s.connsDone.Add(2)
	s.sendLocked(c, map[string]any{"server_id": "0"})
	s.mu.Unlock()
	go s.ddpWriter(c)
	defer s.connsDone.Done()
	defer func() {
		s.mu.Lock()
		c.dead = true
		delete(s.ddp, c)
		close(c.done)
		s.mu.Unlock()
		_ = ws.Close()
	}()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		end := s.cfg.activity.Begin("rocketchat ddp frame")
		s.ddpFrame(c, data)
		end()
	}
}

func (s *Server) ddpWriter(c *ddpConn) {
	defer s.connsDone.Done()
	for {
		select {
		case f := <-c.out:
			_ = c.ws.WriteMessage(websocket.TextMessage, f.b)
			f.end()
		case <-c.done:
			for {
				select {
				case f := <-c.out:
					f.end()
				default:
					return
				}
			}
		}
	}
}

// meteorError is a Meteor.Error as DDP carries it.
func meteorError(code any, reason string) map[string]any {
	return map[string]any{"isClientSafe": true, "error": code, "reason": reason,
		"message": fmt.Sprintf("%s [%v]", reason, code), "errorType": "Meteor.Error"}
}

type ddpMsg struct {
	Msg    string            `json:"msg"`
	ID     *string           `json:"id"`
	Method string            `json:"method"`
	Name   string            `json:"name"`
	Params []json.RawMessage `json:"params"`
}

func (s *Server) ddpFrame(c *ddpConn, data []byte) {
	var m ddpMsg
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := decodeJSON(data, &m); err != nil {
		s.sendLocked(c, map[string]any{"msg": "error", "reason": "Bad request", "offendingMessage": string(data)})
		return
	}
	id := ""
	if m.ID != nil {
		id = *m.ID
	}
	switch m.Msg {
	case "connect":
		s.sendLocked(c, map[string]any{"msg": "connected", "session": s.newIDLocked()})
	case "ping":
		if m.ID != nil {
			s.sendLocked(c, map[string]any{"msg": "pong", "id": id})
		} else {
			s.sendLocked(c, map[string]any{"msg": "pong"})
		}
	case "pong":
	case "method":
		res, merr, summary := s.ddpMethodLocked(c, m.Method, m.Params)
		text := summary
		data := map[string]any{"method": m.Method}
		out := map[string]any{"msg": "result", "id": id}
		if merr != nil {
			out["error"] = merr
			text = strings.TrimSpace(fmt.Sprintf("%s → %v", summary, merr["error"]))
			data["error"] = merr["error"]
		} else if res != nil {
			out["result"] = res
		}
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: "ddp " + m.Method, Text: text, Data: data, Class: fakes.ClassCall})
		call := Call{Endpoint: "ddp " + m.Method, UserID: c.userID, Status: 200, At: s.now()}
		if merr != nil {
			call.Status, call.Error = 400, fmt.Sprint(merr["error"])
		}
		s.calls.Add(call)
		s.sendLocked(c, out)
		s.sendLocked(c, map[string]any{"msg": "updated", "methods": []string{id}})
	case "sub":
		s.ddpSubLocked(c, id, m.Name, m.Params)
	case "unsub":
		delete(c.subs, id)
		s.sendLocked(c, map[string]any{"msg": "nosub", "id": id})
	default:
		s.sendLocked(c, map[string]any{"msg": "error", "reason": "Bad request", "offendingMessage": string(data)})
	}
}

func (s *Server) ddpSubLocked(c *ddpConn, id, name string, params []json.RawMessage) {
	if name != "stream-room-messages" {
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: "ddp sub", Text: name, Data: map[string]any{"name": name}, Class: fakes.ClassCall})
		s.sendLocked(c, map[string]any{"msg": "ready", "subs": []string{id}})
		return
	}
	var event string
	if len(params) > 0 {
		_ = json.Unmarshal(params[0], &event)
	}
	nosub := func(why string) {
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: "ddp sub", Text: name + " " + event + " → nosub " + why,
			Data: map[string]any{"name": name, "event": event, "error": why}, Class: fakes.ClassCall})
		s.sendLocked(c, map[string]any{"msg": "nosub", "id": id, "error": meteorError("not-allowed", "Not allowed")})
	}
	u := s.users[c.userID]
	label := event
	switch {
	case u == nil:
		nosub("not logged in")
		return
	case event == "__my_messages__":
	default:
		r := s.rooms[event]
		if r == nil || !s.isMemberLocked(r, u) {
			nosub("not allowed")
			return
		}
		label = s.labelLocked(r, u.ID)
	}
	c.subs[id] = event
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: "ddp sub", Text: name + " " + label,
		Data: map[string]any{"name": name, "event": event}, Class: fakes.ClassCall})
	added := len(params) > 1 && string(params[1]) != "false" && string(params[1]) != "null"
	if added {
		s.sendLocked(c, map[string]any{"msg": "added", "collection": name, "id": "id", "fields": map[string]any{"eventName": event}})
	}
	s.sendLocked(c, map[string]any{"msg": "ready", "subs": []string{id}})
}

// streamLocked sends a new or changed message to every subscription that
// covers its room. s.mu must be held.
func (s *Server) streamLocked(m *Message) {
	r := s.rooms[m.RoomID]
	for c := range s.ddp {
		u := s.users[c.userID]
		if u == nil {
			continue
		}
		for _, event := range c.subs {
			if event == m.RoomID || event == "__my_messages__" && contains(r.Members, u.ID) {
				s.sendLocked(c, map[string]any{"msg": "changed", "collection": "stream-room-messages", "id": "id",
					"fields": map[string]any{"eventName": event, "args": []any{m.wire(true)}}})
			}
		}
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// streamDeleteLocked announces a deleted message. Rocket.Chat sends
// deletions on stream-notify-room, which the fake does not simulate.
func (s *Server) streamDeleteLocked(*Message) {}

func param[T any](params []json.RawMessage, i int) (T, bool) {
	var v T
	if i >= len(params) {
		return v, false
	}
	dec := json.NewDecoder(bytes.NewReader(params[i]))
	dec.UseNumber()
	return v, dec.Decode(&v) == nil
}

// ddpMethodLocked runs a DDP method; it returns the result or a Meteor
// error, and a journal summary.
func (s *Server) ddpMethodLocked(c *ddpConn, method string, params []json.RawMessage) (any, map[string]any, string) {
	if f, ok := s.faults.Take("ddp " + method); ok && f.Status != 0 {
		msg := f.Message
		if msg == "" {
			msg = http.StatusText(f.Status)
		}
		return nil, meteorError(f.Status, msg), ""
	}
	u := s.users[c.userID]
	notLogged := meteorError("error-invalid-user", "Invalid user")
	switch method {
	case "login":
		return s.ddpLoginLocked(c, params)
	case "logout":
		c.userID = ""
		return nil, nil, ""
	case "sendMessage":
		p, _ := param[map[string]any](params, 0)
		if u == nil {
			return nil, notLogged, ""
		}
		rid := str(p, "rid")
		if tooLong(str(p, "msg")) {
			return nil, meteorError(sizeExceeded, sizeExceededReason), "rid=" + rid
		}
		r := s.rooms[rid]
		if r == nil || !s.isMemberLocked(r, u) {
			return nil, meteorError("error-not-allowed", "Not allowed"), "rid=" + rid
		}
		in := messageInput(p)
		if id := str(p, "_id"); id != "" {
			if s.msgs[id] != nil {
				return nil, meteorError("error-message-already-exists", "Cannot send a message with an id that already exists"), "rid=" + rid
			}
			in.ID = id
		}
		if e := checkRich(in); e != nil {
			return nil, meteorError("error-invalid-params", fmt.Sprint(e.body["error"])), ""
		}
		m := s.postLocked(r, u, in)
		return m.wire(true), nil, s.labelLocked(r, u.ID) + " " + summarizeMessage(m)
	case "updateMessage":
		p, _ := param[map[string]any](params, 0)
		if u == nil {
			return nil, notLogged, ""
		}
		m := s.msgs[str(p, "_id")]
		if m == nil || m.deleted {
			return nil, meteorError("error-invalid-message", "Invalid message"), "msg=" + str(p, "_id")
		}
		if m.User.ID != u.ID && !contains(u.Roles, "admin") {
			return nil, meteorError("error-action-not-allowed", "Message editing not allowed"), "msg=" + m.ID
		}
		var blocks *json.RawMessage
		if b := rawParam(p, "blocks"); b != nil {
			blocks = &b
		}
		s.editLocked(m, u, str(p, "msg"), blocks, nil)
		return nil, nil, "msg=" + m.ID + " " + summarizeMessage(m)
	case "deleteMessage":
		p, _ := param[map[string]any](params, 0)
		if u == nil {
			return nil, notLogged, ""
		}
		m := s.msgs[str(p, "_id")]
		if m == nil || m.deleted {
			return nil, meteorError("error-invalid-message", "Invalid message"), "msg=" + str(p, "_id")
		}
		if m.User.ID != u.ID && !contains(u.Roles, "admin") {
			return nil, meteorError("error-action-not-allowed", "Not allowed"), "msg=" + m.ID
		}
		m.deleted = true
		s.streamDeleteLocked(m)
		return map[string]any{"_id": m.ID}, nil, "msg=" + m.ID
	case "setReaction":
		emoji, _ := param[string](params, 0)
		id, _ := param[string](params, 1)
		if u == nil {
			return nil, notLogged, ""
		}
		m := s.msgs[id]
		if m == nil || m.deleted || !s.isMemberLocked(s.rooms[m.RoomID], u) {
			return nil, meteorError("error-not-allowed", "Not allowed"), "msg=" + id
		}
		if !validEmoji(emoji) {
			return nil, meteorError("error-not-allowed", "Invalid emoji provided."), "msg=" + id + " " + emoji
		}
		var should *bool
		if b, ok := param[bool](params, 2); ok {
			should = &b
		}
		s.reactLocked(m, u, emoji, should)
		return nil, nil, "msg=" + id + " " + emoji
	case "loadHistory":
		rid, _ := param[string](params, 0)
		if u == nil {
			return nil, notLogged, ""
		}
		r := s.rooms[rid]
		if r == nil || !s.isMemberLocked(r, u) {
			return nil, meteorError("error-invalid-room", "Invalid room"), "rid=" + rid
		}
		limit := 20
		if n, ok := param[json.Number](params, 2); ok {
			if v, err := n.Int64(); err == nil && v > 0 {
				limit = int(v)
			}
		}
		msgs := s.historyLocked(r)
		out := []any{}
		for i := len(msgs) - 1; i >= 0 && len(out) < limit; i-- {
			out = append(out, msgs[i].wire(true))
		}
		return map[string]any{"messages": out, "unreadNotLoaded": 0}, nil, fmt.Sprintf("%s → %d messages", s.labelLocked(r, u.ID), len(out))
	case "getRoomIdByNameOrId":
		name, _ := param[string](params, 0)
		if u == nil {
			return nil, notLogged, ""
		}
		r, err := s.findRoomLocked(name, u)
		if err != nil || !s.isMemberLocked(r, u) {
			return nil, meteorError("error-not-allowed", "Not allowed"), name
		}
		return r.ID, nil, name
	case "UserPresence:online", "UserPresence:away", "UserPresence:setDefaultStatus", "UserPresence:connect", "setUserStatus":
		return nil, nil, ""
	}
	return nil, meteorError(404, fmt.Sprintf("Method '%s' not found", method)), ""
}

func (s *Server) ddpLoginLocked(c *ddpConn, params []json.RawMessage) (any, map[string]any, string) {
	var p struct {
		Resume string `json:"resume"`
		User   struct {
			Username string `json:"username"`
			Email    string `json:"email"`
		} `json:"user"`
		Password struct {
			Digest    string `json:"digest"`
			Algorithm string `json:"algorithm"`
		} `json:"password"`
	}
	if len(params) > 0 {
		_ = json.Unmarshal(params[0], &p)
	}
	var (
		u   *User
		typ = "password"
	)
	switch {
	case p.Resume != "":
		typ = "resume"
		u = s.userForTokenLocked(p.Resume)
		if u == nil {
			return nil, meteorError(403, "You've been logged out by the server. Please log in again."), "resume"
		}
	case p.User.Username != "" || p.User.Email != "":
		who := p.User.Username
		if who != "" {
			u = s.userByNameLocked(who)
		} else {
			who = p.User.Email
			u = s.userByEmailLocked(who)
		}
		if u == nil {
			return nil, meteorError(403, "User not found"), "user=" + who
		}
		if p.Password.Algorithm != "sha-256" || !checkPassword(u, "", p.Password.Digest) {
			return nil, meteorError(403, "Incorrect password"), "user=" + who
		}
	default:
		return nil, meteorError(400, "Match failed"), ""
	}
	c.userID = u.ID
	tok, exp := p.Resume, s.now().Add(loginTTL)
	if typ == "password" {
		tok, exp = s.loginLocked(u)
	}
	return map[string]any{"id": u.ID, "token": tok, "tokenExpires": ddpDate(exp), "type": typ}, nil, typ + " " + u.Username
}
