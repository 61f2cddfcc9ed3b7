package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// ControlRoutes lists the control API, relative to the server's URL. Each
// answers JSON; errors are {"error": "…"} with 400 (bad input), 404
// (unknown user, channel, message, view or element) or 409 (not a
// member, already exists). {ch} is a channel id or name, or "dm" (with
// "user" in the body: that user's DM with the bot).
func ControlRoutes() []string {
	return []string{
		"GET    /_chatsim/                                  this list",
		"GET    /_chatsim/workspace                         Workspace (team, app, users, channels with members)",
		"POST   /_chatsim/users                             User → 201 {user}",
		"POST   /_chatsim/channels                          {creator, id, name, private, members} → 201 {channel} (channel_created)",
		"GET    /_chatsim/channels/{ch}/messages            {messages: [Message], transcript: [line]}",
		"POST   /_chatsim/channels/{ch}/messages            {user, text, thread_ts, reply_broadcast, mention} → 201 {message}",
		"POST   /_chatsim/channels/{ch}/messages/{ts}/edit  {user, text} → {message} (message_changed)",
		"POST   /_chatsim/channels/{ch}/messages/{ts}/delete {user} → {} (message_deleted)",
		"POST   /_chatsim/channels/{ch}/messages/{ts}/react {user, name, remove} → {} (reaction_added/removed)",
		"POST   /_chatsim/channels/{ch}/join                {user, inviter} → {} (member_joined_channel)",
		"POST   /_chatsim/channels/{ch}/leave               {user} → {} (member_left_channel)",
		"POST   /_chatsim/channels/{ch}/commands            {user, command, text} → {trigger_id, response_url}",
		"POST   /_chatsim/actions                           Action {user, channel, ts, view, target, value, values} → ActionResult",
		"GET    /_chatsim/views                             {views: [ViewInfo]}",
		"POST   /_chatsim/views/submit                      Submission {user, view, values} → {trigger_id}",
		"POST   /_chatsim/request-url                       {events, interactivity, commands, verify} → {} (verify: url_verification first)",
		"POST   /_chatsim/settings                          {rate_limits, duplicate_deliveries, signing_fault, signing_fault_times}",
		"POST   /_chatsim/socket/disconnect                 {reason} → {connections}",
		"POST   /_chatsim/replay                            {kind, body} → {title} (a recorded delivery, re-signed)",
		"GET    /_chatsim/calls                             {calls: [Call]}",
		"GET    /_chatsim/deliveries                        {deliveries: [DeliveryRecord]}",
		"GET|POST|DELETE /_chatsim/faults                   fakes.Faults (op = Web API method)",
	}
}

// buildControl builds the control API's router.
func (s *Server) buildControl() http.Handler {
	var m fakes.Routes
	p := strings.TrimSuffix(fakes.ControlPrefix, "/")
	m.HandleFunc("GET "+p+"/{$}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"routes": ControlRoutes()})
	})
	m.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		fakes.ControlError(w, http.StatusNotFound, "no control route %s %s (GET %s lists them)", r.Method, r.URL.Path, fakes.ControlPrefix)
	})
	m.HandleFunc("GET "+p+"/workspace", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, s.Workspace())
	})
	m.HandleFunc("POST "+p+"/users", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/channels", func(w http.ResponseWriter, r *http.Request) {
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
		c, err := s.CreateChannel(by, body.Channel)
		if err != nil {
			controlFail(w, err)
			return
		}
		fakes.WriteJSON(w, http.StatusCreated, map[string]any{"channel": c})
	})
	m.HandleFunc("GET "+p+"/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/channels/{ch}/messages", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/channels/{ch}/messages/{ts}/{action}", func(w http.ResponseWriter, r *http.Request) {
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
		switch r.PathValue("action") {
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
		default:
			fakes.ControlError(w, http.StatusNotFound, "no message action %q (want edit, delete or react)", r.PathValue("action"))
		}
	})
	m.HandleFunc("POST "+p+"/channels/{ch}/{action}", func(w http.ResponseWriter, r *http.Request) {
		ch := r.PathValue("ch")
		switch r.PathValue("action") {
		case "join", "leave":
			var body struct {
				User    string `json:"user"`
				Inviter string `json:"inviter"`
			}
			if !fakes.DecodeControl(w, r, &body) {
				return
			}
			var err error
			if r.PathValue("action") == "join" {
				err = s.Join(body.User, ch, body.Inviter)
			} else {
				err = s.Leave(body.User, ch)
			}
			if err != nil {
				controlFail(w, err)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{})
		case "commands":
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
		default:
			fakes.ControlError(w, http.StatusNotFound, "no channel action %q (want join, leave or commands)", r.PathValue("action"))
		}
	})
	m.HandleFunc("POST "+p+"/actions", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/views", func(w http.ResponseWriter, r *http.Request) {
		v := s.Views()
		if v == nil {
			v = []ViewInfo{}
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"views": v})
	})
	m.HandleFunc("POST "+p+"/views/submit", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/request-url", func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Events        *string `json:"events"`
			Interactivity *string `json:"interactivity"`
			Commands      *string `json:"commands"`
			Verify        bool    `json:"verify"`
		}
		if !fakes.DecodeControl(w, r, &body) {
			return
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
	m.HandleFunc("POST "+p+"/settings", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/socket/disconnect", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("POST "+p+"/replay", func(w http.ResponseWriter, r *http.Request) {
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
	m.HandleFunc("GET "+p+"/calls", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"calls": s.Calls()})
	})
	m.HandleFunc("GET "+p+"/deliveries", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"deliveries": s.Deliveries()})
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
