package rocketchat

import (
	"context"
	"net/http"
	"net/url"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// platform calls the Botpress Runtime API on behalf of one bot and one
// install, in this integration's terms (Rocket.Chat rooms, users and
// messages); the protocol itself (headers, retries, errors) is
// bpkit.Client's.
type platform struct{ *bpkit.Client }

// getOrCreateConversation finds the conversation of a Rocket.Chat room
// (channel, private group or direct message), or creates it.
func (p platform) getOrCreateConversation(ctx context.Context, roomID string) (bpkit.Conversation, error) {
	return p.GetOrCreateConversation(ctx, "channel", map[string]string{"id": roomID}, "id")
}

// getOrCreateUser finds the user of a Rocket.Chat account, or creates it
// with name. Only "id" identifies the user: a renamed account must not
// make a new user.
func (p platform) getOrCreateUser(ctx context.Context, id, username, name string) (bpkit.User, error) {
	tags := map[string]string{"id": id}
	if username != "" {
		tags["username"] = username
	}
	return p.GetOrCreateUser(ctx, name, tags, "id")
}

// setUserName gives the user a name (updateUser).
func (p platform) setUserName(ctx context.Context, id, name string) error {
	return p.Do(ctx, http.MethodPut, "/v1/chat/users/"+url.PathEscape(id), map[string]string{"name": name}, nil)
}

// getOrCreateMessage records an incoming message once. A delivery may be
// repeated (Rocket.Chat retries a failed outgoing webhook when the
// integration is set to, and the platform may retry too) after the message
// was stored; keyed on the Rocket.Chat message id, which is unique across
// the server, the second delivery finds the first message instead of
// making the bot see it twice.
func (p platform) getOrCreateMessage(ctx context.Context, typ string, payload any, tags map[string]string, userID, conversationID string) (bpkit.Message, error) {
	return p.GetOrCreateMessage(ctx, bpkit.MessageInput{
		Type: typ, Payload: payload, Tags: tags, UserID: userID, ConversationID: conversationID,
		DiscriminateByTags: []string{"id"},
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
