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

// controlRoutes mounts the control API under fakes.ControlPrefix (the
// package documentation lists it).
func (s *Server) controlRoutes(mux *fakes.Routes) {
	p := fakes.ControlPrefix
	mux.Handle(p+"faults", s.faults)
	mux.HandleFunc("GET "+p+"info", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, Info{APIURL: s.URL(), BotID: s.botID, BotUserID: s.botUserID,
			IntegrationID: s.integrationID, IntegrationAlias: s.alias, WebhookID: s.webhookID,
			WebhookURL: s.WebhookURL(), IntegrationURL: s.IntegrationURL()})
	})
	mux.HandleFunc("PUT "+p+"integration", func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			URL string `json:"url"`
		}
		if err := fakes.DecodeJSON(r, &b); err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "set integration URL: %v", err)
			return
		}
		s.SetIntegrationURL(b.URL)
		fakes.WriteJSON(w, http.StatusOK, map[string]string{"url": b.URL})
	})
	// settle waits until nothing is in flight anywhere in the World (the
	// Activity the platform shares with the fakes): the way a script
	// driving `chatsim serve` waits for a step to end instead of sleeping.
	mux.HandleFunc("POST "+p+"settle", func(w http.ResponseWriter, r *http.Request) {
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
	mux.HandleFunc("GET "+p+"users", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"users": s.Users()})
	})
	mux.HandleFunc("GET "+p+"conversations", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"conversations": s.Conversations()})
	})
	mux.HandleFunc("GET "+p+"messages", func(w http.ResponseWriter, r *http.Request) {
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
	mux.HandleFunc("GET "+p+"events", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"events": s.Events()})
	})
	mux.HandleFunc("GET "+p+"states", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"states": s.States()})
	})
	mux.HandleFunc("GET "+p+"actions", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"actions": s.Actions()})
	})
	mux.HandleFunc("GET "+p+"violations", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"violations": s.Violations()})
	})
	mux.HandleFunc("POST "+p+"bot/messages", func(w http.ResponseWriter, r *http.Request) {
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
	mux.HandleFunc("GET "+p+"bot/rules", func(w http.ResponseWriter, r *http.Request) {
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"rules": s.BotRules()})
	})
	mux.HandleFunc("PUT "+p+"bot/rules", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "set bot rules: read body: %v", err)
			return
		}
		rules, err := ParseBotRules(body, "PUT "+p+"bot/rules")
		if err != nil {
			fakes.ControlError(w, http.StatusBadRequest, "%v", err)
			return
		}
		s.SetBot(rules)
		fakes.WriteJSON(w, http.StatusOK, map[string]any{"rules": s.BotRules()})
	})
	mux.HandleFunc("POST "+p+"actions/{name}", func(w http.ResponseWriter, r *http.Request) {
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
	for name, fn := range map[string]func(*http.Request) error{
		"register":   func(r *http.Request) error { return s.Register(r.Context()) },
		"unregister": func(r *http.Request) error { return s.Unregister(r.Context()) },
		"ping":       func(r *http.Request) error { return s.Ping(r.Context()) },
	} {
		mux.HandleFunc("POST "+p+name, func(w http.ResponseWriter, r *http.Request) {
			if err := fn(r); err != nil {
				writeInvocationError(w, err, nil)
				return
			}
			fakes.WriteJSON(w, http.StatusOK, map[string]any{})
		})
	}
	mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
		fakes.ControlError(w, http.StatusNotFound, "no control route %s %s (see the botpress package documentation)", r.Method, r.URL.Path)
	})
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
