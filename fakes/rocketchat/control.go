package rocketchat

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, as GET fakes.ControlPrefix answers
// it: made from the routes the server serves. Each answers JSON; errors
// are {"error": "…"} with 400 (bad input), 404 (unknown user, room,
// message or element, or no such route), 405 (another method; Allow lists
// the route's), 409 (already exists, not a member) or 503 (closed). {room}
// is a room id, a name ("general") or "@username" (that user's DM with the
// bot); "from" is an id, username or email.
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
	ok := func(w http.ResponseWriter, status int, v any) { fakes.WriteJSON(w, status, v) }
	m.HandleFunc("GET", "server", "{url, bot, bot_password, bot_token, webhook_token, interaction_url}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"url": s.URL(), "bot": s.BotUser(), "bot_password": s.BotPassword(), "bot_token": s.BotToken(),
			"webhook_token": s.WebhookToken(), "interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("GET", "users", "{users}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"users": s.Users()})
	})
	m.HandleFunc("POST", "users", "{username,name,email,password,roles,type} → 201 {user}", func(w http.ResponseWriter, r *http.Request) {
		var u User
		if !fakes.DecodeControl(w, r, &u) {
			return
		}
		nu, err := s.AddUser(u)
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"user": nu})
	})
	m.HandleFunc("GET", "rooms", "{rooms}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"rooms": s.Rooms()})
	})
	m.HandleFunc("POST", "rooms", "{name,type:\"c\"|\"p\",members:[user]} → 201 {room}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Name    string   `json:"name"`
			Type    string   `json:"type"`
			Members []string `json:"members"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		if body.Type == "" {
			body.Type = "c"
		}
		room, err := s.AddRoom(body.Name, body.Type, body.Members...)
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"room": room})
	})
	m.HandleFunc("GET", "rooms/{room}", "{room, messages}", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		room, err := s.findRoomLocked(r.PathValue("room"), nil)
		var out map[string]any
		if err == nil {
			msgs := []*Message{}
			msgs = append(msgs, s.historyLocked(room)...)
			out = map[string]any{"room": s.roomCopyLocked(room), "messages": msgs}
		}
		s.mu.Unlock()
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, 200, out)
	})
	type sendBody struct {
		From        string          `json:"from"`
		Text        string          `json:"text"`
		ThreadID    string          `json:"tmid"`
		Blocks      json.RawMessage `json:"blocks"`
		Attachments json.RawMessage `json:"attachments"`
	}
	m.HandleFunc("POST", "rooms/{room}/messages", "{from,text,tmid,blocks,attachments} → 201 {message}", func(w http.ResponseWriter, r *http.Request) {
		var b sendBody
		if !fakes.DecodeControl(w, r, &b) {
			return
		}
		msg, err := s.SendMessage(b.From, r.PathValue("room"), Message{Text: b.Text, ThreadID: b.ThreadID, Blocks: b.Blocks, Attachments: b.Attachments})
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"message": msg})
	})
	for _, verb := range []string{"join", "leave"} {
		m.HandleFunc("POST", "rooms/{room}/"+verb, "{from} → 201 {message} (the \"u"+verb[:1]+"\" system message)", func(w http.ResponseWriter, r *http.Request) {
			var b sendBody
			if !fakes.DecodeControl(w, r, &b) {
				return
			}
			do := s.Join
			if verb == "leave" {
				do = s.Leave
			}
			msg, err := do(b.From, r.PathValue("room"))
			if err != nil {
				controlFail(w, err)
				return
			}
			ok(w, http.StatusCreated, map[string]any{"message": msg})
		})
	}
	m.HandleFunc("POST", "dms", "{from,text} → 201 {message} (a DM to the bot)", func(w http.ResponseWriter, r *http.Request) {
		var b sendBody
		if !fakes.DecodeControl(w, r, &b) {
			return
		}
		msg, err := s.SendMessage(b.From, "@"+s.cfg.botUsername, Message{Text: b.Text, ThreadID: b.ThreadID, Blocks: b.Blocks, Attachments: b.Attachments})
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"message": msg})
	})
	for _, action := range []struct{ name, doc string }{
		{"edit", "{from,text} → {message}"},
		{"react", "{from,emoji (a shortcode)} → {message}"},
		{"delete", "{from} → {deleted: id}"},
		{"click", "{from,button (text, action_id or value)} → {payload}"},
		{"select", "{from,option (text or value),action_id} → {payload}"},
		{"pick-date", "{from,date (YYYY-MM-DD),action_id} → {payload}"},
	} {
		m.HandleFunc("POST", "messages/{id}/"+action.name, action.doc, func(w http.ResponseWriter, r *http.Request) {
			var b struct {
				From     string `json:"from"`
				Text     string `json:"text"`
				Emoji    string `json:"emoji"`
				Button   string `json:"button"`
				Option   string `json:"option"`
				Date     string `json:"date"`
				ActionID string `json:"action_id"`
			}
			if !fakes.DecodeControl(w, r, &b) {
				return
			}
			id := r.PathValue("id")
			var (
				msg     Message
				payload json.RawMessage
				err     error
			)
			switch action.name {
			case "edit":
				msg, err = s.Edit(b.From, id, b.Text)
			case "react":
				msg, err = s.React(b.From, id, b.Emoji)
			case "delete":
				if err = s.Delete(b.From, id); err == nil {
					ok(w, 200, map[string]any{"deleted": id})
					return
				}
			case "click":
				ref := b.Button
				if ref == "" {
					ref = b.ActionID
				}
				payload, err = s.Click(b.From, id, ref)
			case "select":
				payload, err = s.Select(b.From, id, b.ActionID, b.Option)
			case "pick-date":
				payload, err = s.PickDate(b.From, id, b.ActionID, b.Date)
			}
			if err != nil {
				controlFail(w, err)
				return
			}
			if payload != nil {
				ok(w, 200, map[string]any{"payload": payload})
				return
			}
			ok(w, 200, map[string]any{"message": msg})
		})
	}
	m.HandleFunc("GET", "integrations", "{outgoing, incoming, interaction_url}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"outgoing": s.Outgoings(), "incoming": s.Incomings(), "interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("POST", "integrations/outgoing", "Outgoing → 201 {integration}", func(w http.ResponseWriter, r *http.Request) {
		var o Outgoing
		if !fakes.DecodeControl(w, r, &o) {
			return
		}
		for i, u := range o.URLs {
			if err := fakes.CheckURL(u); err != nil {
				fakes.ControlError(w, http.StatusBadRequest, "add outgoing integration: field \"urls\"[%d]: %v", i, err)
				return
			}
		}
		no, err := s.AddOutgoing(o)
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"integration": no})
	})
	m.HandleFunc("DELETE", "integrations/outgoing", "removes every outgoing integration → {outgoing: []}", func(w http.ResponseWriter, r *http.Request) {
		s.ClearOutgoing()
		ok(w, 200, map[string]any{"outgoing": []Outgoing{}})
	})
	m.HandleFunc("POST", "integrations/incoming", "Incoming → 201 {integration, url}", func(w http.ResponseWriter, r *http.Request) {
		var in Incoming
		if !fakes.DecodeControl(w, r, &in) {
			return
		}
		ni, err := s.AddIncoming(in)
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"integration": ni, "url": s.URL() + "/hooks/" + ni.ID + "/" + ni.Token})
	})
	m.HandleFunc("PUT", "integrations/interaction", "{url} → {interaction_url} (\"\" follows the webhook target)", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			URL string `json:"url"`
		}
		if !fakes.DecodeControl(w, r, &b) {
			return
		}
		if b.URL != "" {
			if err := fakes.CheckURL(b.URL); err != nil {
				fakes.ControlError(w, http.StatusBadRequest, "set interaction URL: field \"url\": %v", err)
				return
			}
		}
		s.SetInteractionURL(b.URL)
		ok(w, 200, map[string]any{"interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("GET", "calls", "{calls: [Call]}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"calls": s.Calls()})
	})
	m.HandleFunc("GET", "deliveries", "{deliveries: [Delivery]}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"deliveries": s.Deliveries()})
	})
	m.Handle("GET", "faults", "{faults: [fakes.Fault]}", &s.faults)
	m.Handle("POST", "faults", "fakes.Fault (op = REST endpoint or \"ddp <method>\") → {faults}", &s.faults)
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

// controlFail answers a control call with the status its error deserves.
func controlFail(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrUnknownUser), errors.Is(err, ErrUnknownRoom), errors.Is(err, ErrUnknownMessage), errors.Is(err, ErrUnknownAction):
		status = http.StatusNotFound
	case errors.Is(err, ErrExists), errors.Is(err, ErrNotMember):
		status = http.StatusConflict
	case errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	}
	fakes.ControlError(w, status, "%v", err)
}
