package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// message turns a Slack message (or the app_mention Slack sends alongside a
// message that mentions the bot) into an incoming text message.
//
// Platform calls for a new message, in order:
//
//	getOrCreateConversation  tags{id: <channel>, thread: <thread_ts>}  (no thread outside threads)
//	listMessages             tags.ts, tags.channel: already recorded? then stop
//	getOrCreateUser          tags{id: <U…>}  name from users.info
//	getOrCreateMessage       text {text}  tags{ts, channel, thread}
//
// A reply in a thread is a conversation of its own, tagged with the
// channel and the thread's parent ts: the bot answers in the thread.
func (o *op) message(ctx context.Context, env *envelope, ev *event) error {
	switch ev.Subtype {
	case "", "thread_broadcast", "file_share":
	default:
		return nil // edits, deletions, joins, bot_message…: not messages from a person
	}
	if ev.BotID != "" || ev.User == "" || ev.Channel == "" || ev.TS == "" {
		return nil // the bot's own messages (and other bots')
	}
	bots, err := o.botUsers(ctx, env)
	if err != nil {
		return err
	}
	if slices.Contains(bots, ev.User) {
		return nil
	}
	text := stripMention(ev.Text, bots)
	if text == "" {
		return nil // a file without a comment, a bare mention: nothing to say
	}
	thread := threadOf(ev.TS, ev.ThreadTS)
	conv, err := o.platform.getOrCreateConversation(ctx, ev.Channel, thread)
	if err != nil {
		return err
	}
	// Slack delivers one message more than once: as app_mention and as
	// message when it mentions the bot, and again on a retry. Look it up
	// first, so a second delivery asks nothing of Slack; getOrCreateMessage
	// below still records it once if two deliveries race.
	tags := withThread(map[string]string{"ts": ev.TS, "channel": ev.Channel}, thread)
	if _, found, err := o.platform.findMessage(ctx, conv.ID, map[string]string{"ts": ev.TS, "channel": ev.Channel}); err != nil || found {
		return err
	}
	user, err := o.user(ctx, ev.User)
	if err != nil {
		return err
	}
	_, err = o.platform.getOrCreateMessage(ctx, "text", map[string]string{"text": text}, tags, user.ID, conv.ID)
	return err
}

// threadOf is the thread a message belongs to: its thread_ts, unless that is
// the message's own ts (the parent of a thread belongs to the channel).
func threadOf(ts, threadTS string) string {
	if threadTS == ts {
		return ""
	}
	return threadTS
}

// stripMention removes a leading mention of the bot ("<@U0BOT> menu" →
// "menu"), which is how people address a bot in a channel; mentions of
// anyone else, and of the bot later in the text, stay as Slack wrote them.
func stripMention(text string, bots []string) string {
	text = strings.TrimSpace(text)
	for _, bot := range bots {
		rest, ok := strings.CutPrefix(text, "<@"+bot)
		if !ok || rest == "" || (rest[0] != '>' && rest[0] != '|') {
			continue // not this bot (<@U0BOTX> is someone else)
		}
		if end := strings.IndexByte(rest, '>'); end >= 0 {
			return strings.TrimSpace(rest[end+1:])
		}
	}
	return text
}

// user finds or creates the platform user of a Slack user, named as
// users.info says. The answer is cached for this operation only.
func (o *op) user(ctx context.Context, slackID string) (bpkit.User, error) {
	name, ok := o.names[slackID]
	if !ok {
		var info struct {
			User slackUser `json:"user"`
		}
		if err := o.slack.call(ctx, "users.info", url.Values{"user": {slackID}}, &info); err != nil {
			return bpkit.User{}, err
		}
		name = info.User.displayName()
		o.names[slackID] = name
	}
	return o.platform.getOrCreateUser(ctx, slackID, name)
}

// reactionPayload is the payload of reactionAdded and reactionRemoved:
// the reaction, who reacted (a Slack user id; the platform's user is the
// event's userId) and the targets a bot can answer in, as Botpress's Slack
// integration gives them.
type reactionPayload struct {
	Reaction string         `json:"reaction"`
	UserID   string         `json:"userId"`
	EventID  string         `json:"eventId"`
	Targets  reactionTarget `json:"targets"`
}

type reactionTarget struct {
	DM      map[string]string `json:"dm"`
	Channel map[string]string `json:"channel"`
	Thread  map[string]string `json:"thread"`
}

// reaction turns reaction_added and reaction_removed on a message into the
// events reactionAdded and reactionRemoved. The event points at the
// platform's message when the reacted message is known (an incoming one,
// or a bot message acked with its ts), and lands in that message's
// conversation, the thread's if it is in one; otherwise in the channel's.
// The bot's own reactions (its typing indicator) are left out.
func (o *op) reaction(ctx context.Context, typ string, env *envelope, ev *event) error {
	if ev.Item.Type != "message" || ev.User == "" || ev.Item.Channel == "" {
		return nil // reactions on files and file comments
	}
	bots, err := o.botUsers(ctx, env)
	if err != nil {
		return err
	}
	if slices.Contains(bots, ev.User) {
		return nil
	}
	msg, found, err := o.platform.findMessage(ctx, "", map[string]string{"ts": ev.Item.TS, "channel": ev.Item.Channel})
	if err != nil {
		return err
	}
	convID := msg.ConversationID
	if !found {
		conv, err := o.platform.getOrCreateConversation(ctx, ev.Item.Channel, "")
		if err != nil {
			return err
		}
		convID = conv.ID
	}
	if done, err := o.platform.eventRecorded(ctx, typ, convID, env.EventID); err != nil || done {
		return err // already recorded: a redelivery
	}
	user, err := o.user(ctx, ev.User)
	if err != nil {
		return err
	}
	payload := reactionPayload{
		Reaction: ev.Reaction,
		UserID:   ev.User,
		EventID:  env.EventID,
		Targets: reactionTarget{
			DM:      map[string]string{"id": ev.User},
			Channel: map[string]string{"id": ev.Item.Channel},
			Thread:  map[string]string{"id": ev.Item.Channel, "thread": ev.Item.TS},
		},
	}
	return o.platform.createEvent(ctx, typ, payload, convID, user.ID, msg.ID)
}

// memberJoined turns member_joined_channel into the event memberJoined in
// the channel's conversation. The payload carries Slack ids; the event
// points at the platform's user and conversation.
func (o *op) memberJoined(ctx context.Context, env *envelope, ev *event) error {
	if ev.User == "" || ev.Channel == "" {
		return nil
	}
	conv, err := o.platform.getOrCreateConversation(ctx, ev.Channel, "")
	if err != nil {
		return err
	}
	if done, err := o.platform.eventRecorded(ctx, "memberJoined", conv.ID, env.EventID); err != nil || done {
		return err // already recorded: a redelivery
	}
	user, err := o.user(ctx, ev.User)
	if err != nil {
		return err
	}
	payload := map[string]string{"userId": ev.User, "channelId": ev.Channel, "eventId": env.EventID}
	if ev.Inviter != "" {
		payload["inviterId"] = ev.Inviter
	}
	return o.platform.createEvent(ctx, "memberJoined", payload, conv.ID, user.ID, "")
}

// interactionPayload is the JSON in an interactivity request's payload
// field, with the fields read here.
type interactionPayload struct {
	Type        string `json:"type"` // block_actions, view_submission, view_closed, shortcut…
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
	User        struct {
		ID string `json:"id"`
	} `json:"user"`
	Channel *struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		Type      string `json:"type"` // message, view
		MessageTS string `json:"message_ts"`
		ChannelID string `json:"channel_id"`
		ThreadTS  string `json:"thread_ts"`
	} `json:"container"`
	// Message is the message the element is on, as Slack holds it.
	Message *struct {
		TS       string                       `json:"ts"`
		ThreadTS string                       `json:"thread_ts"`
		Text     string                       `json:"text"`
		Blocks   []map[string]json.RawMessage `json:"blocks"`
	} `json:"message"`
	Actions []blockAction `json:"actions"`
}

// blockAction is one action of a block_actions payload.
type blockAction struct {
	ActionID string `json:"action_id"`
	BlockID  string `json:"block_id"`
	Type     string `json:"type"` // button, static_select, overflow, datepicker…
	Value    string `json:"value"`
	ActionTS string `json:"action_ts"`
	Text     *struct {
		Text string `json:"text"`
	} `json:"text"`
	SelectedOption *struct {
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
		Value string `json:"value"`
	} `json:"selected_option"`
	SelectedDate string `json:"selected_date"`
}

// choice returns what the person chose: the value the bot gets as text,
// and the label they saw. value is "" for an action that carries nothing
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

// interaction handles an interactivity request. A block_actions on a
// message (a click on a choice, card or carousel button, a pick in a
// dropdown, a date in a date picker) is handled in two steps:
//
//  1. Unless the configuration's markChoices is false, the integration
//     answers through the payload's response_url, as Botpress-style Slack
//     integrations do: it replaces the original message
//     (replace_original) with the same text and blocks, the clicked
//     actions block (or the menu accessory) swapped for a context line
//     "✓ Coffee chosen by <@U…>", so nobody answers twice.
//  2. The action becomes an incoming text message whose text is the
//     button's or option's value (or the date, YYYY-MM-DD), as Botpress's
//     Slack integration does: the bot sees the choice as what the user
//     said.
//
// Clicks on URL buttons carry no value and are left out; so is everything
// on a modal (view_submission is answered with an empty 200, which closes
// the modal).
//
// A click is not a Slack message and has no ts of its own. The message is
// tagged ts "action:<action_ts>" instead: unique per click, never a real
// ts, and the same on a re-delivery, so getOrCreateMessage records it once.
// clickedTs is the ts of the message that carried the button, which the
// typing indicator reacts on.
func (o *op) interaction(ctx context.Context, raw string) (bpkit.Response, error) {
	var p interactionPayload
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return plain(http.StatusBadRequest, "malformed interaction payload"), nil
	}
	if p.Type != "block_actions" || len(p.Actions) == 0 || p.Container.Type == "view" {
		return plain(http.StatusOK, ""), nil
	}
	a := p.Actions[0]
	value, label := a.choice()
	channel := p.Container.ChannelID
	if p.Channel != nil && p.Channel.ID != "" {
		channel = p.Channel.ID
	}
	clicked, thread := p.Container.MessageTS, p.Container.ThreadTS
	if p.Message != nil {
		if clicked == "" {
			clicked = p.Message.TS
		}
		if thread == "" {
			thread = p.Message.ThreadTS
		}
	}
	if value == "" || channel == "" || p.User.ID == "" || a.ActionTS == "" {
		return plain(http.StatusOK, ""), nil // a URL button, an ephemeral surface: nothing to say
	}
	// The mark goes first, so that the buttons are gone before the bot
	// answers; a failed mark does not lose the choice.
	var markErr error
	if o.config.markChoices() && p.ResponseURL != "" && p.Message != nil && len(p.Message.Blocks) > 0 {
		answer := map[string]any{
			"replace_original": true,
			"text":             p.Message.Text,
			"blocks":           markChosen(p.Message.Blocks, a.BlockID, "✓ "+label+" chosen by <@"+p.User.ID+">"),
		}
		if err := o.slack.respond(ctx, p.ResponseURL, answer); err != nil {
			markErr = fmt.Errorf("handle block_actions %s: %w", a.ActionID, err)
		}
	}
	thread = threadOf(clicked, thread)
	conv, err := o.platform.getOrCreateConversation(ctx, channel, thread)
	if err != nil {
		return bpkit.Response{}, errors.Join(markErr, fmt.Errorf("handle block_actions %s: %w", a.ActionID, err))
	}
	user, err := o.user(ctx, p.User.ID)
	if err != nil {
		return bpkit.Response{}, errors.Join(markErr, fmt.Errorf("handle block_actions %s: %w", a.ActionID, err))
	}
	tags := withThread(map[string]string{"ts": "action:" + a.ActionTS, "channel": channel}, thread)
	if clicked != "" {
		tags["clickedTs"] = clicked
	}
	if _, err := o.platform.getOrCreateMessage(ctx, "text", map[string]string{"text": value}, tags, user.ID, conv.ID); err != nil {
		return bpkit.Response{}, errors.Join(markErr, fmt.Errorf("handle block_actions %s: %w", a.ActionID, err))
	}
	if markErr != nil {
		return bpkit.Response{}, markErr
	}
	return plain(http.StatusOK, ""), nil
}

// blockChosen is the block_id of the context line markChosen puts in.
const blockChosen = "chosen"

// markChosen returns the blocks of a message with the interactive part the
// person used replaced by a context line: the actions block with block_id
// clicked becomes the line, and a section whose accessory is interactive
// (a dropdown) loses the accessory and gets the line after it. Every other
// block stays as it is, so a carousel keeps its other cards' buttons. When
// no block has that block_id, the line goes at the end.
func markChosen(blocks []map[string]json.RawMessage, clicked, line string) []map[string]json.RawMessage {
	chosen := map[string]json.RawMessage{
		"type":     json.RawMessage(`"context"`),
		"block_id": mustJSON(blockChosen),
		"elements": mustJSON([]map[string]string{{"type": "mrkdwn", "text": line}}),
	}
	out := make([]map[string]json.RawMessage, 0, len(blocks)+1)
	placed := false
	for _, b := range blocks {
		var typ, id string
		_ = json.Unmarshal(b["type"], &typ)
		_ = json.Unmarshal(b["block_id"], &id)
		if placed || id != clicked {
			out = append(out, b)
			continue
		}
		if typ == "actions" {
			out = append(out, chosen)
			placed = true
			continue
		}
		if acc, ok := b["accessory"]; ok {
			var el struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(acc, &el) == nil && interactive(el.Type) {
				nb := make(map[string]json.RawMessage, len(b))
				for k, v := range b {
					if k != "accessory" {
						nb[k] = v
					}
				}
				out = append(out, nb, chosen)
				placed = true
				continue
			}
		}
		out = append(out, b)
	}
	if !placed {
		out = append(out, chosen)
	}
	return out
}

// interactive reports whether a block element is one a person acts on.
func interactive(typ string) bool {
	switch typ {
	case "button", "static_select", "external_select", "users_select", "conversations_select", "channels_select",
		"overflow", "datepicker", "timepicker", "radio_buttons", "checkboxes", "multi_static_select":
		return true
	}
	return false
}

// mustJSON encodes v, keeping <, > and & as they are (Slack reads them as
// markup: <@U…> is a mention).
func mustJSON(v any) json.RawMessage {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // only called with strings and maps of strings
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// slashCommand turns a slash command into an incoming text message
// "/command text" in the channel's conversation, and answers an empty 200:
// Slack shows nothing for it, and the bot's answer arrives as a message.
// A command has no ts: the message is tagged "command:<trigger_id>",
// unique per invocation.
func (o *op) slashCommand(ctx context.Context, form url.Values) (bpkit.Response, error) {
	command, channel, userID, trigger := form.Get("command"), form.Get("channel_id"), form.Get("user_id"), form.Get("trigger_id")
	if command == "" || channel == "" || userID == "" || trigger == "" {
		return plain(http.StatusBadRequest, "a slash command needs command, channel_id, user_id and trigger_id"), nil
	}
	text := strings.TrimSpace(command + " " + strings.TrimSpace(form.Get("text")))
	conv, err := o.platform.getOrCreateConversation(ctx, channel, "")
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("handle slash command %s: %w", command, err)
	}
	user, err := o.user(ctx, userID)
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("handle slash command %s: %w", command, err)
	}
	tags := map[string]string{"ts": "command:" + trigger, "channel": channel}
	if _, err := o.platform.getOrCreateMessage(ctx, "text", map[string]string{"text": text}, tags, user.ID, conv.ID); err != nil {
		return bpkit.Response{}, fmt.Errorf("handle slash command %s: %w", command, err)
	}
	return plain(http.StatusOK, ""), nil
}
