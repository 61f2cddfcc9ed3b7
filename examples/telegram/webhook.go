package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// webhook handles webhook_received: the platform forwards what Telegram
// POSTed to https://webhook.botpress.cloud/<webhookId> as
//
//	{"req":{"method":"POST","path":"/","query":"","headers":{…},"body":"<the Update as a string>"}}
//
// and passes our answer back to Telegram. Telegram retries any update that
// does not get a 2xx, so an update the integration does not handle still
// gets 200.
func (o *op) webhook(ctx context.Context) (bpkit.Response, error) {
	req, err := o.WebhookRequest()
	if err != nil {
		return bpkit.Response{}, err
	}

	// Anyone can POST to the webhook URL; only Telegram knows the secret
	// we gave setWebhook. A wrong secret is an answer for the sender, not
	// a failure of the integration.
	got := req.Headers["x-telegram-bot-api-secret-token"]
	if subtle.ConstantTimeCompare([]byte(got), []byte(o.secret)) != 1 {
		return bpkit.Response{
			Status: http.StatusUnauthorized,
			Header: map[string]string{"Content-Type": "text/plain; charset=utf-8"},
			Body:   "invalid secret token",
		}, nil
	}

	var up tgUpdate
	if err := json.Unmarshal([]byte(req.Body), &up); err != nil {
		return bpkit.Response{}, fmt.Errorf("decode telegram update: %w", err)
	}
	switch {
	case up.Message != nil:
		err = o.incomingMessage(ctx, up.Message, false)
	case up.EditedMessage != nil:
		err = o.incomingMessage(ctx, up.EditedMessage, true)
	case up.CallbackQuery != nil:
		err = o.callbackQuery(ctx, up.CallbackQuery)
	case up.ChatMember != nil:
		err = o.chatMember(ctx, up.ChatMember)
	case up.MyChatMember != nil:
		// The bot itself was added to, removed from or blocked in a chat.
		// A fuller integration could record it in the conversation; this
		// one has nothing to do until someone writes.
	default:
		// Channel posts, inline queries, polls…: not handled here.
	}
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("handle update %d: %w", up.UpdateID, err)
	}
	return bpkit.OK(), nil
}

// incomingMessage turns a Telegram message (or its edit) into an incoming
// Botpress message, and group joins and leaves into events.
//
// Platform calls for a new text message, in order:
//
//	getOrCreateConversation  tags{id: <chat id>}
//	getOrCreateUser          tags{id: <from id>, username}  name "First Last"
//	getOrCreateMessage       text {text}  tags{id: <message_id>, chatId: <chat id>}
func (o *op) incomingMessage(ctx context.Context, m *tgMessage, edited bool) error {
	if len(m.NewChatMembers) > 0 || m.LeftChatMember != nil {
		return o.memberServiceMessage(ctx, m)
	}
	if m.From == nil || m.From.IsBot {
		return nil // anonymous group admins, other bots: nobody to answer
	}
	// Work out the payload first: it decides whether there is anything to
	// record, and a failing getFile should fail before the platform is
	// touched.
	typ, payload, err := o.payloadOf(ctx, m)
	if err != nil || typ == "" {
		return err // typ == "": a sticker, a voice note…: not handled here
	}
	conv, err := o.platform.getOrCreateConversation(ctx, id(m.Chat.ID))
	if err != nil {
		return err
	}
	tags := map[string]string{"id": id(m.MessageID), "chatId": id(m.Chat.ID)}
	if edited {
		// An edit carries the same message_id: find the message and give it
		// the new payload, so the conversation shows what the user sees.
		prev, found, err := o.platform.findMessage(ctx, conv.ID, tags)
		if err != nil {
			return err
		}
		if found {
			return o.platform.UpdateMessage(ctx, prev.ID, payload, prev.Tags) // the Runtime API requires tags on every update
		}
		// Edited before we ever saw it (it predates the install, or its
		// delivery failed): record it as a new message.
	}
	user, err := o.platform.getOrCreateUser(ctx, *m.From)
	if err != nil {
		return err
	}
	_, err = o.platform.getOrCreateMessage(ctx, typ, payload, tags, user.ID, conv.ID)
	return err
}

// payloadOf maps a Telegram message to a message type of the definition and
// its payload; typ is "" for messages this integration does not handle.
func (o *op) payloadOf(ctx context.Context, m *tgMessage) (typ string, payload map[string]string, err error) {
	switch {
	case m.Text != "":
		return "text", map[string]string{"text": m.Text}, nil
	case len(m.Photo) > 0:
		// Telegram sends several sizes of the photo; keep the largest.
		best := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > best.Width*best.Height {
				best = p
			}
		}
		var f tgFile
		if err := o.bot.call(ctx, "getFile", map[string]string{"file_id": best.FileID}, &f); err != nil {
			return "", nil, err
		}
		if f.FilePath == "" {
			return "", nil, errors.New("telegram getFile: no file_path (the file is over 20 MB)")
		}
		// The link is valid for at least an hour and, like every Telegram
		// file link, contains the bot token: anyone who can read the
		// message can use the bot. The official Botpress integration does
		// the same; a stricter one would copy the file to the Files API.
		payload = map[string]string{"imageUrl": o.bot.fileURL(f.FilePath)}
		if m.Caption != "" {
			payload["caption"] = m.Caption
		}
		return "image", payload, nil
	}
	return "", nil, nil
}

// callbackQuery handles a tap on an inline button (from a choice, dropdown
// or card). The bot must see the choice as what the user said, so it
// becomes an incoming text message whose text is the button's value
// (callback_data), like a postback on other channels.
//
// A tap is not a Telegram message and has no message_id. The message is
// tagged id "callback:<callback query id>" instead: unique per tap, never a
// valid message_id, and the same on a re-delivery, so getOrCreateMessage
// still records it once.
//
// Before that, the conversation state "selection" remembers which button of
// which message was tapped (and its label, which the text leaves out), so
// the bot can read it when the message arrives.
func (o *op) callbackQuery(ctx context.Context, q *tgCallbackQuery) error {
	// Answer first: until we do, the user's app shows a spinner on the
	// button, and Telegram only accepts the answer for a short while.
	if err := o.bot.call(ctx, "answerCallbackQuery", map[string]string{"callback_query_id": q.ID}, nil); err != nil {
		return err
	}
	if q.Message == nil || q.Data == "" {
		return nil // a button on an inline-mode message, or a game: not ours
	}
	chat := id(q.Message.Chat.ID)
	conv, err := o.platform.getOrCreateConversation(ctx, chat)
	if err != nil {
		return err
	}
	user, err := o.platform.getOrCreateUser(ctx, q.From)
	if err != nil {
		return err
	}
	selection := map[string]string{"value": q.Data, "messageId": id(q.Message.MessageID)}
	if label := buttonLabel(q.Message.ReplyMarkup, q.Data); label != "" {
		selection["label"] = label
	}
	if err := o.platform.SetState(ctx, "conversation", conv.ID, "selection", selection); err != nil {
		return err
	}
	tags := map[string]string{"id": "callback:" + q.ID, "chatId": chat}
	_, err = o.platform.getOrCreateMessage(ctx, "text", map[string]string{"text": q.Data}, tags, user.ID, conv.ID)
	return err
}

// buttonLabel finds the text of the button that sent data.
func buttonLabel(kb *inlineKeyboard, data string) string {
	if kb == nil {
		return ""
	}
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return b.Text
			}
		}
	}
	return ""
}

// memberServiceMessage turns the "X joined" and "X left" service messages
// of a group into memberJoined and memberLeft events.
//
// Telegram also reports joins and leaves as chat_member updates, but only
// to bots that are admins; service messages reach every bot but admins can
// hide them. A bot that is an admin and sees both gets two events for one
// join: dedupe on the bot side if that matters to you.
func (o *op) memberServiceMessage(ctx context.Context, m *tgMessage) error {
	for _, u := range m.NewChatMembers {
		if err := o.memberEvent(ctx, "memberJoined", m.Chat, u); err != nil {
			return err
		}
	}
	if m.LeftChatMember != nil {
		return o.memberEvent(ctx, "memberLeft", m.Chat, *m.LeftChatMember)
	}
	return nil
}

// chatMember turns a chat_member update into memberJoined or memberLeft
// when a user's status crosses between outside (left, kicked) and inside
// (anything else). Promotions and restrictions are ignored.
func (o *op) chatMember(ctx context.Context, c *tgChatMemberUpdated) error {
	wasIn, isIn := inChat(c.OldChatMember.Status), inChat(c.NewChatMember.Status)
	switch {
	case !wasIn && isIn:
		return o.memberEvent(ctx, "memberJoined", c.Chat, c.NewChatMember.User)
	case wasIn && !isIn:
		return o.memberEvent(ctx, "memberLeft", c.Chat, c.NewChatMember.User)
	}
	return nil
}

func inChat(status string) bool { return status != "left" && status != "kicked" }

// memberEvent emits memberJoined or memberLeft. The payload carries the
// Telegram ids; the event itself points at the platform's user and
// conversation.
func (o *op) memberEvent(ctx context.Context, typ string, chat tgChat, u tgUser) error {
	conv, err := o.platform.getOrCreateConversation(ctx, id(chat.ID))
	if err != nil {
		return err
	}
	user, err := o.platform.getOrCreateUser(ctx, u)
	if err != nil {
		return err
	}
	payload := map[string]string{"userId": id(u.ID), "chatId": id(chat.ID)}
	if u.Username != "" {
		payload["username"] = u.Username
	}
	return o.platform.createEvent(ctx, typ, payload, conv.ID, user.ID)
}
