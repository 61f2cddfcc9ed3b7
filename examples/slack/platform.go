package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// platform calls the Botpress Runtime API on behalf of one bot and one
// install, in this integration's terms (Slack channels, threads and users);
// the protocol itself (headers, retries, errors) is bpkit.Client's.
type platform struct{ *bpkit.Client }

// workspaceState is the integration state register writes.
const workspaceState = "workspace"

// workspace is what auth.test said about the bot token at register.
type workspace struct {
	TeamID    string `json:"teamId"`
	BotUserID string `json:"botUserId"`
	BotID     string `json:"botId,omitempty"`
}

// conversationDiscriminators identify a conversation: the channel, and the
// thread for a thread. A channel's own conversation has no thread tag at
// all (the Runtime API drops empty tag values, so "" would never match
// again), and a conversation without the tag never matches one with it.
func conversationDiscriminators() []string { return []string{"id", "thread"} }

// getOrCreateConversation finds the conversation of a Slack channel, or of
// one thread in it when thread (the parent's ts) is not empty, or creates
// it.
func (p platform) getOrCreateConversation(ctx context.Context, channel, thread string) (bpkit.Conversation, error) {
	return p.GetOrCreateConversation(ctx, "channel", withThread(map[string]string{"id": channel}, thread), conversationDiscriminators()...)
}

// withThread adds the thread tag when there is a thread.
func withThread(tags map[string]string, thread string) map[string]string {
	if thread != "" {
		tags["thread"] = thread
	}
	return tags
}

// getOrCreateUser finds the user of a Slack account (U…), or creates it
// named name. Only "id" identifies the user.
func (p platform) getOrCreateUser(ctx context.Context, slackID, name string) (bpkit.User, error) {
	return p.GetOrCreateUser(ctx, name, map[string]string{"id": slackID}, "id")
}

// messageDiscriminators identify a message: its ts and its channel. A ts
// is unique within a channel, so the same Slack message delivered twice
// (a retry, or as both app_mention and message) is recorded once.
func messageDiscriminators() []string { return []string{"ts", "channel"} }

// getOrCreateMessage records an incoming message once.
func (p platform) getOrCreateMessage(ctx context.Context, typ string, payload any, tags map[string]string, userID, conversationID string) (bpkit.Message, error) {
	return p.GetOrCreateMessage(ctx, bpkit.MessageInput{
		Type: typ, Payload: payload, Tags: tags, UserID: userID, ConversationID: conversationID,
		DiscriminateByTags: messageDiscriminators(),
	})
}

// findMessage looks a message up by its tags, in one conversation, or in
// all of the install's when conversationID is empty (a reaction does not
// say whether its message is in a thread); found is false when there is
// none.
func (p platform) findMessage(ctx context.Context, conversationID string, tags map[string]string) (m bpkit.Message, found bool, err error) {
	q := url.Values{}
	if conversationID != "" {
		q.Set("conversationId", conversationID)
	}
	for k, v := range tags {
		q.Set("tags."+k, v)
	}
	var out struct {
		Messages []bpkit.Message `json:"messages"`
	}
	if err := p.Do(ctx, http.MethodGet, "/v1/chat/messages?"+q.Encode(), nil, &out); err != nil || len(out.Messages) == 0 {
		return bpkit.Message{}, false, err
	}
	// Newest first: the oldest is the one get-or-create would find.
	return out.Messages[len(out.Messages)-1], true, nil
}

// getMessage reads a message by its platform id.
func (p platform) getMessage(ctx context.Context, id string) (bpkit.Message, error) {
	var out struct {
		Message bpkit.Message `json:"message"`
	}
	err := p.Do(ctx, http.MethodGet, "/v1/chat/messages/"+url.PathEscape(id), nil, &out)
	return out.Message, err
}

// maxEventPages bounds the search for an event already recorded: Slack
// retries within five minutes, so the event is among the newest.
const maxEventPages = 5

// eventRecorded reports whether an event of this type in this conversation
// already carries Slack's event_id in its payload (see webhook.go for why
// retries are checked this way).
func (p platform) eventRecorded(ctx context.Context, typ, conversationID, eventID string) (bool, error) {
	q := url.Values{"type": {typ}, "conversationId": {conversationID}}
	for range maxEventPages {
		var out struct {
			Events []bpkit.Event `json:"events"`
			Meta   struct {
				NextToken string `json:"nextToken"`
			} `json:"meta"`
		}
		if err := p.Do(ctx, http.MethodGet, "/v1/chat/events?"+q.Encode(), nil, &out); err != nil {
			return false, err
		}
		for _, ev := range out.Events {
			var payload struct {
				EventID string `json:"eventId"`
			}
			if json.Unmarshal(ev.Payload, &payload) == nil && payload.EventID == eventID {
				return true, nil
			}
		}
		if out.Meta.NextToken == "" {
			return false, nil
		}
		q.Set("nextToken", out.Meta.NextToken)
	}
	return false, nil
}

// createEvent emits one of the definition's events. typ is the bare name
// ("reactionAdded"); the bot sees it as "<alias>:reactionAdded".
func (p platform) createEvent(ctx context.Context, typ string, payload any, conversationID, userID, messageID string) error {
	_, err := p.CreateEvent(ctx, bpkit.EventInput{Type: typ, Payload: payload, ConversationID: conversationID, UserID: userID, MessageID: messageID})
	return err
}
