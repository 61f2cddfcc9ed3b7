package rocketchat

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// webhook handles webhook_received. One webhook URL receives two kinds of
// deliveries, both forwarded by the platform as
//
//		{"req":{"method":"POST","path":"/","query":"","headers":{…},"body":"<the body as a string>"}}
//
//	  - the outgoing webhook integration's JSON, one per message posted in
//	    the rooms it listens to: {"token", "bot", "channel_id",
//	    "channel_name", "message_id", "timestamp", "user_id", "user_name",
//	    "text", "siteUrl", …};
//	  - interaction payloads, {"type":"block_actions", …}, when someone clicks
//	    a button or picks from a menu or a date picker of a bot message; as
//	    JSON or, Slack-style, as a form with one field payload=<JSON>.
//
// The answer is 200 {}: the bot's replies go out through the REST API, not
// in the HTTP response (Rocket.Chat would post a "text" found there).
func (o *op) webhook(ctx context.Context) (bpkit.Response, error) {
	req, err := o.WebhookRequest()
	if err != nil {
		return bpkit.Response{}, err
	}
	raw, err := deliveryJSON(req)
	if err != nil {
		return reject(http.StatusBadRequest, err.Error()), nil
	}
	var kind struct {
		Type  string  `json:"type"`
		Token *string `json:"token"`
	}
	if err := json.Unmarshal(raw, &kind); err != nil {
		return reject(http.StatusBadRequest, "the body is not a JSON object"), nil
	}
	if kind.Type == "block_actions" {
		// Interaction payloads carry no secret of their own; when one
		// does carry a token (Slack's do), it must be ours.
		if kind.Token != nil && !o.tokenOK(*kind.Token) {
			return reject(http.StatusUnauthorized, "invalid token"), nil
		}
		return o.interaction(ctx, raw)
	}
	// Anyone can POST to the webhook URL; only Rocket.Chat knows the
	// outgoing integration's token. A wrong token is an answer for the
	// sender, not a failure of the integration.
	if kind.Token == nil || !o.tokenOK(*kind.Token) {
		return reject(http.StatusUnauthorized, "invalid token"), nil
	}
	var m outgoingMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return bpkit.Response{}, fmt.Errorf("decode outgoing webhook: %w", err)
	}
	if err := o.incomingMessage(ctx, &m); err != nil {
		return bpkit.Response{}, fmt.Errorf("handle message %s: %w", m.MessageID, err)
	}
	return bpkit.OK(), nil
}

// nameUser names the platform user userID after the Rocket.Chat account
// rcUserID's display name (its username when it has none).
func (o *op) nameUser(ctx context.Context, userID, rcUserID string) error {
	var info struct {
		User struct {
			Username string `json:"username"`
			Name     string `json:"name"`
		} `json:"user"`
	}
	if err := o.rc.call(ctx, http.MethodGet, "users.info?userId="+url.QueryEscape(rcUserID), nil, &info); err != nil {
		return fmt.Errorf("look up user %s: %w", rcUserID, err)
	}
	name := strings.TrimSpace(info.User.Name)
	if name == "" {
		name = info.User.Username
	}
	if name == "" {
		return nil
	}
	return o.platform.setUserName(ctx, userID, name)
}

// tokenOK compares in constant time, so the answer time says nothing about
// how much of a guess was right.
func (o *op) tokenOK(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(o.in.token)) == 1
}

// reject answers the sender (through the platform) with status and a
// Rocket.Chat-style error body. Rocket.Chat does not retry a 4xx unless the
// outgoing integration is set to retry failed calls.
func reject(status int, why string) bpkit.Response {
	b, _ := json.Marshal(map[string]any{"success": false, "error": why})
	return bpkit.Response{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: string(b)}
}

// deliveryJSON returns the JSON of a delivery: the body itself, or the
// payload field of a form (interaction payloads may come Slack-style as
// application/x-www-form-urlencoded, payload=<URL-encoded JSON>).
func deliveryJSON(req bpkit.WebhookRequest) ([]byte, error) {
	if req.Method != http.MethodPost {
		return nil, fmt.Errorf("method %s: the webhook takes POST", req.Method)
	}
	body := []byte(req.Body)
	ct, _, _ := mime.ParseMediaType(req.Headers["content-type"])
	if ct == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(req.Body)
		if err != nil || !form.Has("payload") {
			return nil, fmt.Errorf("a form body must have a payload field holding JSON")
		}
		body = []byte(form.Get("payload"))
	}
	if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("the body is not a JSON object")
	}
	return body, nil
}

// outgoingMessage is the body of an outgoing webhook for the "Message Sent"
// event (Rocket.Chat's triggerHandler mapEventArgsToData).
type outgoingMessage struct {
	Token       string `json:"token"`
	Bot         any    `json:"bot"` // false, or {"i": <integration id>} for a bot or integration message
	ChannelID   string `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	MessageID   string `json:"message_id"`
	Timestamp   string `json:"timestamp"`
	UserID      string `json:"user_id"`
	UserName    string `json:"user_name"`
	Text        string `json:"text"`
	TriggerWord string `json:"trigger_word"`
	IsEdited    bool   `json:"isEdited"`
	ThreadID    string `json:"tmid"`
}

// fromBot reports whether the message was written by a bot or an
// integration (the bot field is false for people, an object otherwise).
func (m *outgoingMessage) fromBot() bool {
	switch b := m.Bot.(type) {
	case nil:
		return false
	case bool:
		return b
	}
	return true
}

// incomingMessage turns an outgoing-webhook message (or its edit) into an
// incoming Botpress text message.
//
// Platform calls for a new message, in order:
//
//	getOrCreateConversation  channel "channel" tags{id: <room id>}
//	getOrCreateUser          tags{id: <user id>, username}  name <username>
//	getOrCreateMessage       text {text}  tags{id: <message id>, roomId: <room id>}
//
// The outgoing webhook names the author only by username, so a user the
// platform has no name for yet is looked up once with users.info and named
// after their Rocket.Chat display name ("Ada Lovelace"), as Botpress's
// Slack integration does with users.info:
//
//	getOrCreateUser          tags{id, username} (no name)
//	GET users.info?userId=…  (only while the user has no name)
//	updateUser               name <the account's name>
func (o *op) incomingMessage(ctx context.Context, m *outgoingMessage) error {
	if m.UserID == o.in.userID || m.fromBot() {
		// Our own replies, and other bots': answering them loops.
		return nil
	}
	text := strings.TrimSpace(m.Text)
	if text == "" || m.ChannelID == "" || m.MessageID == "" || m.UserID == "" {
		return nil // a file without a caption, a system message: nothing to say
	}
	conv, err := o.platform.getOrCreateConversation(ctx, m.ChannelID)
	if err != nil {
		return err
	}
	tags := map[string]string{"id": m.MessageID, "roomId": m.ChannelID}
	payload := map[string]string{"text": text}
	if m.IsEdited {
		// An edit carries the same message_id (outgoing integrations
		// send edits when "Run on edits" is on): give the stored message
		// its new text, so the conversation shows what people see.
		prev, found, err := o.platform.findMessage(ctx, conv.ID, map[string]string{"id": m.MessageID})
		if err != nil {
			return err
		}
		if found {
			return o.platform.UpdateMessage(ctx, prev.ID, payload, prev.Tags) // the Runtime API wants tags on every update
		}
		// Edited before we ever saw it: record it as a new message.
	}
	user, err := o.platform.getOrCreateUser(ctx, m.UserID, m.UserName, "")
	if err != nil {
		return err
	}
	if user.Name == "" {
		if err := o.nameUser(ctx, user.ID, m.UserID); err != nil {
			return err
		}
	}
	_, err = o.platform.getOrCreateMessage(ctx, "text", payload, tags, user.ID, conv.ID)
	return err
}
