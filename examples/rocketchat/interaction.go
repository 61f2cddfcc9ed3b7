package rocketchat

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

	"github.com/chatsim/chatsim/examples/bpkit"
)

// interactionPayload is a block_actions interaction payload: someone clicked a button, picked
// from a static_select or overflow menu, or picked a date on a message.
// Rocket.Chat has no such HTTP payload of its own (its apps get the
// interaction in-process); this one is shaped like Slack's, as Rocket.Chat's
// Slack compatibility app sends it, so that Slack code (slack-go's
// InteractionCallback) reads it too.
type interactionPayload struct {
	Type        string `json:"type"` // "block_actions"
	ID          string `json:"id"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	User        struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"user"`
	Channel struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
	} `json:"channel"`
	OriginalMessage *interactedMessage `json:"original_message"`
	Message         *interactedMessage `json:"message"`
	Actions         []blockAction      `json:"actions"`
}

// interactedMessage is the message the interaction happened on.
type interactedMessage struct {
	ID     string                       `json:"_id"`
	Msg    string                       `json:"msg"`
	Text   string                       `json:"text"`
	Blocks []map[string]json.RawMessage `json:"blocks"`
}

// blockAction is one action of an interaction.
type blockAction struct {
	Type           string      `json:"type"` // button, static_select, overflow, datepicker
	BlockID        string      `json:"block_id"`
	ActionID       string      `json:"action_id"`
	Value          string      `json:"value"`
	Text           *textObject `json:"text"`
	SelectedOption *struct {
		Text  textObject `json:"text"`
		Value string     `json:"value"`
	} `json:"selected_option"`
	SelectedDate string `json:"selected_date"`
	ActionTS     string `json:"action_ts"`
}

// choice returns what the user chose: the value the bot gets as text, and
// the label people saw. value is "" for an action that carries nothing
// (a link button).
func (a blockAction) choice() (value, label string) {
	switch {
	case a.SelectedOption != nil:
		value, label = a.SelectedOption.Value, a.SelectedOption.Text.Text
	case a.SelectedDate != "":
		value, label = a.SelectedDate, a.SelectedDate
	default:
		value = a.Value
		if a.Text != nil {
			label = a.Text.Text
		}
	}
	if label == "" {
		label = value
	}
	return value, label
}

// interaction handles a block_actions payload in two steps:
//
//  1. Each action becomes an incoming text message whose text is the
//     chosen value (a button's value, the picked option's value, or the
//     date as YYYY-MM-DD), from that user in that room, as Botpress does
//     for choices. An interaction is not a Rocket.Chat message and has no
//     message id: the message is tagged id "interaction:<payload id>",
//     never a valid Rocket.Chat id and the same on a re-delivery, so
//     getOrCreateMessage still records it once.
//  2. Unless the configuration's markChoices is false, the integration
//     answers the interaction through response_url: it replaces the
//     original message (replace_original) with the same blocks, its
//     buttons or menu swapped for "✓ <label> chosen by @user", so nobody
//     clicks twice.
//
// The payload carries no secret, so its response_url must point at
// ROCKETCHAT_URL: the integration never POSTs to a URL a stranger chose.
func (o *op) interaction(ctx context.Context, raw []byte) (bpkit.Response, error) {
	var p interactionPayload
	if err := json.Unmarshal(raw, &p); err != nil {
		return reject(http.StatusBadRequest, "decode block_actions: "+err.Error()), nil
	}
	key := p.ID
	if key == "" {
		key = p.TriggerID
	}
	switch {
	case p.User.ID == "" || p.Channel.ID == "":
		return reject(http.StatusBadRequest, "block_actions without user.id or channel.id"), nil
	case key == "":
		return reject(http.StatusBadRequest, "block_actions without id or trigger_id"), nil
	case p.ResponseURL != "" && !o.onServer(p.ResponseURL):
		return reject(http.StatusBadRequest, "response_url is not on the Rocket.Chat server"), nil
	case p.User.ID == o.in.userID:
		return bpkit.OK(), nil // the bot clicking its own buttons
	}

	var chosen string // the first action's label
	for i, a := range p.Actions {
		value, label := a.choice()
		if value == "" {
			continue
		}
		id := "interaction:" + key
		if i > 0 {
			id += ":" + strconv.Itoa(i)
		}
		if err := o.recordChoice(ctx, &p, id, value); err != nil {
			return bpkit.Response{}, fmt.Errorf("handle block_actions %s: %w", key, err)
		}
		if chosen == "" {
			chosen = label
		}
	}
	if chosen == "" || !o.config.markChoices() || p.ResponseURL == "" {
		return bpkit.OK(), nil
	}
	orig := p.OriginalMessage
	if orig == nil {
		orig = p.Message
	}
	if orig == nil || len(orig.Blocks) == 0 {
		return bpkit.OK(), nil // nothing to mark
	}
	text := orig.Msg
	if text == "" {
		text = orig.Text
	}
	answer := map[string]any{
		"replace_original": true,
		"text":             text,
		"blocks":           markChosen(orig.Blocks, chosen, p.User.Username),
	}
	if err := o.respond(ctx, p.ResponseURL, answer); err != nil {
		return bpkit.Response{}, fmt.Errorf("handle block_actions %s: %w", key, err)
	}
	return bpkit.OK(), nil
}

// recordChoice records one chosen value as an incoming text message.
func (o *op) recordChoice(ctx context.Context, p *interactionPayload, id, value string) error {
	conv, err := o.platform.getOrCreateConversation(ctx, p.Channel.ID)
	if err != nil {
		return err
	}
	name := p.User.Name
	if name == "" {
		name = p.User.Username
	}
	user, err := o.platform.getOrCreateUser(ctx, p.User.ID, p.User.Username, name)
	if err != nil {
		return err
	}
	if user.Name == "" && name != "" {
		// Met first through the outgoing webhook, and not named then.
		if err := o.platform.setUserName(ctx, user.ID, name); err != nil {
			return err
		}
	}
	tags := map[string]string{"id": id, "roomId": p.Channel.ID}
	_, err = o.platform.getOrCreateMessage(ctx, "text", map[string]string{"text": value}, tags, user.ID, conv.ID)
	return err
}

// onServer reports whether u is on the Rocket.Chat server: same scheme,
// host and port as ROCKETCHAT_URL.
func (o *op) onServer(u string) bool {
	pu, err := url.Parse(u)
	return err == nil && pu.Scheme == o.in.serverURL.Scheme && pu.Host == o.in.serverURL.Host
}

// respond POSTs the answer to an interaction's response_url as JSON. The
// URL is its own credential (it expires after 30 minutes and five uses), so
// the bot's auth headers are not sent. Success is any 2xx; the body ("ok",
// or {"ok":true}) says nothing more.
func (o *op) respond(ctx context.Context, responseURL string, answer any) error {
	body, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("encode response_url answer: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post response_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := o.Client.HTTPClient().Do(req)
	if err != nil {
		// The URL holds a token: say where, not what.
		return fmt.Errorf("post response_url: %w", redactURL(err))
	}
	data, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("post response_url: %d %.200q", res.StatusCode, data)
	}
	return nil
}

// redactURL drops the URL from a *url.Error, which would print the
// response_url's token.
func redactURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
