package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, as GET fakes.ControlPrefix answers
// it: made from the routes the server serves. Each answers JSON; errors
// are {"error": "…"} with 400 (bad input), 404 (unknown user, channel,
// message, view or element, or no such route), 405 (another method; Allow
// lists the route's) or 409 (not a member, already exists). {ch} is a
// channel id or name, or "dm" (with "user" in the body: that user's DM
// with the bot).
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
	m.HandleFunc("GET", "workspace", "Workspace (team, app, users, channels with members)", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, s.Workspace())
	})
	m.HandleFunc("POST", "users", "User → 201 {user}", func(w http.ResponseWriter, r *http.Request) {
		var u User
		if !fakes.DecodeControl(w, r, &u) {
			return
		}
		u, err := s.AddUser(u)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"user": u})
	})
	m.HandleFunc("POST", "channels", "{by, id, name, private, members} → 201 {channel} (channel_created)", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Channel
			CreatorRef string `json:"by"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		by := body.CreatorRef
		if by == "" {
			by = body.Creator
		}
		if by == "" {
			fakes.ControlError(w, http.StatusBadRequest, `field "by": want the user who creates the channel, such as "ada"`)
			return
		}
		c, err := s.CreateChannel(by, body.Channel)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"channel": c})
	})
	m.HandleFunc("GET", "channels/{ch}/messages", "{messages: [Message], transcript: [line]}", func(w http.ResponseWriter, r *http.Request) {
		msgs, err := s.Messages(r.PathValue("ch"))
		if err != nil {
			controlFail(w, err)
			return
		}
		if msgs == nil {
			msgs = []Message{}
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"messages": msgs, "transcript": s.Transcript(r.PathValue("ch"))})
	})
	m.HandleFunc("POST", "channels/{ch}/messages", "{user, text, thread_ts, reply_broadcast, mention} → 201 {message}", func(w http.ResponseWriter, r *http.Request) {
		var body Post
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		body.Channel = r.PathValue("ch")
		msg, err := s.Send(body)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"message": msg})
	})
	for _, action := range []struct{ name, doc string }{
		{"edit", "{user, text} → {message} (message_changed)"},
		{"delete", "{user} → {} (message_deleted)"},
		{"react", "{user, name, remove} → {} (reaction_added/removed)"},
	} {
		m.HandleFunc("POST", "channels/{ch}/messages/{ts}/"+action.name, action.doc, func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				User   string `json:"user"`
				Text   string `json:"text"`
				Name   string `json:"name"`
				Remove bool   `json:"remove"`
			}
			if !fakes.DecodeControl(w, r, &body) {
				return
			}
			ch, ts := r.PathValue("ch"), r.PathValue("ts")
			switch action.name {
			case "edit":
				msg, err := s.Edit(body.User, ch, ts, body.Text)
				if err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{"message": msg})
			case "delete":
				if err := s.Delete(body.User, ch, ts); err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{})
			case "react":
				if err := s.React(body.User, ch, ts, body.Name, body.Remove); err != nil {
					controlFail(w, err)
					return
				}
				fakes.WriteJSON(w, http.StatusOK, map[string]any{})
			}
		})
	}
	for _, action := range []struct{ name, doc string }{
		{"join", "{user, inviter} → {} (member_joined_channel)"},
		{"leave", "{user} → {} (member_left_channel)"},
	} {
		m.HandleFunc("POST", "channels/{ch}/"+action.name, action.doc, func(w http.ResponseWriter, r *http.Request) {
			var body struct {
				User    string `json:"user"`
				Inviter string `json:"inviter"`
			}
			if !fakes.DecodeControl(w, r, &body) {
				return
			}
			var err error
			if action.name == "join" {
				err = s.Join(body.User, r.PathValue("ch"), body.Inviter)
			} else {
				err = s.Leave(body.User, r.PathValue("ch"))
			}
			if err != nil {
				controlFail(w, err)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{})
		})
	}
	m.HandleFunc("POST", "channels/{ch}/commands", "{user, command, text} → {trigger_id, response_url}", func(w http.ResponseWriter, r *http.Request) {
		ch := r.PathValue("ch")
		var body Command
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		body.Channel = ch
		if ch == "dm" {
			s.mu.Lock()
			if u := s.st.user(body.User); u != nil {
				body.Channel = s.st.imWith(u.ID).ID
			}
			s.mu.Unlock()
		}
		res, err := s.RunCommand(body)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, res)
	})
	m.HandleFunc("POST", "actions", "Action {user, channel, ts, view, target, value, values} → ActionResult", func(w http.ResponseWriter, r *http.Request) {
		var a Action
		if !fakes.DecodeControl(w, r, &a) {
			return
		}
		res, err := s.Act(a)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, res)
	})
	m.HandleFunc("GET", "views", "{views: [ViewInfo]}", func(w http.ResponseWriter, r *http.Request) {
		v := s.Views()
		if v == nil {
			v = []ViewInfo{}
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"views": v})
	})
	m.HandleFunc("POST", "views/submit", "Submission {user, view, values} → {trigger_id}", func(w http.ResponseWriter, r *http.Request) {
		var sub Submission
		if !fakes.DecodeControl(w, r, &sub) {
			return
		}
		tid, err := s.Submit(sub)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"trigger_id": tid})
	})
	m.HandleFunc("POST", "request-url", "{events, interactivity, commands, verify} → {} (verify: url_verification first; \"\" clears one)", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Events        *string `json:"events"`
			Interactivity *string `json:"interactivity"`
			Commands      *string `json:"commands"`
			Verify        bool    `json:"verify"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		for _, f := range []struct {
			name string
			url  *string
		}{{"events", body.Events}, {"interactivity", body.Interactivity}, {"commands", body.Commands}} {
			if f.url != nil && *f.url != "" {
				if err := fakes.CheckURL(*f.url); err != nil {
					fakes.ControlError(w, http.StatusBadRequest, "set request URL: field %q: %v", f.name, err)
					return
				}
			}
		}
		if body.Events != nil {
			if body.Verify {
				if err := s.SetRequestURL(r.Context(), *body.Events); err != nil {
					controlFail(w, err)
					return
				}
			} else {
				s.mu.Lock()
				s.st.requestURL = *body.Events
				s.mu.Unlock()
			}
		}
		if body.Interactivity != nil {
			s.SetInteractivityURL(*body.Interactivity)
		}
		if body.Commands != nil {
			s.SetCommandURL(*body.Commands)
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{})
	})
	m.HandleFunc("POST", "settings", "{rate_limits, duplicate_deliveries, signing_fault, signing_fault_times} → {}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			RateLimits          *bool   `json:"rate_limits"`
			DuplicateDeliveries *int    `json:"duplicate_deliveries"`
			SigningFault        *string `json:"signing_fault"`
			SigningFaultTimes   int     `json:"signing_fault_times"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		if body.SigningFault != nil {
			if err := s.SetSigningFault(*body.SigningFault, body.SigningFaultTimes); err != nil {
				controlFail(w, err)
				return
			}
		}
		if body.RateLimits != nil {
			s.SetRateLimits(*body.RateLimits)
		}
		if body.DuplicateDeliveries != nil {
			s.DuplicateDeliveries(*body.DuplicateDeliveries)
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{})
	})
	m.HandleFunc("POST", "socket/disconnect", "{reason} → {connections}", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Reason string `json:"reason"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		if body.Reason == "" {
			body.Reason = "refresh_requested"
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"connections": s.Disconnect(body.Reason)})
	})
	m.HandleFunc("POST", "replay", "{kind, body} → {title} (a recorded delivery, re-signed)", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Kind string          `json:"kind"`
			Body json.RawMessage `json:"body"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
		}
		raw := []byte(body.Body)
		var str string
		if json.Unmarshal(body.Body, &str) == nil {
			raw = []byte(str) // a form body given as a JSON string
		}
		title, err := s.Replay(context.WithoutCancel(r.Context()), fakes.Delivery{Kind: body.Kind, Method: http.MethodPost, Body: raw})
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"title": title})
	})
	m.HandleFunc("GET", "calls", "{calls: [Call]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"calls": s.Calls()})
	})
	m.HandleFunc("GET", "deliveries", "{deliveries: [DeliveryRecord]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": s.Deliveries()})
	})
	m.Handle("GET", "faults", "{faults: [fakes.Fault]}", &s.faults)
	m.Handle("POST", "faults", "fakes.Fault (op = Web API method) → {faults}", &s.faults)
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
	case errors.Is(err, ErrUnknownUser), errors.Is(err, ErrUnknownChannel), errors.Is(err, ErrUnknownMessage),
		errors.Is(err, ErrUnknownView), errors.Is(err, ErrUnknownElement):
		status = http.StatusNotFound
	case errors.Is(err, ErrNotMember), errors.Is(err, ErrExists), errors.Is(err, ErrRefused):
		status = http.StatusConflict
	case errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	}
	fakes.ControlError(w, status, "%v", err)
}
