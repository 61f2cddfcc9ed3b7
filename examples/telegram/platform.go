package telegram

import (
	"context"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// platform calls the Botpress Runtime API on behalf of one bot and one
// install, in this integration's terms (Telegram chats and users); the
// protocol itself (headers, retries, errors) is bpkit.Client's.
type platform struct{ *bpkit.Client }

// getOrCreateConversation finds the conversation of a Telegram chat, or
// creates it. discriminateByTags makes "id" alone identify it.
func (p platform) getOrCreateConversation(ctx context.Context, chatID string) (bpkit.Conversation, error) {
	return p.GetOrCreateConversation(ctx, "channel", map[string]string{"id": chatID}, "id")
}

// getOrCreateUser finds the user of a Telegram account, or creates it.
// Only "id" identifies the user: a new username must not make a new user.
func (p platform) getOrCreateUser(ctx context.Context, u tgUser) (bpkit.User, error) {
	tags := map[string]string{"id": id(u.ID)}
	if u.Username != "" {
		tags["username"] = u.Username
	}
	return p.GetOrCreateUser(ctx, u.fullName(), tags, "id")
}

// getOrCreateMessage records an incoming message once. Telegram re-delivers
// an update until the webhook answers 2xx, and a delivery can fail after the
// message was stored (a timeout, a crash, a later call failing). Keyed on
// the Telegram message id and chat id, the second delivery finds the first
// message instead of making the bot see it twice.
func (p platform) getOrCreateMessage(ctx context.Context, typ string, payload any, tags map[string]string, userID, conversationID string) (bpkit.Message, error) {
	return p.GetOrCreateMessage(ctx, bpkit.MessageInput{
		Type: typ, Payload: payload, Tags: tags, UserID: userID, ConversationID: conversationID,
		DiscriminateByTags: []string{"id", "chatId"},
	})
}

// findMessage looks a message up by its tags; found is false when there is
// none.
func (p platform) findMessage(ctx context.Context, conversationID string, tags map[string]string) (m bpkit.Message, found bool, err error) {
	ms, err := p.FindMessages(ctx, conversationID, tags)
	if err != nil || len(ms) == 0 {
		return bpkit.Message{}, false, err
	}
	return ms[0], true, nil
}

// createEvent emits one of the definition's events. type is the bare name
// ("memberJoined"); the bot sees it as "<alias>:memberJoined".
func (p platform) createEvent(ctx context.Context, typ string, payload any, conversationID, userID string) error {
	_, err := p.CreateEvent(ctx, bpkit.EventInput{Type: typ, Payload: payload, ConversationID: conversationID, UserID: userID})
	return err
}
