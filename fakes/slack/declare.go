package slack

import (
	"fmt"
	"strings"
)

// The workspace is declared in a file (WithWorkspaceFile) or, once the
// Server runs, piece by piece with the methods below: what they add is as
// if it had been there from the start, so nothing is delivered to the app
// (no channel_created, no member_joined_channel). People joining and
// leaving while the app listens is Join and Leave.

// DeclareChannel adds a conversation to the workspace as if it had always
// been there: a public or private channel with its members (ids or names,
// "bot" for the bot), or, with IM set, the DM between the bot and that
// person. An empty ID gets a fresh C…, G… or D… id. No event is sent.
func (s *Server) DeclareChannel(c Channel) (Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.IM != "" {
		u := s.st.user(c.IM)
		if u == nil {
			return Channel{}, fmt.Errorf("declare DM: user %q: %w", c.IM, ErrUnknownUser)
		}
		for _, id := range s.st.chOrder {
			if s.st.channels[id].IM == u.ID {
				return Channel{}, fmt.Errorf("declare DM with %s: %w", u.Name, ErrExists)
			}
		}
		if c.ID == "" {
			c.ID = s.st.newID("D")
		}
		if !validID(c.ID, "D") || s.st.channels[c.ID] != nil {
			return Channel{}, fmt.Errorf("declare DM: id %q: want a new D… id: %w", c.ID, ErrInvalid)
		}
		ch := &channelState{Channel: Channel{ID: c.ID, IM: u.ID}, created: s.now().Unix(), byTS: map[string]*Message{},
			members: []string{u.ID, s.st.botID()}}
		s.st.channels[c.ID] = ch
		s.st.chOrder = append(s.st.chOrder, c.ID)
		return s.channelOut(ch), nil
	}
	c.Name = strings.TrimPrefix(c.Name, "#")
	if !validChannelName(c.Name) {
		return Channel{}, fmt.Errorf("declare channel: name %q: want lowercase letters, digits, - and _ (at most 80): %w", c.Name, ErrInvalid)
	}
	if s.st.channel(c.Name) != nil {
		return Channel{}, fmt.Errorf("declare channel #%s: %w", c.Name, ErrExists)
	}
	prefix := "C"
	if c.Private {
		prefix = "G"
	}
	if c.ID == "" {
		c.ID = s.st.newID(prefix)
	}
	if !validID(c.ID, "CG") || s.st.channels[c.ID] != nil {
		return Channel{}, fmt.Errorf("declare channel: id %q: want a new C… or G… id: %w", c.ID, ErrInvalid)
	}
	c.MPIM = false
	ch := &channelState{Channel: c, created: s.now().Unix(), byTS: map[string]*Message{}}
	ch.Members = nil
	if c.Creator != "" {
		u := s.st.user(c.Creator)
		if u == nil {
			return Channel{}, fmt.Errorf("declare channel: creator %q: %w", c.Creator, ErrUnknownUser)
		}
		ch.Creator = u.ID
	}
	for _, m := range c.Members {
		u := s.st.user(m)
		if u == nil {
			return Channel{}, fmt.Errorf("declare channel: member %q: %w", m, ErrUnknownUser)
		}
		if !ch.isMember(u.ID) {
			ch.members = append(ch.members, u.ID)
		}
	}
	s.st.channels[c.ID] = ch
	s.st.chOrder = append(s.st.chOrder, c.ID)
	return s.channelOut(ch), nil
}

// DeclareMember makes user (an id, a name or "bot") a member of a channel,
// or not, as if it had always been so: no event is sent.
func (s *Server) DeclareMember(channel, user string, member bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(user)
	if u == nil {
		return fmt.Errorf("declare member: user %q: %w", user, ErrUnknownUser)
	}
	ch := s.st.channel(channel)
	if ch == nil || ch.IM != "" {
		return fmt.Errorf("declare member: channel %q: %w", channel, ErrUnknownChannel)
	}
	switch {
	case member && !ch.isMember(u.ID):
		ch.members = append(ch.members, u.ID)
	case !member:
		for i, id := range ch.members {
			if id == u.ID {
				ch.members = append(ch.members[:i:i], ch.members[i+1:]...)
				break
			}
		}
	}
	return nil
}

// DeclareUser updates a person's profile (real name, display name, email,
// time zone, admin) by id or name, as if it had always read so: no
// user_change is sent. Empty fields stay as they are.
func (s *Server) DeclareUser(u User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref := u.ID
	if ref == "" {
		ref = u.Name
	}
	have := s.st.user(ref)
	if have == nil || have.ID == s.st.botID() {
		return User{}, fmt.Errorf("declare user %q: %w", ref, ErrUnknownUser)
	}
	if err := checkUserNames(User{Name: have.Name, RealName: u.RealName, DisplayName: u.DisplayName}); err != nil {
		return User{}, fmt.Errorf("declare user %q: %v: %w", ref, err, ErrInvalid)
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&have.RealName, u.RealName}, {&have.DisplayName, u.DisplayName}, {&have.Email, u.Email}, {&have.TZ, u.TZ},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	if u.IsAdmin {
		have.IsAdmin = true
	}
	return *have, nil
}

// channelOut is a channel as the Go API returns it, members listed.
func (s *Server) channelOut(ch *channelState) Channel {
	out := ch.Channel
	out.Members = append([]string{}, ch.members...)
	return out
}

// OpenModal opens a modal view for a person as the app does with
// views.open and a trigger_id of theirs, without the round trip: for
// scenarios and sessions whose app opens its modals from somewhere the
// fake does not see. view is the view object views.open takes (type
// "modal", title, blocks…). It returns the view as Views lists it.
func (s *Server) OpenModal(user string, view map[string]any) (ViewInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(user)
	if u == nil || u.ID == s.st.botID() {
		return ViewInfo{}, fmt.Errorf("open modal: user %q: %w", user, ErrUnknownUser)
	}
	if t, _ := view["type"].(string); t != "modal" {
		return ViewInfo{}, fmt.Errorf("open modal: view type %q: want modal: %w", t, ErrInvalid)
	}
	if plainText(view["title"]) == "" {
		return ViewInfo{}, fmt.Errorf("open modal: the view has no title: %w", ErrInvalid)
	}
	body := make(map[string]any, len(view))
	for k, v := range view {
		body[k] = v
	}
	v := s.newViewLocked("modal", u.ID, body)
	return ViewInfo{ID: v.id, Type: v.kind, User: v.userID, Title: plainText(v.body["title"]), View: s.viewJSON(v)}, nil
}
