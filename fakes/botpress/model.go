package botpress

import (
	"encoding/json"
	"maps"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
)

// The platform's objects, as stored. Tags are stored bare ("id", never
// "telegram:id"). seq orders objects created at the same virtual instant.

type user struct {
	seq                  int64
	id                   string
	createdAt, updatedAt time.Time
	name, pictureURL     string
	tags                 map[string]string
}

type conversation struct {
	seq                  int64
	id                   string
	createdAt, updatedAt time.Time
	channel, integration string
	tags                 map[string]string
	participants         []string // user ids, in the order they joined
}

type message struct {
	seq                  int64
	id                   string
	createdAt, updatedAt time.Time
	typ                  string
	payload              json.RawMessage
	direction            string // "incoming" or "outgoing"
	userID, convID       string
	tags                 map[string]string
	origin               string
	indexed              []string // its msgsByTag keys
}

type event struct {
	seq                       int64
	id                        string
	createdAt                 time.Time
	typ                       string
	payload                   json.RawMessage
	convID, userID, messageID string
	status                    string
}

type stateKey struct{ typ, id, name string }

type state struct {
	seq                  int64
	id                   string
	createdAt, updatedAt time.Time
	key                  stateKey
	payload              json.RawMessage
	expiry               time.Duration // 0: never expires
	expiresAt            time.Time
}

// JSON views, with exactly the fields the Runtime API's schemas allow
// (additionalProperties is false on every model).

type userJSON struct {
	ID         string            `json:"id"`
	CreatedAt  string            `json:"createdAt"`
	UpdatedAt  string            `json:"updatedAt"`
	Tags       map[string]string `json:"tags"`
	Name       string            `json:"name,omitempty"`
	PictureURL string            `json:"pictureUrl,omitempty"`
}

type conversationJSON struct {
	ID          string            `json:"id"`
	CreatedAt   string            `json:"createdAt"`
	UpdatedAt   string            `json:"updatedAt"`
	Channel     string            `json:"channel"`
	Integration string            `json:"integration"`
	Tags        map[string]string `json:"tags"`
}

type messageJSON struct {
	ID             string            `json:"id"`
	CreatedAt      string            `json:"createdAt"`
	UpdatedAt      string            `json:"updatedAt"`
	Type           string            `json:"type"`
	Payload        json.RawMessage   `json:"payload"`
	Direction      string            `json:"direction"`
	UserID         string            `json:"userId"`
	ConversationID string            `json:"conversationId"`
	Tags           map[string]string `json:"tags"`
	Origin         string            `json:"origin,omitempty"`
}

type eventJSON struct {
	ID             string          `json:"id"`
	CreatedAt      string          `json:"createdAt"`
	Type           string          `json:"type"`
	Payload        json.RawMessage `json:"payload"`
	ConversationID string          `json:"conversationId,omitempty"`
	UserID         string          `json:"userId,omitempty"`
	MessageID      string          `json:"messageId,omitempty"`
	Status         string          `json:"status"`
	FailureReason  *string         `json:"failureReason"`
}

type stateJSON struct {
	ID             string          `json:"id"`
	CreatedAt      string          `json:"createdAt"`
	UpdatedAt      string          `json:"updatedAt"`
	BotID          string          `json:"botId"`
	ConversationID string          `json:"conversationId,omitempty"`
	UserID         string          `json:"userId,omitempty"`
	Name           string          `json:"name"`
	Type           string          `json:"type"`
	Payload        json.RawMessage `json:"payload"`
}

func tagsOrEmpty(t map[string]string) map[string]string {
	if t == nil {
		return map[string]string{}
	}
	return maps.Clone(t)
}

func (u *user) json() userJSON {
	return userJSON{ID: u.id, CreatedAt: isoTime(u.createdAt), UpdatedAt: isoTime(u.updatedAt),
		Tags: tagsOrEmpty(u.tags), Name: u.name, PictureURL: u.pictureURL}
}

func (c *conversation) json() conversationJSON {
	return conversationJSON{ID: c.id, CreatedAt: isoTime(c.createdAt), UpdatedAt: isoTime(c.updatedAt),
		Channel: c.channel, Integration: c.integration, Tags: tagsOrEmpty(c.tags)}
}

func (m *message) json() messageJSON {
	return messageJSON{ID: m.id, CreatedAt: isoTime(m.createdAt), UpdatedAt: isoTime(m.updatedAt),
		Type: m.typ, Payload: m.payload, Direction: m.direction, UserID: m.userID,
		ConversationID: m.convID, Tags: tagsOrEmpty(m.tags), Origin: m.origin}
}

func (e *event) json() eventJSON {
	return eventJSON{ID: e.id, CreatedAt: isoTime(e.createdAt), Type: e.typ, Payload: e.payload,
		ConversationID: e.convID, UserID: e.userID, MessageID: e.messageID, Status: e.status}
}

func (st *state) json(botID string) stateJSON {
	j := stateJSON{ID: st.id, CreatedAt: isoTime(st.createdAt), UpdatedAt: isoTime(st.updatedAt),
		BotID: botID, Name: st.key.name, Type: st.key.typ, Payload: st.payload}
	switch st.key.typ {
	case "conversation":
		j.ConversationID = st.key.id
	case "user":
		j.UserID = st.key.id
	}
	if len(j.Payload) == 0 || string(j.Payload) == "null" {
		j.Payload = json.RawMessage(`{}`)
	}
	return j
}

// Capture views, the normalized types the contracts package validates.

func (u *user) capture() contracts.User {
	return contracts.User{ID: u.id, Name: u.name, PictureURL: u.pictureURL, Tags: tagsOrEmpty(u.tags)}
}

func (c *conversation) capture() contracts.Conversation {
	return contracts.Conversation{ID: c.id, Channel: c.channel, Tags: tagsOrEmpty(c.tags)}
}

func (m *message) capture(channel string) contracts.Message {
	return contracts.Message{ID: m.id, Channel: channel, Type: m.typ, Direction: m.direction,
		Payload: cloneRaw(m.payload), ConversationID: m.convID, UserID: m.userID, Tags: tagsOrEmpty(m.tags)}
}

func (e *event) capture() contracts.Event {
	return contracts.Event{ID: e.id, Type: e.typ, Payload: cloneRaw(e.payload),
		ConversationID: e.convID, UserID: e.userID, MessageID: e.messageID}
}

func (st *state) capture() contracts.StateChange {
	p := cloneRaw(st.payload)
	if len(p) == 0 {
		p = json.RawMessage(`null`)
	}
	return contracts.StateChange{Scope: st.key.typ, ID: st.key.id, Name: st.key.name, Payload: p}
}

func cloneRaw(r json.RawMessage) json.RawMessage {
	if r == nil {
		return nil
	}
	return append(json.RawMessage(nil), r...)
}

// store holds everything the platform knows. Guarded by Server.mu.
type store struct {
	seq int64

	users   []*user
	usersBy map[string]*user
	convs   []*conversation
	convsBy map[string]*conversation
	// history bounds msgs per conversation, events and actions (< 1: no
	// bound); msgsDropped counts the messages it let go of.
	history     int
	msgs        []*message
	msgsBy      map[string]*message
	msgsPerConv map[string]int
	msgsDropped int
	// msgsByTag indexes messages by conversation, tag key and value
	// (msgTagKey), for get-or-create. Postings are only added: a lookup
	// checks that a message still exists and still matches.
	msgsByTag map[string][]*message
	events    []*event
	eventsBy  map[string]*event
	states    []*state
	statesBy  map[stateKey]*state
	actions   fakes.History[contracts.ActionCall]

	identifier     *string               // set by configureIntegration
	violations     []contracts.Violation // the first MaxViolations
	violationCount int
}

func newStore(history int) *store {
	return &store{
		history:     history,
		msgsPerConv: map[string]int{},
		actions:     fakes.NewHistory[contracts.ActionCall](history),
		usersBy:     map[string]*user{},
		convsBy:     map[string]*conversation{},
		msgsBy:      map[string]*message{},
		msgsByTag:   map[string][]*message{},
		eventsBy:    map[string]*event{},
		statesBy:    map[stateKey]*state{},
	}
}

func (st *store) nextSeq() int64 {
	st.seq++
	return st.seq
}

// remove deletes the element for which match is true from a slice.
func remove[T any](s []T, match func(T) bool) []T {
	out := s[:0]
	for _, e := range s {
		if !match(e) {
			out = append(out, e)
		}
	}
	return out
}

// tagsMatch reports whether an existing object's tags match the tags a
// get-or-create asked for. With discriminateByTags, only the listed keys are
// compared (a key absent on one side matches only if absent on the other);
// without it, every given tag must be present with the same value.
func tagsMatch(existing, given map[string]string, discriminate []string) bool {
	if len(discriminate) > 0 {
		for _, k := range discriminate {
			ev, eok := existing[k]
			gv, gok := given[k]
			if eok != gok || ev != gv {
				return false
			}
		}
		return true
	}
	if len(given) == 0 {
		return false // nothing to identify an object by: always create
	}
	for k, v := range given {
		if ev, ok := existing[k]; !ok || ev != v {
			return false
		}
	}
	return true
}

// filterTags reports whether tags carry every key=value of filter.
func filterTags(tags, filter map[string]string) bool {
	for k, v := range filter {
		if tv, ok := tags[k]; !ok || tv != v {
			return false
		}
	}
	return true
}
