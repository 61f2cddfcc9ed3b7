package rocketchat

import (
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"
)

// Blocks are the UIKit blocks of a Rocket.Chat message, in the Block Kit
// shape Slack uses (type, block_id, action_id, text objects) so that one
// renderer serves both and slack-go parses them.
type (
	block struct {
		Type      string      `json:"type"`
		BlockID   string      `json:"block_id"`
		Text      *textObject `json:"text,omitempty"`
		Accessory *element    `json:"accessory,omitempty"`
		Elements  []element   `json:"elements,omitempty"`
	}
	textObject struct {
		Type string `json:"type"` // plain_text or mrkdwn
		Text string `json:"text"`
	}
	// element is a block element: button, static_select, datepicker or
	// image.
	element struct {
		Type        string      `json:"type"`
		ActionID    string      `json:"action_id,omitempty"`
		Text        *textObject `json:"text,omitempty"`
		Value       string      `json:"value,omitempty"`
		URL         string      `json:"url,omitempty"`
		Placeholder *textObject `json:"placeholder,omitempty"`
		Options     []option    `json:"options,omitempty"`
		InitialDate string      `json:"initial_date,omitempty"`
		ImageURL    string      `json:"image_url,omitempty"`
		AltText     string      `json:"alt_text,omitempty"`
	}
	option struct {
		Text  textObject `json:"text"`
		Value string     `json:"value"`
	}
)

func plain(s string) *textObject  { return &textObject{Type: "plain_text", Text: s} }
func mrkdwn(s string) *textObject { return &textObject{Type: "mrkdwn", Text: s} }

// Block Kit's limits, which Rocket.Chat's UIKit shares: what goes over them
// is an error here rather than a message the client cannot show.
const (
	maxButtonText   = 75
	maxButtonValue  = 2000
	maxOptionText   = 75
	maxOptionValue  = 150
	maxSelectOption = 100
	maxActionsBlock = 25
)

// The payloads of the definition's rich message types.
type (
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
	datepickerPayload struct {
		Text        string `json:"text"`
		Placeholder string `json:"placeholder,omitempty"`
		InitialDate string `json:"initialDate,omitempty"`
	}
)

// The block ids of the messages this integration writes. A block_id must
// be unique within its message; interactions echo it back.
const (
	blockText    = "text"
	blockActions = "actions"
	blockChosen  = "chosen"
)

// renderBlocks turns a rich bot message into UIKit blocks and the
// message's plain text (shown in notifications and by clients without
// UIKit):
//
//	choice      section(text) + actions[button…]        action_id choice-<i>, value = option value
//	dropdown    section(text) + actions[static_select]  action_id dropdown
//	card        section(*title*\nsubtitle, accessory image) + actions[button…]
//	            action_id card-<i>; postback and say → value, url → url
//	datepicker  section(text) + actions[datepicker]     action_id datepicker
//
// Every interactive element sits in the one actions block, so answering an
// interaction replaces that block (see markChosen).
func renderBlocks(typ string, raw json.RawMessage) (text string, blocks []block, err error) {
	switch typ {
	case "choice", "dropdown":
		var p choicePayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		var els []element
		if typ == "choice" {
			if len(p.Options) > maxActionsBlock {
				return "", nil, fmt.Errorf("choice: %d options, an actions block holds %d buttons", len(p.Options), maxActionsBlock)
			}
			for i, opt := range p.Options {
				if err := checkLen("choice", opt.Label, "label", maxButtonText, opt.Value, maxButtonValue); err != nil {
					return "", nil, err
				}
				els = append(els, element{Type: "button", ActionID: fmt.Sprintf("choice-%d", i), Text: plain(opt.Label), Value: opt.Value})
			}
		} else {
			if len(p.Options) == 0 || len(p.Options) > maxSelectOption {
				return "", nil, fmt.Errorf("dropdown: %d options, a static_select holds 1 to %d", len(p.Options), maxSelectOption)
			}
			sel := element{Type: "static_select", ActionID: "dropdown", Placeholder: plain("Choose an option")}
			for _, opt := range p.Options {
				if err := checkLen("dropdown", opt.Label, "label", maxOptionText, opt.Value, maxOptionValue); err != nil {
					return "", nil, err
				}
				sel.Options = append(sel.Options, option{Text: *plain(opt.Label), Value: opt.Value})
			}
			els = []element{sel}
		}
		blocks = []block{{Type: "section", BlockID: blockText, Text: mrkdwn(p.Text)}}
		if len(els) > 0 {
			blocks = append(blocks, block{Type: "actions", BlockID: blockActions, Elements: els})
		}
		return p.Text, blocks, nil

	case "card":
		var p cardPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		text := "*" + p.Title + "*"
		if p.Subtitle != "" {
			text += "\n" + p.Subtitle
		}
		section := block{Type: "section", BlockID: blockText, Text: mrkdwn(text)}
		if p.ImageURL != "" {
			section.Accessory = &element{Type: "image", ImageURL: p.ImageURL, AltText: p.Title}
		}
		if len(p.Actions) > maxActionsBlock {
			return "", nil, fmt.Errorf("card: %d actions, an actions block holds %d buttons", len(p.Actions), maxActionsBlock)
		}
		var els []element
		for i, a := range p.Actions {
			b := element{Type: "button", ActionID: fmt.Sprintf("card-%d", i), Text: plain(a.Label)}
			switch a.Action {
			case "url":
				b.URL = a.Value
			case "postback", "say":
				b.Value = a.Value
			default:
				return "", nil, fmt.Errorf("card action %q: unknown action %q", a.Label, a.Action)
			}
			if err := checkLen("card", a.Label, "label", maxButtonText, b.Value, maxButtonValue); err != nil {
				return "", nil, err
			}
			els = append(els, b)
		}
		blocks = []block{section}
		if len(els) > 0 {
			blocks = append(blocks, block{Type: "actions", BlockID: blockActions, Elements: els})
		}
		plainText := p.Title
		if p.Subtitle != "" {
			plainText += "\n" + p.Subtitle
		}
		return plainText, blocks, nil

	case "datepicker":
		var p datepickerPayload
		if err := unmarshalPayload(typ, raw, &p); err != nil {
			return "", nil, err
		}
		if p.InitialDate != "" {
			if _, err := time.Parse(time.DateOnly, p.InitialDate); err != nil {
				return "", nil, fmt.Errorf("datepicker: initialDate %q: want YYYY-MM-DD", p.InitialDate)
			}
		}
		ph := p.Placeholder
		if ph == "" {
			ph = "Pick a date"
		}
		dp := element{Type: "datepicker", ActionID: "datepicker", Placeholder: plain(ph), InitialDate: p.InitialDate}
		return p.Text, []block{
			{Type: "section", BlockID: blockText, Text: mrkdwn(p.Text)},
			{Type: "actions", BlockID: blockActions, Elements: []element{dp}},
		}, nil
	}
	return "", nil, fmt.Errorf("message type %q has no blocks", typ)
}

// checkLen checks a label and a value against Block Kit's limits.
func checkLen(typ, label, what string, maxLabel int, value string, maxValue int) error {
	if n := utf8.RuneCountInString(label); n > maxLabel {
		return fmt.Errorf("%s %s %q: %d characters, Block Kit shows at most %d", typ, what, label, n, maxLabel)
	}
	if n := utf8.RuneCountInString(value); n > maxValue {
		return fmt.Errorf("%s option %q: value is %d characters, Block Kit holds at most %d", typ, label, n, maxValue)
	}
	return nil
}

func unmarshalPayload(typ string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode %s payload: %w", typ, err)
	}
	return nil
}

// interactive reports whether a block element of this type is one a user
// acts on.
func interactive(typ string) bool {
	switch typ {
	case "button", "static_select", "external_select", "overflow", "datepicker", "timepicker", "datetimepicker",
		"checkboxes", "radio_buttons", "multi_static_select", "users_select", "conversations_select", "channels_select":
		return true
	}
	return false
}

// markChosen returns the blocks of a message after an interaction: the
// same blocks, with the (first) actions block replaced, in place, by a
// context line "✓ <label> chosen by @<username>", other actions blocks
// dropped and interactive section accessories removed. Blocks are kept as
// raw JSON, so fields this integration does not know survive. A message
// with nothing interactive gets the context line at the end.
func markChosen(blocks []map[string]json.RawMessage, label, username string) []map[string]json.RawMessage {
	chosen := map[string]json.RawMessage{
		"type":     json.RawMessage(`"context"`),
		"block_id": mustJSON(blockChosen),
		"elements": mustJSON([]textObject{{Type: "mrkdwn", Text: "✓ " + label + " chosen by @" + username}}),
	}
	out := make([]map[string]json.RawMessage, 0, len(blocks)+1)
	placed := false
	for _, b := range blocks {
		var typ string
		_ = json.Unmarshal(b["type"], &typ)
		if typ == "actions" {
			if !placed {
				out = append(out, chosen)
				placed = true
			}
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
				b = nb
			}
		}
		out = append(out, b)
	}
	if !placed {
		out = append(out, chosen)
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with strings and text objects
	}
	return b
}
