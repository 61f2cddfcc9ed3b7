package telegram

import (
	"context"
	"errors"
	"fmt"

	"github.com/chatsim/chatsim/fakes"
)

// The Server is a chat platform's fake for a World.
var _ fakes.Platform = (*Server)(nil)

// Name returns "telegram".
func (s *Server) Name() string { return "telegram" }

// Env returns what an integration needs to reach the fake:
// TELEGRAM_API_URL (the base: the Bot API is <base>/bot<token>/<method>)
// and TELEGRAM_BOT_TOKEN.
func (s *Server) Env() map[string]string {
	return map[string]string{"TELEGRAM_API_URL": s.URL(), "TELEGRAM_BOT_TOKEN": s.Token()}
}

// Service describes the fake for `chatsim serve --json`: url, control,
// apiUrl (what a Bot API client takes as its endpoint), botToken,
// botUsername and, once a webhook is set, webhookUrl and webhookSecret.
func (s *Server) Service() map[string]any {
	m := map[string]any{
		"url":         s.URL(),
		"control":     s.URL() + fakes.ControlPrefix,
		"apiUrl":      s.URL() + "/bot" + s.Token(),
		"botToken":    s.Token(),
		"botUsername": s.BotUser().Username,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.webhook.url != "" {
		m["webhookUrl"] = s.webhook.url
		if s.webhook.secret != "" {
			m["webhookSecret"] = s.webhook.secret
		}
	}
	return m
}

// Literals maps the fake's base URL and bot token to ${TELEGRAM_API_URL}
// and ${TELEGRAM_BOT_TOKEN}.
func (s *Server) Literals() map[string]string {
	return map[string]string{s.URL(): "${TELEGRAM_API_URL}", s.Token(): "${TELEGRAM_BOT_TOKEN}"}
}

// SetWebhookTarget does nothing: a Telegram bot sets its own webhook with
// setWebhook.
func (s *Server) SetWebhookTarget(context.Context, string) error { return nil }

// Replay injects a recorded update (InjectUpdate) and returns its title,
// "telegram → integration: update 1 message "hi" from ada in chat 1001".
func (s *Server) Replay(ctx context.Context, d fakes.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay telegram update: %w", err)
	}
	if _, err := s.injectUpdate(ctx, d.Body); err != nil {
		if errors.Is(err, ErrInvalid) { // the body is not an Update
			err = fmt.Errorf("%w: %w", fakes.ErrBadDelivery, err)
		}
		if d.Location != "" {
			return "", fmt.Errorf("%s: %w", d.Location, err)
		}
		return "", err
	}
	return "telegram → integration: " + Describe(d.Body), nil
}

// Stalled explains, for a step that ran out of time, why updates are
// still waiting: Telegram holds them until the bot sets a webhook or asks
// with getUpdates, and this bot does neither. It is "" when nothing
// waits for that reason.
func (s *Server) Stalled() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 || s.webhook.url != "" || s.poller != nil {
		return ""
	}
	n := "1 update waits"
	if len(s.queue) > 1 {
		n = fmt.Sprintf("%d updates wait", len(s.queue))
	}
	return "telegram: " + n + " for the bot, which has set no webhook (setWebhook) and is not waiting in getUpdates"
}

// Kind returns Telegram as the registry (package sim) lists it: its fake
// started on a World's wiring, its own steps, and where its secrets travel:
// the bot token in every Bot API path (/bot<token>/, /file/bot<token>/) and
// the webhook's secret token in setWebhook's secret_token and the
// X-Telegram-Bot-Api-Secret-Token header of every delivery.
func Kind() fakes.Kind {
	return fakes.Kind{
		Name:       "telegram",
		Title:      "Telegram",
		Start:      func(w fakes.Wiring) (fakes.Platform, error) { return Start(WithWiring(w)) },
		Steps:      steps,
		PersonStep: "Given a Telegram private chat with %q",
		Wire:       wire(),
		Carriers: []fakes.Carrier{
			{Name: "TELEGRAM_BOT_TOKEN", Path: `^/(?:file/)?bot([^/]+)/`},
			{Name: "TELEGRAM_BOT_TOKEN", Shape: `[0-9]{5,16}:[A-Za-z0-9_-]{30,}`},
			{Name: "TELEGRAM_WEBHOOK_SECRET", Header: "X-Telegram-Bot-Api-Secret-Token"},
			{Name: "TELEGRAM_WEBHOOK_SECRET", Field: "secret_token"},
		},
	}
}
