package telegram

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/chatsim/chatsim/fakes"
)

// chatState is everything the fake holds about one chat.
type chatState struct {
	chat    Chat
	members map[int64]string // user id → status; the bot included for groups
	lastID  int              // the last message id used in this chat
	entries fakes.History[*entry]
	byID    map[int]*entry // the entries kept, by message id
}

// addLocked stores e, forgetting the chat's oldest message when it holds
// too many (WithHistory). The Server's mu must be held.
func (cs *chatState) addLocked(e *entry) {
	cs.byID[e.msg.MessageID] = e
	if old, ok := cs.entries.Add(e); ok && cs.byID[old.msg.MessageID] == old {
		delete(cs.byID, old.msg.MessageID)
	}
}

// entry is one message as the chat shows it, with its history.
type entry struct {
	msg            Message
	edits          []Edit
	deleted        bool
	reactions      map[int64][]ReactionType
	replyKeyboard  *ReplyKeyboardMarkup
	removeKeyboard bool
	forceReply     bool
	taps           []*callbackRec
}

// fileRec is a file the fake knows: uploaded bytes, or a URL it never
// fetched.
type fileRec struct {
	id, uniqueID string
	path         string
	name, mime   string
	data         []byte
	size         int
	url          string
	sizes        []PhotoSize // the photo this file is a size of; nil for documents
	// recorded marks a file known only from a recorded update: its bytes
	// were never seen, so a download serves size placeholder bytes.
	recorded bool
}

// callbackRec is a callback query and its answer.
type callbackRec struct {
	id        string
	chatID    int64
	messageID int
	from      int64
	data      string
	answered  bool
	text      string
	showAlert bool
	url       string
}

// queued is an update not yet delivered or confirmed.
type queued struct {
	id      int64
	typ     string
	raw     json.RawMessage
	ticket  *fakes.Ticket // its activity and place in line; nil once ended
	fetched bool          // handed out by getUpdates at least once
}

func (q *queued) finish() {
	if q.ticket != nil {
		q.ticket.End()
		q.ticket = nil
	}
}

// poller is a parked getUpdates request.
type poller struct {
	kill chan struct{}
}

// Edit is an earlier version of an edited message.
type Edit struct {
	Text        string                `json:"text,omitempty"`
	Caption     string                `json:"caption,omitempty"`
	ReplyMarkup *InlineKeyboardMarkup `json:"reply_markup,omitempty"`
	// Date is when this version was written (the message's date or its
	// previous edit_date).
	Date int64 `json:"date"`
}

// Reaction is the set of reactions one user (or the bot) put on a message.
type Reaction struct {
	UserID    int64          `json:"user_id"`
	Reactions []ReactionType `json:"reactions"`
}

// Tap is a callback query on a message and how the bot answered it.
type Tap struct {
	CallbackQueryID string `json:"callback_query_id"`
	From            int64  `json:"from"`
	Data            string `json:"data"`
	Answered        bool   `json:"answered"`
	AnswerText      string `json:"answer_text,omitempty"`
	ShowAlert       bool   `json:"show_alert,omitempty"`
	AnswerURL       string `json:"answer_url,omitempty"`
}

// Entry is one message of a chat's History: its current version, earlier
// versions, whether it was deleted, reactions, the reply keyboard it showed
// and the taps on its buttons.
type Entry struct {
	Message        Message              `json:"message"`
	Edits          []Edit               `json:"edits,omitempty"`
	Deleted        bool                 `json:"deleted,omitempty"`
	Reactions      []Reaction           `json:"reactions,omitempty"`
	ReplyKeyboard  *ReplyKeyboardMarkup `json:"reply_keyboard,omitempty"`
	RemoveKeyboard bool                 `json:"remove_keyboard,omitempty"`
	ForceReply     bool                 `json:"force_reply,omitempty"`
	Taps           []Tap                `json:"taps,omitempty"`
	// Line renders the message on one line as a person reads it:
	// "@ada ▸ menu", "bot ◂ What would you like?  [Tea] [Coffee]".
	Line string `json:"line"`
}

// addChatLocked stores a new chat. s.mu must be held.
func (s *Server) addChatLocked(c Chat) *chatState {
	cs := &chatState{chat: c, members: map[int64]string{}, byID: map[int]*entry{}, entries: fakes.NewHistory[*entry](s.cfg.history)}
	s.chats[c.ID] = cs
	s.chatOrder = append(s.chatOrder, c.ID)
	return cs
}

// privateChatLocked returns the private chat with user u, creating it. s.mu
// must be held.
func (s *Server) privateChatLocked(u *User) *chatState {
	if cs := s.chats[u.ID]; cs != nil {
		return cs
	}
	cs := s.addChatLocked(privateChat(u))
	cs.members[u.ID] = StatusMember
	cs.members[s.cfg.bot.ID] = StatusMember
	return cs
}

func privateChat(u *User) Chat {
	return Chat{ID: u.ID, Type: ChatPrivate, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username}
}

// appendLocked stores m in its chat with the next message id and the current
// date, and returns the stored entry. s.mu must be held.
func (s *Server) appendLocked(cs *chatState, m Message) *entry {
	cs.lastID++
	m.MessageID = cs.lastID
	m.Date = s.unix()
	m.Chat = cs.chat
	e := &entry{msg: m}
	cs.addLocked(e)
	return e
}

// addCallbackLocked stores a callback query, forgetting the oldest when
// the fake holds too many (WithHistory). s.mu must be held.
func (s *Server) addCallbackLocked(cb *callbackRec) {
	s.callbacks[cb.id] = cb
	if old, ok := s.cbOrder.Add(cb.id); ok && old != cb.id {
		delete(s.callbacks, old)
	}
}

// addFileLocked stores a file, forgetting the oldest when the fake holds
// too many (WithHistory). s.mu must be held.
func (s *Server) addFileLocked(f *fileRec) {
	s.files[f.id] = f
	s.filePaths[f.path] = f
	if old, ok := s.fileOrder.Add(f); ok {
		if s.files[old.id] == old {
			delete(s.files, old.id)
		}
		if s.filePaths[old.path] == old {
			delete(s.filePaths, old.path)
		}
	}
}

// chatInstance is the stable chat_instance string of a chat.
func chatInstance(chatID int64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "chatsim chat %d", chatID)
	return strconv.FormatInt(int64(h.Sum64()>>1), 10)
}

// canWriteLocked tells whether the bot may send to cs, as a Telegram error
// when it may not. s.mu must be held.
func (s *Server) canWriteLocked(cs *chatState) *apiError {
	if cs.chat.Type == ChatPrivate {
		if s.blocked[cs.chat.ID] {
			return forbidden("bot was blocked by the user")
		}
		return nil
	}
	kind := "group chat"
	switch cs.chat.Type {
	case ChatSupergroup:
		kind = "supergroup chat"
	case ChatChannel:
		kind = "channel chat"
	}
	switch cs.members[s.cfg.bot.ID] {
	case StatusKicked:
		return forbidden("bot was kicked from the " + kind)
	case StatusMember, StatusAdministrator, StatusCreator, StatusRestricted:
		return nil
	}
	return forbidden("bot is not a member of the " + kind)
}

// historyLocked renders a chat's entries. s.mu must be held.
func (s *Server) historyLocked(cs *chatState) []Entry {
	out := make([]Entry, 0, cs.entries.Len())
	cs.entries.Each(func(e *entry) bool {
		out = append(out, s.entryLocked(e))
		return true
	})
	return out
}

func (s *Server) entryLocked(e *entry) Entry {
	x := Entry{
		Message:        e.msg,
		Edits:          append([]Edit(nil), e.edits...),
		Deleted:        e.deleted,
		ReplyKeyboard:  e.replyKeyboard,
		RemoveKeyboard: e.removeKeyboard,
		ForceReply:     e.forceReply,
	}
	ids := make([]int64, 0, len(e.reactions))
	for id := range e.reactions {
		ids = append(ids, id)
	}
	sortInt64s(ids)
	for _, id := range ids {
		if len(e.reactions[id]) > 0 {
			x.Reactions = append(x.Reactions, Reaction{UserID: id, Reactions: e.reactions[id]})
		}
	}
	for _, t := range e.taps {
		x.Taps = append(x.Taps, Tap{CallbackQueryID: t.id, From: t.from, Data: t.data, Answered: t.answered, AnswerText: t.text, ShowAlert: t.showAlert, AnswerURL: t.url})
	}
	x.Line = s.lineLocked(e)
	return x
}

// lineLocked renders an entry on one line as a person reads it.
func (s *Server) lineLocked(e *entry) string {
	who := "someone"
	arrow := "▸"
	if f := e.msg.From; f != nil {
		if f.ID == s.cfg.bot.ID {
			who, arrow = "bot", "◂"
		} else {
			who = userLabel(*f)
		}
	}
	body := messageBody(&e.msg)
	if e.msg.ReplyMarkup != nil {
		body += "  " + buttonsLine(e.msg.ReplyMarkup)
	}
	if e.replyKeyboard != nil {
		body += "  keyboard " + replyKeyboardLine(e.replyKeyboard)
	}
	if len(e.edits) > 0 {
		body += "  (edited)"
	}
	if e.deleted {
		body += "  (deleted)"
	}
	ids := make([]int64, 0, len(e.reactions))
	for id := range e.reactions {
		ids = append(ids, id)
	}
	sortInt64s(ids)
	for _, id := range ids {
		for _, rt := range e.reactions[id] {
			body += "  " + reactionText(rt)
		}
	}
	return who + "  " + arrow + " " + body
}

func sortInt64s(a []int64) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
