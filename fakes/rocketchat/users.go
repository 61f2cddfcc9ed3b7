package rocketchat

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// BotUser returns the bot account (without its password).
func (s *Server) BotUser() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := *s.users[s.botID]
	u.Password = ""
	return u
}

// BotPassword returns the bot's password.
func (s *Server) BotPassword() string { return s.cfg.botPassword }

// BotToken returns the bot's personal access token: with X-User-Id set to
// the bot's id it authenticates REST calls, and DDP accepts it as a resume
// token, so an integration need not log in.
func (s *Server) BotToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.botPAT
}

// WebhookToken returns the token of the first outgoing integration, which
// it sends in every body, or "" when there is none.
func (s *Server) WebhookToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.outgoing) == 0 {
		return ""
	}
	return s.outgoing[0].Token
}

// AddUser adds an account; its id is drawn unless given.
func (s *Server) AddUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	nu, err := s.addUserLocked(u)
	if err != nil {
		return User{}, err
	}
	if g := s.rooms[GeneralID]; g != nil {
		g.Members = append(g.Members, nu.ID)
	}
	out := *nu
	out.Password = ""
	return out, nil
}

// Users returns every account, in creation order, without passwords.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		u := *s.users[id]
		u.Password = ""
		out = append(out, u)
	}
	return out
}

// AddRoom creates a public channel (typ "c") or private group ("p") with
// the members given by id, username or email.
func (s *Server) AddRoom(name, typ string, members ...string) (Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.addRoomLocked(name, typ, members)
	if err != nil {
		return Room{}, err
	}
	return s.roomCopyLocked(r), nil
}

// DM returns the direct-message room of two users, creating it.
func (s *Server) DM(a, b string) (Room, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ua, err := s.findUserLocked(a)
	if err != nil {
		return Room{}, err
	}
	ub, err := s.findUserLocked(b)
	if err != nil {
		return Room{}, err
	}
	return s.roomCopyLocked(s.dmLocked(ua, ub)), nil
}

func (s *Server) roomCopyLocked(r *Room) Room {
	c := *r
	c.Members = slices.Clone(r.Members)
	c.msgs = nil
	return c
}

// Rooms returns every room, in creation order.
func (s *Server) Rooms() []Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Room, 0, len(s.roomOrder))
	for _, id := range s.roomOrder {
		out = append(out, s.roomCopyLocked(s.rooms[id]))
	}
	return out
}

// Messages returns the live messages of room (an id, "#name" or
// "@username" for that user's DM with the bot), oldest first.
func (s *Server) Messages(room string) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.findRoomLocked(room, nil)
	if err != nil {
		return nil, err
	}
	var out []Message
	for _, m := range s.historyLocked(r) {
		out = append(out, m.copy())
	}
	return out, nil
}

// copy returns m with its own slices and maps, for a caller to keep.
func (m *Message) copy() Message {
	c := *m
	c.History = slices.Clone(m.History)
	c.Mentions = slices.Clone(m.Mentions)
	if m.Reactions != nil {
		c.Reactions = make(map[string][]string, len(m.Reactions))
		for k, v := range m.Reactions {
			c.Reactions[k] = slices.Clone(v)
		}
	}
	return c
}

// Message returns one message by id.
func (s *Server) Message(id string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.msgs[id]
	if m == nil || m.deleted {
		return Message{}, fmt.Errorf("message %q: %w", id, ErrUnknownMessage)
	}
	return m.copy(), nil
}

// Send posts text into room as user, as if typed in the client: it is
// streamed to realtime subscribers and raises the outgoing integrations.
// room is an id, "#name", "name" or "@username" (the DM between user and
// that user).
func (s *Server) Send(user, room, text string) (Message, error) {
	return s.SendMessage(user, room, Message{Text: text})
}

// SendMessage posts m (text, thread, attachments, blocks) into room as
// user.
func (s *Server) SendMessage(user, room string, m Message) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Message{}, ErrClosed
	}
	u, err := s.findUserLocked(user)
	if err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	r, err := s.findRoomLocked(room, u)
	if err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	if !s.isMemberLocked(r, u) {
		return Message{}, fmt.Errorf("send: %s in %s: %w", u.Username, s.labelLocked(r, u.ID), ErrNotMember)
	}
	if strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 && len(m.Blocks) == 0 {
		return Message{}, fmt.Errorf("send: the message is empty: %w", ErrInvalid)
	}
	if tooLong(m.Text) {
		return Message{}, fmt.Errorf("send: a message of %d characters: %s (%d) [%s]: %w",
			utf8.RuneCountInString(m.Text), sizeExceededReason, MaxMessageSize, sizeExceeded, ErrInvalid)
	}
	m.ID, m.TS = "", s.now()
	return *s.postLocked(r, u, m), nil
}

// SendDM sends text from user to the bot in their direct-message room.
func (s *Server) SendDM(user, text string) (Message, error) {
	return s.Send(user, "@"+s.cfg.botUsername, text)
}

// Edit changes the text of message msgID as user, its author.
func (s *Server) Edit(user, msgID, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUserLocked(user)
	if err != nil {
		return Message{}, fmt.Errorf("edit: %w", err)
	}
	m := s.msgs[msgID]
	if m == nil || m.deleted {
		return Message{}, fmt.Errorf("edit: message %q: %w", msgID, ErrUnknownMessage)
	}
	if m.User.ID != u.ID {
		return Message{}, fmt.Errorf("edit: message %s is by %s, not %s: %w", msgID, m.User.Username, u.Username, ErrInvalid)
	}
	s.editLocked(m, u, text, nil, nil)
	return m.copy(), nil
}

// Delete deletes message msgID as user, its author (or an admin), as the
// client's Delete does. Rocket.Chat tells outgoing integrations nothing
// about deletions, and announces them on stream-notify-room, which the
// fake does not simulate: the message is only gone from the room.
func (s *Server) Delete(user, msgID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUserLocked(user)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	m := s.msgs[msgID]
	if m == nil || m.deleted {
		return fmt.Errorf("delete: message %q: %w", msgID, ErrUnknownMessage)
	}
	if m.User.ID != u.ID && !slices.Contains(u.Roles, "admin") {
		return fmt.Errorf("delete: message %s is by %s, not %s: %w", msgID, m.User.Username, u.Username, ErrInvalid)
	}
	m.deleted = true
	s.streamDeleteLocked(m)
	return nil
}

// AddMember makes user a member of room (an id, "#name" or "name") as
// a declaration: nothing is posted and no integration hears of it. Use
// Join for someone joining as people see it.
func (s *Server) AddMember(room, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUserLocked(user)
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	r, err := s.findRoomLocked(room, nil)
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	if r.Type == "d" {
		return fmt.Errorf("add member: %s is a direct message: %w", room, ErrInvalid)
	}
	if !slices.Contains(r.Members, u.ID) {
		r.Members = append(r.Members, u.ID)
	}
	return nil
}

// Join makes user join the public channel room, as its Join button does:
// a "uj" system message is posted (and streamed; sendMessage integrations
// do not hear system messages) and the outgoing integrations on
// roomJoined fire. A private group is joined only when someone adds you
// (AddMember): joining one is ErrNotMember.
func (s *Server) Join(user, room string) (Message, error) {
	return s.joinOrLeave(user, room, true)
}

// Leave makes user leave the channel or group room: a "ul" system message
// is posted and the outgoing integrations on roomLeft fire.
func (s *Server) Leave(user, room string) (Message, error) {
	return s.joinOrLeave(user, room, false)
}

func (s *Server) joinOrLeave(user, room string, join bool) (Message, error) {
	verb := map[bool]string{true: "join", false: "leave"}[join]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Message{}, ErrClosed
	}
	u, err := s.findUserLocked(user)
	if err != nil {
		return Message{}, fmt.Errorf("%s: %w", verb, err)
	}
	r, err := s.findRoomLocked(room, nil)
	if err != nil {
		return Message{}, fmt.Errorf("%s: %w", verb, err)
	}
	in := slices.Contains(r.Members, u.ID)
	switch {
	case r.Type == "d":
		return Message{}, fmt.Errorf("%s: %s is a direct message: %w", verb, room, ErrInvalid)
	case join && in:
		return Message{}, fmt.Errorf("join: %s is already in #%s: %w", u.Username, r.Name, ErrExists)
	case join && r.Type != "c":
		return Message{}, fmt.Errorf("join: #%s is a private group, joined only by invitation: %w", r.Name, ErrNotMember)
	case !join && !in:
		return Message{}, fmt.Errorf("leave: %s in #%s: %w", u.Username, r.Name, ErrNotMember)
	}
	typ, event := "uj", "roomJoined"
	if join {
		r.Members = append(r.Members, u.ID)
	} else {
		typ, event = "ul", "roomLeft"
		r.Members = slices.DeleteFunc(r.Members, func(id string) bool { return id == u.ID })
	}
	now := s.now()
	m := &Message{ID: s.newIDLocked(), RoomID: r.ID, Text: u.Username, TS: now, UpdatedAt: now, User: s.ref(u), Type: typ}
	s.addMessageLocked(r, m)
	s.streamLocked(m)
	s.triggerRoomEventLocked(event, r, u)
	return m.copy(), nil
}

// SetUserName changes the display name of user (an id, username or
// email), as an administrator can.
func (s *Server) SetUserName(user, name string) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUserLocked(user)
	if err != nil {
		return User{}, fmt.Errorf("set name: %w", err)
	}
	if strings.TrimSpace(name) == "" {
		return User{}, fmt.Errorf("set name of %s: the name must not be empty: %w", u.Username, ErrInvalid)
	}
	u.Name = name
	out := *u
	out.Password = ""
	return out, nil
}

// React adds user's reaction emoji ("tada" or ":tada:") to message msgID,
// or removes it when already there.
func (s *Server) React(user, msgID, emoji string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.findUserLocked(user)
	if err != nil {
		return Message{}, fmt.Errorf("react: %w", err)
	}
	m := s.msgs[msgID]
	if m == nil || m.deleted {
		return Message{}, fmt.Errorf("react: message %q: %w", msgID, ErrUnknownMessage)
	}
	if !s.isMemberLocked(s.rooms[m.RoomID], u) {
		return Message{}, fmt.Errorf("react: %w", ErrNotMember)
	}
	if !validEmoji(emoji) {
		return Message{}, fmt.Errorf("react: emoji %q: want a shortcode such as \"+1\" or \":tada:\" (Rocket.Chat refuses others): %w", emoji, ErrInvalid)
	}
	s.reactLocked(m, u, emoji, nil)
	return m.copy(), nil
}

// AddOutgoing adds an outgoing webhook integration; zero fields get
// Rocket.Chat's defaults (event sendMessage, all public channels, posting
// as the bot, a fresh token). Without URLs it follows SetWebhookTarget.
func (s *Server) AddOutgoing(o Outgoing) (Outgoing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	no, err := s.addOutgoingLocked(o)
	if err != nil {
		return Outgoing{}, err
	}
	if !no.urlsDeclared && s.target != "" {
		no.URLs = []string{s.target}
	}
	return *no, nil
}

// UpdateOutgoing changes the outgoing integration id (its trigger words,
// channels, events, run on edits…) with change, as editing it in the
// administration does; its id, token and URLs stay unless change sets
// them.
func (s *Server) UpdateOutgoing(id string, change func(o *Outgoing)) (Outgoing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, o := range s.outgoing {
		if o.ID != id {
			continue
		}
		c := *o
		change(&c)
		c.ID, c.urlsDeclared = o.ID, o.urlsDeclared || !slices.Equal(c.URLs, o.URLs)
		rest := slices.Delete(slices.Clone(s.outgoing), i, i+1)
		saved := s.outgoing
		s.outgoing = rest
		no, err := s.addOutgoingLocked(c)
		if err != nil {
			s.outgoing = saved
			return Outgoing{}, fmt.Errorf("update outgoing integration %s: %w", id, err)
		}
		no.urlsDeclared, no.Enabled = c.urlsDeclared, c.Enabled
		s.outgoing = slices.Insert(rest, i, no)
		return *no, nil
	}
	return Outgoing{}, fmt.Errorf("update outgoing integration %q: %w", id, ErrUnknownIntegration)
}

// Outgoings returns the outgoing integrations.
func (s *Server) Outgoings() []Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Outgoing, 0, len(s.outgoing))
	for _, o := range s.outgoing {
		out = append(out, *o)
	}
	return out
}

// ClearOutgoing removes every outgoing integration.
func (s *Server) ClearOutgoing() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outgoing = nil
}

// AddIncoming adds an incoming webhook (POST /hooks/<id>/<token>).
func (s *Server) AddIncoming(in Incoming) (Incoming, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ni, err := s.addIncomingLocked(in)
	if err != nil {
		return Incoming{}, err
	}
	return *ni, nil
}

// Incomings returns the incoming webhooks.
func (s *Server) Incomings() []Incoming {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Incoming, 0, len(s.incoming))
	for _, h := range s.incoming {
		out = append(out, *h)
	}
	return out
}

// Calls returns the REST calls and DDP methods served, in order: the last
// ones (WithHistory).
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls.All()
}
