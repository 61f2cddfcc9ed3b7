package botpress

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

type eventResponse struct {
	Event eventJSON `json:"event"`
}

func (s *Server) createEvent(rq *apiRequest) (any, *apiError) {
	var b struct {
		Type           string          `json:"type"`
		Payload        json.RawMessage `json:"payload"`
		Schedule       json.RawMessage `json:"schedule"`
		ConversationID string          `json:"conversationId"`
		UserID         string          `json:"userId"`
		WorkflowID     string          `json:"workflowId"`
		MessageID      string          `json:"messageId"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b.ConversationID != "" {
		if _, e := s.conversationByID(b.ConversationID); e != nil {
			return nil, e
		}
	}
	if b.UserID != "" {
		if _, e := s.userByID(b.UserID); e != nil {
			return nil, e
		}
	}
	if b.MessageID != "" {
		if _, e := s.messageByID(b.MessageID); e != nil {
			return nil, e
		}
	}
	if b.WorkflowID != "" {
		return nil, notFound("Workflow %q not found", b.WorkflowID)
	}
	ev := &event{seq: s.st.nextSeq(), id: s.ids.next(PrefixEvent), createdAt: s.clock.Now(), typ: b.Type,
		payload: compactJSON(b.Payload), convID: b.ConversationID, userID: b.UserID, messageID: b.MessageID, status: "pending"}
	scheduled := len(b.Schedule) > 0 && string(b.Schedule) != "null"
	if scheduled {
		ev.status = "scheduled"
	}
	s.st.events = append(s.st.events, ev)
	s.st.eventsBy[ev.id] = ev
	if h := s.st.history; h > 0 && len(s.st.events) > h {
		// The oldest event goes, unless it is still to happen.
		if i := slices.IndexFunc(s.st.events, func(e *event) bool { return e.status != "scheduled" }); i >= 0 {
			delete(s.st.eventsBy, s.st.events[i].id)
			s.st.events = slices.Delete(s.st.events, i, i+1)
		}
	}
	refs := describe(ev.convID, ev.userID, ev.messageID)
	sched := ""
	if scheduled {
		sched = "scheduled " + fakes.CanonicalJSON(b.Schedule)
	}
	s.record(fakes.ClassCapture, "platform", "event.create", describe(ev.id, ev.typ+" "+fakes.CanonicalJSON(ev.payload), refs, sched), ev.capture())
	s.checkEvent("event.create", ev)
	if !scheduled {
		s.bot.enqueue(botJob{eventID: ev.id})
	}
	return eventResponse{ev.json()}, nil
}

func (s *Server) eventByID(id string) (*event, *apiError) {
	ev := s.st.eventsBy[id]
	if ev == nil {
		return nil, notFound("Event %q not found", id)
	}
	return ev, nil
}

func (s *Server) getEvent(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, e := s.eventByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	return eventResponse{ev.json()}, nil
}

func (s *Server) cancelScheduledEvent(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev, e := s.eventByID(rq.r.PathValue("id"))
	if e != nil {
		return nil, e
	}
	if ev.status != "scheduled" {
		return nil, notFound("Scheduled event %q not found", ev.id)
	}
	ev.status = "canceled"
	s.record(fakes.ClassCapture, "platform", "event.cancel", ev.id, ev.capture())
	return struct{}{}, nil
}

func (s *Server) listEvents(rq *apiRequest) (any, *apiError) {
	q, e := parseQuery(rq.r)
	if e != nil {
		return nil, e
	}
	status, e := q.enum("status", "pending", "ignored", "processed", "failed", "scheduled")
	if e != nil {
		return nil, e
	}
	if q.get("workflowId") != "" {
		return struct {
			Events []eventJSON `json:"events"`
			Meta   listMeta    `json:"meta"`
		}{[]eventJSON{}, listMeta{}}, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*event
	for _, ev := range s.st.events {
		if (q.get("type") == "" || ev.typ == q.get("type")) &&
			(q.get("conversationId") == "" || ev.convID == q.get("conversationId")) &&
			(q.get("userId") == "" || ev.userID == q.get("userId")) &&
			(q.get("messageId") == "" || ev.messageID == q.get("messageId")) &&
			(status == "" || ev.status == status) {
			out = append(out, ev)
		}
	}
	sortItems(out, func(ev *event) time.Time { return ev.createdAt }, func(ev *event) int64 { return ev.seq }, false)
	pg, next, e := paginate(out, q.get("nextToken"))
	if e != nil {
		return nil, e
	}
	events := make([]eventJSON, 0, len(pg))
	for _, ev := range pg {
		events = append(events, ev.json())
	}
	return struct {
		Events []eventJSON `json:"events"`
		Meta   listMeta    `json:"meta"`
	}{events, listMeta{next}}, nil
}

// configureIntegration stores the identifier an integration links itself
// with (Slack's team id after OAuth, say).
func (s *Server) configureIntegration(rq *apiRequest) (any, *apiError) {
	var b struct {
		Identifier           optString       `json:"identifier"`
		ScheduleRegisterCall string          `json:"scheduleRegisterCall"`
		SandboxIdentifiers   json.RawMessage `json:"sandboxIdentifiers"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	data := map[string]any{}
	if b.Identifier.set {
		if b.Identifier.value == "" {
			s.st.identifier = nil
			parts = append(parts, "identifier=null")
			data["identifier"] = nil
		} else {
			id := b.Identifier.value
			s.st.identifier = &id
			parts = append(parts, fmt.Sprintf("identifier=%q", id))
			data["identifier"] = id
		}
	}
	if b.ScheduleRegisterCall != "" {
		parts = append(parts, "scheduleRegisterCall="+b.ScheduleRegisterCall)
		data["scheduleRegisterCall"] = b.ScheduleRegisterCall
	}
	s.record(fakes.ClassCapture, "platform", "integration.configure", describe(parts...), data)
	return struct{}{}, nil
}

// trackAnalytics accepts analytics and records nothing.
func (s *Server) trackAnalytics(rq *apiRequest) (any, *apiError) { return struct{}{}, nil }
