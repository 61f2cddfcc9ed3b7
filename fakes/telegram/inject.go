package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// isUpdateField tells whether k is a payload field an Update may carry
// (Bot API 7.x).
func isUpdateField(k string) bool {
	switch k {
	case "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
		"business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
		"message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
		"pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
		"chat_join_request", "chat_boost", "removed_chat_boost":
		return true
	}
	return false
}

// InjectUpdate queues a recorded update for delivery (webhook or
// getUpdates) after taking its users, chats and messages into the fake's
// state, so the bot can answer into that chat, edit those messages and
// answer that callback query. The update keeps its update_id when it is
// above every id given so far, else it is renumbered; chats' message-id
// counters move past every message_id seen. Messages from a bot other than
// this one are taken to be this bot's (a recording's bot had another id).
//
// raw must be an Update with exactly one payload field; errors name the
// JSON pointer at fault and wrap ErrInvalid. Injected updates are delivered
// whatever allowed_updates says: Telegram already chose to send them.
func (s *Server) InjectUpdate(raw json.RawMessage) (Update, error) {
	return s.injectUpdate(context.Background(), raw)
}

// injectUpdate is InjectUpdate, refused with ctx's error when ctx is done
// before the update is queued.
func (s *Server) injectUpdate(ctx context.Context, raw json.RawMessage) (Update, error) {
	u, typ, err := parseUpdate(raw)
	if err != nil {
		return Update{}, fmt.Errorf("inject update: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Update{}, fmt.Errorf("inject update: %w", err)
	}
	if s.closed {
		return Update{}, fmt.Errorf("inject update: %w", ErrClosed)
	}
	s.ingestLocked(&u)
	if u.UpdateID >= s.nextUpdate {
		s.nextUpdate = u.UpdateID + 1
	} else {
		u.UpdateID = s.nextUpdate
		s.nextUpdate++
		var obj map[string]json.RawMessage
		_ = json.Unmarshal(raw, &obj)
		obj["update_id"] = json.RawMessage(fmt.Sprint(u.UpdateID))
		raw, _ = json.Marshal(obj)
	}
	var compact bytes.Buffer
	if json.Compact(&compact, raw) == nil {
		raw = compact.Bytes()
	}
	s.pushLocked(u.UpdateID, typ, append(json.RawMessage(nil), raw...))
	return u, nil
}

// maxUpdateID is the largest update_id an injected update may carry.
const maxUpdateID = 1<<52 - 1

// parseUpdate validates a recorded update and decodes what the fake models.
func parseUpdate(raw json.RawMessage) (Update, string, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return Update{}, "", fmt.Errorf("%w: /: not a JSON object: want an Update", ErrInvalid)
	}
	if id, ok := obj["update_id"]; ok {
		var n int64
		if err := json.Unmarshal(id, &n); err != nil {
			return Update{}, "", fmt.Errorf("%w: /update_id: want an integer, got %s", ErrInvalid, id)
		}
		if n > maxUpdateID {
			// The ids after it would overflow; the Bot API's integers
			// have at most 52 bits anyway.
			return Update{}, "", fmt.Errorf("%w: /update_id: %d is above %d", ErrInvalid, n, int64(maxUpdateID))
		}
	}
	var payload []string
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "update_id" {
			continue
		}
		if !isUpdateField(k) {
			return Update{}, "", fmt.Errorf("%w: /%s: not a field of Update", ErrInvalid, k)
		}
		if b := bytes.TrimSpace(obj[k]); len(b) == 0 || b[0] != '{' {
			return Update{}, "", fmt.Errorf("%w: /%s: want an object, got %s", ErrInvalid, k, obj[k])
		}
		payload = append(payload, k)
	}
	switch len(payload) {
	case 0:
		return Update{}, "", fmt.Errorf("%w: /: an Update needs exactly one payload field (message, callback_query, …), found none", ErrInvalid)
	case 1:
	default:
		return Update{}, "", fmt.Errorf("%w: /%s: an Update has exactly one payload field, found %s", ErrInvalid, payload[1], strings.Join(payload, " and "))
	}
	var u Update
	if err := json.Unmarshal(raw, &u); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			want, got := fakes.JSONMismatch(te)
			return Update{}, "", fmt.Errorf("%w: /%s: want %s, got %s", ErrInvalid, strings.ReplaceAll(te.Field, ".", "/"), want, got)
		}
		return Update{}, "", fmt.Errorf("%w: %v", ErrInvalid, fakes.JSONError(err))
	}
	typ := payload[0]
	if err := checkPayload(typ, &u); err != nil {
		return Update{}, "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return u, typ, nil
}

// checkPayload checks the fields the fake needs to take a payload in.
func checkPayload(typ string, u *Update) error {
	msg := func(ptr string, m *Message) error {
		switch {
		case m.MessageID <= 0:
			return fmt.Errorf("%s/message_id: missing or not positive", ptr)
		case m.Chat.ID == 0:
			return fmt.Errorf("%s/chat/id: missing", ptr)
		case m.Chat.Type == "":
			return fmt.Errorf("%s/chat/type: missing", ptr)
		case m.From != nil && m.From.ID == 0:
			return fmt.Errorf("%s/from/id: missing", ptr)
		}
		return nil
	}
	member := func(ptr string, m *ChatMemberUpdated) error {
		switch {
		case m.Chat.ID == 0:
			return fmt.Errorf("%s/chat/id: missing", ptr)
		case m.From.ID == 0:
			return fmt.Errorf("%s/from/id: missing", ptr)
		case m.NewChatMember.User.ID == 0:
			return fmt.Errorf("%s/new_chat_member/user/id: missing", ptr)
		case m.NewChatMember.Status == "":
			return fmt.Errorf("%s/new_chat_member/status: missing", ptr)
		}
		return nil
	}
	switch typ {
	case "message":
		return msg("/message", u.Message)
	case "edited_message":
		return msg("/edited_message", u.EditedMessage)
	case "channel_post":
		return msg("/channel_post", u.ChannelPost)
	case "edited_channel_post":
		return msg("/edited_channel_post", u.EditedChannel)
	case "callback_query":
		q := u.CallbackQuery
		switch {
		case q.ID == "":
			return errors.New("/callback_query/id: missing")
		case q.From.ID == 0:
			return errors.New("/callback_query/from/id: missing")
		}
		if q.Message != nil && q.Message.MessageID > 0 && q.Message.Chat.ID != 0 {
			return msg("/callback_query/message", q.Message)
		}
	case "my_chat_member":
		return member("/my_chat_member", u.MyChatMember)
	case "chat_member":
		return member("/chat_member", u.ChatMember)
	case "message_reaction":
		if u.MessageReaction.Chat.ID == 0 {
			return errors.New("/message_reaction/chat/id: missing")
		}
	}
	return nil
}

// ingestLocked takes an update's users, chats and messages into the state.
// s.mu must be held.
func (s *Server) ingestLocked(u *Update) {
	switch {
	case u.Message != nil:
		s.ingestMessageLocked(u.Message, false)
	case u.EditedMessage != nil:
		s.ingestMessageLocked(u.EditedMessage, true)
	case u.ChannelPost != nil:
		s.ingestMessageLocked(u.ChannelPost, false)
	case u.EditedChannel != nil:
		s.ingestMessageLocked(u.EditedChannel, true)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		s.ingestUserLocked(&q.From)
		cb := s.callbacks[q.ID]
		if cb == nil {
			cb = &callbackRec{id: q.ID, from: q.From.ID, data: q.Data}
			s.addCallbackLocked(cb)
		}
		if m := q.Message; m != nil && m.MessageID > 0 && m.Chat.ID != 0 {
			e := s.ingestMessageLocked(m, false)
			cb.chatID, cb.messageID = m.Chat.ID, m.MessageID
			if e != nil {
				e.taps = append(e.taps, cb)
			}
		}
	case u.MyChatMember != nil:
		m := u.MyChatMember
		s.ingestUserLocked(&m.From)
		cs := s.ingestChatLocked(m.Chat, &m.From)
		if cs.chat.Type == ChatPrivate {
			s.blocked[cs.chat.ID] = m.NewChatMember.Status == StatusKicked
		} else {
			cs.members[s.cfg.bot.ID] = m.NewChatMember.Status
		}
	case u.ChatMember != nil:
		m := u.ChatMember
		s.ingestUserLocked(&m.From)
		s.ingestUserLocked(&m.NewChatMember.User)
		cs := s.ingestChatLocked(m.Chat, &m.From)
		cs.members[m.NewChatMember.User.ID] = m.NewChatMember.Status
	case u.MessageReaction != nil:
		r := u.MessageReaction
		if r.User != nil {
			s.ingestUserLocked(r.User)
		}
		cs := s.ingestChatLocked(r.Chat, r.User)
		if e := cs.byID[r.MessageID]; e != nil && r.User != nil {
			if e.reactions == nil {
				e.reactions = map[int64][]ReactionType{}
			}
			e.reactions[r.User.ID] = r.NewReaction
		}
	}
}

// ingestUserLocked adds a recorded user the fake does not know. Bots other
// than this one are not added. s.mu must be held.
func (s *Server) ingestUserLocked(u *User) {
	if u == nil || u.ID == 0 || u.IsBot || s.users[u.ID] != nil {
		return
	}
	c := *u
	s.users[c.ID] = &c
}

// ingestChatLocked adds a recorded chat the fake does not know, with from as
// a member. s.mu must be held.
func (s *Server) ingestChatLocked(c Chat, from *User) *chatState {
	cs := s.chats[c.ID]
	if cs == nil {
		if c.Type == ChatPrivate && s.users[c.ID] == nil {
			s.users[c.ID] = &User{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Username: c.Username}
		}
		cs = s.addChatLocked(c)
		cs.members[s.cfg.bot.ID] = StatusMember
		if c.Type == ChatPrivate {
			cs.members[c.ID] = StatusMember
		}
	}
	if from != nil && !from.IsBot && cs.chat.Type != ChatPrivate && !isIn(cs.members[from.ID]) && cs.members[from.ID] != StatusLeft {
		cs.members[from.ID] = StatusMember
	}
	return cs
}

// ingestMessageLocked stores a recorded message in its chat (replacing the
// stored version when it is an edit) and moves the chat's message-id
// counter past it. s.mu must be held.
func (s *Server) ingestMessageLocked(m *Message, edited bool) *entry {
	if m.From != nil {
		s.ingestUserLocked(m.From)
	}
	for i := range m.NewChatMembers {
		s.ingestUserLocked(&m.NewChatMembers[i])
	}
	if m.LeftChatMember != nil {
		s.ingestUserLocked(m.LeftChatMember)
	}
	cs := s.ingestChatLocked(m.Chat, m.From)
	for _, x := range m.NewChatMembers {
		if x.ID == s.cfg.bot.ID || x.IsBot {
			cs.members[s.cfg.bot.ID] = StatusMember
		} else {
			cs.members[x.ID] = StatusMember
		}
	}
	if x := m.LeftChatMember; x != nil && !x.IsBot {
		cs.members[x.ID] = StatusLeft
	}
	if r := m.ReplyToMessage; r != nil && r.MessageID > 0 && cs.byID[r.MessageID] == nil {
		rc := *r
		rc.Chat = m.Chat
		s.ingestMessageLocked(&rc, false)
	}
	s.ingestMediaLocked(m)
	stored := *m
	if stored.From != nil && stored.From.IsBot && stored.From.ID != s.cfg.bot.ID {
		stored.From = s.botUser() // a recording's bot is this bot
	}
	if m.MessageID > cs.lastID {
		cs.lastID = m.MessageID
	}
	if e := cs.byID[m.MessageID]; e != nil {
		if edited {
			s.pushEditLocked(e)
			if stored.EditDate != 0 {
				e.msg.EditDate = stored.EditDate
			}
			e.msg.Text, e.msg.Entities, e.msg.Caption, e.msg.CaptionEntities = stored.Text, stored.Entities, stored.Caption, stored.CaptionEntities
		} else if e.msg.ReplyMarkup == nil {
			e.msg.ReplyMarkup = stored.ReplyMarkup
		}
		return e
	}
	e := &entry{msg: stored}
	cs.addLocked(e)
	return e
}

// ingestMediaLocked makes the files a recorded message carries known to the
// fake, under their recorded ids, so that getFile and the download work as
// they did when the message was recorded. Their content was never recorded:
// a download serves file_size placeholder bytes.
func (s *Server) ingestMediaLocked(m *Message) {
	add := func(kind, id, uniqueID, name, mime string, size int) *fileRec {
		if id == "" {
			return nil
		}
		if f := s.files[id]; f != nil {
			return f
		}
		s.fileSeq++
		dir, ext := "photos", ".jpg"
		if kind == "document" {
			dir, ext = "documents", path.Ext(name)
		}
		f := &fileRec{id: id, uniqueID: uniqueID, path: fmt.Sprintf("%s/file_%d%s", dir, s.fileSeq, ext),
			name: name, mime: mime, size: size, recorded: true}
		s.addFileLocked(f)
		return f
	}
	for _, p := range m.Photo {
		if f := add("photo", p.FileID, p.FileUniqueID, "", "image/jpeg", p.FileSize); f != nil && f.sizes == nil {
			f.sizes = m.Photo
		}
	}
	if d := m.Document; d != nil {
		add("document", d.FileID, d.FileUniqueID, d.FileName, d.MimeType, d.FileSize)
	}
}
