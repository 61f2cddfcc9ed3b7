package botpress

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// messageBody is the body of createMessage and getOrCreateMessage.
type messageBody struct {
	Payload            json.RawMessage   `json:"payload"`
	UserID             string            `json:"userId"`
	ConversationID     string            `json:"conversationId"`
	Type               string            `json:"type"`
	Tags               map[string]string `json:"tags"`
	Schedule           json.RawMessage   `json:"schedule"`
	Origin             string            `json:"origin"`
	DiscriminateByTags []string          `json:"discriminateByTags"`
}

type messageResponse struct {
	Message messageJSON `json:"message"`
}

func compactJSON(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return cloneRaw(raw)
	}
	return b.Bytes()
}

// messageLine renders a message for the journal:
// msg_…  incoming text {"text":"menu"}  conv_… user_…  tags{…}.
func messageLine(m *message, created string) string {
	return describe(m.id, created, m.direction+" "+m.typ+" "+fakes.CanonicalJSON(m.payload),
		m.convID+" "+m.userID, fakes.FormatTags(m.tags))
}

// storeMessage stores a message and makes its author a participant of the
// conversation. Callers hold s.mu and have checked that the user and the
// conversation exist.
func (s *Server) storeMessage(b messageBody, direction string) *message {
	now := s.clock.Now()
	m := &message{seq: s.st.nextSeq(), id: s.ids.next(PrefixMessage), createdAt: now, updatedAt: now,
		typ: b.Type, payload: compactJSON(b.Payload), direction: direction, userID: b.UserID,
		convID: b.ConversationID, tags: cleanTags(b.Tags), origin: b.Origin}
	s.st.msgs = append(s.st.msgs, m)
	s.st.msgsBy[m.id] = m
	s.st.msgsPerConv[m.convID]++
	s.indexMessageLocked(m)
	if c := s.st.convsBy[m.convID]; c != nil {
		s.addParticipantLocked(c, m.userID)
	}
	if h := s.st.history; h > 0 && s.st.msgsPerConv[m.convID] > h {
		for i, old := range s.st.msgs {
			if old.convID == m.convID {
				s.dropMessageLocked(i)
				s.st.msgsDropped++
				break
			}
		}
	}
	return m
}

// dropMessageLocked forgets the message at index i of msgs: it is gone as
// a deleted message is. Callers hold s.mu.
func (s *Server) dropMessageLocked(i int) {
	m := s.st.msgs[i]
	s.st.msgs = slices.Delete(s.st.msgs, i, i+1)
	s.forgetMessageLocked(m)
}

// forgetMessageLocked removes m from the indexes once it has left msgs.
// Callers hold s.mu.
func (s *Server) forgetMessageLocked(m *message) {
	delete(s.st.msgsBy, m.id)
	if s.st.msgsPerConv[m.convID]--; s.st.msgsPerConv[m.convID] <= 0 {
		delete(s.st.msgsPerConv, m.convID)
	}
	for _, key := range m.indexed {
		ps := slices.DeleteFunc(s.st.msgsByTag[key], func(x *message) bool { return x == m })
		if len(ps) == 0 {
			delete(s.st.msgsByTag, key)
		} else {
			s.st.msgsByTag[key] = ps
		}
	}
	m.indexed = nil
}

// newMessage stores a message created through the Runtime API, journals and
// checks it. An incoming message wakes the scripted bot; an outgoing one
// (created by a bot's own call) is delivered to the integration with
// message_created. Callers hold s.mu.
func (s *Server) newMessage(kind string, b messageBody, direction string, getOrCreate bool) *message {
	m := s.storeMessage(b, direction)
	created := ""
	if getOrCreate {
		created = "created"
	}
	s.record(fakes.ClassCapture, "platform", kind, messageLine(m, created), m.capture(s.channelOf(m.convID)))
	s.checkMessage(kind, m)
	if direction == "incoming" {
		s.bot.enqueue(botJob{messageID: m.id})
	} else {
		s.bot.enqueue(botJob{deliverID: m.id})
	}
	return m
}

// checkRefs checks that a message's user and conversation exist. Callers
// hold s.mu.
func (s *Server) checkRefs(userID, convID string) *apiError {
	if _, e := s.conversationByID(convID); e != nil {
		return e
	}
	if _, e := s.userByID(userID); e != nil {
		return e
	}
	return nil
}

func direction(rq *apiRequest) string {
	if rq.integration {
		return "incoming" // messages an integration creates come from its users
	}
	return "outgoing" // a bot's own call: it speaks
}

func (s *Server) createMessage(rq *apiRequest) (any, *apiError) {
	var b messageBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkRefs(b.UserID, b.ConversationID); e != nil {
		return nil, e
	}
	return messageResponse{s.newMessage("message.create", b, direction(rq), false).json()}, nil
}

// getOrCreateMessageLocked finds a message of the conversation whose tags
// match, or creates one. Callers hold s.mu.
func (s *Server) getOrCreateMessageLocked(kind string, b messageBody, dir string) *message {
	if m := s.findMessageLocked(b.ConversationID, b.Tags, b.DiscriminateByTags); m != nil {
		s.record(fakes.ClassCapture, "platform", kind, messageLine(m, "existing"), m.capture(s.channelOf(m.convID)))
		return m
	}
	return s.newMessage(kind, b, dir, true)
}

// msgTagKey is the msgsByTag key of one tag of a message in a conversation.
func msgTagKey(conv, k, v string) string { return conv + "\x00" + k + "\x00" + v }

// indexMessageLocked adds m's current tags to the tag index.
func (s *Server) indexMessageLocked(m *message) {
	for k, v := range m.tags {
		key := msgTagKey(m.convID, k, v)
		if slices.Contains(m.indexed, key) {
			continue
		}
		s.st.msgsByTag[key] = append(s.st.msgsByTag[key], m)
		m.indexed = append(m.indexed, key)
	}
}

// findMessageLocked returns the first message (in creation order) of conv
// whose tags match as get-or-create decides (tagsMatch), or nil. It looks
// through the messages carrying one of the given tags rather than every
// message, so get-or-create stays cheap in long conversations.
func (s *Server) findMessageLocked(conv string, tags map[string]string, discriminate []string) *message {
	keys := discriminate
	if len(keys) == 0 {
		if len(tags) == 0 {
			return nil // nothing identifies a message: always create
		}
		keys = slices.Sorted(maps.Keys(tags))
	}
	for _, k := range keys {
		v, ok := tags[k]
		if !ok {
			continue // matches only messages without k: not indexed
		}
		var best *message
		for _, m := range s.st.msgsByTag[msgTagKey(conv, k, v)] {
			if s.st.msgsBy[m.id] == m && m.convID == conv && tagsMatch(m.tags, tags, discriminate) && (best == nil || m.seq < best.seq) {
				best = m
			}
		}
		return best
	}
	for _, m := range s.st.msgs {
		if m.convID == conv && tagsMatch(m.tags, tags, discriminate) {
			return m
		}
	}
	return nil
}

func (s *Server) getOrCreateMessage(rq *apiRequest) (any, *apiError) {
	var b messageBody
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.checkRefs(b.UserID, b.ConversationID); e != nil {
		return nil, e
	}
	return messageResponse{s.getOrCreateMessageLocked("message.get-or-create", b, direction(rq)).json()}, nil
}

func (s *Server) messageByID(id string) (*message, *apiError) {
	m := s.st.msgsBy[id]
	if m == nil {
		return nil, notFound("Message %q not found", id)
	}
	return m, nil
}

func (s *Server) getMessage(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return messageResponse{m.json()}, nil
}

// updateMessage sets a message's tags ("" or null removes a key) and
// optionally its payload. It is what ack() calls.
func (s *Server) updateMessage(rq *apiRequest) (any, *apiError) {
	var b struct {
		Tags    map[string]string `json:"tags"`
		Payload json.RawMessage   `json:"payload"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	m.tags = mergeTags(m.tags, b.Tags, rq.nullTags)
	s.indexMessageLocked(m)
	payload := ""
	if len(b.Payload) > 0 {
		m.payload = compactJSON(b.Payload)
		payload = m.typ + " " + fakes.CanonicalJSON(m.payload)
	}
	m.updatedAt = s.clock.Now()
	s.record(fakes.ClassCapture, "platform", "message.update", describe(m.id, payload, fakes.FormatTags(m.tags)), m.capture(s.channelOf(m.convID)))
	s.checkMessage("message.update", m)
	return messageResponse{m.json()}, nil
}

func (s *Server) deleteMessage(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.messageByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	s.st.msgs = remove(s.st.msgs, func(x *message) bool { return x == m })
	s.forgetMessageLocked(m)
	s.record(fakes.ClassCapture, "platform", "message.delete", m.id, m.capture(s.channelOf(m.convID)))
	return struct{}{}, nil
}

func (s *Server) listMessages(rq *apiRequest) (any, *apiError) {
	q, e := parseQuery(rq.r)
	if e != nil {
		return nil, e
	}
	after, before, e := q.dateRange()
	if e != nil {
		return nil, e
	}
	cid := q.get("conversationId")
	s.mu.Lock()
	defer s.mu.Unlock()
	if cid != "" {
		if _, e := s.conversationByID(cid); e != nil {
			return nil, e
		}
	}
	var out []*message
	for _, m := range s.st.msgs {
		if (cid == "" || m.convID == cid) && filterTags(m.tags, q.tags) && inRange(m.createdAt, after, before) {
			out = append(out, m)
		}
	}
	sortItems(out, func(m *message) time.Time { return m.createdAt }, func(m *message) int64 { return m.seq }, false)
	pg, next, e := paginate(out, q.get("nextToken"))
	if e != nil {
		return nil, e
	}
	msgs := make([]messageJSON, 0, len(pg))
	for _, m := range pg {
		msgs = append(msgs, m.json())
	}
	return struct {
		Messages []messageJSON `json:"messages"`
		Meta     listMeta      `json:"meta"`
	}{msgs, listMeta{next}}, nil
}

// initializeIncomingMessage gets or creates the user and the conversation,
// and, when given, the message.
func (s *Server) initializeIncomingMessage(rq *apiRequest) (any, *apiError) {
	var b struct {
		UserID         string            `json:"userId"`
		User           *userBody         `json:"user"`
		ConversationID string            `json:"conversationId"`
		Conversation   *conversationBody `json:"conversation"`
		Message        *messageBody      `json:"message"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	if (b.UserID == "") == (b.User == nil) {
		return nil, invalidPayload("Exactly one of userId and user must be given")
	}
	if (b.ConversationID == "") == (b.Conversation == nil) {
		return nil, invalidPayload("Exactly one of conversationId and conversation must be given")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *user
	var c *conversation
	var e *apiError
	if b.UserID != "" {
		if u, e = s.userByID(b.UserID); e != nil {
			return nil, e
		}
	}
	if b.ConversationID != "" {
		if c, e = s.conversationByID(b.ConversationID); e != nil {
			return nil, e
		}
	}
	if u == nil {
		u = s.getOrCreateUserLocked("user.get-or-create", *b.User)
	}
	if c == nil {
		c = s.getOrCreateConversationLocked("conversation.get-or-create", *b.Conversation)
	}
	resp := struct {
		User         userJSON         `json:"user"`
		Conversation conversationJSON `json:"conversation"`
		Message      *messageJSON     `json:"message,omitempty"`
	}{User: u.json(), Conversation: c.json()}
	if b.Message != nil {
		mb := *b.Message
		mb.UserID, mb.ConversationID = u.id, c.id
		mj := s.getOrCreateMessageLocked("message.get-or-create", mb, direction(rq)).json()
		resp.Message = &mj
	}
	return resp, nil
}
