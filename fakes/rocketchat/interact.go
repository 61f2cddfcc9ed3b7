package rocketchat

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// responsePath is where response URLs live, shaped like the public
// endpoint of a Rocket.Chat app (RocketChat's Slack compatibility app
// serves its response URLs this way).
const responsePath = "/api/apps/public/chatsim-interactions/response/"

type interaction struct {
	url      string
	declared bool
}

type responseRec struct {
	msgID   string
	roomID  string
	userID  string
	expires time.Time
	uses    int
}

// SetInteractionURL sets where interaction payloads (block_actions) are
// posted. Once set this way, SetWebhookTarget no longer changes it.
func (s *Server) SetInteractionURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.interact = interaction{url: u, declared: u != ""}
}

// SetResponseURLTTL sets how long the response_url of the interactions
// that follow lives (default ResponseURLTTL). A response_url is expired
// from the moment its creation time plus ttl is reached, so 0 makes every
// new one expired at once: the fake's clock is virtual, and a bot's answer
// arrives at the instant of the click.
func (s *Server) SetResponseURLTTL(ttl time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.responseTTL = max(ttl, 0)
}

// InteractionURL returns where interaction payloads are posted.
func (s *Server) InteractionURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.interact.url
}

// Click clicks a button of message msgID as user (an id, username or
// email). button is the button's text, action id or value. It returns the
// interaction payload queued for delivery.
func (s *Server) Click(user, msgID, button string) (json.RawMessage, error) {
	return s.act(user, msgID, "click", "", button)
}

// Select picks option (its text or value) from a static_select or overflow
// menu of message msgID; actionID picks the menu when several hold it.
func (s *Server) Select(user, msgID, actionID, option string) (json.RawMessage, error) {
	return s.act(user, msgID, "select", actionID, option)
}

// PickDate picks date (YYYY-MM-DD) in a datepicker of message msgID;
// actionID picks the datepicker when there are several.
func (s *Server) PickDate(user, msgID, actionID, date string) (json.RawMessage, error) {
	if _, err := time.Parse(time.DateOnly, date); err != nil {
		return nil, fmt.Errorf("pick date %q: want YYYY-MM-DD: %w", date, ErrInvalid)
	}
	return s.act(user, msgID, "date", actionID, date)
}

func (s *Server) act(user, msgID, kind, actionID, pick string) (json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	u, err := s.findUserLocked(user)
	if err != nil {
		return nil, err
	}
	m := s.msgs[msgID]
	if m == nil || m.deleted {
		return nil, fmt.Errorf("message %q: %w", msgID, ErrUnknownMessage)
	}
	r := s.rooms[m.RoomID]
	if !s.isMemberLocked(r, u) {
		return nil, fmt.Errorf("%s in %s: %w", u.Username, s.labelLocked(r, ""), ErrNotMember)
	}
	action, desc, err := findAction(m, kind, actionID, pick)
	if err != nil {
		return nil, err
	}
	if s.interact.url == "" {
		return nil, fmt.Errorf("%s on message %s: no interaction URL is set (SetInteractionURL or SetWebhookTarget): %w", kind, msgID, ErrInvalid)
	}
	action["action_ts"] = actionTS(s.now())
	payload := s.payloadLocked(u, r, m, action)
	return s.queueInteractionLocked(payload, fmt.Sprintf("block_actions %s on msg=%s in %s from %s", desc, m.ID, s.labelLocked(r, ""), u.Username))
}

func actionTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + fmt.Sprintf("%06d", t.Nanosecond()/1000)
}

// findAction finds the element a user acts on and builds the action.
func findAction(m *Message, kind, actionID, pick string) (map[string]any, string, error) {
	for _, e := range elementsOf(m.Blocks) {
		typ, _ := e.el["type"].(string)
		aid := stringField(e.el, "actionId", "action_id")
		if actionID != "" && aid != actionID {
			continue
		}
		action := map[string]any{"type": typ, "block_id": e.blockID, "action_id": aid}
		if ph := textObject(e.el["placeholder"]); ph != nil {
			action["placeholder"] = ph
		}
		switch kind {
		case "click":
			if typ != "button" {
				continue
			}
			val, _ := e.el["value"].(string)
			text := textOf(e.el["text"])
			if pick != text && pick != aid && (val == "" || pick != val) {
				continue
			}
			if val != "" {
				action["value"] = val
			}
			action["text"] = textObject(e.el["text"])
			return action, "click [" + text + "] (action_id=" + aid + ")", nil
		case "select":
			if typ != "static_select" && typ != "overflow" {
				continue
			}
			for _, o := range optionsOf(e.el) {
				val, _ := o["value"].(string)
				if pick != textOf(o["text"]) && pick != val {
					continue
				}
				action["selected_option"] = map[string]any{"text": textObject(o["text"]), "value": val}
				return action, fmt.Sprintf("%s %q (action_id=%s)", typ, textOf(o["text"]), aid), nil
			}
		case "date":
			if typ != "datepicker" {
				continue
			}
			action["selected_date"] = pick
			if d := stringField(e.el, "initial_date", "initialDate"); d != "" {
				action["initial_date"] = d
			}
			return action, "datepicker " + pick + " (action_id=" + aid + ")", nil
		}
	}
	what := map[string]string{"click": "button", "select": "menu option", "date": "datepicker"}[kind]
	if actionID != "" {
		return nil, "", fmt.Errorf("message %s: %s %q with action_id %q: %w", m.ID, what, pick, actionID, ErrUnknownAction)
	}
	return nil, "", fmt.Errorf("message %s: %s %q: %w", m.ID, what, pick, ErrUnknownAction)
}

// slackMessage renders m for original_message: the REST form plus the
// Slack fields (text, user, type) and without reactions, whose shape
// differs from Slack's.
func slackMessage(m *Message) map[string]any {
	w := m.wire(false)
	delete(w, "reactions")
	w["text"] = m.Text
	w["user"] = m.User.ID
	w["type"] = "message"
	return w
}

// payloadLocked builds a block_actions payload. s.mu must be held.
func (s *Server) payloadLocked(u *User, r *Room, m *Message, action map[string]any) map[string]any {
	token := s.newTokenLocked()
	s.responses[token] = &responseRec{msgID: m.ID, roomID: r.ID, userID: u.ID, expires: s.now().Add(s.responseTTL)}
	if old, ok := s.respOrder.Add(token); ok && old != token {
		delete(s.responses, old)
	}
	name := r.Name
	if r.Type == "d" {
		name = strings.TrimPrefix(s.labelLocked(r, u.ID), "@")
	}
	orig := slackMessage(m)
	return map[string]any{
		"type":             "block_actions",
		"id":               s.newIDLocked(),
		"trigger_id":       s.newIDLocked(),
		"api_app_id":       "chatsim-interactions",
		"response_url":     s.URL() + responsePath + token,
		"user":             map[string]any{"id": u.ID, "username": u.Username, "name": u.Name, "roles": nonNil(u.Roles)},
		"channel":          map[string]any{"id": r.ID, "name": name, "type": r.Type},
		"container":        map[string]any{"type": "message", "message_ts": m.ID, "channel_id": r.ID, "is_ephemeral": false},
		"original_message": orig,
		"message":          orig,
		"actions":          []any{action},
	}
}

func (s *Server) queueInteractionLocked(payload map[string]any, text string) (json.RawMessage, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode interaction payload: %w", err)
	}
	body := []byte(url.Values{"payload": {string(raw)}}.Encode())
	roomID, _ := payload["channel"].(map[string]any)["id"].(string)
	s.queueLocked(&job{kind: "block_actions", url: s.interact.url, roomID: roomID, body: body, text: text, data: payload})
	return raw, nil
}

// runInteraction posts one interaction payload as a form with a payload
// field, as Slack does; the answer's body is not used (acknowledge with
// 200 and answer through response_url). Failures are not retried.
func (s *Server) runInteraction(ctx context.Context, j *job) {
	s.mu.Lock()
	client := s.cfg.client
	s.record(fakes.ClassDelivery, "deliver", j.text, map[string]any{"kind": j.kind, "payload": j.data})
	s.mu.Unlock()
	rep := fakes.Send(ctx, client, fakes.Outgoing{URL: j.url, Body: j.body, Timeout: s.cfg.deliverTimeout, Clock: s.cfg.clock,
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if ctx.Err() != nil {
		return
	}
	s.cfg.journal.Outcome(fakes.DeliveryOutcome("rocketchat", j.kind, rep))
	s.mu.Lock()
	defer s.mu.Unlock()
	d := Delivery{Kind: j.kind, URL: j.url, Attempt: 1, Status: rep.Status, Body: string(j.body), At: s.now()}
	if rep.Err != nil {
		d.Error = rep.Outcome()
	}
	s.deliveries.Add(d)
	if !rep.OK() {
		s.record(fakes.ClassDelivery, "deliver", "→ "+rep.Outcome()+" (not retried)", map[string]any{"kind": j.kind, "status": rep.Status, "outcome": rep.Outcome()})
	}
}

// serveResponseURL serves POST <responsePath><token>: the bot replaces or
// deletes the original message, or posts a new one. An unknown, expired
// or used-up token gets 400 with an empty body, as the app endpoint
// answers.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request, token string) {
	body, err := readBody(r)
	if err != nil || r.Method != http.MethodPost {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(why string) {
		s.record(fakes.ClassCall, "response_url", "→ 400 "+why, map[string]any{"status": 400, "error": why})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
	}
	rec := s.responses[token]
	switch {
	case rec == nil:
		fail("unknown response_url")
		return
	case !s.now().Before(rec.expires):
		fail("response_url expired")
		return
	}
	rec.uses++
	if rec.uses > ResponseURLUses {
		fail(fmt.Sprintf("response_url used up (%d uses)", ResponseURLUses))
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		if vs, err := url.ParseQuery(string(body)); err == nil && vs.Has("payload") {
			body = []byte(vs.Get("payload"))
		}
	}
	var p map[string]any
	if err := decodeJSON(body, &p); err != nil {
		fail("body is not a JSON object")
		return
	}
	bot := s.users[s.botID]
	m := s.msgs[rec.msgID]
	room := s.rooms[rec.roomID]
	replace, _ := boolParam(p, "replace_original")
	del, _ := boolParam(p, "delete_original")
	blocks, att := rawParam(p, "blocks"), rawParam(p, "attachments")
	if e := checkRich(Message{Blocks: blocks, Attachments: att}); e != nil {
		fail("invalid blocks or attachments")
		return
	}
	data := map[string]any{"status": 200, "message_id": rec.msgID, "body": json.RawMessage(body)}
	switch {
	case del && m != nil && !m.deleted:
		m.deleted = true
		s.streamDeleteLocked(m)
		s.record(fakes.ClassCall, "response_url", "delete msg="+m.ID, data)
	case replace && m != nil && !m.deleted:
		before := summarizeMessage(m)
		s.editLocked(m, bot, str(p, "text"), &blocks, &att)
		s.record(fakes.ClassCall, "response_url", "replace msg="+m.ID+" "+before+" → "+summarizeMessage(m), data)
	default:
		nm := s.postLocked(room, bot, Message{Text: str(p, "text"), Blocks: blocks, Attachments: att, ThreadID: str(p, "thread_ts")})
		s.record(fakes.ClassCall, "response_url", "new "+s.labelLocked(room, "")+" "+summarizeMessage(nm)+" msg="+nm.ID, data)
	}
	w.WriteHeader(http.StatusOK)
}
