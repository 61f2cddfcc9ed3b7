package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bpkit"
)

// messageCreated handles message_created: the bot wrote a message in a
// conversation of this integration, and it must reach Slack. The body is
//
//	{"type":"choice","payload":{…},"conversation":{…},"message":{…},"user":{…}}
//
// The message is posted with chat.postMessage into the conversation's
// channel (the id tag), inside its thread when it has a thread tag. Then
// the integration "acks" it: it tags the platform's message with the Slack
// ts and channel (PUT /v1/chat/messages/{id}), which is how a reaction or a
// click on it finds its way back.
func (o *op) messageCreated(ctx context.Context) error {
	var body bpkit.MessageCreated
	if err := o.Decode(&body); err != nil {
		return err
	}
	if body.Conversation.Channel != "channel" {
		return fmt.Errorf("unknown channel %q", body.Conversation.Channel)
	}
	channel, thread := body.Conversation.Tags["id"], body.Conversation.Tags["thread"]
	if channel == "" {
		return fmt.Errorf("conversation %s has no id tag", body.Conversation.ID)
	}
	params, err := render(body.Type, body.Payload)
	if err != nil {
		return err
	}
	params["channel"] = channel
	if thread != "" {
		params["thread_ts"] = thread
	}
	var sent postMessageAnswer
	if err := o.slack.call(ctx, "chat.postMessage", params, &sent); err != nil {
		return err
	}
	if sent.TS == "" {
		return fmt.Errorf("slack chat.postMessage: no ts in the answer")
	}
	if sent.Channel == "" {
		sent.Channel = channel
	}
	return o.platform.UpdateMessage(ctx, body.Message.ID, nil, withThread(map[string]string{"ts": sent.TS, "channel": sent.Channel}, thread))
}

// The payloads of the definition's message types (Botpress's defaults).
type (
	textPayload struct {
		Text string `json:"text"`
	}
	imagePayload struct {
		ImageURL string `json:"imageUrl"`
		Title    string `json:"title,omitempty"`
	}
	option struct {
		Label string `json:"label"`
		Value string `json:"value"`
	}
	choicePayload struct {
		Text    string   `json:"text"`
		Options []option `json:"options"`
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
	carouselPayload struct {
		Items []cardPayload `json:"items"`
	}
	// datepickerPayload is this integration's own message type: a
	// question with a date picker.
	datepickerPayload struct {
		Text        string `json:"text"`
		Placeholder string `json:"placeholder,omitempty"`
		InitialDate string `json:"initialDate,omitempty"`
	}
)

// Block Kit limits Slack enforces (docs.slack.dev/reference/block-kit).
const (
	maxBlocks        = 50   // blocks in a message
	maxButtons       = 25   // elements in an actions block
	maxSelectOptions = 100  // options in a static_select
	maxLabel         = 75   // plain_text of a button or an option
	maxButtonValue   = 2000 // a button's value
	maxOptionValue   = 150  // a select option's value
	maxSectionText   = 3000 // a section's text
	maxAltText       = 2000 // an image's alt_text
)

// block is one Block Kit block or element; maps marshal with sorted keys,
// so the same message always renders the same JSON.
type block = map[string]any

func plainText(s string) block { return block{"type": "plain_text", "text": s, "emoji": true} }

func mrkdwn(s string) block { return block{"type": "mrkdwn", "text": s} }

// render turns a bot message into chat.postMessage's parameters, without
// channel and thread_ts:
//
//	text      text, mrkdwn
//	image     an image block (alt_text and title from the title)
//	choice    a section with the text + an actions block of buttons
//	dropdown  a section with the text and a static_select accessory
//	datepicker a section with the text + an actions block with a datepicker
//	card      a section "*title*\nsubtitle" with an image accessory + an
//	          actions block: postback and say → buttons with the value,
//	          url → link buttons
//	carousel  each card's blocks, with a divider between cards
//
// Every button's value (and every option's) is the payload's value, so a
// click comes back as that value (see interaction). action_ids are unique
// in the message; block_ids are set so the same message renders the same.
// text is always set: Slack shows it in notifications.
func render(typ string, raw json.RawMessage) (map[string]any, error) {
	switch typ {
	case "text":
		var p textPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		return map[string]any{"text": p.Text, "mrkdwn": true}, nil

	case "image":
		var p imagePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		alt := p.Title
		if alt == "" {
			alt = "image"
		}
		img := block{"type": "image", "block_id": "image", "image_url": p.ImageURL, "alt_text": truncate(alt, maxAltText)}
		if p.Title != "" {
			img["title"] = plainText(truncate(p.Title, maxAltText))
		}
		return map[string]any{"text": alt, "blocks": []block{img}}, nil

	case "choice":
		var p choicePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		if err := checkSectionText(typ, p.Text); err != nil {
			return nil, err
		}
		if len(p.Options) > maxButtons {
			return nil, fmt.Errorf("choice: %d options, Slack shows at most %d buttons in a row", len(p.Options), maxButtons)
		}
		blocks := []block{{"type": "section", "block_id": "text", "text": mrkdwn(p.Text)}}
		var buttons []block
		for i, opt := range p.Options {
			if err := checkOption(typ, opt, maxButtonValue); err != nil {
				return nil, err
			}
			buttons = append(buttons, block{"type": "button", "action_id": fmt.Sprintf("option_%d", i), "text": plainText(opt.Label), "value": opt.Value})
		}
		if len(buttons) > 0 {
			blocks = append(blocks, block{"type": "actions", "block_id": "options", "elements": buttons})
		}
		return map[string]any{"text": p.Text, "blocks": blocks}, nil

	case "dropdown":
		var p choicePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		if err := checkSectionText(typ, p.Text); err != nil {
			return nil, err
		}
		if len(p.Options) > maxSelectOptions {
			return nil, fmt.Errorf("dropdown: %d options, Slack's static_select holds at most %d", len(p.Options), maxSelectOptions)
		}
		section := block{"type": "section", "block_id": "text", "text": mrkdwn(p.Text)}
		var options []block
		for _, opt := range p.Options {
			if err := checkOption(typ, opt, maxOptionValue); err != nil {
				return nil, err
			}
			options = append(options, block{"text": plainText(opt.Label), "value": opt.Value})
		}
		if len(options) > 0 {
			section["accessory"] = block{"type": "static_select", "action_id": "dropdown", "placeholder": plainText("Choose…"), "options": options}
		}
		return map[string]any{"text": p.Text, "blocks": []block{section}}, nil

	case "datepicker":
		var p datepickerPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		if err := checkSectionText(typ, p.Text); err != nil {
			return nil, err
		}
		placeholder := p.Placeholder
		if placeholder == "" {
			placeholder = "Pick a date"
		}
		picker := block{"type": "datepicker", "action_id": "datepicker", "placeholder": plainText(truncate(placeholder, 150))}
		if p.InitialDate != "" {
			if _, err := time.Parse(time.DateOnly, p.InitialDate); err != nil {
				return nil, fmt.Errorf("datepicker: initialDate %q: want YYYY-MM-DD", p.InitialDate)
			}
			picker["initial_date"] = p.InitialDate
		}
		blocks := []block{{"type": "section", "block_id": "text", "text": mrkdwn(p.Text)}, {"type": "actions", "block_id": "date", "elements": []block{picker}}}
		return map[string]any{"text": p.Text, "blocks": blocks}, nil

	case "card":
		var p cardPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		blocks, err := renderCard("card", p)
		if err != nil {
			return nil, err
		}
		return map[string]any{"text": p.Title, "blocks": blocks}, nil

	case "carousel":
		var p carouselPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return nil, err
		}
		var blocks []block
		titles := make([]string, 0, len(p.Items))
		for i, item := range p.Items {
			if i > 0 {
				blocks = append(blocks, block{"type": "divider", "block_id": fmt.Sprintf("divider_%d", i)})
			}
			bs, err := renderCard(fmt.Sprintf("card_%d", i), item)
			if err != nil {
				return nil, fmt.Errorf("carousel item %d: %w", i, err)
			}
			blocks = append(blocks, bs...)
			titles = append(titles, item.Title)
		}
		if len(blocks) > maxBlocks {
			return nil, fmt.Errorf("carousel: %d cards make %d blocks, Slack shows at most %d in a message", len(p.Items), len(blocks), maxBlocks)
		}
		return map[string]any{"text": strings.Join(titles, " · "), "blocks": blocks}, nil
	}
	return nil, fmt.Errorf("message type %q is not supported by channel \"channel\"", typ)
}

// renderCard renders one card as a section and, when it has actions, an
// actions block; id prefixes its block_ids and action_ids.
func renderCard(id string, p cardPayload) ([]block, error) {
	text := "*" + escape(p.Title) + "*"
	if p.Subtitle != "" {
		text += "\n" + escape(p.Subtitle)
	}
	if len(text) > maxSectionText {
		return nil, fmt.Errorf("card %q: title and subtitle are %d characters, a Slack section holds %d", p.Title, len(text), maxSectionText)
	}
	section := block{"type": "section", "block_id": id, "text": mrkdwn(text)}
	if p.ImageURL != "" {
		section["accessory"] = block{"type": "image", "image_url": p.ImageURL, "alt_text": truncate(p.Title, maxAltText)}
	}
	blocks := []block{section}
	if len(p.Actions) > maxButtons {
		return nil, fmt.Errorf("card %q: %d actions, Slack shows at most %d buttons in a row", p.Title, len(p.Actions), maxButtons)
	}
	var buttons []block
	for j, a := range p.Actions {
		if a.Label == "" || len([]rune(a.Label)) > maxLabel {
			return nil, fmt.Errorf("card %q: action %d: the label must be 1 to %d characters", p.Title, j, maxLabel)
		}
		b := block{"type": "button", "action_id": fmt.Sprintf("%s_%s_%d", id, a.Action, j), "text": plainText(a.Label)}
		switch a.Action {
		case "url":
			b["url"] = a.Value
		case "postback", "say":
			if len(a.Value) > maxButtonValue {
				return nil, fmt.Errorf("card %q: action %q: the value is %d bytes, a Slack button holds %d", p.Title, a.Label, len(a.Value), maxButtonValue)
			}
			b["value"] = a.Value
		default:
			return nil, fmt.Errorf("card %q: action %q: unknown action %q", p.Title, a.Label, a.Action)
		}
		buttons = append(buttons, b)
	}
	if len(buttons) > 0 {
		blocks = append(blocks, block{"type": "actions", "block_id": id + "_actions", "elements": buttons})
	}
	return blocks, nil
}

// checkSectionText refuses a text a section block cannot hold.
func checkSectionText(typ, text string) error {
	if n := len([]rune(text)); n == 0 || n > maxSectionText {
		return fmt.Errorf("%s: the text must be 1 to %d characters, not %d", typ, maxSectionText, n)
	}
	return nil
}

// checkOption refuses what Slack would refuse with invalid_blocks.
func checkOption(typ string, opt option, maxValue int) error {
	switch {
	case opt.Label == "" || len([]rune(opt.Label)) > maxLabel:
		return fmt.Errorf("%s option %q: the label must be 1 to %d characters", typ, opt.Label, maxLabel)
	case opt.Value == "" || len(opt.Value) > maxValue:
		return fmt.Errorf("%s option %q: the value must be 1 to %d characters", typ, opt.Label, maxValue)
	}
	return nil
}

// escape makes text safe inside mrkdwn: Slack reads <, > and & as markup.
// Text messages are sent as written (bots may use mrkdwn and links); card
// titles and subtitles are plain text and are escaped.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func unmarshalPayload(typ string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s payload: %w", typ, err)
	}
	return nil
}

// actionInput is the input of this integration's actions.
type actionInput struct {
	ConversationID string `json:"conversationId"`
	MessageID      string `json:"messageId"`
	Name           string `json:"name"` // addReaction: the emoji name
}

// actionTriggered runs one of the definition's actions. The answer is
// {"output": {}, "meta": {"cost": 0}}.
//
// startTypingIndicator and stopTypingIndicator implement Botpress's
// typing-indicator interface as Botpress's Slack integration does: Slack
// has no typing indicator for bots, so the bot puts an :eyes: reaction on
// the message it is answering, and takes it off again.
func (o *op) actionTriggered(ctx context.Context) (bpkit.Response, error) {
	var body struct {
		Type  string      `json:"type"`
		Input actionInput `json:"input"`
	}
	if err := o.Decode(&body); err != nil {
		return bpkit.Response{}, err
	}
	var err error
	switch body.Type {
	case "startTypingIndicator":
		err = o.react(ctx, "reactions.add", body.Input.MessageID, "eyes")
	case "stopTypingIndicator":
		err = o.react(ctx, "reactions.remove", body.Input.MessageID, "eyes")
	case "addReaction":
		name := strings.Trim(body.Input.Name, ":")
		if name == "" {
			return bpkit.Response{}, fmt.Errorf("addReaction: input.name is empty")
		}
		err = o.react(ctx, "reactions.add", body.Input.MessageID, name)
	default:
		return bpkit.Response{}, fmt.Errorf("action %q not found", body.Type)
	}
	if err != nil {
		return bpkit.Response{}, fmt.Errorf("%s: %w", body.Type, err)
	}
	return bpkit.ActionOutput(nil)
}

// react adds or removes a reaction on the Slack message behind a platform
// message, found by its ts and channel tags. A click is reacted on through
// the message that carried the button; a slash command has no message to
// react on, and is left alone. Adding a reaction that is there already, or
// removing one that is not, is not an error.
func (o *op) react(ctx context.Context, method, messageID, name string) error {
	if messageID == "" {
		return fmt.Errorf("input.messageId is empty")
	}
	m, err := o.platform.getMessage(ctx, messageID)
	if err != nil {
		return err
	}
	ts, channel := m.Tags["ts"], m.Tags["channel"]
	switch {
	case strings.HasPrefix(ts, "action:"):
		ts = m.Tags["clickedTs"]
	case strings.HasPrefix(ts, "command:"):
		return nil
	}
	if ts == "" || channel == "" {
		return fmt.Errorf("message %s has no Slack ts and channel tags (it was never delivered to Slack)", messageID)
	}
	err = o.slack.call(ctx, method, map[string]string{"channel": channel, "timestamp": ts, "name": name}, nil)
	if isSlackError(err, "already_reacted", "no_reaction") {
		return nil
	}
	return err
}
