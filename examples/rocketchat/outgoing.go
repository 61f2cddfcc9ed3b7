package rocketchat

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// messageCreated handles message_created: the bot wrote a message in a
// conversation of this integration, and it must reach Rocket.Chat. The
// body is
//
//	{"type":"choice","payload":{…},"conversation":{…},"message":{…},"user":{…}}
//
// Text and images go through chat.postMessage; choice, dropdown, card and
// datepicker messages carry UIKit blocks and go through chat.sendMessage,
// whose message object takes "blocks" like any other message field.
//
// After sending, the integration "acks" the message: it tags the platform's
// message with the Rocket.Chat message id and room id (PUT
// /v1/chat/messages/{id}), which is how a later interaction on it finds its
// way back.
func (o *op) messageCreated(ctx context.Context) error {
	var body bpkit.MessageCreated
	if err := o.Decode(&body); err != nil {
		return err
	}
	if body.Conversation.Channel != "channel" {
		return fmt.Errorf("unknown channel %q", body.Conversation.Channel)
	}
	room := body.Conversation.Tags["id"]
	if room == "" {
		return fmt.Errorf("conversation %s has no id tag", body.Conversation.ID)
	}
	endpoint, params, err := render(room, body.Type, body.Payload)
	if err != nil {
		return err
	}
	var sent struct {
		Message rcMessage `json:"message"`
	}
	if err := o.rc.call(ctx, http.MethodPost, endpoint, params, &sent); err != nil {
		return err
	}
	if sent.Message.ID == "" {
		return fmt.Errorf("rocket.chat %s: the answer has no message._id", endpoint)
	}
	rid := sent.Message.RoomID
	if rid == "" {
		rid = room
	}
	return o.platform.UpdateMessage(ctx, body.Message.ID, nil, map[string]string{"id": sent.Message.ID, "roomId": rid})
}

// The payloads of the definition's plain message types.
type (
	textPayload struct {
		Text string `json:"text"`
	}
	imagePayload struct {
		ImageURL string `json:"imageUrl"`
		Title    string `json:"title,omitempty"`
	}
)

// attachment is a Rocket.Chat message attachment (the subset used here).
type attachment struct {
	Title    string `json:"title,omitempty"`
	ImageURL string `json:"image_url"`
}

// render turns a bot message into a REST call: the endpoint and its JSON
// body.
//
//	text        chat.postMessage {roomId, text}
//	image       chat.postMessage {roomId, attachments:[{image_url, title}]}
//	choice, dropdown, card, datepicker
//	            chat.sendMessage {message:{rid, msg, blocks}} (see renderBlocks)
func render(room, typ string, raw json.RawMessage) (endpoint string, params any, err error) {
	switch typ {
	case "text":
		var p textPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		return "chat.postMessage", map[string]any{"roomId": room, "text": p.Text}, nil
	case "image":
		var p imagePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		return "chat.postMessage", map[string]any{"roomId": room, "attachments": []attachment{{Title: p.Title, ImageURL: p.ImageURL}}}, nil
	case "choice", "dropdown", "card", "datepicker":
		text, blocks, err := renderBlocks(typ, raw)
		if err != nil {
			return "", nil, err
		}
		return "chat.sendMessage", map[string]any{"message": map[string]any{"rid": room, "msg": text, "blocks": blocks}}, nil
	}
	return "", nil, fmt.Errorf("message type %q is not supported by channel \"channel\"", typ)
}
