package slack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Post is a person posting a message.
type Post struct {
	User string `json:"user"` // id or name
	// Channel is an id or a name ("general", "#general"); empty or "dm"
	// means the user's DM with the bot.
	Channel string `json:"channel,omitempty"`
	Text    string `json:"text"`
	// Thread is the ts of the message to reply to (a reply's ts means its
	// thread).
	Thread string `json:"thread_ts,omitempty"`
	// Broadcast also sends a thread reply to the channel.
	Broadcast bool `json:"reply_broadcast,omitempty"`
	// Mention puts "<@bot>" in front of the text. "@name" anywhere in Text
	// becomes a mention of that user or of the bot, as Slack's clients do.
	Mention bool `json:"mention,omitempty"`
}

var atNameRE = regexp.MustCompile(`(^|[\s(])@([a-z0-9][a-z0-9._-]*)`)

// linkMentions turns "@name" into "<@U…>" for known users and the bot.
// s.mu must be held.
func (s *Server) linkMentions(text string) string {
	return atNameRE.ReplaceAllStringFunc(text, func(m string) string {
		sm := atNameRE.FindStringSubmatch(m)
		u := s.st.user(sm[2])
		if u == nil || sm[2] == "bot" {
			return m
		}
		return sm[1] + "<@" + u.ID + ">"
	})
}

// clientMsgID makes the client_msg_id a Slack client sends, a UUID.
func clientMsgID(seed string) string {
	h := hexID(seed, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

// conversationFor resolves a person's target conversation.
func (s *Server) conversationFor(u *User, ref string) (*channelState, error) {
	if ref == "" || ref == "dm" {
		return s.st.imWith(u.ID), nil
	}
	ch := s.st.channel(ref)
	if ch == nil {
		return nil, fmt.Errorf("channel %q: %w", ref, ErrUnknownChannel)
	}
	if !ch.isMember(u.ID) {
		return nil, fmt.Errorf("%s in %s: %w", u.Name, ref, ErrNotMember)
	}
	return ch, nil
}

// Send posts a person's message, producing the events Slack would: a
// message event when the bot is in the conversation, and app_mention as
// well when it mentions the bot in a channel. A user with a bot_id posts a
// bot_message.
func (s *Server) Send(p Post) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(p.User)
	if u == nil {
		return Message{}, fmt.Errorf("send: user %q: %w", p.User, ErrUnknownUser)
	}
	if u.ID == s.st.botID() {
		return Message{}, fmt.Errorf("send: the bot posts through the Web API: %w", ErrInvalid)
	}
	ch, err := s.conversationFor(u, p.Channel)
	if err != nil {
		return Message{}, fmt.Errorf("send: %w", err)
	}
	if ch.Archived {
		return Message{}, fmt.Errorf("send: %s is archived: %w", ch.ID, ErrInvalid)
	}
	text := s.linkMentions(p.Text)
	if p.Mention {
		text = "<@" + s.st.botID() + "> " + text
	}
	if strings.TrimSpace(text) == "" {
		return Message{}, fmt.Errorf("send: text is empty: %w", ErrInvalid)
	}
	if n := utf8.RuneCountInString(text); n > MaxTextLength {
		return Message{}, fmt.Errorf("send: text of %d characters, Slack allows %d: %w", n, MaxTextLength, ErrInvalid)
	}
	m := &Message{TS: s.st.newTS(), Text: text}
	if u.BotID != "" {
		m.BotID, m.Username, m.Subtype = u.BotID, u.Name, "bot_message"
	} else {
		m.User = u.ID
		m.ClientMsgID = clientMsgID(m.TS + u.ID)
		m.Blocks = richText(text)
	}
	if p.Thread != "" {
		root := ch.byTS[ch.rootOf(p.Thread)]
		if root == nil || root.Deleted {
			return Message{}, fmt.Errorf("send: thread %s in %s: %w", p.Thread, ch.ID, ErrUnknownMessage)
		}
		m.ThreadTS = root.TS
		if p.Broadcast {
			m.Broadcast, m.Subtype = true, "thread_broadcast"
		}
	}
	s.st.addMessage(ch, m)
	s.emitMessageLocked(ch, m, u.ID)
	return *m, nil
}

// personMessage resolves a message a person acts on.
func (s *Server) personMessage(user, channel, ts string) (*User, *channelState, *Message, error) {
	u := s.st.user(user)
	if u == nil {
		return nil, nil, nil, fmt.Errorf("user %q: %w", user, ErrUnknownUser)
	}
	ch, err := s.conversationFor(u, channel)
	if err != nil {
		return nil, nil, nil, err
	}
	m := ch.byTS[ts]
	if m == nil || m.Deleted || m.EphemeralTo != "" {
		return nil, nil, nil, fmt.Errorf("message %s in %s: %w", ts, ch.ID, ErrUnknownMessage)
	}
	return u, ch, m, nil
}

// Edit changes the text of a person's own message: message_changed.
func (s *Server) Edit(user, channel, ts, text string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ch, m, err := s.personMessage(user, channel, ts)
	if err != nil {
		return Message{}, fmt.Errorf("edit: %w", err)
	}
	if m.User != u.ID {
		return Message{}, fmt.Errorf("edit: message %s is not %s's: %w", ts, u.Name, ErrInvalid)
	}
	if n := utf8.RuneCountInString(s.linkMentions(text)); n > MaxTextLength {
		return Message{}, fmt.Errorf("edit: text of %d characters, Slack allows %d: %w", n, MaxTextLength, ErrInvalid)
	}
	prev := *m
	m.Text = s.linkMentions(text)
	if m.ClientMsgID != "" {
		m.Blocks = richText(m.Text)
	}
	m.Edited = &Edited{User: u.ID, TS: s.st.newTS()}
	s.emitChangedLocked(ch, &prev, m, u.ID)
	return *m, nil
}

// Delete removes a message (a person's own, or any message for an admin):
// message_deleted.
func (s *Server) Delete(user, channel, ts string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ch, m, err := s.personMessage(user, channel, ts)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	if m.User != u.ID && !u.IsAdmin {
		return fmt.Errorf("delete: message %s is not %s's: %w", ts, u.Name, ErrInvalid)
	}
	s.deleteLocked(ch, m, u.ID)
	return nil
}

// React adds (or, with remove, takes away) a person's reaction:
// reaction_added or reaction_removed.
func (s *Server) React(user, channel, ts, name string, remove bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ch, m, err := s.personMessage(user, channel, ts)
	if err != nil {
		return fmt.Errorf("react: %w", err)
	}
	name = strings.Trim(name, ":")
	if !validEmoji(name) {
		return fmt.Errorf("react: emoji name %q: %w", name, ErrInvalid)
	}
	if code := s.reactLocked(ch, m, u.ID, name, !remove); code != "" {
		return fmt.Errorf("react: %s: %w", code, ErrInvalid)
	}
	return nil
}

// Join adds a person (or the bot, as "bot") to a channel, invited by
// inviter if set: a channel_join message and member_joined_channel.
func (s *Server) Join(user, channel, inviter string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(user)
	if u == nil {
		return fmt.Errorf("join: user %q: %w", user, ErrUnknownUser)
	}
	ch := s.st.channel(channel)
	if ch == nil || ch.IM != "" {
		return fmt.Errorf("join: channel %q: %w", channel, ErrUnknownChannel)
	}
	if ch.isMember(u.ID) {
		return fmt.Errorf("join: %s in %s: %w", u.Name, ch.ID, ErrExists)
	}
	inv := ""
	if inviter != "" {
		iu := s.st.user(inviter)
		if iu == nil {
			return fmt.Errorf("join: inviter %q: %w", inviter, ErrUnknownUser)
		}
		inv = iu.ID
	}
	s.joinLocked(ch, u.ID, inv)
	return nil
}

// Leave removes a person (or the bot) from a channel: a channel_leave
// message and member_left_channel.
func (s *Server) Leave(user, channel string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(user)
	if u == nil {
		return fmt.Errorf("leave: user %q: %w", user, ErrUnknownUser)
	}
	ch := s.st.channel(channel)
	if ch == nil || ch.IM != "" {
		return fmt.Errorf("leave: channel %q: %w", channel, ErrUnknownChannel)
	}
	if !ch.isMember(u.ID) {
		return fmt.Errorf("leave: %s in %s: %w", u.Name, ch.ID, ErrNotMember)
	}
	s.leaveLocked(ch, u.ID)
	return nil
}

// AddUser adds a person to the workspace (no event). An empty ID gets a
// fresh U… id; the user is returned as stored.
func (s *Server) AddUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = s.st.newID("U")
	}
	if !validID(u.ID, "UW") {
		return User{}, fmt.Errorf("add user: id: want U followed by uppercase letters and digits, got %q: %w", u.ID, ErrInvalid)
	}
	if err := checkUserNames(u); err != nil {
		return User{}, fmt.Errorf("add user: %v: %w", err, ErrInvalid)
	}
	if s.st.users[u.ID] != nil || s.st.user(u.Name) != nil {
		return User{}, fmt.Errorf("add user %s (%s): %w", u.ID, u.Name, ErrExists)
	}
	s.st.addUser(u)
	return u, nil
}

// CreateChannel creates a channel as user does in Slack's client: its
// creator is its first member, and a public channel sends
// channel_created. Members (ids or names, "bot" for the bot) join without
// events. An empty ID gets a fresh C… id.
func (s *Server) CreateChannel(user string, c Channel) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(user)
	if u == nil {
		return Channel{}, fmt.Errorf("create channel: user %q: %w", user, ErrUnknownUser)
	}
	c.Name = strings.TrimPrefix(c.Name, "#")
	if !validChannelName(c.Name) {
		return Channel{}, fmt.Errorf("create channel: name %q: want lowercase letters, digits, - and _ (at most 80): %w", c.Name, ErrInvalid)
	}
	if s.st.channel(c.Name) != nil {
		return Channel{}, fmt.Errorf("create channel #%s: %w", c.Name, ErrExists)
	}
	if c.ID == "" {
		c.ID = s.st.newID("C")
	}
	if !validID(c.ID, "CG") || s.st.channels[c.ID] != nil {
		return Channel{}, fmt.Errorf("create channel: id %q: %w", c.ID, ErrInvalid)
	}
	c.IM, c.MPIM = "", false
	c.Creator = u.ID
	ch := &channelState{Channel: c, created: s.now().Unix(), byTS: map[string]*Message{}, members: []string{u.ID}}
	for _, m := range c.Members {
		mu := s.st.user(m)
		if mu == nil {
			return Channel{}, fmt.Errorf("create channel: member %q: %w", m, ErrUnknownUser)
		}
		if !ch.isMember(mu.ID) {
			ch.members = append(ch.members, mu.ID)
		}
	}
	ch.Members = nil
	s.st.channels[c.ID] = ch
	s.st.chOrder = append(s.st.chOrder, c.ID)
	s.emitChannelCreatedLocked(ch)
	out := ch.Channel
	out.Members = append([]string{}, ch.members...)
	return out, nil
}

// Messages returns a conversation's messages in order, replies included,
// deleted ones left out; ephemeral ones carry EphemeralTo.
func (s *Server) Messages(channel string) ([]Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.st.channel(channel)
	if ch == nil {
		if u := s.st.user(channel); u != nil {
			ch = s.st.imWith(u.ID)
		} else {
			return nil, fmt.Errorf("messages: channel %q: %w", channel, ErrUnknownChannel)
		}
	}
	var out []Message
	for _, m := range ch.msgs {
		if !m.Deleted {
			out = append(out, *m)
		}
	}
	return out, nil
}

// Transcript renders a conversation one line per message, the way a
// person reads it: "@ada  ▸ hi", "bot  ◂ What would you like?
// [Tea] [Coffee]", replies indented under their thread.
func (s *Server) Transcript(channel string) []string {
	msgs, err := s.Messages(channel)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, m := range msgs {
		who := "bot"
		arrow := "◂"
		switch {
		case m.BotID == s.st.ws.App.BotID:
		case m.User != "":
			who, arrow = "@"+s.st.users[m.User].Name, "▸"
		case m.Username != "":
			who, arrow = m.Username, "▸"
		}
		line := who + "  " + arrow + " " + s.plain(m.Text)
		if len(m.Blocks) > 0 && m.ClientMsgID == "" {
			if btns := buttonsOf(m.Blocks); btns != "" {
				line += "  " + btns
			}
		}
		for _, f := range m.Files {
			line += "  [file " + f.Name + "]"
		}
		if len(m.Reactions) > 0 {
			for _, r := range m.Reactions {
				line += " :" + r.Name + ":×" + strconv.Itoa(r.Count)
			}
		}
		if m.Edited != nil {
			line += " (edited)"
		}
		if m.EphemeralTo != "" {
			line += " (only visible to @" + s.st.users[m.EphemeralTo].Name + ")"
		}
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			line = "    ↳ " + line
		}
		out = append(out, line)
	}
	return out
}

// plain renders <@U…> mentions as @name.
func (s *Server) plain(text string) string {
	return mentionRE.ReplaceAllStringFunc(text, func(m string) string {
		sm := mentionRE.FindStringSubmatch(m)
		if u := s.st.users[sm[1]]; u != nil {
			return "@" + u.Name
		}
		return m
	})
}

// buttonsOf renders the interactive elements of blocks: [Tea] [Coffee].
func buttonsOf(raw []byte) string {
	shape := blocksShape(raw)
	var parts []string
	for _, seg := range strings.Split(shape[1:len(shape)-1], ", ") {
		if i := strings.IndexByte(seg, '['); i >= 0 {
			parts = append(parts, strings.ReplaceAll(seg[i:], "][", "] ["))
		}
	}
	return strings.Join(parts, " ")
}
