package telegram

import (
	"bytes"
	"fmt"
	"image"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// AddUser adds a Telegram user the control API can act as. The id must be
// positive and unused, and the first name non-empty.
func (s *Server) AddUser(u User) error {
	if u.ID <= 0 {
		return fmt.Errorf("add user: id %d: %w: must be positive", u.ID, ErrInvalid)
	}
	if err := checkNames(u); err != nil {
		return fmt.Errorf("add user %d: %w: %v", u.ID, ErrInvalid, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.users[u.ID] != nil {
		return fmt.Errorf("add user %d: %w", u.ID, ErrExists)
	}
	u.CanJoinGroups, u.CanReadAllGroupMessages, u.SupportsInlineQueries = false, false, false
	s.users[u.ID] = &u
	return nil
}

// Users returns every user the fake knows (the bot included), by id.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// AddChat adds a chat. A private chat's id is its user's id (the user must
// exist; its names are filled in); a group's id is negative; a
// supergroup's starts with -100. The bot is a member of a new group; add
// people silently with AddMember, or with updates with Join.
func (s *Server) AddChat(c Chat) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.chats[c.ID] != nil {
		return fmt.Errorf("add chat %d: %w", c.ID, ErrExists)
	}
	switch c.Type {
	case ChatPrivate:
		u := s.users[c.ID]
		if u == nil || u.ID == s.cfg.bot.ID {
			return fmt.Errorf("add chat %d: %w: a private chat's id is its user's id", c.ID, ErrUnknownUser)
		}
		s.privateChatLocked(u)
		return nil
	case ChatGroup:
		if c.ID >= 0 || c.ID <= -1000000000000 {
			return fmt.Errorf("add chat %d: %w: a group's id is negative and above -1000000000000", c.ID, ErrInvalid)
		}
	case ChatSupergroup:
		if c.ID > -1000000000000 || !strings.HasPrefix(strconv.FormatInt(c.ID, 10), "-100") {
			return fmt.Errorf("add chat %d: %w: a supergroup's id starts with -100 (e.g. -1001234567890)", c.ID, ErrInvalid)
		}
	default:
		return fmt.Errorf("add chat %d: %w: type %q (want private, group or supergroup)", c.ID, ErrInvalid, c.Type)
	}
	if strings.TrimSpace(c.Title) == "" {
		return fmt.Errorf("add chat %d: %w: a %s needs a title", c.ID, ErrInvalid, c.Type)
	}
	if n := utf8.RuneCountInString(c.Title); n > MaxTitleLength {
		return fmt.Errorf("add chat %d: %w: title of %d characters, Telegram allows 1–%d", c.ID, ErrInvalid, n, MaxTitleLength)
	}
	if n := utf8.RuneCountInString(c.Username); n > MaxUsernameLength {
		return fmt.Errorf("add chat %d: %w: username of %d characters, Telegram allows at most %d", c.ID, ErrInvalid, n, MaxUsernameLength)
	}
	c.FirstName, c.LastName = "", ""
	cs := s.addChatLocked(c)
	cs.members[s.cfg.bot.ID] = StatusMember
	return nil
}

// AddMember sets a user's membership of a group without any update (for
// setting a scene up): status is one of the Status constants.
func (s *Server) AddMember(chatID, userID int64, status string) error {
	switch status {
	case StatusCreator, StatusAdministrator, StatusMember, StatusRestricted, StatusLeft, StatusKicked:
	default:
		return fmt.Errorf("add member %d to chat %d: %w: status %q", userID, chatID, ErrInvalid, status)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return fmt.Errorf("add member to chat %d: %w", chatID, ErrUnknownChat)
	}
	if s.users[userID] == nil {
		return fmt.Errorf("add member %d to chat %d: %w", userID, chatID, ErrUnknownUser)
	}
	if cs.chat.Type == ChatPrivate {
		return fmt.Errorf("add member %d to chat %d: %w: a private chat has no members to add", userID, chatID, ErrInvalid)
	}
	cs.members[userID] = status
	return nil
}

// Chats returns every chat, in the order they were added.
func (s *Server) Chats() []Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Chat, 0, len(s.chatOrder))
	for _, id := range s.chatOrder {
		out = append(out, s.chats[id].chat)
	}
	return out
}

// Members returns a chat's members and their statuses (the bot included).
func (s *Server) Members(chatID int64) map[int64]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	out := make(map[int64]string, len(cs.members))
	for k, v := range cs.members {
		out[k] = v
	}
	return out
}

// Transcript returns the messages a chat shows, in order: current versions,
// deleted ones left out, the last ones (WithHistory). It is nil for an
// unknown chat.
func (s *Server) Transcript(chatID int64) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	var out []Message
	cs.entries.Each(func(e *entry) bool {
		if !e.deleted {
			out = append(out, e.msg)
		}
		return true
	})
	return out
}

// History returns the messages of a chat with their edits, deletion,
// reactions, reply keyboard and taps, in order: the last ones
// (WithHistory). It is nil for an unknown chat.
func (s *Server) History(chatID int64) []Entry {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil
	}
	return s.historyLocked(cs)
}

// Calls returns the Bot API calls received, in order: the last ones
// (WithHistory).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls.All()
}

// userChatLocked resolves who acts where: the user must exist and be able
// to post in the chat; a user's private chat is created on first use. s.mu
// must be held.
func (s *Server) userChatLocked(from, chatID int64) (*User, *chatState, error) {
	u := s.users[from]
	if u == nil || u.ID == s.cfg.bot.ID {
		return nil, nil, fmt.Errorf("user %d: %w", from, ErrUnknownUser)
	}
	cs := s.chats[chatID]
	if cs == nil && chatID == from {
		cs = s.privateChatLocked(u)
	}
	if cs == nil {
		return nil, nil, fmt.Errorf("chat %d: %w", chatID, ErrUnknownChat)
	}
	if cs.chat.Type == ChatPrivate {
		if cs.chat.ID != from {
			return nil, nil, fmt.Errorf("user %d in private chat %d: %w", from, chatID, ErrNotMember)
		}
		if s.blocked[from] {
			return nil, nil, fmt.Errorf("user %d writes to the bot: %w (unblock first)", from, ErrBlocked)
		}
		return u, cs, nil
	}
	if !isIn(cs.members[from]) {
		return nil, nil, fmt.Errorf("user %d in chat %d: %w", from, chatID, ErrNotMember)
	}
	return u, cs, nil
}

func isIn(status string) bool {
	switch status {
	case StatusCreator, StatusAdministrator, StatusMember, StatusRestricted:
		return true
	}
	return false
}

// botSeesLocked tells whether the bot receives a message posted in cs: in
// groups with privacy mode on, only commands, mentions of the bot, replies
// to it and service messages reach it, unless it is an administrator. s.mu
// must be held.
func (s *Server) botSeesLocked(cs *chatState, m *Message) bool {
	if cs.chat.Type == ChatPrivate {
		return !s.blocked[cs.chat.ID]
	}
	st := cs.members[s.cfg.bot.ID]
	if !isIn(st) {
		return false
	}
	if !s.cfg.privacy || st == StatusAdministrator || st == StatusCreator {
		return true
	}
	if len(m.NewChatMembers) > 0 || m.LeftChatMember != nil {
		return true
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == s.cfg.bot.ID {
		return true
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	u16 := utf16Units(text)
	for _, e := range ents {
		if e.Offset < 0 || e.Length < 0 || e.Offset > len(u16) || e.Length > len(u16)-e.Offset {
			continue
		}
		word := utf16String(u16[e.Offset : e.Offset+e.Length])
		switch e.Type {
		case "bot_command":
			if _, at, ok := strings.Cut(word, "@"); !ok || strings.EqualFold(at, s.cfg.bot.Username) {
				return true
			}
		case "mention":
			if strings.EqualFold(word, "@"+s.cfg.bot.Username) {
				return true
			}
		}
	}
	return false
}

// userPostLocked stores a user's message and creates its update if the bot
// sees it. s.mu must be held.
func (s *Server) userPostLocked(u *User, cs *chatState, m Message, replyTo int) (Message, int64, error) {
	if replyTo != 0 {
		r := cs.byID[replyTo]
		if r == nil || r.deleted {
			return Message{}, 0, fmt.Errorf("reply to message %d in chat %d: %w", replyTo, cs.chat.ID, ErrUnknownMessage)
		}
		rm := r.msg
		rm.ReplyToMessage = nil
		m.ReplyToMessage = &rm
	}
	from := *u
	m.From = &from
	e := s.appendLocked(cs, m)
	var id int64
	if s.botSeesLocked(cs, &e.msg) {
		msg := e.msg
		if up, ok := s.enqueueLocked(Update{Message: &msg}); ok {
			id = up.UpdateID
		}
	}
	return e.msg, id, nil
}

// SendText acts as user from sending text to a chat (a private chat with
// the bot when chatID == from, created on first use). The message update
// reaches the bot unless privacy mode hides it.
func (s *Server) SendText(from, chatID int64, text string) (Message, error) {
	m, _, err := s.sendText(from, chatID, text, 0)
	return m, err
}

// SendReply is SendText replying to message replyTo of the chat.
func (s *Server) SendReply(from, chatID int64, replyTo int, text string) (Message, error) {
	m, _, err := s.sendText(from, chatID, text, replyTo)
	return m, err
}

// SendCommand acts as user from sending "/command args" to a chat.
func (s *Server) SendCommand(from, chatID int64, command, args string) (Message, error) {
	text := "/" + strings.TrimPrefix(command, "/")
	if args != "" {
		text += " " + args
	}
	m, _, err := s.sendText(from, chatID, text, 0)
	return m, err
}

func (s *Server) sendText(from, chatID int64, text string, replyTo int) (Message, int64, error) {
	text, _ = trimText(text, nil)
	if text == "" {
		return Message{}, 0, fmt.Errorf("send text: %w: the text is empty", ErrInvalid)
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return Message{}, 0, fmt.Errorf("send text: %w: %d characters, Telegram allows %d", ErrInvalid, n, MaxTextLength)
	}
	ents := detectEntities(text)
	s.mu.Lock()
	defer s.mu.Unlock()
	u, cs, err := s.userChatLocked(from, chatID)
	if err != nil {
		return Message{}, 0, fmt.Errorf("send text: %w", err)
	}
	return s.userPostLocked(u, cs, Message{Text: text, Entities: ents}, replyTo)
}

// SendPhoto acts as user from sending a photo with an optional caption. The
// bytes are served back through getFile; sizes come from the image when it
// decodes (PNG, JPEG, GIF), else 1280×960 is assumed.
func (s *Server) SendPhoto(from, chatID int64, caption string, photo []byte) (Message, error) {
	m, _, err := s.sendPhoto(from, chatID, caption, photo)
	return m, err
}

func (s *Server) sendPhoto(from, chatID int64, caption string, photo []byte) (Message, int64, error) {
	if len(photo) == 0 {
		return Message{}, 0, fmt.Errorf("send photo: %w: no image bytes", ErrInvalid)
	}
	caption, _ = trimText(caption, nil)
	if n := utf8.RuneCountInString(caption); n > MaxCaptionLength {
		return Message{}, 0, fmt.Errorf("send photo: %w: caption of %d characters, Telegram allows %d", ErrInvalid, n, MaxCaptionLength)
	}
	w, h := 1280, 960
	if cfg, _, err := image.DecodeConfig(bytes.NewReader(photo)); err == nil && cfg.Width > 0 && cfg.Height > 0 {
		w, h = cfg.Width, cfg.Height
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, cs, err := s.userChatLocked(from, chatID)
	if err != nil {
		return Message{}, 0, fmt.Errorf("send photo: %w", err)
	}
	m := Message{Photo: s.photoSizesLocked(w, h, append([]byte(nil), photo...), ""), Caption: caption, CaptionEntities: detectEntities(caption)}
	return s.userPostLocked(u, cs, m, 0)
}

// EditText acts as user from editing the text of their own message; the
// bot gets an edited_message update.
func (s *Server) EditText(from, chatID int64, messageID int, text string) (Message, error) {
	m, _, err := s.editText(from, chatID, messageID, text)
	return m, err
}

func (s *Server) editText(from, chatID int64, messageID int, text string) (Message, int64, error) {
	text, _ = trimText(text, nil)
	if text == "" {
		return Message{}, 0, fmt.Errorf("edit message %d: %w: the text is empty", messageID, ErrInvalid)
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return Message{}, 0, fmt.Errorf("edit message %d: %w: %d characters, Telegram allows %d", messageID, ErrInvalid, n, MaxTextLength)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, cs, err := s.userChatLocked(from, chatID)
	if err != nil {
		return Message{}, 0, fmt.Errorf("edit message %d: %w", messageID, err)
	}
	e := cs.byID[messageID]
	if e == nil || e.deleted {
		return Message{}, 0, fmt.Errorf("edit message %d in chat %d: %w", messageID, chatID, ErrUnknownMessage)
	}
	if e.msg.From == nil || e.msg.From.ID != from {
		return Message{}, 0, fmt.Errorf("edit message %d in chat %d: %w: user %d did not write it", messageID, chatID, ErrInvalid, from)
	}
	if e.msg.Text == "" {
		return Message{}, 0, fmt.Errorf("edit message %d in chat %d: %w: it has no text", messageID, chatID, ErrInvalid)
	}
	if e.msg.Text == text {
		return Message{}, 0, fmt.Errorf("edit message %d in chat %d: %w: the text is unchanged", messageID, chatID, ErrInvalid)
	}
	s.pushEditLocked(e)
	e.msg.Text, e.msg.Entities = text, detectEntities(text)
	var id int64
	if s.botSeesLocked(cs, &e.msg) {
		msg := e.msg
		if up, ok := s.enqueueLocked(Update{EditedMessage: &msg}); ok {
			id = up.UpdateID
		}
	}
	return e.msg, id, nil
}

// Tap acts as user from tapping an inline keyboard button of a message,
// found by its callback_data or else by its text; the bot gets a
// callback_query with a fresh id, which it must answer.
func (s *Server) Tap(from, chatID int64, messageID int, button string) (CallbackQuery, error) {
	q, _, err := s.tap(from, chatID, messageID, button)
	return q, err
}

func (s *Server) tap(from, chatID int64, messageID int, button string) (CallbackQuery, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, cs, err := s.userChatLocked(from, chatID)
	if err != nil {
		return CallbackQuery{}, 0, fmt.Errorf("tap %q: %w", button, err)
	}
	e := cs.byID[messageID]
	if e == nil || e.deleted {
		return CallbackQuery{}, 0, fmt.Errorf("tap %q on message %d in chat %d: %w", button, messageID, chatID, ErrUnknownMessage)
	}
	b, err := findButton(e.msg.ReplyMarkup, button)
	if err != nil {
		return CallbackQuery{}, 0, fmt.Errorf("tap on message %d in chat %d: %w", messageID, chatID, err)
	}
	s.callbackSeq++
	msg := e.msg
	q := CallbackQuery{
		ID:           strconv.FormatUint(uint64(1)<<62+uint64(s.callbackSeq)*7919, 10),
		From:         *u,
		Message:      &msg,
		ChatInstance: chatInstance(chatID),
		Data:         *b.CallbackData,
	}
	cb := &callbackRec{id: q.ID, chatID: chatID, messageID: messageID, from: from, data: q.Data}
	s.addCallbackLocked(cb)
	e.taps = append(e.taps, cb)
	var id int64
	if up, ok := s.enqueueLocked(Update{CallbackQuery: &q}); ok {
		id = up.UpdateID
	}
	return q, id, nil
}

// findButton finds a callback button by data, then by text.
func findButton(kb *InlineKeyboardMarkup, button string) (InlineKeyboardButton, error) {
	if kb == nil {
		return InlineKeyboardButton{}, fmt.Errorf("%w %q: the message has no inline keyboard", ErrUnknownButton, button)
	}
	var names []string
	for pass := 0; pass < 2; pass++ {
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if pass == 0 {
					names = append(names, b.Text)
				}
				match := pass == 0 && b.CallbackData != nil && *b.CallbackData == button || pass == 1 && b.Text == button
				if !match {
					continue
				}
				if b.CallbackData == nil {
					return InlineKeyboardButton{}, fmt.Errorf("%w: button %q sends no callback (it is a URL or other kind of button)", ErrInvalid, button)
				}
				return b, nil
			}
		}
	}
	return InlineKeyboardButton{}, fmt.Errorf("%w %q (buttons: %s)", ErrUnknownButton, button, strings.Join(names, ", "))
}

// React acts as user from setting their reactions on a message (an empty
// list removes them); the bot gets a message_reaction update if its
// allowed_updates include it (they do not by default).
func (s *Server) React(from, chatID int64, messageID int, emoji ...string) error {
	_, err := s.react(from, chatID, messageID, emoji)
	return err
}

func (s *Server) react(from, chatID int64, messageID int, emoji []string) (int64, error) {
	rs := make([]ReactionType, 0, len(emoji))
	for _, e := range emoji {
		if !standardReaction(e) {
			return 0, fmt.Errorf("react %q: %w: not one of Telegram's standard reactions", e, ErrInvalid)
		}
		rs = append(rs, ReactionType{Type: "emoji", Emoji: e})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, cs, err := s.userChatLocked(from, chatID)
	if err != nil {
		return 0, fmt.Errorf("react: %w", err)
	}
	e := cs.byID[messageID]
	if e == nil || e.deleted {
		return 0, fmt.Errorf("react on message %d in chat %d: %w", messageID, chatID, ErrUnknownMessage)
	}
	if e.reactions == nil {
		e.reactions = map[int64][]ReactionType{}
	}
	old := e.reactions[from]
	if old == nil {
		old = []ReactionType{}
	}
	e.reactions[from] = rs
	user := *u
	up, ok := s.enqueueLocked(Update{MessageReaction: &MessageReactionUpdated{
		Chat: cs.chat, MessageID: messageID, User: &user, Date: s.unix(), OldReaction: old, NewReaction: rs,
	}})
	if !ok {
		return 0, nil
	}
	return up.UpdateID, nil
}

// Join adds a user to a group as if they joined by themselves: a message
// with new_chat_members and a chat_member update. When userID is the bot,
// it is added by the group's first member (lowest id) and gets a
// my_chat_member update.
func (s *Server) Join(userID, chatID int64) error {
	_, err := s.membership(userID, chatID, 0, true)
	return err
}

// JoinBy is Join with the user who adds userID named.
func (s *Server) JoinBy(userID, chatID, by int64) error {
	_, err := s.membership(userID, chatID, by, true)
	return err
}

// Leave removes a user from a group: a message with left_chat_member and a
// chat_member update. When userID is the bot, it is removed by the group's
// first member and gets a my_chat_member update only.
func (s *Server) Leave(userID, chatID int64) error {
	_, err := s.membership(userID, chatID, 0, false)
	return err
}

// LeaveBy is Leave with the user who removes userID named.
func (s *Server) LeaveBy(userID, chatID, by int64) error {
	_, err := s.membership(userID, chatID, by, false)
	return err
}

func (s *Server) membership(userID, chatID, by int64, join bool) ([]int64, error) {
	verb := "leave"
	if join {
		verb = "join"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.chats[chatID]
	if cs == nil {
		return nil, fmt.Errorf("%s chat %d: %w", verb, chatID, ErrUnknownChat)
	}
	if cs.chat.Type == ChatPrivate {
		return nil, fmt.Errorf("%s chat %d: %w: a private chat has no members to change (use Block)", verb, chatID, ErrInvalid)
	}
	u := s.users[userID]
	if u == nil {
		return nil, fmt.Errorf("%s chat %d: user %d: %w", verb, chatID, userID, ErrUnknownUser)
	}
	isBot := userID == s.cfg.bot.ID
	if by == 0 && isBot {
		by = s.firstMemberLocked(cs)
		if by == 0 {
			return nil, fmt.Errorf("%s chat %d: %w: nobody in the chat can add or remove the bot", verb, chatID, ErrNotMember)
		}
	}
	if by == 0 {
		by = userID
	}
	actor := s.users[by]
	if actor == nil {
		return nil, fmt.Errorf("%s chat %d: actor %d: %w", verb, chatID, by, ErrUnknownUser)
	}
	if by != userID && !isIn(cs.members[by]) {
		return nil, fmt.Errorf("%s chat %d: actor %d: %w", verb, chatID, by, ErrNotMember)
	}
	old := cs.members[userID]
	if old == "" {
		old = StatusLeft
	}
	if join == isIn(old) {
		return nil, fmt.Errorf("%s chat %d: %w: user %d is already %s", verb, chatID, ErrInvalid, userID, old)
	}
	next := StatusLeft
	if join {
		next = StatusMember
	}
	cs.members[userID] = next
	change := &ChatMemberUpdated{
		Chat: cs.chat, From: *actor, Date: s.unix(),
		OldChatMember: ChatMember{User: *u, Status: old}, NewChatMember: ChatMember{User: *u, Status: next},
	}
	var ids []int64
	if isBot {
		if up, ok := s.enqueueLocked(Update{MyChatMember: change}); ok {
			ids = append(ids, up.UpdateID)
		}
	}
	m := Message{}
	if join {
		m.NewChatMembers = []User{*u}
	} else {
		m.LeftChatMember = u
	}
	from := *actor
	m.From = &from
	e := s.appendLocked(cs, m)
	if !(isBot && !join) && s.botSeesLocked(cs, &e.msg) {
		msg := e.msg
		if up, ok := s.enqueueLocked(Update{Message: &msg}); ok {
			ids = append(ids, up.UpdateID)
		}
	}
	if !isBot && isIn(cs.members[s.cfg.bot.ID]) {
		if up, ok := s.enqueueLocked(Update{ChatMember: change}); ok {
			ids = append(ids, up.UpdateID)
		}
	}
	return ids, nil
}

func (s *Server) firstMemberLocked(cs *chatState) int64 {
	var best int64
	for id, st := range cs.members {
		if id == s.cfg.bot.ID || !isIn(st) {
			continue
		}
		if best == 0 || id < best {
			best = id
		}
	}
	return best
}

// Block acts as user userID blocking the bot: a my_chat_member update in
// their private chat (member → kicked); the bot's sends to them then fail
// with 403 "Forbidden: bot was blocked by the user". Blocking twice is a
// no-op.
func (s *Server) Block(userID int64) error {
	_, err := s.setBlocked(userID, true)
	return err
}

// Unblock undoes Block: a my_chat_member update (kicked → member).
func (s *Server) Unblock(userID int64) error {
	_, err := s.setBlocked(userID, false)
	return err
}

func (s *Server) setBlocked(userID int64, block bool) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[userID]
	if u == nil || userID == s.cfg.bot.ID {
		return 0, fmt.Errorf("block bot: user %d: %w", userID, ErrUnknownUser)
	}
	if s.blocked[userID] == block {
		return 0, nil
	}
	cs := s.privateChatLocked(u)
	old, next := StatusMember, StatusKicked
	if !block {
		old, next = next, old
	}
	s.blocked[userID] = block
	bot := *s.cfg.bot
	change := &ChatMemberUpdated{
		Chat: cs.chat, From: *u, Date: s.unix(),
		OldChatMember: ChatMember{User: bot, Status: old}, NewChatMember: ChatMember{User: bot, Status: next},
	}
	if up, ok := s.enqueueLocked(Update{MyChatMember: change}); ok {
		return up.UpdateID, nil
	}
	return 0, nil
}
