package rocketchat

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// summarizeMessage renders a message for the journal: its text quoted,
// then its interactive elements ([Tea][Coffee]) and attachments.
func summarizeMessage(m *Message) string {
	out := strconv.Quote(m.Text)
	if b := SummarizeBlocks(m.Blocks); b != "" {
		out += " " + b
	}
	if n := countArray(m.Attachments); n > 0 {
		out += fmt.Sprintf(" attachments[%d]", n)
	}
	if m.ThreadID != "" {
		out += " tmid=" + m.ThreadID
	}
	return out
}

func countArray(raw json.RawMessage) int {
	var a []json.RawMessage
	if json.Unmarshal(raw, &a) != nil {
		return 0
	}
	return len(a)
}

// SummarizeBlocks renders the interactive elements of UIKit blocks on one
// line: buttons as [Tea][Coffee], menus as select[Tea|Coffee] or
// overflow[Tea|Coffee], date pickers as datepicker[2026-01-02]; then the
// texts of context blocks as context["✓ Coffee chosen by @ada"]. Other
// blocks (a section, which mostly repeats the message's text) render as
// nothing.
func SummarizeBlocks(raw json.RawMessage) string {
	var b strings.Builder
	for _, el := range elementsOf(raw) {
		switch typ, _ := el.el["type"].(string); typ {
		case "button":
			b.WriteString("[" + textOf(el.el["text"]) + "]")
		case "static_select", "overflow", "multi_static_select", "radio_buttons", "checkboxes":
			var opts []string
			for _, o := range optionsOf(el.el) {
				opts = append(opts, textOf(o["text"]))
			}
			name := typ
			if typ == "multi_static_select" {
				name = "select"
			} else if typ == "static_select" {
				name = "select"
			}
			b.WriteString(name + "[" + strings.Join(opts, "|") + "]")
		case "datepicker":
			d, _ := el.el["initial_date"].(string)
			if d == "" {
				d, _ = el.el["initialDate"].(string)
			}
			b.WriteString("datepicker[" + d + "]")
		default:
			if typ != "" {
				b.WriteString(typ + "[]")
			}
		}
	}
	for _, t := range ContextTexts(raw) {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		b.WriteString("context[" + strconv.Quote(t) + "]")
	}
	return b.String()
}

// ContextTexts returns the texts of the context blocks of UIKit blocks,
// one per block (its text elements joined by a space), in order: what
// people read under a rich message besides its text and its controls.
func ContextTexts(raw json.RawMessage) []string {
	var blocks []map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []string
	for _, bl := range blocks {
		if bl["type"] != "context" {
			continue
		}
		els, _ := bl["elements"].([]any)
		var parts []string
		for _, e := range els {
			if t := textOf(e); t != "" {
				parts = append(parts, t)
			}
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, " "))
		}
	}
	return out
}

// element is an interactive element and the block it sits in.
type element struct {
	blockID string
	el      map[string]any
}

// elementsOf lists the interactive elements of blocks: the elements of
// actions blocks, section accessories and input elements, in order.
func elementsOf(raw json.RawMessage) []element {
	var blocks []map[string]any
	if len(raw) == 0 || json.Unmarshal(raw, &blocks) != nil {
		return nil
	}
	var out []element
	for i, bl := range blocks {
		id := stringField(bl, "blockId", "block_id")
		if id == "" {
			id = fmt.Sprintf("block-%d", i)
		}
		if els, ok := bl["elements"].([]any); ok && bl["type"] == "actions" {
			for _, e := range els {
				if m, ok := e.(map[string]any); ok {
					out = append(out, element{id, m})
				}
			}
		}
		for _, k := range []string{"accessory", "element"} {
			if m, ok := bl[k].(map[string]any); ok && isInteractive(m) {
				out = append(out, element{id, m})
			}
		}
	}
	return out
}

func isInteractive(m map[string]any) bool {
	switch m["type"] {
	case "button", "static_select", "overflow", "datepicker", "multi_static_select", "radio_buttons", "checkboxes":
		return true
	}
	return false
}

func optionsOf(el map[string]any) []map[string]any {
	var out []map[string]any
	if os, ok := el["options"].([]any); ok {
		for _, o := range os {
			if m, ok := o.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func stringField(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := m[k].(string); ok && v != "" {
			return v
		}
	}
	return ""
}

// textOf reads a text object ({"type":"plain_text","text":"Tea"}) or a
// plain string.
func textOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		s, _ := t["text"].(string)
		return s
	}
	return ""
}

// textObject returns v as a text object, wrapping a plain string.
func textObject(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		out := map[string]any{"type": "plain_text", "text": textOf(t)}
		if typ, ok := t["type"].(string); ok && typ != "" {
			out["type"] = typ
		}
		if e, ok := t["emoji"].(bool); ok {
			out["emoji"] = e
		}
		return out
	case string:
		return map[string]any{"type": "plain_text", "text": t}
	}
	return nil
}

// Control is an interactive element of a rich message, as people see it.
type Control struct {
	// Type is the element's type: "button", "static_select", "overflow",
	// "datepicker", …
	Type     string
	ActionID string
	BlockID  string
	// Text is a button's label, or a menu's or date picker's placeholder.
	Text string
	// Value is a button's value.
	Value string
	// Options are the labels of a menu's options, in order.
	Options []string
	// InitialDate is a date picker's preselected day, YYYY-MM-DD.
	InitialDate string
}

// Controls lists the interactive elements of UIKit blocks in the order
// people see them: the elements of actions blocks, section accessories and
// input elements.
func Controls(blocks json.RawMessage) []Control {
	var out []Control
	for _, e := range elementsOf(blocks) {
		c := Control{
			BlockID: e.blockID, ActionID: stringField(e.el, "actionId", "action_id"),
			InitialDate: stringField(e.el, "initial_date", "initialDate"),
		}
		c.Type, _ = e.el["type"].(string)
		c.Value, _ = e.el["value"].(string)
		if c.Text = textOf(e.el["text"]); c.Text == "" {
			c.Text = textOf(e.el["placeholder"])
		}
		for _, o := range optionsOf(e.el) {
			c.Options = append(c.Options, textOf(o["text"]))
		}
		out = append(out, c)
	}
	return out
}
