package telegram

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxQuoted is how many characters of a text a one-line rendering quotes.
const maxQuoted = 200

// quote renders s as a Go-quoted string, shortened to maxQuoted characters.
func quote(s string) string {
	if utf8.RuneCountInString(s) > maxQuoted {
		r := []rune(s)
		s = string(r[:maxQuoted]) + "…"
	}
	return strconv.Quote(s)
}

// userLabel names a user for people: "@ada", else the first name.
func userLabel(u User) string {
	switch {
	case u.Username != "":
		return "@" + u.Username
	case u.FirstName != "":
		return u.FirstName
	}
	return "user " + strconv.FormatInt(u.ID, 10)
}

// messageBody renders a message's content on one line.
func messageBody(m *Message) string {
	var parts []string
	if m.Text != "" {
		parts = append(parts, m.Text)
	}
	if len(m.Photo) > 0 {
		parts = append(parts, "(photo)")
	}
	if m.Document != nil {
		parts = append(parts, "(document "+m.Document.FileName+")")
	}
	if m.Caption != "" {
		parts = append(parts, m.Caption)
	}
	for _, u := range m.NewChatMembers {
		parts = append(parts, "(joined: "+userLabel(u)+")")
	}
	if m.LeftChatMember != nil {
		parts = append(parts, "(left: "+userLabel(*m.LeftChatMember)+")")
	}
	if len(parts) == 0 {
		return "(message)"
	}
	return strings.Join(parts, " ")
}

func reactionText(r ReactionType) string {
	if r.Type == "emoji" {
		return r.Emoji
	}
	if r.Type == "custom_emoji" {
		return "(custom emoji " + r.CustomEmojiID + ")"
	}
	return "(" + r.Type + ")"
}

// Describe renders an update on one line for people, the way step headers
// show it:
//
//	update 100000001 message "menu" from @ada in chat 1001
//	update 100000002 callback_query "coffee" from @ada on message 2
//
// Input that is not an update is described as such, never an error.
func Describe(update json.RawMessage) string {
	var u Update
	if err := json.Unmarshal(update, &u); err != nil {
		var probe map[string]json.RawMessage
		if json.Unmarshal(update, &probe) != nil {
			return "update (not a JSON object)"
		}
		id := string(probe["update_id"])
		for k := range probe {
			if k != "update_id" {
				return strings.TrimSpace("update " + id + " " + k)
			}
		}
		return "update " + id
	}
	head := "update " + strconv.FormatInt(u.UpdateID, 10) + " "
	msgLine := func(kind string, m *Message) string {
		var b strings.Builder
		b.WriteString(head + kind)
		switch {
		case len(m.NewChatMembers) > 0:
			var names []string
			for _, x := range m.NewChatMembers {
				names = append(names, userLabel(x))
			}
			b.WriteString(" new_chat_members " + strings.Join(names, ", "))
		case m.LeftChatMember != nil:
			b.WriteString(" left_chat_member " + userLabel(*m.LeftChatMember))
		case len(m.Photo) > 0:
			b.WriteString(" photo")
			if m.Caption != "" {
				b.WriteString(" " + quote(m.Caption))
			}
		case m.Document != nil:
			b.WriteString(" document")
			if m.Caption != "" {
				b.WriteString(" " + quote(m.Caption))
			}
		case m.Text != "":
			b.WriteString(" " + quote(m.Text))
		}
		if m.From != nil {
			b.WriteString(" from " + userLabel(*m.From))
		}
		b.WriteString(" in chat " + strconv.FormatInt(m.Chat.ID, 10))
		if kind == "edited_message" || kind == "edited_channel_post" {
			b.WriteString(" (message " + strconv.Itoa(m.MessageID) + ")")
		}
		return b.String()
	}
	memberLine := func(kind string, m *ChatMemberUpdated) string {
		return fmt.Sprintf("%s%s %s in chat %d by %s: %s → %s", head, kind, userLabel(m.NewChatMember.User), m.Chat.ID,
			userLabel(m.From), m.OldChatMember.Status, m.NewChatMember.Status)
	}
	switch {
	case u.Message != nil:
		return msgLine("message", u.Message)
	case u.EditedMessage != nil:
		return msgLine("edited_message", u.EditedMessage)
	case u.ChannelPost != nil:
		return msgLine("channel_post", u.ChannelPost)
	case u.EditedChannel != nil:
		return msgLine("edited_channel_post", u.EditedChannel)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		s := head + "callback_query " + quote(q.Data) + " from " + userLabel(q.From)
		if q.Message != nil {
			s += " on message " + strconv.Itoa(q.Message.MessageID)
		}
		return s
	case u.MyChatMember != nil:
		return memberLine("my_chat_member", u.MyChatMember)
	case u.ChatMember != nil:
		return memberLine("chat_member", u.ChatMember)
	case u.MessageReaction != nil:
		r := u.MessageReaction
		var rs []string
		for _, x := range r.NewReaction {
			rs = append(rs, reactionText(x))
		}
		who := ""
		if r.User != nil {
			who = " from " + userLabel(*r.User)
		}
		return fmt.Sprintf("%smessage_reaction [%s]%s on message %d in chat %d", head, strings.Join(rs, " "), who, r.MessageID, r.Chat.ID)
	}
	var probe map[string]json.RawMessage
	_ = json.Unmarshal(update, &probe)
	for k := range probe {
		if k != "update_id" {
			return head + k
		}
	}
	return strings.TrimSpace(head)
}

// summarize renders a call's parameters for the journal, e.g.
// `chat=1001 "What would you like?" inline_keyboard[[Tea][Coffee]]`.
func summarize(method string, p *params) string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	kv := func(label, name string) {
		if v := p.str(name); v != "" {
			add(label + "=" + v)
		}
	}
	chatMsg := func() {
		kv("chat", "chat_id")
		kv("message", "message_id")
		kv("inline_message", "inline_message_id")
	}
	keyboard := func() {
		if m, aerr := parseMarkup(p.str("reply_markup")); aerr == nil {
			add(markupSummary(m))
		} else if p.str("reply_markup") != "" {
			add("reply_markup=" + p.str("reply_markup"))
		}
	}
	modes := func() {
		kv("parse_mode", "parse_mode")
		kv("reply_to", "reply_to_message_id")
	}
	media := func(field string) {
		switch f := p.files[field]; {
		case f != nil:
			add(fmt.Sprintf("%s=upload(%s, %d bytes)", field, f.name, len(f.data)))
		case p.str(field) != "":
			add(field + "=" + p.str(field))
		}
	}
	switch method {
	case "sendMessage":
		kv("chat", "chat_id")
		add(quote(p.str("text")))
		modes()
		keyboard()
	case "editMessageText":
		chatMsg()
		add(quote(p.str("text")))
		kv("parse_mode", "parse_mode")
		keyboard()
	case "editMessageCaption":
		chatMsg()
		add("caption=" + quote(p.str("caption")))
		keyboard()
	case "editMessageReplyMarkup":
		chatMsg()
		if p.str("reply_markup") == "" {
			add("(no keyboard)")
		}
		keyboard()
	case "deleteMessage":
		chatMsg()
	case "answerCallbackQuery":
		kv("callback", "callback_query_id")
		if t := p.str("text"); t != "" {
			add(quote(t))
		}
		if p.bool("show_alert") {
			add("show_alert")
		}
		kv("url", "url")
	case "sendPhoto", "sendDocument":
		kv("chat", "chat_id")
		media(map[string]string{"sendPhoto": "photo", "sendDocument": "document"}[method])
		if c := p.str("caption"); c != "" {
			add(quote(c))
		}
		modes()
		keyboard()
	case "sendChatAction":
		kv("chat", "chat_id")
		add(p.str("action"))
	case "setMessageReaction":
		chatMsg()
		rs, _ := parseReactions(p.str("reaction"))
		var es []string
		for _, r := range rs {
			es = append(es, reactionText(r))
		}
		add("[" + strings.Join(es, " ") + "]")
	case "getUserProfilePhotos":
		kv("user", "user_id")
	case "getFile":
		kv("file", "file_id")
	case "getChat":
		kv("chat", "chat_id")
	case "getChatMember":
		kv("chat", "chat_id")
		kv("user", "user_id")
	case "setWebhook":
		if u := p.str("url"); u != "" {
			add("url=" + stablePort(u))
		} else {
			add("url=\"\"")
		}
		if p.str("secret_token") != "" {
			add("secret_token=(set)")
		}
		kv("allowed_updates", "allowed_updates")
		if p.bool("drop_pending_updates") {
			add("drop_pending_updates")
		}
	case "deleteWebhook":
		if p.bool("drop_pending_updates") {
			add("drop_pending_updates")
		}
	case "getUpdates":
		kv("offset", "offset")
	}
	return strings.Join(parts, " ")
}

// stablePort replaces the port of a loopback URL with PORT, so a journal
// does not depend on which port the receiver got.
func stablePort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Port() == "" {
		return raw
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		u.Host = strings.TrimSuffix(u.Host, u.Port()) + "PORT"
		return u.String()
	}
	return raw
}
