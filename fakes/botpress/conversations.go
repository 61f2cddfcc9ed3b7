package botpress

import (
	"slices"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// conversationBody is the body of createConversation and
// getOrCreateConversation.
type conversationBody struct {
	Channel            string            `json:"channel"`
	Tags               map[string]string `json:"tags"`
	IntegrationName    string            `json:"integrationName"`
	DiscriminateByTags []string          `json:"discriminateByTags"`
}

type conversationResponse struct {
	Conversation conversationJSON `json:"conversation"`
}

type participantResponse struct {
	Participant userJSON `json:"participant"`
}

// newConversation stores a conversation and journals it. Callers hold s.mu.
func (s *Server) newConversation(kind string, b conversationBody, getOrCreate bool) *conversation {
	now := s.clock.Now()
	c := &conversation{seq: s.st.nextSeq(), id: s.ids.next(PrefixConversation), createdAt: now, updatedAt: now,
		channel: b.Channel, integration: s.integrationName, tags: cleanTags(b.Tags)}
	s.st.convs = append(s.st.convs, c)
	s.st.convsBy[c.id] = c
	created := ""
	if getOrCreate {
		created = "created"
	}
	s.record(fakes.ClassCapture, "platform", kind, describe(c.id, created, "channel="+c.channel, fakes.FormatTags(c.tags)), c.capture())
	s.checkConversation(kind, c)
	return c
}

// getOrCreateConversationLocked finds a conversation of the channel whose
// tags match, or creates one. Callers hold s.mu.
func (s *Server) getOrCreateConversationLocked(kind string, b conversationBody) *conversation {
	for _, c := range s.st.convs {
		if c.channel == b.Channel && tagsMatch(c.tags, b.Tags, b.DiscriminateByTags) {
			s.record(fakes.ClassCapture, "platform", kind, describe(c.id, "existing", "channel="+c.channel, fakes.FormatTags(c.tags)), c.capture())
			return c
		}
	}
	return s.newConversation(kind, b, true)
}

func (s *Server) createConversation(rq *apiRequest) (any, *apiError) {
	var b conversationBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return conversationResponse{s.newConversation("conversation.create", b, false).json()}, nil
}

func (s *Server) getOrCreateConversation(rq *apiRequest) (any, *apiError) {
	var b conversationBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return conversationResponse{s.getOrCreateConversationLocked("conversation.get-or-create", b).json()}, nil
}

func (s *Server) conversationByID(id string) (*conversation, *apiError) {
	c := s.st.convsBy[id]
	if c == nil {
		return nil, notFound("Conversation %q not found", id)
	}
	return c, nil
}

func (s *Server) getConversation(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return conversationResponse{c.json()}, nil
}

func (s *Server) updateConversation(rq *apiRequest) (any, *apiError) {
	var b struct {
		Tags          map[string]string `json:"tags"`
		CurrentTaskID string            `json:"currentTaskId"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	if b.CurrentTaskID != "" {
		return nil, notFound("Task %q not found", b.CurrentTaskID)
	}
	c.tags = mergeTags(c.tags, b.Tags, rq.nullTags)
	c.updatedAt = s.clock.Now()
	s.record(fakes.ClassCapture, "platform", "conversation.update", describe(c.id, fakes.FormatTags(c.tags)), c.capture())
	s.checkConversation("conversation.update", c)
	return conversationResponse{c.json()}, nil
}

func (s *Server) deleteConversation(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	delete(s.st.convsBy, c.id)
	s.st.convs = remove(s.st.convs, func(x *conversation) bool { return x == c })
	s.st.msgs = remove(s.st.msgs, func(m *message) bool {
		if m.convID == c.id {
			s.forgetMessageLocked(m)
			return true
		}
		return false
	})
	s.record(fakes.ClassCapture, "platform", "conversation.delete", c.id, c.capture())
	return struct{}{}, nil
}

func (s *Server) listConversations(rq *apiRequest) (any, *apiError) {
	q, e := parseQuery(rq.r)
	if e != nil {
		return nil, e
	}
	after, before, e := q.dateRange()
	if e != nil {
		return nil, e
	}
	sortField, e := q.enum("sortField", "createdAt", "updatedAt")
	if e != nil {
		return nil, e
	}
	dir, e := q.enum("sortDirection", "asc", "desc")
	if e != nil {
		return nil, e
	}
	channel := q.get("channel")
	integ := q.get("integrationName")
	participants := q.vals["participantIds"]
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*conversation
	for _, c := range s.st.convs {
		if !filterTags(c.tags, q.tags) || !inRange(c.createdAt, after, before) {
			continue
		}
		if (channel != "" && c.channel != channel) || (integ != "" && c.integration != integ) {
			continue
		}
		all := true
		for _, p := range participants {
			if !slices.Contains(c.participants, p) {
				all = false
				break
			}
		}
		if all {
			out = append(out, c)
		}
	}
	sortItems(out, func(c *conversation) time.Time {
		if sortField == "updatedAt" {
			return c.updatedAt
		}
		return c.createdAt
	}, func(c *conversation) int64 { return c.seq }, dir == "asc")
	pg, next, e := paginate(out, q.get("nextToken"))
	if e != nil {
		return nil, e
	}
	convs := make([]conversationJSON, 0, len(pg))
	for _, c := range pg {
		convs = append(convs, c.json())
	}
	return struct {
		Conversations []conversationJSON `json:"conversations"`
		Meta          listMeta           `json:"meta"`
	}{convs, listMeta{next}}, nil
}

// addParticipantLocked makes u a participant of c (once). Callers hold s.mu.
func (s *Server) addParticipantLocked(c *conversation, userID string) bool {
	if slices.Contains(c.participants, userID) {
		return false
	}
	c.participants = append(c.participants, userID)
	return true
}

func (s *Server) listParticipants(rq *apiRequest) (any, *apiError) {
	q, e := parseQuery(rq.r)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	pg, next, e := paginate(c.participants, q.get("nextToken"))
	if e != nil {
		return nil, e
	}
	out := make([]userJSON, 0, len(pg))
	for _, id := range pg {
		if u := s.st.usersBy[id]; u != nil {
			out = append(out, u.json())
		}
	}
	return struct {
		Participants []userJSON `json:"participants"`
		Meta         listMeta   `json:"meta"`
	}{out, listMeta{next}}, nil
}

func (s *Server) addParticipant(rq *apiRequest) (any, *apiError) {
	var b struct {
		UserID string `json:"userId"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	u, e := s.userByID(b.UserID)
	if e != nil {
		return nil, e
	}
	if s.addParticipantLocked(c, u.id) {
		s.record(fakes.ClassCapture, "platform", "participant.add", describe(c.id, u.id), map[string]string{"conversationId": c.id, "userId": u.id})
	}
	return participantResponse{u.json()}, nil
}

func (s *Server) participant(rq *apiRequest) (*conversation, *user, *apiError) {
	c, e := s.conversationByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, nil, e
	}
	uid := rq.r.PathValue("userId")
	if !slices.Contains(c.participants, uid) {
		return nil, nil, notFound("User %q is not a participant of conversation %q: participant not found", uid, c.id)
	}
	u, e := s.userByID(uid)
	if e != nil {
		return nil, nil, e
	}
	return c, u, nil
}

func (s *Server) getParticipant(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, u, e := s.participant(rq)
	if e != nil {
		return nil, e
	}
	return participantResponse{u.json()}, nil
}

func (s *Server) removeParticipant(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, u, e := s.participant(rq)
	if e != nil {
		return nil, e
	}
	c.participants = remove(c.participants, func(id string) bool { return id == u.id })
	s.record(fakes.ClassCapture, "platform", "participant.remove", describe(c.id, u.id), map[string]string{"conversationId": c.id, "userId": u.id})
	return struct{}{}, nil
}
