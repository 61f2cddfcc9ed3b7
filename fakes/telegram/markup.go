package telegram

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// markup is a parsed reply_markup: at most one of its fields is set.
type markup struct {
	inline *InlineKeyboardMarkup
	reply  *ReplyKeyboardMarkup
	remove bool
	force  bool
}

func (m markup) empty() bool { return m.inline == nil && m.reply == nil && !m.remove && !m.force }

// apply records on e the parts of m that Telegram does not echo in the
// Message object.
func (m markup) apply(e *entry) {
	e.replyKeyboard = m.reply
	e.removeKeyboard = m.remove
	e.forceReply = m.force
}

func errMarkupJSON() *apiError { return badRequest("can't parse reply keyboard markup JSON object") }

// parseMarkup reads and validates a reply_markup parameter the way the Bot
// API does. An empty parameter is no markup.
func parseMarkup(raw string) (markup, *apiError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return markup{}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return markup{}, errMarkupJSON()
	}
	switch {
	case obj["inline_keyboard"] != nil:
		var rows []json.RawMessage
		if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
			return markup{}, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
		}
		kb := &InlineKeyboardMarkup{InlineKeyboard: make([][]InlineKeyboardButton, 0, len(rows))}
		total := 0
		for _, rawRow := range rows {
			var btns []json.RawMessage
			if err := json.Unmarshal(rawRow, &btns); err != nil {
				return markup{}, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
			}
			row := make([]InlineKeyboardButton, 0, len(btns))
			for _, rb := range btns {
				b, aerr := parseInlineButton(rb)
				if aerr != nil {
					return markup{}, aerr
				}
				row = append(row, b)
				total++
			}
			if len(row) > 0 {
				kb.InlineKeyboard = append(kb.InlineKeyboard, row)
			}
		}
		if total > 100 {
			return markup{}, badRequest("reply markup is too long")
		}
		return markup{inline: kb}, nil
	case obj["keyboard"] != nil:
		var rk struct {
			Keyboard              [][]json.RawMessage `json:"keyboard"`
			IsPersistent          bool                `json:"is_persistent"`
			ResizeKeyboard        bool                `json:"resize_keyboard"`
			OneTimeKeyboard       bool                `json:"one_time_keyboard"`
			InputFieldPlaceholder string              `json:"input_field_placeholder"`
			Selective             bool                `json:"selective"`
		}
		if err := json.Unmarshal([]byte(raw), &rk); err != nil {
			return markup{}, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
		}
		kb := &ReplyKeyboardMarkup{IsPersistent: rk.IsPersistent, ResizeKeyboard: rk.ResizeKeyboard, OneTimeKeyboard: rk.OneTimeKeyboard,
			InputFieldPlaceholder: rk.InputFieldPlaceholder, Selective: rk.Selective}
		for _, rawRow := range rk.Keyboard {
			var row []KeyboardButton
			for _, rb := range rawRow {
				var b KeyboardButton
				var text string
				if json.Unmarshal(rb, &text) == nil {
					b.Text = text
				} else if err := json.Unmarshal(rb, &b); err != nil {
					return markup{}, badRequest("can't parse keyboard button: KeyboardButton must be a String or an Object")
				}
				if b.Text == "" {
					return markup{}, badRequest("can't parse keyboard button: Field \"text\" must be of type String")
				}
				row = append(row, b)
			}
			if len(row) > 0 {
				kb.Keyboard = append(kb.Keyboard, row)
			}
		}
		if len(kb.Keyboard) == 0 {
			return markup{}, badRequest("keyboard must be non-empty")
		}
		return markup{reply: kb}, nil
	case obj["remove_keyboard"] != nil:
		return markup{remove: true}, nil
	case obj["force_reply"] != nil:
		return markup{force: true}, nil
	}
	return markup{}, errMarkupJSON()
}

// parseInlineButton validates one inline keyboard button: text plus exactly
// one of the optional fields, callback_data 1–64 bytes, a valid URL.
func parseInlineButton(raw json.RawMessage) (InlineKeyboardButton, *apiError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return InlineKeyboardButton{}, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
	}
	var b InlineKeyboardButton
	if err := json.Unmarshal(raw, &b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			field := te.Field[strings.LastIndex(te.Field, ".")+1:]
			return InlineKeyboardButton{}, badRequest(fmt.Sprintf("can't parse inline keyboard button: Field %q must be of type %s", field, telegramType(te.Type)))
		}
		return InlineKeyboardButton{}, badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
	}
	if _, ok := fields["text"]; !ok {
		return InlineKeyboardButton{}, badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
	}
	kinds := 0
	for _, k := range []string{"url", "callback_data", "web_app", "login_url", "switch_inline_query",
		"switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay"} {
		if v, ok := fields[k]; ok && !bytes.Equal(bytes.TrimSpace(v), []byte("null")) && !(k == "pay" && string(v) == "false") {
			kinds++
		}
	}
	switch {
	case kinds == 0:
		return InlineKeyboardButton{}, badRequest("text buttons are unallowed in the inline keyboard")
	case kinds > 1:
		return InlineKeyboardButton{}, badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
	}
	if b.CallbackData != nil {
		if n := len(*b.CallbackData); n < 1 || n > 64 {
			return InlineKeyboardButton{}, badRequest("BUTTON_DATA_INVALID")
		}
	}
	if b.URL != nil {
		u, err := url.Parse(*b.URL)
		if err != nil || !(u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "tg") || (u.Scheme != "tg" && u.Host == "") {
			return InlineKeyboardButton{}, badRequest("inline keyboard button URL '" + *b.URL + "' is invalid: Wrong HTTP URL")
		}
	}
	return b, nil
}

// apiType names the Bot API type a Go type holds: String, Integer,
// Boolean, Float, Array or Object.
func apiType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Float"
	case reflect.Slice, reflect.Array:
		return "Array"
	}
	return "Object"
}

// sameInline reports whether two inline keyboards are the same.
func sameInline(a, b *InlineKeyboardMarkup) bool {
	if a == nil || len(a.InlineKeyboard) == 0 {
		return b == nil || len(b.InlineKeyboard) == 0
	}
	if b == nil {
		return false
	}
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// buttonsLine renders an inline keyboard as "[Tea] [Coffee]".
func buttonsLine(kb *InlineKeyboardMarkup) string {
	var parts []string
	for _, row := range kb.InlineKeyboard {
		for _, b := range row {
			parts = append(parts, "["+b.Text+"]")
		}
	}
	return strings.Join(parts, " ")
}

func replyKeyboardLine(kb *ReplyKeyboardMarkup) string {
	var parts []string
	for _, row := range kb.Keyboard {
		for _, b := range row {
			parts = append(parts, "["+b.Text+"]")
		}
	}
	return strings.Join(parts, " ")
}

// markupSummary renders a markup for the journal:
// inline_keyboard[[Tea][Coffee]], keyboard[[Yes][No]], remove_keyboard.
func markupSummary(m markup) string {
	rows := func(n int, text func(i, j int) string, cols func(i int) int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteByte('[')
			for j := 0; j < cols(i); j++ {
				b.WriteString("[" + text(i, j) + "]")
			}
			b.WriteByte(']')
		}
		return b.String()
	}
	switch {
	case m.inline != nil:
		kb := m.inline.InlineKeyboard
		return "inline_keyboard" + rows(len(kb), func(i, j int) string { return kb[i][j].Text }, func(i int) int { return len(kb[i]) })
	case m.reply != nil:
		kb := m.reply.Keyboard
		return "keyboard" + rows(len(kb), func(i, j int) string { return kb[i][j].Text }, func(i int) int { return len(kb[i]) })
	case m.remove:
		return "remove_keyboard"
	case m.force:
		return "force_reply"
	}
	return ""
}

// telegramType names a parameter's type as the Bot API's errors do
// (Field "callback_data" must be of type String).
func telegramType(t reflect.Type) string {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil {
		return "Object"
	}
	switch t.Kind() {
	case reflect.String:
		return "String"
	case reflect.Bool:
		return "Boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "Integer"
	case reflect.Float32, reflect.Float64:
		return "Float"
	case reflect.Slice, reflect.Array:
		return "Array"
	}
	return "Object"
}
