package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// platform calls the Botpress Runtime API on behalf of one bot and one
// install. Its methods are named after @botpress/client's.
type platform struct {
	http    *http.Client
	base    string      // BP_API_URL
	headers http.Header // x-bot-id, x-integration-id, x-integration-alias, auth, trace
	sleep   func(context.Context, time.Duration) error
}

// The Runtime API objects, with the fields this integration uses.
type (
	bpConversation struct {
		ID      string            `json:"id"`
		Channel string            `json:"channel"`
		Tags    map[string]string `json:"tags"`
	}
	bpUser struct {
		ID   string            `json:"id"`
		Name string            `json:"name,omitempty"`
		Tags map[string]string `json:"tags"`
	}
	bpMessage struct {
		ID             string            `json:"id"`
		Type           string            `json:"type"`
		Payload        json.RawMessage   `json:"payload"`
		ConversationID string            `json:"conversationId"`
		UserID         string            `json:"userId"`
		Tags           map[string]string `json:"tags"`
	}
)

// getOrCreateConversation finds the conversation of a Telegram chat, or
// creates it. discriminateByTags makes "id" alone identify it.
func (p *platform) getOrCreateConversation(ctx context.Context, chatID string) (bpConversation, error) {
	var out struct {
		Conversation bpConversation `json:"conversation"`
	}
	err := p.do(ctx, http.MethodPost, "/v1/chat/conversations/get-or-create", map[string]any{
		"channel":            "channel",
		"tags":               map[string]string{"id": chatID},
		"discriminateByTags": []string{"id"},
	}, &out)
	return out.Conversation, err
}

// getConversation reads a conversation by its platform id.
func (p *platform) getConversation(ctx context.Context, id string) (bpConversation, error) {
	var out struct {
		Conversation bpConversation `json:"conversation"`
	}
	err := p.do(ctx, http.MethodGet, "/v1/chat/conversations/"+url.PathEscape(id), nil, &out)
	return out.Conversation, err
}

// getOrCreateUser finds the user of a Telegram account, or creates it.
// Only "id" identifies the user: a new username must not make a new user.
func (p *platform) getOrCreateUser(ctx context.Context, u tgUser) (bpUser, error) {
	tags := map[string]string{"id": id(u.ID)}
	if u.Username != "" {
		tags["username"] = u.Username
	}
	req := map[string]any{"tags": tags, "discriminateByTags": []string{"id"}}
	if name := u.fullName(); name != "" {
		req["name"] = name
	}
	var out struct {
		User bpUser `json:"user"`
	}
	err := p.do(ctx, http.MethodPost, "/v1/chat/users/get-or-create", req, &out)
	return out.User, err
}

// getOrCreateMessage records an incoming message once. Telegram re-delivers
// an update until the webhook answers 2xx, and a delivery can fail after the
// message was stored (a timeout, a crash, a later call failing). Keyed on
// the Telegram message id and chat id, the second delivery finds the first
// message instead of making the bot see it twice.
func (p *platform) getOrCreateMessage(ctx context.Context, typ string, payload any, tags map[string]string, userID, conversationID string) (bpMessage, error) {
	var out struct {
		Message bpMessage `json:"message"`
	}
	err := p.do(ctx, http.MethodPost, "/v1/chat/messages/get-or-create", map[string]any{
		"type":               typ,
		"payload":            payload,
		"tags":               tags,
		"userId":             userID,
		"conversationId":     conversationID,
		"discriminateByTags": []string{"id", "chatId"},
	}, &out)
	return out.Message, err
}

// findMessage looks a message up by its tags; found is false when there is
// none. The client sends nested query keys with dots: tags.id=42.
func (p *platform) findMessage(ctx context.Context, conversationID string, tags map[string]string) (m bpMessage, found bool, err error) {
	q := url.Values{"conversationId": {conversationID}}
	for k, v := range tags {
		q.Set("tags."+k, v)
	}
	var out struct {
		Messages []bpMessage `json:"messages"`
	}
	if err := p.do(ctx, http.MethodGet, "/v1/chat/messages?"+q.Encode(), nil, &out); err != nil {
		return bpMessage{}, false, err
	}
	if len(out.Messages) == 0 {
		return bpMessage{}, false, nil
	}
	return out.Messages[0], true, nil
}

// updateMessage replaces a message's payload, its tags, or both; nil leaves
// that part alone.
func (p *platform) updateMessage(ctx context.Context, id string, payload any, tags map[string]string) error {
	req := map[string]any{}
	if payload != nil {
		req["payload"] = payload
	}
	if tags != nil {
		req["tags"] = tags
	}
	return p.do(ctx, http.MethodPut, "/v1/chat/messages/"+url.PathEscape(id), req, nil)
}

// setState writes a conversation state.
func (p *platform) setConversationState(ctx context.Context, conversationID, name string, payload any) error {
	path := "/v1/chat/states/conversation/" + url.PathEscape(conversationID) + "/" + url.PathEscape(name)
	return p.do(ctx, http.MethodPost, path, map[string]any{"payload": payload}, nil)
}

// createEvent emits one of the definition's events. type is the bare name
// ("memberJoined"); the bot sees it as "<alias>:memberJoined".
func (p *platform) createEvent(ctx context.Context, typ string, payload any, conversationID, userID string) error {
	return p.do(ctx, http.MethodPost, "/v1/chat/events", map[string]any{
		"type":           typ,
		"payload":        payload,
		"conversationId": conversationID,
		"userId":         userID,
	}, nil)
}

// platformError is a failed Runtime API call: the HTTP status and the API
// error body {"id","code","type","message"}.
type platformError struct {
	Method, Path  string
	Status        int
	Type, Message string
}

func (e *platformError) Error() string {
	return fmt.Sprintf("platform %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Message)
}

// maxRetries is how many times a call is retried, as @botpress/sdk does.
const maxRetries = 3

// do sends one Runtime API call and decodes the answer into out (if not
// nil). Like the SDK's retry policy (packages/sdk/src/retry.ts) it retries
// 429 and 502 for any method and other 5xx for idempotent methods, waiting
// Retry-After when given and n seconds before the n-th retry otherwise.
// Network errors are not retried: the call may have happened.
func (p *platform) do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, p.base+path, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("platform %s %s: %w", method, path, err)
		}
		req.Header = p.headers.Clone()
		if body == nil {
			req.Header.Del("Content-Type")
		}
		res, err := p.http.Do(req)
		if err != nil {
			return fmt.Errorf("platform %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("platform %s %s: read answer: %w", method, path, err)
		}
		if res.StatusCode >= 200 && res.StatusCode < 300 {
			if out == nil {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				return fmt.Errorf("platform %s %s: decode answer: %w", method, path, err)
			}
			return nil
		}
		if attempt <= maxRetries && retryable(method, res.StatusCode) {
			if err := p.sleep(ctx, retryAfter(res.Header, attempt)); err != nil {
				return fmt.Errorf("platform %s %s: %w", method, path, err)
			}
			continue
		}
		e := &platformError{Method: method, Path: path, Status: res.StatusCode}
		var apiErr apiError
		if json.Unmarshal(data, &apiErr) == nil && apiErr.Type != "" {
			e.Type, e.Message = apiErr.Type, apiErr.Message
		} else {
			e.Type, e.Message = "Unknown", string(data)
		}
		return e
	}
}

// retryable says whether a failed call is worth repeating.
func retryable(method string, status int) bool {
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusBadGateway:
		return true
	case status >= 500:
		return method == http.MethodGet || method == http.MethodPut || method == http.MethodDelete
	}
	return false
}

// retryAfter is the server's Retry-After (seconds, or an HTTP date), or
// attempt seconds when it gives none.
func retryAfter(h http.Header, attempt int) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return time.Duration(attempt) * time.Second
}
