package bpkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Client calls the Botpress Runtime API on behalf of one bot and one
// install. Its methods are named after @botpress/client's.
type Client struct {
	http    *http.Client
	base    string      // BP_API_URL
	headers http.Header // x-bot-id, x-integration-id, x-integration-alias, auth, trace
	sleep   func(context.Context, time.Duration) error
}

// The Runtime API objects, with the fields integrations use.
type (
	// Conversation is a platform conversation.
	Conversation struct {
		ID      string            `json:"id"`
		Channel string            `json:"channel"`
		Tags    map[string]string `json:"tags"`
	}
	// User is a platform user.
	User struct {
		ID   string            `json:"id"`
		Name string            `json:"name,omitempty"`
		Tags map[string]string `json:"tags"`
	}
	// Message is a platform message.
	Message struct {
		ID             string            `json:"id"`
		Type           string            `json:"type"`
		Direction      string            `json:"direction,omitempty"`
		Payload        json.RawMessage   `json:"payload"`
		ConversationID string            `json:"conversationId"`
		UserID         string            `json:"userId"`
		Tags           map[string]string `json:"tags"`
	}
	// Event is a platform event.
	Event struct {
		ID             string          `json:"id"`
		Type           string          `json:"type"`
		Payload        json.RawMessage `json:"payload"`
		ConversationID string          `json:"conversationId,omitempty"`
		UserID         string          `json:"userId,omitempty"`
		MessageID      string          `json:"messageId,omitempty"`
	}
)

// GetOrCreateConversation finds the conversation of a channel whose
// discriminating tags match, or creates it.
func (c *Client) GetOrCreateConversation(ctx context.Context, channel string, tags map[string]string, discriminateBy ...string) (Conversation, error) {
	var out struct {
		Conversation Conversation `json:"conversation"`
	}
	req := map[string]any{"channel": channel, "tags": tags}
	if len(discriminateBy) > 0 {
		req["discriminateByTags"] = discriminateBy
	}
	err := c.Do(ctx, http.MethodPost, "/v1/chat/conversations/get-or-create", req, &out)
	return out.Conversation, err
}

// GetConversation reads a conversation by its platform id.
func (c *Client) GetConversation(ctx context.Context, id string) (Conversation, error) {
	var out struct {
		Conversation Conversation `json:"conversation"`
	}
	err := c.Do(ctx, http.MethodGet, "/v1/chat/conversations/"+url.PathEscape(id), nil, &out)
	return out.Conversation, err
}

// GetOrCreateUser finds the user whose discriminating tags match, or
// creates it with name (which may be empty).
func (c *Client) GetOrCreateUser(ctx context.Context, name string, tags map[string]string, discriminateBy ...string) (User, error) {
	req := map[string]any{"tags": tags}
	if name != "" {
		req["name"] = name
	}
	if len(discriminateBy) > 0 {
		req["discriminateByTags"] = discriminateBy
	}
	var out struct {
		User User `json:"user"`
	}
	err := c.Do(ctx, http.MethodPost, "/v1/chat/users/get-or-create", req, &out)
	return out.User, err
}

// MessageInput is an incoming message to record.
// Its fields are in the order the JSON keys sort, so requests read the same
// as the SDK's in logs and tests.
type MessageInput struct {
	ConversationID string `json:"conversationId"`
	// DiscriminateByTags makes a re-delivery find the first message
	// instead of creating a second one.
	DiscriminateByTags []string          `json:"discriminateByTags,omitempty"`
	Payload            any               `json:"payload"`
	Tags               map[string]string `json:"tags"`
	Type               string            `json:"type"`
	UserID             string            `json:"userId"`
}

// GetOrCreateMessage records an incoming message once: keyed on the chat
// platform's message id, a redelivered webhook finds the first message
// instead of making the bot see it twice.
func (c *Client) GetOrCreateMessage(ctx context.Context, in MessageInput) (Message, error) {
	var out struct {
		Message Message `json:"message"`
	}
	err := c.Do(ctx, http.MethodPost, "/v1/chat/messages/get-or-create", in, &out)
	return out.Message, err
}

// FindMessages lists a conversation's messages whose tags match. The client
// sends nested query keys with dots: tags.id=42.
func (c *Client) FindMessages(ctx context.Context, conversationID string, tags map[string]string) ([]Message, error) {
	q := url.Values{"conversationId": {conversationID}}
	for k, v := range tags {
		q.Set("tags."+k, v)
	}
	var out struct {
		Messages []Message `json:"messages"`
	}
	err := c.Do(ctx, http.MethodGet, "/v1/chat/messages?"+q.Encode(), nil, &out)
	return out.Messages, err
}

// UpdateMessage replaces a message's payload, its tags, or both; nil leaves
// that part alone. Acknowledging an outgoing message with the chat
// platform's id is an update of its tags.
func (c *Client) UpdateMessage(ctx context.Context, id string, payload any, tags map[string]string) error {
	req := map[string]any{}
	if payload != nil {
		req["payload"] = payload
	}
	if tags != nil {
		req["tags"] = tags
	}
	return c.Do(ctx, http.MethodPut, "/v1/chat/messages/"+url.PathEscape(id), req, nil)
}

// SetState writes a state: scope is "conversation", "user", "integration"
// or "bot", id the conversation, user, integration or bot id.
func (c *Client) SetState(ctx context.Context, scope, id, name string, payload any) error {
	path := "/v1/chat/states/" + url.PathEscape(scope) + "/" + url.PathEscape(id) + "/" + url.PathEscape(name)
	return c.Do(ctx, http.MethodPost, path, map[string]any{"payload": payload}, nil)
}

// GetState reads a state's payload into out; found is false when the state
// does not exist.
func (c *Client) GetState(ctx context.Context, scope, id, name string, out any) (found bool, err error) {
	path := "/v1/chat/states/" + url.PathEscape(scope) + "/" + url.PathEscape(id) + "/" + url.PathEscape(name)
	var body struct {
		State struct {
			Payload json.RawMessage `json:"payload"`
		} `json:"state"`
	}
	if err := c.Do(ctx, http.MethodGet, path, nil, &body); err != nil {
		if IsNotFound(err) {
			return false, nil
		}
		return false, err
	}
	if out != nil {
		if err := json.Unmarshal(body.State.Payload, out); err != nil {
			return true, fmt.Errorf("decode state %s: %w", name, err)
		}
	}
	return true, nil
}

// EventInput is an event the integration emits.
type EventInput struct {
	ConversationID string `json:"conversationId,omitempty"`
	MessageID      string `json:"messageId,omitempty"`
	Payload        any    `json:"payload"`
	// Type is the definition's bare event name ("orderPaid"); the bot
	// sees it as "<alias>:orderPaid".
	Type   string `json:"type"`
	UserID string `json:"userId,omitempty"`
}

// CreateEvent emits one of the definition's events.
func (c *Client) CreateEvent(ctx context.Context, in EventInput) (Event, error) {
	var out struct {
		Event Event `json:"event"`
	}
	err := c.Do(ctx, http.MethodPost, "/v1/chat/events", in, &out)
	return out.Event, err
}

// Configure tells the platform which account this install is (its
// identifier), as register does to detect two installs of one bot.
func (c *Client) Configure(ctx context.Context, identifier string) error {
	return c.Do(ctx, http.MethodPost, "/v1/chat/integrations/configure", map[string]any{"identifier": identifier}, nil)
}

// APIError is a failed Runtime API call: the HTTP status and the API error
// body {"id","code","type","message"}.
type APIError struct {
	Method, Path  string
	Status        int
	Type, Message string
}

// Error names the call and the platform's answer.
func (e *APIError) Error() string {
	return fmt.Sprintf("platform %s %s: %d %s: %s", e.Method, e.Path, e.Status, e.Type, e.Message)
}

// IsNotFound reports whether err is the platform's 404 (ResourceNotFound).
func IsNotFound(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.Status == http.StatusNotFound
}

// maxRetries is how many times a call is retried, as @botpress/sdk does.
const maxRetries = 3

// Do sends one Runtime API call with in as its JSON body (nil for none)
// and decodes the answer into out (if not nil). Like the SDK's retry
// policy it retries 429 and 502 for any method and other 5xx for idempotent
// methods, waiting Retry-After when given and n seconds before the n-th
// retry otherwise. Network errors are not retried: the call may have
// happened.
func (c *Client) Do(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("platform %s %s: %w", method, path, err)
		}
		req.Header = c.headers.Clone()
		if body == nil {
			req.Header.Del("Content-Type")
		}
		res, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("platform %s %s: %w", method, path, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, MaxBody))
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
			if err := c.sleep(ctx, retryAfter(res.Header, attempt)); err != nil {
				return fmt.Errorf("platform %s %s: %w", method, path, err)
			}
			continue
		}
		e := &APIError{Method: method, Path: path, Status: res.StatusCode}
		var apiErr APIErrorBody
		if json.Unmarshal(data, &apiErr) == nil && apiErr.Type != "" {
			e.Type, e.Message = apiErr.Type, apiErr.Message
		} else {
			e.Type, e.Message = "Unknown", string(data)
		}
		return e
	}
}

// Sleep waits as the client does between retries (the Env's Sleep).
func (c *Client) Sleep(ctx context.Context, d time.Duration) error { return c.sleep(ctx, d) }

// HTTPClient is the client every call goes through; integrations use it
// for their chat platform's API too.
func (c *Client) HTTPClient() *http.Client { return c.http }

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

// RetryAfter is the server's Retry-After (seconds, or an HTTP date), or
// attempt seconds when it gives none.
func RetryAfter(h http.Header, attempt int) time.Duration { return retryAfter(h, attempt) }

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
