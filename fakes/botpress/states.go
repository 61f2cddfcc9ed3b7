package botpress

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// stateType reports whether t is a state scope of the spec's {type} path
// parameter.
func stateType(t string) bool {
	switch t {
	case "conversation", "user", "bot", "integration", "task", "workflow":
		return true
	}
	return false
}

type stateResponse struct {
	State stateJSON `json:"state"`
}

type stateCachedResponse struct {
	State stateJSON   `json:"state"`
	Meta  stateCached `json:"meta"`
}

type stateCached struct {
	Cached bool `json:"cached"`
}

// optExpiry is the nullable expiry of a state, in milliseconds.
type optExpiry struct {
	set bool
	ms  float64 // 0 with set: null, no expiry
}

// UnmarshalJSON reads a number or null.
func (o *optExpiry) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		return nil
	}
	return json.Unmarshal(b, &o.ms)
}

func (o optExpiry) duration() time.Duration { return time.Duration(o.ms * float64(time.Millisecond)) }

func (st *state) expired(now time.Time) bool {
	return st.expiry > 0 && !now.Before(st.expiresAt)
}

// touch records a write: the state's idle expiry starts again.
func (st *state) touch(now time.Time) {
	st.updatedAt = now
	if st.expiry > 0 {
		st.expiresAt = now.Add(st.expiry)
	}
}

// liveState returns the state if it is set and not expired; an expired
// state is dropped. Callers hold s.mu.
func (s *Server) liveState(k stateKey) *state {
	st := s.st.statesBy[k]
	if st == nil {
		return nil
	}
	if st.expired(s.clock.Now()) {
		s.dropState(st)
		return nil
	}
	return st
}

func (s *Server) dropState(st *state) {
	delete(s.st.statesBy, st.key)
	s.st.states = remove(s.st.states, func(x *state) bool { return x == st })
}

// stateKeyOf reads {type}/{id}/{name} and checks that the owner exists.
// Callers hold s.mu.
func (s *Server) stateKeyOf(rq *apiRequest) (stateKey, *apiError) {
	k := stateKey{rq.r.PathValue("type"), rq.r.PathValue("id"), rq.r.PathValue("name")}
	if !stateType(k.typ) {
		return k, invalidPayload("State type %q is not one of conversation, user, bot, integration, task, workflow", k.typ)
	}
	switch k.typ {
	case "conversation":
		if _, e := s.conversationByID(k.id); e != nil {
			return k, e
		}
	case "user":
		if _, e := s.userByID(k.id); e != nil {
			return k, e
		}
	case "bot":
		if k.id != s.botID {
			return k, notFound("Bot %q not found", k.id)
		}
	case "integration":
		if k.id != s.integrationID {
			return k, notFound("Integration %q not found", k.id)
		}
	default:
		return k, notFound("%s %q not found", k.typ, k.id)
	}
	return k, nil
}

// stateLine renders a state write: conversation conv_… "order" {…}.
func stateLine(st *state, payload json.RawMessage) string {
	p := "null (deleted)"
	if payload != nil {
		p = fakes.CanonicalJSON(payload)
	}
	return describe(fmt.Sprintf("%s %s %q %s", st.key.typ, st.key.id, st.key.name, p), fmtExpiry(st.expiry))
}

// writeState sets (payload non-nil) or deletes (nil) a state and journals it
// under source ("platform" for the integration's calls, which are checked
// against the definition; "bot" for the scripted bot's). Callers hold s.mu.
func (s *Server) writeState(kind, source string, k stateKey, payload json.RawMessage, exp optExpiry) *state {
	now := s.clock.Now()
	st := s.liveState(k)
	if payload == nil {
		if st == nil {
			st = &state{id: s.ids.next(PrefixState), createdAt: now, key: k}
		} else {
			s.dropState(st)
		}
		st.updatedAt = now
		st.payload = nil
		s.record(captureClass(source), source, kind, stateLine(st, nil), st.capture())
		if source == "platform" {
			s.checkState(kind, st)
		}
		return st
	}
	if st == nil {
		st = &state{seq: s.st.nextSeq(), id: s.ids.next(PrefixState), createdAt: now, key: k}
		s.st.states = append(s.st.states, st)
		s.st.statesBy[k] = st
	}
	st.payload = compactJSON(payload)
	if exp.set {
		st.expiry = exp.duration()
	}
	st.touch(now)
	s.record(captureClass(source), source, kind, stateLine(st, st.payload), st.capture())
	if source == "platform" { // the scripted bot's own states are not the integration's
		s.checkState(kind, st)
	}
	return st
}

func (s *Server) getState(rq *apiRequest) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.stateKeyOf(rq)
	if e != nil {
		return nil, e
	}
	st := s.liveState(k)
	if st == nil {
		return nil, notFound("State %q of %s %s not found", k.name, k.typ, k.id)
	}
	return stateCachedResponse{st.json(s.botID), stateCached{false}}, nil
}

func (s *Server) setState(rq *apiRequest) (any, *apiError) {
	var b struct {
		Payload json.RawMessage `json:"payload"`
		Expiry  optExpiry       `json:"expiry"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	if string(b.Payload) == "null" {
		b.Payload = nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.stateKeyOf(rq)
	if e != nil {
		return nil, e
	}
	st := s.writeState("state.set", "platform", k, b.Payload, b.Expiry)
	return stateResponse{st.json(s.botID)}, nil
}

func (s *Server) getOrSetState(rq *apiRequest) (any, *apiError) {
	var b struct {
		Payload json.RawMessage `json:"payload"`
		Expiry  optExpiry       `json:"expiry"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.stateKeyOf(rq)
	if e != nil {
		return nil, e
	}
	st := s.liveState(k)
	if st == nil {
		st = s.writeState("state.get-or-set", "platform", k, b.Payload, b.Expiry)
	}
	return stateCachedResponse{st.json(s.botID), stateCached{false}}, nil
}

// patchState merges the payload's top-level keys into the state's.
func (s *Server) patchState(rq *apiRequest) (any, *apiError) {
	var b struct {
		Payload map[string]json.RawMessage `json:"payload"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.stateKeyOf(rq)
	if e != nil {
		return nil, e
	}
	st := s.liveState(k)
	if st == nil {
		return nil, notFound("State %q of %s %s not found", k.name, k.typ, k.id)
	}
	cur := map[string]json.RawMessage{}
	if err := json.Unmarshal(st.payload, &cur); err != nil || cur == nil {
		cur = map[string]json.RawMessage{}
	}
	maps.Copy(cur, b.Payload)
	merged, err := json.Marshal(cur)
	if err != nil {
		return nil, newAPIError("Internal", "Could not merge the state payload: %v", err)
	}
	st = s.writeState("state.patch", "platform", k, merged, optExpiry{})
	return stateResponse{st.json(s.botID)}, nil
}

func (s *Server) setStateExpiry(rq *apiRequest) (any, *apiError) {
	var b struct {
		Expiry optExpiry `json:"expiry"`
	}
	if e := rq.decode(&b); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, e := s.stateKeyOf(rq)
	if e != nil {
		return nil, e
	}
	st := s.liveState(k)
	if st == nil {
		return nil, notFound("State %q of %s %s not found", k.name, k.typ, k.id)
	}
	st.expiry = b.Expiry.duration()
	st.touch(s.clock.Now())
	exp := fmtExpiry(st.expiry)
	if exp == "" {
		exp = "expiry=none"
	}
	s.record(fakes.ClassCapture, "platform", "state.expiry", describe(fmt.Sprintf("%s %s %q", k.typ, k.id, k.name), exp), st.capture())
	return stateResponse{st.json(s.botID)}, nil
}
