package rocketchat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, relative to the server's URL. Each
// answers JSON; errors are {"error": "…"} with 400 (bad input), 404
// (unknown user, room, message or element), 409 (already exists, not a
// member) or 503 (closed). {room} is a room id, a name ("general") or
// "@username" (that user's DM with the bot); "from" is an id, username or
// email.
func ControlRoutes() []string {
	return []string{
		"GET    /_chatsim/                                this list",
		"GET    /_chatsim/server                          {url, bot, bot_password, bot_token, webhook_token, interaction_url}",
		"GET    /_chatsim/users                           {users}",
		"POST   /_chatsim/users                           {username,name,email,password,roles,type} → 201 {user}",
		"GET    /_chatsim/rooms                           {rooms}",
		"POST   /_chatsim/rooms                           {name,type:\"c\"|\"p\",members:[user]} → 201 {room}",
		"GET    /_chatsim/rooms/{room}                    {room, messages}",
		"POST   /_chatsim/rooms/{room}/messages           {from,text,tmid,blocks,attachments} → 201 {message}",
		"POST   /_chatsim/rooms/{room}/join               {from} → 201 {message} (the \"uj\" system message)",
		"POST   /_chatsim/rooms/{room}/leave              {from} → 201 {message} (the \"ul\" system message)",
		"POST   /_chatsim/dms                             {from,text} → 201 {message} (a DM to the bot)",
		"POST   /_chatsim/messages/{id}/edit              {from,text} → {message}",
		"POST   /_chatsim/messages/{id}/react             {from,emoji (a shortcode)} → {message}",
		"POST   /_chatsim/messages/{id}/delete            {from} → {deleted: id}",
		"POST   /_chatsim/messages/{id}/click             {from,button (text, action_id or value)} → {payload}",
		"POST   /_chatsim/messages/{id}/select            {from,option (text or value),action_id} → {payload}",
		"POST   /_chatsim/messages/{id}/pick-date         {from,date (YYYY-MM-DD),action_id} → {payload}",
		"GET    /_chatsim/integrations                    {outgoing, incoming, interaction_url}",
		"POST   /_chatsim/integrations/outgoing           Outgoing → 201 {integration}",
		"DELETE /_chatsim/integrations/outgoing           removes every outgoing integration",
		"POST   /_chatsim/integrations/incoming           Incoming → 201 {integration, url}",
		"PUT    /_chatsim/integrations/interaction        {url} → {interaction_url}",
		"GET    /_chatsim/calls                           {calls: [Call]}",
		"GET    /_chatsim/deliveries                      {deliveries: [Delivery]}",
		"GET|POST|DELETE /_chatsim/faults                 fakes.Faults (op = REST endpoint or \"ddp <method>\")",
	}
}

func (s *Server) buildControl() http.Handler {
	var m fakes.Routes
	p := strings.TrimSuffix(fakes.ControlPrefix, "/")
	ok := func(w http.ResponseWriter, status int, v any) { fakes.WriteJSON(w, status, v) }
	m.HandleFunc("GET "+p+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"routes": ControlRoutes()})
	})
	m.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		fakes.ControlError(w, http.StatusNotFound, "no control route %s %s (GET %s lists them)", r.Method, r.URL.Path, fakes.ControlPrefix)
	})
	m.HandleFunc("GET "+p+"/server", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"url": s.URL(), "bot": s.BotUser(), "bot_password": s.BotPassword(), "bot_token": s.BotToken(),
			"webhook_token": s.WebhookToken(), "interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("GET "+p+"/users", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"users": s.Users()})
	})
	m.HandleFunc("POST "+p+"/users", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/rooms", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"rooms": s.Rooms()})
	})
	m.HandleFunc("POST "+p+"/rooms", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/rooms/{room}", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/rooms/{room}/messages", func(w http.ResponseWriter, r *http.Request) {
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
		m.HandleFunc("POST "+p+"/rooms/{room}/"+verb, func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/dms", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/messages/{id}/{action}", func(w http.ResponseWriter, r *http.Request) {
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
		switch r.PathValue("action") {
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
		default:
			fakes.ControlError(w, http.StatusNotFound, "no message action %q (want edit, react, delete, click, select or pick-date)", r.PathValue("action"))
			return
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
	m.HandleFunc("GET "+p+"/integrations", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"outgoing": s.Outgoings(), "incoming": s.Incomings(), "interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("POST "+p+"/integrations/outgoing", func(w http.ResponseWriter, r *http.Request) {
		var o Outgoing
		if !fakes.DecodeControl(w, r, &o) {
			return
		}
		no, err := s.AddOutgoing(o)
		if err != nil {
			controlFail(w, err)
			return
		}
		ok(w, http.StatusCreated, map[string]any{"integration": no})
	})
	m.HandleFunc("DELETE "+p+"/integrations/outgoing", func(w http.ResponseWriter, r *http.Request) {
		s.ClearOutgoing()
		ok(w, 200, map[string]any{"outgoing": []Outgoing{}})
	})
	m.HandleFunc("POST "+p+"/integrations/incoming", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("PUT "+p+"/integrations/interaction", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			URL string `json:"url"`
		}
		if !fakes.DecodeControl(w, r, &b) {
			return
		}
		s.SetInteractionURL(b.URL)
		ok(w, 200, map[string]any{"interaction_url": s.InteractionURL()})
	})
	m.HandleFunc("GET "+p+"/calls", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"calls": s.Calls()})
	})
	m.HandleFunc("GET "+p+"/deliveries", func(w http.ResponseWriter, r *http.Request) {
		ok(w, 200, map[string]any{"deliveries": s.Deliveries()})
	})
	m.Handle(p+"/faults", &s.faults)
	return controlMux.Handler(&m)
}

// controlMux routes every server's control API: the patterns are the
// same for each.
var controlMux fakes.SharedMux

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
