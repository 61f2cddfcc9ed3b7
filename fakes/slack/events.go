package slack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// DeliveryRecord is one attempt to deliver something to the app.
type DeliveryRecord struct {
	Kind    string    `json:"kind"`               // event_callback, block_actions, view_submission, slash_command, url_verification
	ID      string    `json:"id,omitempty"`       // event_id, envelope or trigger
	Via     string    `json:"via"`                // http or socket
	Attempt int       `json:"attempt"`            // 0 for the first, then X-Slack-Retry-Num
	Reason  string    `json:"reason,omitempty"`   // X-Slack-Retry-Reason of this attempt
	Status  int       `json:"status,omitempty"`   // HTTP status of the answer
	Error   string    `json:"error,omitempty"`    // timeout, connection refused, …
	NoRetry bool      `json:"no_retry,omitempty"` // the answer carried X-Slack-No-Retry: 1
	At      time.Time `json:"at"`                 // virtual time
}

// outgoing is one request queued for the app.
type outgoing struct {
	kind    string     // event_callback, block_actions, view_submission, slash_command, …
	socket  string     // events_api, interactive, slash_commands
	body    []byte     // the JSON payload
	fields  url.Values // slash commands: the form
	id      string
	text    string // journal text, raw ids
	retries bool   // Events API deliveries are retried
	// retryNum and retryReason make the first attempt a redelivery (a
	// replayed one): X-Slack-Retry-Num and X-Slack-Retry-Reason.
	retryNum    int
	retryReason string
	dup         bool
	// answer handles the app's 2xx answer (a body, or a Socket Mode ack's
	// payload); called without s.mu.
	answer func(ctype string, body []byte)
	ticket *fakes.Ticket // its place in the World's line for the Turn
}

// httpBody is what goes on the wire over HTTP.
func (q *outgoing) httpBody() (body []byte, ctype string) {
	switch q.socket {
	case "interactive":
		return []byte("payload=" + url.QueryEscape(string(q.body))), "application/x-www-form-urlencoded"
	case "slash_commands":
		return []byte(q.fields.Encode()), "application/x-www-form-urlencoded"
	}
	return q.body, "application/json"
}

// socketPayload is the envelope payload for Socket Mode.
func (q *outgoing) socketPayload() json.RawMessage {
	if q.socket == "slash_commands" {
		m := map[string]string{}
		for k, v := range q.fields {
			m[k] = v[0]
		}
		b, _ := json.Marshal(m)
		return b
	}
	return q.body
}

// pushLocked queues q for the delivery worker. s.mu must be held.
func (s *Server) pushLocked(q *outgoing) {
	q.ticket = s.cfg.activity.Queue("slack deliver " + q.kind + " " + q.id)
	q.ticket.Ready() // the worker sends the queue in order
	s.st.queue = append(s.st.queue, q)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// deliverLoop delivers queued requests one at a time, in order.
func (s *Server) deliverLoop() {
	defer close(s.workerDone)
	ctx := s.life
	for {
		s.mu.Lock()
		var q *outgoing
		if len(s.st.queue) > 0 {
			q = s.st.queue[0]
			s.st.queue = s.st.queue[1:]
		}
		s.mu.Unlock()
		if q == nil {
			select {
			case <-s.wake:
				continue
			case <-s.life.Done():
				return
			}
		}
		release, err := q.ticket.Turn(ctx)
		if err != nil { // closing
			q.ticket.End()
			continue
		}
		s.deliver(ctx, q)
		release()
		q.ticket.End()
	}
}

// signedHeader returns the headers Slack puts on every request it sends:
// X-Slack-Request-Timestamp and the v0 X-Slack-Signature over body.
func (s *Server) signedHeader(body []byte, ctype string) http.Header {
	h := http.Header{}
	h.Set("Content-Type", ctype)
	h.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	s.mu.Lock()
	fault := s.st.signFault
	if fault != "" && s.st.signFaultTimes > 0 {
		s.st.signFaultTimes--
		if s.st.signFaultTimes == 0 {
			s.st.signFault = ""
		}
	}
	s.mu.Unlock()
	ts := s.cfg.signClock.Now().Unix()
	secret := s.cfg.ws.App.SigningSecret
	switch fault {
	case SignStale:
		ts -= 10 * 60
	case SignBad:
		secret += "-wrong"
	}
	stamp := strconv.FormatInt(ts, 10)
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", Sign(secret, stamp, body))
	return h
}

// Sign returns Slack's v0 signature of body sent at timestamp (unix seconds)
// under secret: "v0=" + hex HMAC-SHA256 of "v0:{timestamp}:{body}".
func Sign(secret, timestamp string, body []byte) string {
	return "v0=" + fakes.HMACSHA256Hex([]byte(secret), append([]byte("v0:"+timestamp+":"), body...))
}

// Signing faults for SetSigningFault.
const (
	// SignStale signs with a timestamp ten minutes old.
	SignStale = "stale"
	// SignBad signs with the wrong secret.
	SignBad = "bad"
)

// SetSigningFault makes the next times deliveries signed badly: SignStale
// or SignBad ("" clears it; times < 1 means 1).
func (s *Server) SetSigningFault(fault string, times int) error {
	if fault != "" && fault != SignStale && fault != SignBad {
		return fmt.Errorf("set signing fault %q: want %q, %q or \"\": %w", fault, SignStale, SignBad, ErrInvalid)
	}
	if times < 1 {
		times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.signFault, s.st.signFaultTimes = fault, times
	return nil
}

// DuplicateDeliveries makes the next n Events API deliveries arrive twice
// (same event_id), as Slack sometimes does.
func (s *Server) DuplicateDeliveries(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.duplicates = max(n, 0)
}

// Deliveries returns the delivery attempts so far, in order: the last ones
// (WithHistory).
func (s *Server) Deliveries() []DeliveryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.deliveries.All()
}

func (s *Server) journal(text string, data any) {
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "deliver", Text: text, Data: data, Class: fakes.ClassDelivery})
}

func (s *Server) target(q *outgoing) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch q.socket {
	case "interactive":
		return s.st.interactURL
	case "slash_commands":
		return s.st.commandURL
	}
	return s.st.requestURL
}

// retryReason names a failed attempt as X-Slack-Retry-Reason does.
func retryReason(r fakes.Reply) string {
	switch {
	case r.TimedOut():
		return "http_timeout"
	case r.Err != nil:
		return "connection_failed"
	case r.Status >= 300 && r.Status < 400:
		return "too_many_redirects"
	}
	return "http_error"
}

// deliver sends q over Socket Mode when a connection is open, else over
// HTTP to its URL, retrying Events API deliveries on Slack's schedule.
func (s *Server) deliver(ctx context.Context, q *outgoing) {
	if s.hasSocket() {
		s.deliverSocket(ctx, q)
		return
	}
	target := s.target(q)
	if target == "" {
		s.journal(q.text+" → not delivered: no URL set for "+q.socket, map[string]any{"kind": q.kind, "id": q.id})
		s.cfg.journal.Outcome(fakes.Outcome{Kind: fakes.Undelivered, Source: "slack", What: q.kind + " " + q.id, Detail: "no URL set for " + q.socket})
		s.mu.Lock()
		s.st.deliveries.Add(DeliveryRecord{Kind: q.kind, ID: q.id, Via: "http", Error: "no url", At: s.now()})
		s.mu.Unlock()
		return
	}
	body, ctype := q.httpBody()
	reason := q.retryReason
	sends := 1
	s.mu.Lock()
	if q.retries && s.st.duplicates > 0 {
		s.st.duplicates--
		sends = 2
	}
	s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		num := attempt + q.retryNum // X-Slack-Retry-Num of this attempt
		if attempt > 0 {
			if err := s.cfg.clock.Sleep(ctx, s.cfg.schedule[num-1]); err != nil {
				return
			}
		}
		text := q.text
		if num > 0 {
			text += fmt.Sprintf(" (retry %d, %s)", num, reason)
		}
		s.journal(text, map[string]any{"kind": q.kind, "id": q.id, "attempt": num, "reason": reason})
		h := s.signedHeader(body, ctype)
		if num > 0 {
			h.Set("X-Slack-Retry-Num", strconv.Itoa(num))
			h.Set("X-Slack-Retry-Reason", reason)
		}
		reply := fakes.Send(ctx, s.cfg.client, fakes.Outgoing{URL: target, Header: h, Body: body, Timeout: s.cfg.ackTimeout, Clock: s.cfg.clock})
		if ctx.Err() != nil {
			return
		}
		noRetry := reply.Header.Get("X-Slack-No-Retry") == "1"
		rec := DeliveryRecord{Kind: q.kind, ID: q.id, Via: "http", Attempt: num, Reason: reason, Status: reply.Status, NoRetry: noRetry, At: s.now()}
		if reply.Err != nil {
			rec.Error = reply.Outcome()
		}
		s.mu.Lock()
		s.st.deliveries.Add(rec)
		s.mu.Unlock()
		if reply.OK() {
			s.cfg.journal.Outcome(fakes.DeliveryOutcome("slack", q.kind+" "+q.id, reply))
			if q.answer != nil {
				q.answer(reply.Header.Get("Content-Type"), reply.Body)
			}
			if sends > 1 {
				sends--
				s.journal(q.text+" (duplicate)", map[string]any{"kind": q.kind, "id": q.id, "duplicate": true})
				h := s.signedHeader(body, ctype)
				dup := fakes.Send(ctx, s.cfg.client, fakes.Outgoing{URL: target, Header: h, Body: body, Timeout: s.cfg.ackTimeout, Clock: s.cfg.clock})
				s.mu.Lock()
				s.st.deliveries.Add(DeliveryRecord{Kind: q.kind, ID: q.id, Via: "http", Status: dup.Status, At: s.now()})
				s.mu.Unlock()
			}
			return
		}
		reason = retryReason(reply)
		if !q.retries || noRetry || num >= len(s.cfg.schedule) {
			s.cfg.journal.Outcome(fakes.DeliveryOutcome("slack", q.kind+" "+q.id, reply))
		}
		switch {
		case !q.retries:
			s.journal(fmt.Sprintf("%s → %s", q.id, reply.Outcome()), map[string]any{"kind": q.kind, "id": q.id, "status": reply.Status, "error": reply.Outcome()})
			return
		case noRetry:
			s.journal(fmt.Sprintf("%s → %s (X-Slack-No-Retry: not retried)", q.id, reply.Outcome()), map[string]any{"kind": q.kind, "id": q.id, "attempt": num, "status": reply.Status, "error": reply.Outcome()})
			return
		case num >= len(s.cfg.schedule):
			s.journal(fmt.Sprintf("%s → %s (dropped after %d attempts)", q.id, reply.Outcome(), num+1), map[string]any{"kind": q.kind, "id": q.id, "attempt": num, "status": reply.Status, "error": reply.Outcome()})
			return
		}
		s.journal(fmt.Sprintf("%s → %s (retrying in %s)", q.id, reply.Outcome(), fmtPause(s.cfg.schedule[num])),
			map[string]any{"kind": q.kind, "id": q.id, "attempt": num, "status": reply.Status, "error": reply.Outcome()})
	}
}

func fmtPause(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return d.String()
}

// --- Events API ---

// eventID returns a fresh event id, "Ev" and ten uppercase letters/digits.
func (st *state) eventID() string {
	n := st.nextSeq("Ev")
	return "Ev" + fmt.Sprintf("%010s", strings.ToUpper(strconv.FormatInt(n, 36)))
}

// envelope wraps an inner event as Slack's event_callback.
func (s *Server) envelope(ev map[string]any, id string, at int64, channel string) map[string]any {
	ws := s.st.ws
	typ, _ := ev["type"].(string)
	ctxJSON, _ := json.Marshal(map[string]string{"et": typ, "tid": ws.Team.ID, "aid": ws.App.ID, "cid": channel})
	return map[string]any{
		"token": ws.App.VerificationToken, "team_id": ws.Team.ID, "context_team_id": ws.Team.ID,
		"context_enterprise_id": nil, "api_app_id": ws.App.ID, "event": ev, "type": "event_callback",
		"event_id": id, "event_time": at,
		"authorizations": []map[string]any{{"enterprise_id": nil, "team_id": ws.Team.ID, "user_id": ws.App.BotUserID,
			"is_bot": true, "is_enterprise_install": false}},
		"is_ext_shared_channel": false,
		"event_context":         "4-" + base64.RawURLEncoding.EncodeToString(ctxJSON),
	}
}

// enqueueEventLocked wraps ev in an envelope and queues it, unless it is
// the bot's own doing and own events are off. s.mu must be held.
func (s *Server) enqueueEventLocked(ev map[string]any, actor, channel string) {
	if actor == s.st.botID() && !s.cfg.ownEvents {
		return
	}
	if s.st.requestURL == "" && !s.st.socketMode {
		return // no Request URL and no Socket Mode: no subscription, as in Slack
	}
	id := s.st.eventID()
	env := s.envelope(ev, id, s.now().Unix(), channel)
	body, _ := json.Marshal(env)
	s.rememberLocked(id, ev, body)
	s.pushLocked(&outgoing{kind: "event_callback", socket: "events_api", body: body, id: id, retries: true,
		text: "event_callback " + id + " " + describeEventIDs(ev)})
}

// SentEvent is an Events API event the fake sent the app.
type SentEvent struct {
	ID      string `json:"event_id"`
	Type    string `json:"type"`
	Subtype string `json:"subtype,omitempty"`
	User    string `json:"user,omitempty"`
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	Text    string `json:"text,omitempty"`
	// Retries counts the redeliveries Redeliver made.
	Retries int `json:"retries,omitempty"`
	body    []byte
}

// rememberLocked keeps an event for Events and Redeliver.
func (s *Server) rememberLocked(id string, ev map[string]any, body []byte) {
	str := func(k string) string { v, _ := ev[k].(string); return v }
	e := SentEvent{ID: id, Type: str("type"), Subtype: str("subtype"), User: str("user"), Channel: str("channel"), TS: str("ts"), Text: str("text"), body: body}
	if item, ok := ev["item"].(map[string]any); ok && e.Channel == "" {
		e.Channel, _ = item["channel"].(string)
		e.TS, _ = item["ts"].(string)
	}
	s.st.sent.Add(&e)
}

// Events returns the Events API events sent so far, in order (each once,
// however often it was delivered): the last ones (WithHistory).
func (s *Server) Events() []SentEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SentEvent, 0, s.st.sent.Len())
	s.st.sent.Each(func(e *SentEvent) bool {
		out = append(out, *e)
		return true
	})
	return out
}

// Redeliver delivers an event sent earlier (by its event_id) again, as
// Slack does when it took the first delivery's answer for lost: the same
// body, re-signed, with X-Slack-Retry-Num one more than the last time and
// X-Slack-Retry-Reason (http_timeout when reason is ""). It returns the
// delivery's title.
func (s *Server) Redeliver(id, reason string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var e *SentEvent
	s.st.sent.Each(func(x *SentEvent) bool {
		if x.ID == id {
			e = x
		}
		return true
	})
	if e == nil {
		return "", fmt.Errorf("redeliver event %q: %w", id, ErrUnknownMessage)
	}
	if reason == "" {
		reason = "http_timeout"
	}
	e.Retries++
	var env struct {
		Event map[string]any `json:"event"`
	}
	_ = json.Unmarshal(e.body, &env)
	s.pushLocked(&outgoing{kind: "event_callback", socket: "events_api", body: e.body, id: e.ID, retries: true,
		retryNum: e.Retries, retryReason: reason, text: "event_callback " + e.ID + " " + describeEventIDs(env.Event)})
	return fmt.Sprintf("event_callback %s again (retry %d, %s)", e.ID, e.Retries, reason), nil
}

var mentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(\|[^>]*)?>`)

// richText builds the rich_text block a Slack client attaches to a typed
// message, with user mentions as user elements.
func richText(text string) json.RawMessage {
	var els []map[string]any
	rest := text
	for {
		loc := mentionRE.FindStringSubmatchIndex(rest)
		if loc == nil {
			break
		}
		if loc[0] > 0 {
			els = append(els, map[string]any{"type": "text", "text": rest[:loc[0]]})
		}
		els = append(els, map[string]any{"type": "user", "user_id": rest[loc[2]:loc[3]]})
		rest = rest[loc[1]:]
	}
	if rest != "" {
		els = append(els, map[string]any{"type": "text", "text": rest})
	}
	b, _ := json.Marshal([]map[string]any{{"type": "rich_text", "block_id": blockID([]byte(text), 0),
		"elements": []map[string]any{{"type": "rich_text_section", "elements": els}}}})
	return b
}

// messageEvent renders m as the inner message event.
func (s *Server) messageEvent(ch *channelState, m *Message) map[string]any {
	ev := s.st.messageJSON(m)
	delete(ev, "reply_count")
	delete(ev, "reply_users")
	delete(ev, "reply_users_count")
	delete(ev, "latest_reply")
	delete(ev, "is_locked")
	delete(ev, "subscribed")
	delete(ev, "reactions")
	if m.ThreadTS == m.TS {
		delete(ev, "thread_ts")
	}
	ev["channel"] = ch.ID
	ev["event_ts"] = m.TS
	ev["channel_type"] = ch.kind()
	return ev
}

// mentions reports whether text mentions user id.
func mentions(text, id string) bool {
	for _, sm := range mentionRE.FindAllStringSubmatch(text, -1) {
		if sm[1] == id {
			return true
		}
	}
	return false
}

// emitMessageLocked sends the events a new message causes: message (when
// the bot is in the conversation) and app_mention (when a user mentions
// the bot in a channel).
func (s *Server) emitMessageLocked(ch *channelState, m *Message, actor string) {
	bot := s.st.botID()
	if !ch.isMember(bot) || (s.st.requestURL == "" && !s.st.socketMode) || (actor == bot && !s.cfg.ownEvents) {
		return
	}
	s.enqueueEventLocked(s.messageEvent(ch, m), actor, ch.ID)
	if actor != bot && ch.IM == "" && (m.Subtype == "" || m.Subtype == "thread_broadcast") && mentions(m.Text, bot) {
		ev := map[string]any{"type": "app_mention", "user": m.User, "text": m.Text, "ts": m.TS, "team": s.st.ws.Team.ID,
			"channel": ch.ID, "event_ts": m.TS}
		if m.ClientMsgID != "" {
			ev["client_msg_id"] = m.ClientMsgID
		}
		if len(m.Blocks) > 0 {
			ev["blocks"] = m.Blocks
		}
		if m.ThreadTS != "" && m.ThreadTS != m.TS {
			ev["thread_ts"] = m.ThreadTS
		}
		if m.BotID != "" {
			ev["bot_id"] = m.BotID
		}
		s.enqueueEventLocked(ev, actor, ch.ID)
	}
}

// emitChangedLocked sends message_changed.
func (s *Server) emitChangedLocked(ch *channelState, prev, m *Message, actor string) {
	if prev.Text != m.Text {
		m.Edits = append(append([]string(nil), prev.Edits...), prev.Text)
	}
	if !ch.isMember(s.st.botID()) {
		return
	}
	now := s.st.newTS()
	inner := s.st.messageJSON(m)
	prevJSON := s.st.messageJSON(prev)
	ev := map[string]any{"type": "message", "subtype": "message_changed", "hidden": true, "message": inner,
		"previous_message": prevJSON, "channel": ch.ID, "ts": now, "event_ts": now, "channel_type": ch.kind()}
	s.enqueueEventLocked(ev, actor, ch.ID)
}

// emitDeletedLocked sends message_deleted.
func (s *Server) emitDeletedLocked(ch *channelState, prev *Message, actor string) {
	if !ch.isMember(s.st.botID()) {
		return
	}
	now := s.st.newTS()
	ev := map[string]any{"type": "message", "subtype": "message_deleted", "hidden": true, "deleted_ts": prev.TS,
		"previous_message": s.st.messageJSON(prev), "channel": ch.ID, "ts": now, "event_ts": now, "channel_type": ch.kind()}
	if prev.ThreadTS != "" && prev.ThreadTS != prev.TS {
		ev["thread_ts"] = prev.ThreadTS
	}
	s.enqueueEventLocked(ev, actor, ch.ID)
}

// emitReactionLocked sends reaction_added or reaction_removed.
func (s *Server) emitReactionLocked(ch *channelState, m *Message, user, name string, add bool) {
	if !ch.isMember(s.st.botID()) {
		return
	}
	typ := "reaction_added"
	if !add {
		typ = "reaction_removed"
	}
	ev := map[string]any{"type": typ, "user": user, "reaction": name,
		"item": map[string]any{"type": "message", "channel": ch.ID, "ts": m.TS}, "event_ts": s.st.newTS()}
	if m.User != "" {
		ev["item_user"] = m.User
	}
	s.enqueueEventLocked(ev, user, ch.ID)
}

// emitMemberLocked sends member_joined_channel or member_left_channel.
func (s *Server) emitMemberLocked(ch *channelState, user, inviter string, joined bool) {
	if !ch.isMember(s.st.botID()) {
		return
	}
	typ := "member_joined_channel"
	if !joined {
		typ = "member_left_channel"
	}
	ct := "C"
	if ch.Private || ch.MPIM {
		ct = "G"
	}
	ev := map[string]any{"type": typ, "user": user, "channel": ch.ID, "channel_type": ct, "team": s.st.ws.Team.ID,
		"event_ts": s.st.newTS()}
	if joined && inviter != "" {
		ev["inviter"] = inviter
	}
	s.enqueueEventLocked(ev, user, ch.ID)
}

// emitChannelCreatedLocked sends channel_created for a public channel.
func (s *Server) emitChannelCreatedLocked(ch *channelState) {
	if ch.Private || ch.MPIM || ch.IM != "" {
		return
	}
	ev := map[string]any{"type": "channel_created", "channel": map[string]any{"id": ch.ID, "is_channel": true, "name": ch.Name,
		"name_normalized": ch.Name, "created": ch.created, "creator": ch.Creator, "is_shared": false, "is_org_shared": false,
		"context_team_id": s.st.ws.Team.ID, "is_archived": false, "is_private": false}, "event_ts": s.st.newTS()}
	s.enqueueEventLocked(ev, ch.Creator, ch.ID)
}

// describeEventIDs renders an inner event with raw ids for the journal:
// `message channel=C… user=U… "hi"`.
func describeEventIDs(ev map[string]any) string {
	str := func(k string) string { v, _ := ev[k].(string); return v }
	typ := str("type")
	parts := []string{typ}
	if st := str("subtype"); st != "" {
		parts[0] += "/" + st
	}
	if ch := str("channel"); ch != "" {
		parts = append(parts, "channel="+ch)
	}
	if c, ok := ev["channel"].(map[string]any); ok {
		id, _ := c["id"].(string)
		name, _ := c["name"].(string)
		parts = append(parts, "channel="+id, "#"+name)
	}
	if u := str("user"); u != "" {
		parts = append(parts, "user="+u)
	} else if b := str("bot_id"); b != "" {
		parts = append(parts, "bot="+b)
	}
	if t := str("thread_ts"); t != "" {
		parts = append(parts, "thread="+t)
	}
	if item, ok := ev["item"].(map[string]any); ok {
		ch, _ := item["channel"].(string)
		ts, _ := item["ts"].(string)
		parts = append(parts, "channel="+ch, "ts="+ts, ":"+str("reaction")+":")
	}
	switch str("subtype") {
	case "message_changed":
		if m, ok := ev["message"].(map[string]any); ok {
			ts, _ := m["ts"].(string)
			t, _ := m["text"].(string)
			parts = append(parts, "ts="+ts, strconv.Quote(t))
		}
	case "message_deleted":
		parts = append(parts, "ts="+str("deleted_ts"))
	default:
		if t := str("text"); t != "" {
			parts = append(parts, strconv.Quote(t))
		}
	}
	return strings.Join(parts, " ")
}

// --- Request URL verification ---

// SetRequestURL sets the Events API Request URL the way Slack's settings
// page does: it sends url_verification first and refuses the URL (leaving
// the old one) with ErrRefused unless the challenge comes back within the
// ack deadline.
func (s *Server) SetRequestURL(ctx context.Context, target string) error {
	if target == "" {
		s.mu.Lock()
		s.st.requestURL = ""
		s.mu.Unlock()
		return nil
	}
	end := s.cfg.activity.Begin("slack url_verification")
	defer end()
	s.mu.Lock()
	challenge := fmt.Sprintf("chatsim%08d", s.st.nextSeq("challenge"))
	s.mu.Unlock()
	body, _ := json.Marshal(map[string]string{"token": s.cfg.ws.App.VerificationToken, "challenge": challenge, "type": "url_verification"})
	s.journal("url_verification "+target, map[string]any{"kind": "url_verification", "url": target})
	reply := fakes.Send(ctx, s.cfg.client, fakes.Outgoing{URL: target, Header: s.signedHeader(body, "application/json"), Body: body, Timeout: s.cfg.ackTimeout, Clock: s.cfg.clock})
	s.mu.Lock()
	rec := DeliveryRecord{Kind: "url_verification", Via: "http", Status: reply.Status, At: s.now()}
	if reply.Err != nil {
		rec.Error = reply.Outcome()
	}
	s.st.deliveries.Add(rec)
	s.mu.Unlock()
	if !reply.OK() {
		s.journal("url_verification → "+reply.Outcome()+" (Request URL refused)", nil)
		return fmt.Errorf("set request url %s: %w: answered %s", target, ErrRefused, reply.Outcome())
	}
	if got := echoedChallenge(reply); got != challenge {
		s.journal("url_verification → challenge not echoed (Request URL refused)", nil)
		return fmt.Errorf("set request url %s: %w: the answer did not echo the challenge", target, ErrRefused)
	}
	s.journal("url_verification → verified", nil)
	s.mu.Lock()
	s.st.requestURL = target
	s.mu.Unlock()
	return nil
}

// echoedChallenge reads the challenge an app answered with: plain text, a
// challenge= form or {"challenge": …} JSON.
func echoedChallenge(r fakes.Reply) string {
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := strings.TrimSpace(string(r.Body))
	switch ctype {
	case "application/json":
		var v struct {
			Challenge string `json:"challenge"`
		}
		if json.Unmarshal(r.Body, &v) == nil {
			return v.Challenge
		}
	case "application/x-www-form-urlencoded":
		if vals, err := url.ParseQuery(body); err == nil {
			return vals.Get("challenge")
		}
	}
	if strings.HasPrefix(body, "{") {
		var v struct {
			Challenge string `json:"challenge"`
		}
		if json.Unmarshal(r.Body, &v) == nil {
			return v.Challenge
		}
	}
	return body
}

// SetInteractivityURL sets where block_actions and view_submission go.
func (s *Server) SetInteractivityURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.interactURL = u
}

// SetCommandURL sets where slash commands go.
func (s *Server) SetCommandURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.commandURL = u
}
