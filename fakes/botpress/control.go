package botpress

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
)

// Info describes the install, as GET /_chatsim/info answers it.
type Info struct {
	APIURL           string `json:"apiUrl"`
	BotID            string `json:"botId"`
	BotUserID        string `json:"botUserId"`
	IntegrationID    string `json:"integrationId"`
	IntegrationAlias string `json:"integrationAlias"`
	WebhookID        string `json:"webhookId"`
	WebhookURL       string `json:"webhookUrl"`
	IntegrationURL   string `json:"integrationUrl"`
}

// ControlRoutes lists the control API, as GET fakes.ControlPrefix answers
// it: made from the routes the platform serves. Bodies are JSON; errors
// are {"error": "…"}: 400 bad input, 404 unknown conversation or route,
// 405 another method (Allow lists the route's), 409 no integration URL,
// 422 invalid configuration, 502 the integration failed (with
// "invocation"), 504 settle timed out.
func (s *Server) ControlRoutes() []fakes.ControlRoute { return s.control.Routes() }

// controlRoutes mounts the control API under fakes.ControlPrefix.
func (s *Server) controlRoutes(mux *fakes.Routes) {
	c := &s.control
	c.HandleFunc("GET", "info", "Info: the install (apiUrl, botId, botUserId, integrationId, integrationAlias, webhookId, webhookUrl, integrationUrl)", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, Info{APIURL: s.URL(), BotID: s.botID, BotUserID: s.botUserID,
			IntegrationID: s.integrationID, IntegrationAlias: s.alias, WebhookID: s.webhookID,
			WebhookURL: s.WebhookURL(), IntegrationURL: s.IntegrationURL()})
	})
	c.HandleFunc("PUT", "integration", "{url} → {url}: where the integration listens (\"\" for none)", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			URL string `json:"url"`
		}
		if err := fakes.DecodeJSON(r, &b); err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "set integration URL: %v", err)
			return
		}
		if b.URL != "" {
			if err := fakes.CheckURL(b.URL); err != nil {
				fakes.ControlError(w, http.StatusBadRequest, "set integration URL: field \"url\": %v", err)
				return
			}
		}
		s.SetIntegrationURL(b.URL)
		fakes.WriteJSON(w, http.StatusOK, map[string]string{"url": b.URL})
	})
	// settle waits until nothing is in flight anywhere in the World (the
	// Activity the platform shares with the fakes): the way a script
	// driving `chatsim serve` waits for a step to end instead of sleeping.
	c.HandleFunc("POST", "settle", "?timeout=10s → {} once nothing is in flight in the World; 504 names what is pending", func(w http.ResponseWriter, r *http.Request) {
		fakes.Idle(r) // this request is not work in flight
		timeout := 10 * time.Second
		if v := r.URL.Query().Get("timeout"); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				fakes.ControlError(w, http.StatusBadRequest, "timeout %q: want a positive Go duration such as 5s", v)
				return
			}
			timeout = d
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if err := s.activity.Wait(ctx); err != nil {
			fakes.ControlError(w, http.StatusGatewayTimeout, "%v", err)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, struct{}{})
	})
	c.HandleFunc("GET", "users", "{users: [contracts.User]} (the bot user first)", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"users": s.Users()})
	})
	c.HandleFunc("GET", "conversations", "{conversations: [contracts.Conversation]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"conversations": s.Conversations()})
	})
	c.HandleFunc("GET", "messages", "{messages: [contracts.Message]}; ?conversationId= filters", func(w http.ResponseWriter, r *http.Request) {
		msgs := s.Messages()
		if cid := r.URL.Query().Get("conversationId"); cid != "" {
			out := []contracts.Message{}
			for _, m := range msgs {
				if m.ConversationID == cid {
					out = append(out, m)
				}
			}
			msgs = out
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"messages": msgs})
	})
	c.HandleFunc("GET", "events", "{events: [contracts.Event]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"events": s.Events()})
	})
	c.HandleFunc("GET", "states", "{states: [contracts.StateChange]} (current values)", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"states": s.States()})
	})
	c.HandleFunc("GET", "actions", "{actions: [contracts.ActionCall]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"actions": s.Actions()})
	})
	c.HandleFunc("GET", "violations", "{violations: [contracts.Violation]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"violations": s.Violations()})
	})
	c.HandleFunc("POST", "bot/messages", "{conversationId, type, payload}: the bot sends → {message}", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			ConversationID string          `json:"conversationId"`
			Type           string          `json:"type"`
			Payload        json.RawMessage `json:"payload"`
		}
		if err := fakes.DecodeJSON(r, &b); err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "bot send: %v", err)
			return
		}
		if b.ConversationID == "" || b.Type == "" {
			fakes.ControlError(w, http.StatusBadRequest, "bot send: fields \"conversationId\" and \"type\" are required")
			return
		}
		m, err := s.SendMessage(r.Context(), b.ConversationID, b.Type, b.Payload)
		if err != nil && m.ID == "" {
			status := http.StatusBadRequest
			if errors.Is(err, ErrNotFound) {
				status = http.StatusNotFound
			}
			fakes.ControlError(w, status, "%v", err)
			return
		}
		if err != nil {
			writeInvocationError(w, err, map[string]any{"message": m})
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"message": m})
	})
	c.HandleFunc("GET", "bot/rules", "{rules: [BotRule]}", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"rules": s.BotRules()})
	})
	c.HandleFunc("PUT", "bot/rules", "[BotRule] or {rules: [BotRule]}; [] silences, null echoes → {rules}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "set bot rules: read body: %v", err)
			return
		}
		rules, err := ParseBotRules(body, "PUT "+fakes.ControlPrefix+"bot/rules")
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "%v", err)
			return
		}
		s.SetBot(rules)
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"rules": s.BotRules()})
	})
	c.HandleFunc("POST", "actions/{name}", "the action's input → {output}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "trigger action: read body: %v", err)
			return
		}
		out, err := s.TriggerAction(r.Context(), r.PathValue("name"), body)
		if err != nil {
			writeInvocationError(w, err, nil)
			return
		}
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"output": out})
	})
	for _, op := range []struct {
		name, doc string
		fn        func(*http.Request) error
	}{
		{"register", "configuration check, then register → {}", func(r *http.Request) error { return s.Register(r.Context()) }},
		{"unregister", "→ {}", func(r *http.Request) error { return s.Unregister(r.Context()) }},
		{"ping", "→ {}", func(r *http.Request) error { return s.Ping(r.Context()) }},
	} {
		c.HandleFunc("POST", op.name, op.doc, func(w http.ResponseWriter, r *http.Request) {
			if err := op.fn(r); err != nil {
				writeInvocationError(w, err, nil)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{})
		})
	}
	c.Handle("GET", "faults", "{faults: [fakes.Fault]}", s.faults)
	c.Handle("POST", "faults", "fakes.Fault (op = route name such as message.create, or operation id) → {faults}", s.faults)
	c.Handle("DELETE", "faults", "clears every fault → {faults: []}", s.faults)
	c.Mount(mux)
}

// writeInvocationError answers a control call whose invocation failed:
// 422 for an invalid configuration, 502 when the integration failed, with
// {"error": …, "invocation": {operation, status, type, message, body}}.
func writeInvocationError(w http.ResponseWriter, err error, extra map[string]any) {
	body := map[string]any{"error": err.Error()}
	for k, v := range extra {
		body[k] = v
	}
	status := http.StatusBadGateway
	var ie *InvocationError
	switch {
	case errors.Is(err, ErrInvalidConfiguration):
		status = http.StatusUnprocessableEntity
	case errors.Is(err, ErrNoIntegration):
		status = http.StatusConflict
	case errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	case errors.As(err, &ie):
		body["invocation"] = map[string]any{"operation": ie.Operation, "status": ie.Status, "type": ie.Type, "message": ie.Message, "body": ie.Body}
	default:
		status = http.StatusBadRequest
	}
	fakes.WriteJSON(w, status, body)
}
