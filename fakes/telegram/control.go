package telegram

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, as GET fakes.ControlPrefix answers
// it: made from the routes the server serves. Each answers JSON; errors
// are {"error": "…"} with 400 (bad input), 404 (unknown user, chat,
// message or button or no such route), 405 (another method; Allow lists
// the route's), 409 (blocked, not a member, already exists).
func (s *Server) ControlRoutes() []fakes.ControlRoute { return s.control.Routes() }

// buildControl builds the control API's router: this server's routes,
// served through controlTable.
func (s *Server) buildControl() http.Handler {
	var rs fakes.Routes
	s.controlRoutes(&rs)
	return controlTable.Handler(&rs)
}

// controlRoutes adds the control API to rs.
func (s *Server) controlRoutes(rs *fakes.Routes) {
	m := &s.control
	m.HandleFunc("GET", "bot", "{user, token, api_url}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"user": s.BotUser(), "token": s.Token(), "api_url": s.URL() + "/bot" + s.Token()})
	})
	m.HandleFunc("GET", "users", "{users}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"users": s.Users()})
	})
	m.HandleFunc("POST", "users", "User → 201 {user}", func(w http.ResponseWriter, r *http.Request) {
		var u User
		if !fakes.DecodeControl(w, r, &u) {
			return
		}
		if err := s.AddUser(u); err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"user": u})
	})
	for _, block := range []bool{true, false} {
		action, doc := "block", "the user blocks the bot → {update_ids}"
		if !block {
			action, doc = "unblock", "the user unblocks the bot → {update_ids}"
		}
		m.HandleFunc("POST", "users/{id}/"+action, doc, func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r, "id")
			if !ok {
				return
			}
			upd, err := s.setBlocked(id, block)
			if err != nil {
				controlFail(w, err)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{"update_ids": ids(upd)})
		})
	}
	m.HandleFunc("GET", "chats", "{chats}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"chats": s.Chats()})
	})
	m.HandleFunc("POST", "chats", "{id,type,title,username,members,bot_status} → 201 {chat}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Chat
			Members   []int64 `json:"members"`
			BotStatus string  `json:"bot_status"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		if err := s.AddChat(body.Chat); err != nil {
			controlFail(w, err)
			return
		}
		for _, id := range body.Members {
			if err := s.AddMember(body.ID, id, StatusMember); err != nil {
				controlFail(w, err)
				return
			}
		}
		if body.BotStatus != "" {
			if err := s.setBotStatus(body.ID, body.BotStatus); err != nil {
				controlFail(w, err)
				return
			}
		}
		s.mu.Lock()
		c := s.chats[body.ID].chat
		s.mu.Unlock()
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"chat": c})
	})
	m.HandleFunc("GET", "chats/{id}", "{chat, members, messages: [Entry]}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r, "id")
		if !ok {
			return
		}
		s.mu.Lock()
		cs := s.chats[id]
		if cs == nil {
			s.mu.Unlock()
			fakes.ControlError(w, http.StatusNotFound, "chat %d: %v", id, ErrUnknownChat)
			return
		}
		members := map[string]string{}
		for uid, st := range cs.members {
			members[strconv.FormatInt(uid, 10)] = st
		}
		out := map[string]any{"chat": cs.chat, "members": members, "messages": s.historyLocked(cs)}
		s.mu.Unlock()
		fakes.WriteJSON(w, http.StatusOK, out)
	})
	m.HandleFunc("POST", "chats/{id}/messages", "{from,text,reply_to} | {from,photo(base64),caption} → 201 {message, update_ids}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r, "id")
		if !ok {
			return
		}
		var body struct {
			From    int64  `json:"from"`
			Text    string `json:"text"`
			ReplyTo int    `json:"reply_to"`
			Photo   []byte `json:"photo"` // base64 in JSON
			Caption string `json:"caption"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		var (
			msg Message
			upd int64
			err error
		)
		switch {
		case len(body.Photo) > 0:
			msg, upd, err = s.sendPhoto(body.From, id, body.Caption, body.Photo)
		case body.Caption != "":
			err = errors.New("send photo: field \"photo\" (base64 image bytes) is required with a caption")
		default:
			msg, upd, err = s.sendText(body.From, id, body.Text, body.ReplyTo)
		}
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"message": msg, "update_ids": ids(upd)})
	})
	m.HandleFunc("POST", "chats/{id}/commands", "{from,command,args} → 201 {message, update_ids}", func(w http.ResponseWriter, r *http.Request) {
		id, ok := pathID(w, r, "id")
		if !ok {
			return
		}
		var body struct {
			From    int64  `json:"from"`
			Command string `json:"command"`
			Args    string `json:"args"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		if strings.TrimPrefix(body.Command, "/") == "" {
			fakes.ControlError(w, http.StatusBadRequest, "send command: field \"command\" is required")
			return
		}
		text := "/" + strings.TrimPrefix(body.Command, "/")
		if body.Args != "" {
			text += " " + body.Args
		}
		msg, upd, err := s.sendText(body.From, id, text, 0)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"message": msg, "update_ids": ids(upd)})
	})
	for _, action := range []struct{ name, doc string }{
		{"edit", "{from,text} → {message, update_ids}"},
		{"tap", "{from,button} → {callback_query, update_ids}"},
		{"react", "{from,emoji:[…]} → {update_ids}"},
	} {
		m.HandleFunc("POST", "chats/{id}/messages/{mid}/"+action.name, action.doc, func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r, "id")
			if !ok {
				return
			}
			mid, ok := pathID(w, r, "mid")
			if !ok {
				return
			}
			var body struct {
				From   int64    `json:"from"`
				Text   string   `json:"text"`
				Button string   `json:"button"`
				Emoji  []string `json:"emoji"`
			}
			if !fakes.DecodeControl(w, r, &body) {
				return
			}
			switch action.name {
			case "edit":
				msg, upd, err := s.editText(body.From, id, int(mid), body.Text)
				if err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{"message": msg, "update_ids": ids(upd)})
			case "tap":
				q, upd, err := s.tap(body.From, id, int(mid), body.Button)
				if err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{"callback_query": q, "update_ids": ids(upd)})
			case "react":
				upd, err := s.react(body.From, id, int(mid), body.Emoji)
				if err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{"update_ids": ids(upd)})
			}
		})
	}
	for _, action := range []string{"join", "leave"} {
		join := action == "join"
		m.HandleFunc("POST", "chats/{id}/"+action, "{user,by} → {update_ids}", func(w http.ResponseWriter, r *http.Request) {
			id, ok := pathID(w, r, "id")
			if !ok {
				return
			}
			var body struct {
				User int64 `json:"user"`
				By   int64 `json:"by"`
			}
			if !fakes.DecodeControl(w, r, &body) {
				return
			}
			upd, err := s.membership(body.User, id, body.By, join)
			if err != nil {
				controlFail(w, err)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{"update_ids": ids(upd...)})
		})
	}
	m.HandleFunc("GET", "updates", "{pending: [Update]}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		pending := make([]json.RawMessage, 0, len(s.queue))
		for _, q := range s.queue {
			pending = append(pending, q.raw)
		}
		s.mu.Unlock()
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"pending": pending})
	})
	m.HandleFunc("POST", "updates", "Update (recorded) → {update}", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "read body: %v", err)
			return
		}
		u, err := s.InjectUpdate(raw)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"update": u})
	})
	m.HandleFunc("GET", "webhook", "WebhookInfo + {secret_token_set}", func(w http.ResponseWriter, r *http.Request) {
		info := s.WebhookInfo()
		s.mu.Lock()
		secret := s.webhook.secret != ""
		s.mu.Unlock()
		fakes.WriteJSON(w, http.StatusOK, struct {
			WebhookInfo
			SecretTokenSet bool `json:"secret_token_set"`
		}{info, secret})
	})
	m.HandleFunc("GET", "calls", "{calls: [Call]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"calls": s.Calls()})
	})
	m.HandleFunc("GET", "deliveries", "{deliveries: [Delivery]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": s.Deliveries()})
	})
	m.Handle("GET", "faults", "{faults: [fakes.Fault]}", &s.faults)
	m.Handle("POST", "faults", "fakes.Fault (op = Bot API method) → {faults}", &s.faults)
	m.Handle("DELETE", "faults", "clears every fault → {faults: []}", &s.faults)
	m.Mount(rs)
}

// controlTable routes every server's control API: the patterns are the
// same for each, so they are registered once, from a zero Server's
// routes, and the table is never changed after.
var controlTable = func() *fakes.RouteTable {
	var rs fakes.Routes
	new(Server).controlRoutes(&rs)
	return fakes.NewRouteTable(&rs)
}()

// setBotStatus sets the bot's membership of a group without an update.
func (s *Server) setBotStatus(chatID int64, status string) error {
	switch status {
	case StatusAdministrator, StatusMember, StatusRestricted, StatusLeft, StatusKicked:
	default:
		return errors.New("add chat: field \"bot_status\" must be administrator, member, restricted, left or kicked")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil || cs.chat.Type == ChatPrivate {
		return errors.New("add chat: \"bot_status\" applies to groups only")
	}
	cs.members[s.cfg.bot.ID] = status
	return nil
}

func ids(upd ...int64) []int64 {
	out := []int64{}
	for _, id := range upd {
		if id != 0 {
			out = append(out, id)
		}
	}
	return out
}

func pathID(w http.ResponseWriter, r *http.Request, name string) (int64, bool) {
	v := r.PathValue(name)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		fakes.ControlError(w, http.StatusBadRequest, "path {%s}: want an integer, got %q", name, v)
		return 0, false
	}
	return n, true
}

// controlFail answers a control call with the status its error deserves.
func controlFail(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrUnknownUser), errors.Is(err, ErrUnknownChat), errors.Is(err, ErrUnknownMessage), errors.Is(err, ErrUnknownButton):
		status = http.StatusNotFound
	case errors.Is(err, ErrBlocked), errors.Is(err, ErrNotMember), errors.Is(err, ErrExists):
		status = http.StatusConflict
	case errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	}
	fakes.ControlError(w, status, "%v", err)
}
