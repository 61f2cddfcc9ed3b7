package telegram

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// messageCreated handles message_created: the bot wrote a message in a
// conversation of this integration, and it must reach Telegram. The body is
//
//	{"type":"choice","payload":{…},"conversation":{…},"message":{…},"user":{…}}
//
// After sending, the integration "acks" the message: it tags the platform's
// message with the Telegram message id (PUT /v1/chat/messages/{id}), which
// is how a later edit, reply or button tap finds its way back to it.
func (o *op) messageCreated(ctx context.Context) error {
	var body struct {
		Type         string             `json:"type"`
		Payload      json.RawMessage    `json:"payload"`
		Conversation bpkit.Conversation `json:"conversation"`
		Message      bpkit.Message      `json:"message"`
	}
	if err := o.Decode(&body); err != nil {
		return err
	}
	if body.Conversation.Channel != "channel" {
		return fmt.Errorf("unknown channel %q", body.Conversation.Channel)
	}
	chat := body.Conversation.Tags["id"]
	if chat == "" {
		return fmt.Errorf("conversation %s has no id tag", body.Conversation.ID)
	}
	method, params, err := render(body.Type, body.Payload)
	if err != nil {
		return err
	}
	params["chat_id"] = chatID(chat)
	var sent tgMessage
	if err := o.bot.call(ctx, method, params, &sent); err != nil {
		return err
	}
	return o.platform.UpdateMessage(ctx, body.Message.ID, nil, map[string]string{
		"id":     id(sent.MessageID),
		"chatId": id(sent.Chat.ID),
	})
}

// The payloads of the definition's message types (Botpress's defaults).
type (
	textPayload struct {
		Text string `json:"text"`
	}
	imagePayload struct {
		ImageURL string `json:"imageUrl"`
		Caption  string `json:"caption,omitempty"`
	}
	choicePayload struct {
		Text    string `json:"text"`
		Options []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"options"`
	}
	cardPayload struct {
		Title    string `json:"title"`
		Subtitle string `json:"subtitle,omitempty"`
		ImageURL string `json:"imageUrl,omitempty"`
		Actions  []struct {
			Action string `json:"action"` // postback, url or say
			Label  string `json:"label"`
			Value  string `json:"value"`
		} `json:"actions"`
	}
)

// choiceButtonsPerRow is how many choice buttons share a row; a dropdown
// gets one per row, which reads as a list.
const choiceButtonsPerRow = 3

// maxCallbackData is the size limit of a button's callback_data, in bytes.
const maxCallbackData = 64

// render turns a bot message into a Bot API call: the method and its
// parameters, without chat_id.
//
//	text      sendMessage(text)
//	image     sendPhoto(photo=imageUrl, caption)
//	choice    sendMessage(text) + inline keyboard, up to 3 buttons a row
//	dropdown  sendMessage(text) + inline keyboard, 1 button a row
//	card      sendPhoto(photo=imageUrl, caption="title\nsubtitle"), or
//	          sendMessage(text="title\nsubtitle") without an image,
//	          + 1 button a row: postback and say → callback_data, url → url
//
// Every button's callback_data is the option's value, so a tap comes back
// as that value (see callbackQuery).
func render(typ string, raw json.RawMessage) (method string, params map[string]any, err error) {
	switch typ {
	case "text":
		var p textPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		return "sendMessage", map[string]any{"text": p.Text}, nil

	case "image":
		var p imagePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		params = map[string]any{"photo": p.ImageURL}
		if p.Caption != "" {
			params["caption"] = p.Caption
		}
		return "sendPhoto", params, nil

	case "choice", "dropdown":
		var p choicePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		perRow := choiceButtonsPerRow
		if typ == "dropdown" {
			perRow = 1
		}
		var kb keyboard
		for _, opt := range p.Options {
			if len(opt.Value) > maxCallbackData {
				return "", nil, fmt.Errorf("%s option %q: value is %d bytes, Telegram's callback_data holds %d", typ, opt.Label, len(opt.Value), maxCallbackData)
			}
			kb.add(perRow, button{Text: opt.Label, CallbackData: opt.Value})
		}
		return "sendMessage", kb.attach(map[string]any{"text": p.Text}), nil

	case "card":
		var p cardPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		var kb keyboard
		for _, a := range p.Actions {
			switch a.Action {
			case "url":
				kb.add(1, button{Text: a.Label, URL: a.Value})
			case "postback", "say":
				if len(a.Value) > maxCallbackData {
					return "", nil, fmt.Errorf("card action %q: value is %d bytes, Telegram's callback_data holds %d", a.Label, len(a.Value), maxCallbackData)
				}
				kb.add(1, button{Text: a.Label, CallbackData: a.Value})
			default:
				return "", nil, fmt.Errorf("card action %q: unknown action %q", a.Label, a.Action)
			}
		}
		text := p.Title
		if p.Subtitle != "" {
			text += "\n" + p.Subtitle
		}
		if p.ImageURL != "" {
			return "sendPhoto", kb.attach(map[string]any{"photo": p.ImageURL, "caption": text}), nil
		}
		return "sendMessage", kb.attach(map[string]any{"text": text}), nil
	}
	return "", nil, fmt.Errorf("message type %q is not supported by channel \"channel\"", typ)
}

func unmarshalPayload(typ string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s payload: %w", typ, err)
	}
	return nil
}

// keyboard builds an inline keyboard row by row.
type keyboard [][]button

// add appends b to the last row, or starts a new row when that one has
// perRow buttons.
func (k *keyboard) add(perRow int, b button) {
	if n := len(*k); n > 0 && len((*k)[n-1]) < perRow {
		(*k)[n-1] = append((*k)[n-1], b)
		return
	}
	*k = append(*k, []button{b})
}

// attach sets params' reply_markup, if there are buttons at all.
func (k keyboard) attach(params map[string]any) map[string]any {
	if len(k) > 0 {
		params["reply_markup"] = inlineKeyboard{InlineKeyboard: k}
	}
	return params
}

// actionTriggered runs one of the definition's actions. The answer is
// {"output": <the action's output>, "meta": {"cost": 0}}.
//
// These two implement Botpress's typing-indicator interface. Telegram has
// no "stop typing": the indicator shows for five seconds or until the bot's
// next message, so stopTypingIndicator has nothing to do.
func (o *op) actionTriggered(ctx context.Context) (bpkit.Response, error) {
	var body struct {
		Type  string `json:"type"`
		Input struct {
			ConversationID string `json:"conversationId"`
			MessageID      string `json:"messageId"`
		} `json:"input"`
	}
	if err := o.Decode(&body); err != nil {
		return bpkit.Response{}, err
	}
	switch body.Type {
	case "startTypingIndicator":
		if body.Input.ConversationID == "" {
			return bpkit.Response{}, fmt.Errorf("%s: input.conversationId is empty", body.Type)
		}
		conv, err := o.platform.GetConversation(ctx, body.Input.ConversationID)
		if err != nil {
			return bpkit.Response{}, err
		}
		err = o.bot.call(ctx, "sendChatAction", map[string]any{
			"chat_id": chatID(conv.Tags["id"]),
			"action":  "typing",
		}, nil)
		if err != nil {
			return bpkit.Response{}, err
		}
	case "stopTypingIndicator":
	default:
		return bpkit.Response{}, fmt.Errorf("action %q not found", body.Type)
	}
	return bpkit.ActionOutput(nil)
}
