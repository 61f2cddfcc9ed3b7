package rocketchat

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxMessageSize is Rocket.Chat's Message_MaxAllowedSize setting at its
// default: the most characters the text of a message sent (REST
// chat.postMessage and chat.sendMessage, DDP sendMessage, webhooks) may
// have. Edits are not checked, as Rocket.Chat does not check them.
const MaxMessageSize = 5000

// Rocket.Chat's error for a message over MaxMessageSize.
const (
	sizeExceeded       = "error-message-size-exceeded"
	sizeExceededReason = "Message size exceeds Message_MaxAllowedSize"
)

// tooLong reports whether text is over MaxMessageSize characters.
func tooLong(text string) bool { return utf8.RuneCountInString(text) > MaxMessageSize }

// User is an account on the server.
type User struct {
	ID       string   `json:"_id"`
	Username string   `json:"username"`
	Name     string   `json:"name,omitempty"`
	Email    string   `json:"email,omitempty"`
	Password string   `json:"password,omitempty"` // set only in declarations; never shown
	Roles    []string `json:"roles,omitempty"`
	// Type is "user" or "bot".
	Type string `json:"type,omitempty"`
}

// UserRef is a message's author as messages carry it ("u").
type UserRef struct {
	ID       string `json:"_id"`
	Username string `json:"username"`
	Name     string `json:"name,omitempty"`
}

// Room is a public channel ("c"), private group ("p") or direct message
// room ("d").
type Room struct {
	ID   string `json:"_id"`
	Name string `json:"name,omitempty"` // empty for a DM
	Type string `json:"t"`
	// Members are the members' user ids, in the order they joined.
	Members []string `json:"members"`

	created time.Time
	msgs    []string // ids of the messages kept, in the order they were sent
}

// Message is a message in a room. It marshals as Rocket.Chat's REST API
// writes it (ts as an ISO string); DDP streams use {"$date": ms}.
type Message struct {
	ID          string
	RoomID      string
	Text        string
	TS          time.Time
	UpdatedAt   time.Time
	User        UserRef
	Alias       string
	Emoji       string
	Avatar      string
	Attachments json.RawMessage
	Blocks      json.RawMessage
	ThreadID    string
	EditedAt    *time.Time
	EditedBy    *UserRef
	// Reactions maps ":emoji:" to the usernames that reacted, in order.
	Reactions map[string][]string
	// Bot is set on messages an integration posted: {"i": integration id}.
	Bot json.RawMessage
	// Type is a system message's type: "uj" (a user joined), "ul" (a
	// user left); "" for a message someone wrote.
	Type string
	// Mentions are the users the text names as @username.
	Mentions []UserRef
	// History holds the message's earlier versions, oldest first: one
	// is kept at every edit (people's, chat.update, a response_url
	// replace).
	History []Revision
	deleted bool
}

// Revision is an earlier version of an edited message.
type Revision struct {
	Text        string          `json:"msg"`
	Blocks      json.RawMessage `json:"blocks,omitempty"`
	Attachments json.RawMessage `json:"attachments,omitempty"`
	// At is when this version was replaced.
	At time.Time `json:"at"`
	// By is who replaced it.
	By UserRef `json:"by"`
}

// MarshalJSON writes the REST form of the message.
func (m Message) MarshalJSON() ([]byte, error) { return json.Marshal(m.wire(false)) }

// isoTime is Rocket.Chat's REST time format.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func ddpDate(t time.Time) map[string]int64 { return map[string]int64{"$date": t.UnixMilli()} }

// wire renders the message for REST (ddp false) or a DDP stream.
func (m *Message) wire(ddp bool) map[string]any {
	ts := func(t time.Time) any {
		if ddp {
			return ddpDate(t)
		}
		return isoTime(t)
	}
	out := map[string]any{
		"_id": m.ID, "rid": m.RoomID, "msg": m.Text, "ts": ts(m.TS), "_updatedAt": ts(m.UpdatedAt),
		"u": m.User, "mentions": []any{}, "channels": []any{}, "urls": []any{},
	}
	if len(m.Mentions) > 0 {
		out["mentions"] = m.Mentions
	}
	if m.Type != "" {
		out["t"] = m.Type
	}
	if m.Alias != "" {
		out["alias"] = m.Alias
	}
	if m.Emoji != "" {
		out["emoji"] = m.Emoji
	}
	if m.Avatar != "" {
		out["avatar"] = m.Avatar
	}
	if len(m.Attachments) > 0 {
		out["attachments"] = m.Attachments
	}
	if len(m.Blocks) > 0 {
		out["blocks"] = m.Blocks
	}
	if m.ThreadID != "" {
		out["tmid"] = m.ThreadID
	}
	if m.EditedAt != nil {
		out["editedAt"] = ts(*m.EditedAt)
		out["editedBy"] = map[string]string{"_id": m.EditedBy.ID, "username": m.EditedBy.Username}
	}
	if len(m.Reactions) > 0 {
		r := map[string]any{}
		for k, v := range m.Reactions {
			r[k] = map[string]any{"usernames": v}
		}
		out["reactions"] = r
	}
	if len(m.Bot) > 0 {
		out["bot"] = m.Bot
	}
	return out
}

func (s *Server) ref(u *User) UserRef { return UserRef{ID: u.ID, Username: u.Username, Name: u.Name} }

// userWire renders a user as users.info and me do.
func (s *Server) userWire(u *User) map[string]any {
	out := map[string]any{
		"_id": u.ID, "username": u.Username, "name": u.Name, "type": u.Type, "status": "online",
		"active": true, "roles": nonNil(u.Roles), "utcOffset": 0,
	}
	if u.Email != "" {
		out["emails"] = []map[string]any{{"address": u.Email, "verified": true}}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// roomWire renders a room as rooms.info does.
func (s *Server) roomWire(r *Room) map[string]any {
	out := map[string]any{
		"_id": r.ID, "t": r.Type, "usersCount": len(r.Members), "msgs": s.countLocked(r),
		"ts": isoTime(r.created), "_updatedAt": isoTime(r.created), "default": r.ID == GeneralID, "ro": false,
	}
	if r.Type == "d" {
		var names []string
		for _, id := range r.Members {
			names = append(names, s.users[id].Username)
		}
		out["usernames"] = names
		out["uids"] = r.Members
	} else {
		out["name"], out["fname"] = r.Name, r.Name
	}
	return out
}

func (s *Server) countLocked(r *Room) int {
	n := 0
	for _, id := range r.msgs {
		if !s.msgs[id].deleted {
			n++
		}
	}
	return n
}

// seedState creates the bot and, unless WithoutDefaults, the default
// users, rooms and integrations.
func (s *Server) seedState() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bot, err := s.addUserLocked(User{Username: s.cfg.botUsername, Name: "chatsim bot", Email: botEmail(s.cfg.botUsername),
		Password: s.cfg.botPassword, Roles: []string{"bot"}, Type: "bot"})
	if err != nil {
		return err
	}
	s.botID = bot.ID
	s.botPAT = s.newTokenLocked()
	s.tokens[s.botPAT] = tokenRec{userID: bot.ID, pat: true}
	general := &Room{ID: GeneralID, Name: "general", Type: "c", created: s.now()}
	s.rooms[general.ID] = general
	s.roomOrder = append(s.roomOrder, general.ID)
	general.Members = append(general.Members, bot.ID)
	if s.cfg.bare {
		return nil
	}
	for _, u := range []User{
		{Username: "admin", Name: "Administrator", Email: "admin@chatsim.test", Password: "admin-password", Roles: []string{"admin", "user"}},
		{Username: "ada", Name: "Ada Lovelace", Email: "ada@chatsim.test", Password: "ada-password", Roles: []string{"user"}},
		{Username: "grace", Name: "Grace Hopper", Email: "grace@chatsim.test", Password: "grace-password", Roles: []string{"user"}},
	} {
		nu, err := s.addUserLocked(u)
		if err != nil {
			return err
		}
		general.Members = append(general.Members, nu.ID)
	}
	if _, err := s.addRoomLocked("team", "p", []string{"ada", "grace", s.cfg.botUsername}); err != nil {
		return err
	}
	if _, err := s.addOutgoingLocked(Outgoing{Name: "chatsim", Channels: []string{"all_public_channels", "all_private_groups", "all_direct_messages"}}); err != nil {
		return err
	}
	if _, err := s.addIncomingLocked(Incoming{Name: "chatsim", Channel: "#general"}); err != nil {
		return err
	}
	return nil
}

func botEmail(username string) string {
	if username == DefaultBotUsername {
		return DefaultBotEmail
	}
	return username + "@chatsim.test"
}

// addUserLocked adds u, drawing its id unless given. s.mu must be held.
func (s *Server) addUserLocked(u User) (*User, error) {
	if err := validUsername(u.Username); err != nil {
		return nil, fmt.Errorf("add user: %w", err)
	}
	if s.userByNameLocked(u.Username) != nil {
		return nil, fmt.Errorf("add user %q: %w", u.Username, ErrExists)
	}
	if u.Email != "" && s.userByEmailLocked(u.Email) != nil {
		return nil, fmt.Errorf("add user: email %q: %w", u.Email, ErrExists)
	}
	if u.ID == "" {
		u.ID = s.newIDLocked()
	} else if s.users[u.ID] != nil {
		return nil, fmt.Errorf("add user: id %q: %w", u.ID, ErrExists)
	}
	if u.Name == "" {
		u.Name = u.Username
	}
	if u.Type == "" {
		u.Type = "user"
		if slices.Contains(u.Roles, "bot") {
			u.Type = "bot"
		}
	}
	if len(u.Roles) == 0 {
		u.Roles = []string{"user"}
	}
	nu := u
	s.users[nu.ID] = &nu
	s.userOrder = append(s.userOrder, nu.ID)
	return &nu, nil
}

func (s *Server) userByNameLocked(name string) *User {
	name = strings.TrimPrefix(name, "@")
	for _, id := range s.userOrder {
		if u := s.users[id]; strings.EqualFold(u.Username, name) {
			return u
		}
	}
	return nil
}

func (s *Server) userByEmailLocked(email string) *User {
	for _, id := range s.userOrder {
		if u := s.users[id]; u.Email != "" && strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

// findUserLocked resolves a user by id, username or email.
func (s *Server) findUserLocked(ref string) (*User, error) {
	if u := s.users[ref]; u != nil {
		return u, nil
	}
	if u := s.userByNameLocked(ref); u != nil {
		return u, nil
	}
	if u := s.userByEmailLocked(ref); u != nil {
		return u, nil
	}
	return nil, fmt.Errorf("user %q: %w", ref, ErrUnknownUser)
}

// addRoomLocked creates a channel or group with the members given by
// username. s.mu must be held.
func (s *Server) addRoomLocked(name, typ string, members []string) (*Room, error) {
	if typ != "c" && typ != "p" {
		return nil, fmt.Errorf("add room %q: type must be \"c\" (channel) or \"p\" (private group), got %q: %w", name, typ, ErrInvalid)
	}
	name = strings.TrimPrefix(name, "#")
	if err := validUsername(name); err != nil {
		return nil, fmt.Errorf("add room: name: %w", err)
	}
	if s.roomByNameLocked(name) != nil {
		return nil, fmt.Errorf("add room %q: %w", name, ErrExists)
	}
	r := &Room{ID: s.newIDLocked(), Name: name, Type: typ, created: s.now()}
	for _, m := range members {
		u, err := s.findUserLocked(m)
		if err != nil {
			return nil, fmt.Errorf("add room %q: %w", name, err)
		}
		if !slices.Contains(r.Members, u.ID) {
			r.Members = append(r.Members, u.ID)
		}
	}
	s.rooms[r.ID] = r
	s.roomOrder = append(s.roomOrder, r.ID)
	return r, nil
}

func (s *Server) roomByNameLocked(name string) *Room {
	for _, id := range s.roomOrder {
		if r := s.rooms[id]; r.Name != "" && strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

// dmLocked returns the DM room of two users, creating it. Its id is the
// two user ids sorted and concatenated, as on a real server.
func (s *Server) dmLocked(a, b *User) *Room {
	ids := []string{a.ID, b.ID}
	sort.Strings(ids)
	id := ids[0] + ids[1]
	if a.ID == b.ID {
		id = a.ID
	}
	if r := s.rooms[id]; r != nil {
		return r
	}
	r := &Room{ID: id, Type: "d", Members: []string{a.ID}, created: s.now()}
	if b.ID != a.ID {
		r.Members = append(r.Members, b.ID)
	}
	s.rooms[id] = r
	s.roomOrder = append(s.roomOrder, id)
	return r
}

// findRoomLocked resolves a room by id, "#name", "name", or "@username"
// (the DM between that user and as; the bot when as is nil).
func (s *Server) findRoomLocked(ref string, as *User) (*Room, error) {
	if r := s.rooms[ref]; r != nil {
		return r, nil
	}
	if strings.HasPrefix(ref, "@") {
		u := s.userByNameLocked(ref)
		if u == nil {
			return nil, fmt.Errorf("room %q: %w", ref, ErrUnknownUser)
		}
		if as == nil {
			as = s.users[s.botID]
		}
		return s.dmLocked(as, u), nil
	}
	if r := s.roomByNameLocked(strings.TrimPrefix(ref, "#")); r != nil {
		return r, nil
	}
	return nil, fmt.Errorf("room %q: %w", ref, ErrUnknownRoom)
}

// label names a room for the journal: #name, or @username of the DM's
// other member as seen from viewer (the bot when empty).
func (s *Server) labelLocked(r *Room, viewer string) string {
	if r.Type != "d" {
		return "#" + r.Name
	}
	if viewer == "" {
		viewer = s.botID
	}
	for _, id := range r.Members {
		if id != viewer {
			return "@" + s.users[id].Username
		}
	}
	return "@" + s.users[r.Members[0]].Username
}

// postLocked stores a new message and announces it: realtime streams and
// outgoing integrations. s.mu must be held.
func (s *Server) postLocked(r *Room, author *User, m Message) *Message {
	now := s.now()
	if m.ID == "" {
		m.ID = s.newIDLocked()
	}
	m.RoomID = r.ID
	if m.TS.IsZero() {
		m.TS = now
	}
	m.UpdatedAt = now
	m.User = s.ref(author)
	m.Mentions = s.mentionsLocked(m.Text)
	nm := m
	s.addMessageLocked(r, &nm)
	if !slices.Contains(r.Members, author.ID) && r.Type == "c" {
		r.Members = append(r.Members, author.ID)
	}
	s.streamLocked(&nm)
	s.triggerLocked(r, &nm)
	return &nm
}

// editLocked changes a message's text (and its blocks and attachments,
// when not nil) as user by, keeps the version it replaces in History, and
// announces it.
func (s *Server) editLocked(m *Message, by *User, text string, blocks, attachments *json.RawMessage) {
	now := s.now()
	m.History = append(m.History, Revision{Text: m.Text, Blocks: m.Blocks, Attachments: m.Attachments, At: now, By: s.ref(by)})
	if blocks != nil {
		m.Blocks = *blocks
	}
	if attachments != nil {
		m.Attachments = *attachments
	}
	m.Text = text
	m.Mentions = s.mentionsLocked(text)
	m.EditedAt = &now
	ref := s.ref(by)
	m.EditedBy = &ref
	m.UpdatedAt = now
	s.streamLocked(m)
	s.triggerLocked(s.rooms[m.RoomID], m)
}

// mentionsLocked lists the known users text names as @username, in
// order, once each.
func (s *Server) mentionsLocked(text string) []UserRef {
	var out []UserRef
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r != '@' && !isNameRune(r) }) {
		if !strings.HasPrefix(f, "@") {
			continue
		}
		name := strings.TrimRight(strings.TrimPrefix(f, "@"), ".-_")
		if u := s.userByNameLocked(name); u != nil && !seen[u.ID] {
			seen[u.ID] = true
			out = append(out, s.ref(u))
		}
	}
	return out
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

// validEmoji reports whether emoji is an emoji shortcode, "tada" or
// ":tada:": Rocket.Chat reacts only with emoji of its list (or custom
// ones), all named by shortcodes, and refuses anything else, a raw "👍"
// included, with "Invalid emoji provided.".
func validEmoji(emoji string) bool {
	name := strings.TrimSuffix(strings.TrimPrefix(emoji, ":"), ":")
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '+' || r == '-') {
			return false
		}
	}
	return true
}

// reactLocked toggles (or sets, when should is not nil) a reaction.
func (s *Server) reactLocked(m *Message, u *User, emoji string, should *bool) {
	key := ":" + strings.Trim(emoji, ":") + ":"
	names := m.Reactions[key]
	has := slices.Contains(names, u.Username)
	want := !has
	if should != nil {
		want = *should
	}
	switch {
	case want && !has:
		if m.Reactions == nil {
			m.Reactions = map[string][]string{}
		}
		m.Reactions[key] = append(names, u.Username)
	case !want && has:
		names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == u.Username })
		if len(names) == 0 {
			delete(m.Reactions, key)
		} else {
			m.Reactions[key] = names
		}
	default:
		return
	}
	m.UpdatedAt = s.now()
	s.streamLocked(m)
}

// addMessageLocked stores m in room r, forgetting the room's oldest
// message when it holds too many (WithHistory). s.mu must be held.
func (s *Server) addMessageLocked(r *Room, m *Message) {
	s.msgs[m.ID] = m
	r.msgs = append(r.msgs, m.ID)
	if h := s.cfg.history; h > 0 && len(r.msgs) > h {
		old := r.msgs[0]
		r.msgs = r.msgs[1:] // the next append that grows it lets the rest go
		if !slices.Contains(r.msgs, old) {
			delete(s.msgs, old)
		}
	}
}

// historyLocked returns a room's live messages, oldest first.
func (s *Server) historyLocked(r *Room) []*Message {
	var out []*Message
	for _, id := range r.msgs {
		if m := s.msgs[id]; !m.deleted {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) isMemberLocked(r *Room, u *User) bool {
	return r.Type == "c" || slices.Contains(r.Members, u.ID)
}
