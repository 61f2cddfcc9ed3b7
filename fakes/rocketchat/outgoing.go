package rocketchat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Outgoing is an outgoing webhook integration: on its event in its
// channels it POSTs JSON to its URLs, and a reply in the answer is posted
// into the room.
type Outgoing struct {
	ID      string `json:"_id"`
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	// Event is "sendMessage" (a message is posted, or edited when
	// RunOnEdits), "roomJoined" or "roomLeft" (someone joins or leaves a
	// channel or group).
	Event string   `json:"event"`
	URLs  []string `json:"urls"`
	// Channels says where it listens: "all_public_channels",
	// "all_private_groups", "all_direct_messages", "#name" or "#id",
	// "@username" (DMs with that user). Empty means all public channels.
	Channels            []string `json:"channel"`
	TriggerWords        []string `json:"triggerWords,omitempty"`
	TriggerWordAnywhere bool     `json:"triggerWordAnywhere,omitempty"`
	RunOnEdits          bool     `json:"runOnEdits,omitempty"`
	Token               string   `json:"token"`
	// Username is the account replies are posted as (the bot by default);
	// its own messages are never sent to the integration.
	Username string `json:"username"`
	Alias    string `json:"alias,omitempty"`
	Emoji    string `json:"emoji,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
	// RetryFailedCalls retries a failed call RetryCount times, waiting as
	// RetryDelay says: "powers-of-ten" (0.1 s, 1 s, 10 s…),
	// "powers-of-two" (2 s, 4 s, 8 s…) or "increments-of-two" (2 s, 4 s,
	// 6 s…). Waits are on the fake's clock.
	RetryFailedCalls bool   `json:"retryFailedCalls,omitempty"`
	RetryCount       int    `json:"retryCount,omitempty"`
	RetryDelay       string `json:"retryDelay,omitempty"`

	urlsDeclared bool
}

// Incoming is an incoming webhook: POST /hooks/<ID>/<Token> posts a
// message into Channel as Username.
type Incoming struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Enabled  bool   `json:"enabled"`
	Token    string `json:"token"`
	Channel  string `json:"channel"`
	Username string `json:"username"`
	Alias    string `json:"alias,omitempty"`
	Emoji    string `json:"emoji,omitempty"`
	Avatar   string `json:"avatar,omitempty"`
}

// addOutgoingLocked adds an integration with defaults filled in. s.mu must
// be held.
func (s *Server) addOutgoingLocked(o Outgoing) (*Outgoing, error) {
	if o.ID == "" {
		o.ID = s.newIDLocked()
	}
	for _, x := range s.outgoing {
		if x.ID == o.ID {
			return nil, fmt.Errorf("add outgoing integration %q: %w", o.ID, ErrExists)
		}
	}
	if o.Event == "" {
		o.Event = "sendMessage"
	}
	switch o.Event {
	case "sendMessage", "roomJoined", "roomLeft":
	default:
		return nil, fmt.Errorf("add outgoing integration: event %q: want sendMessage, roomJoined or roomLeft: %w", o.Event, ErrInvalid)
	}
	if o.Username == "" {
		o.Username = s.users[s.botID].Username
	}
	if s.userByNameLocked(o.Username) == nil {
		return nil, fmt.Errorf("add outgoing integration: username %q: %w", o.Username, ErrUnknownUser)
	}
	if o.Token == "" {
		o.Token = s.drawLocked(idAlphabet, 24)
	}
	if len(o.Channels) == 0 {
		o.Channels = []string{"all_public_channels"}
	}
	if o.RetryFailedCalls {
		if o.RetryCount == 0 {
			o.RetryCount = 6
		}
		if o.RetryDelay == "" {
			o.RetryDelay = "powers-of-ten"
		}
		if retryWait(o.RetryDelay, 0) < 0 {
			return nil, fmt.Errorf("add outgoing integration: retryDelay %q: want powers-of-ten, powers-of-two or increments-of-two: %w", o.RetryDelay, ErrInvalid)
		}
	}
	o.urlsDeclared = len(o.URLs) > 0
	o.Enabled = true
	no := o
	s.outgoing = append(s.outgoing, &no)
	return &no, nil
}

func (s *Server) addIncomingLocked(in Incoming) (*Incoming, error) {
	if in.ID == "" {
		in.ID = s.newIDLocked()
	}
	if in.Token == "" {
		in.Token = s.drawLocked(idAlphabet, 48)
	}
	if in.Channel == "" {
		in.Channel = "#general"
	}
	if in.Username == "" {
		in.Username = s.users[s.botID].Username
	}
	if s.userByNameLocked(in.Username) == nil {
		return nil, fmt.Errorf("add incoming webhook: username %q: %w", in.Username, ErrUnknownUser)
	}
	in.Enabled = true
	ni := in
	s.incoming = append(s.incoming, &ni)
	return &ni, nil
}

// retryWait is Rocket.Chat's wait before retry number tries+1, or -1 for
// an unknown schedule.
func retryWait(schedule string, tries int) time.Duration {
	switch schedule {
	case "powers-of-ten":
		return time.Duration(math.Pow(10, float64(tries+2))) * time.Millisecond
	case "powers-of-two":
		return time.Duration(math.Pow(2, float64(tries+1))) * time.Second
	case "increments-of-two":
		return time.Duration(tries+1) * 2 * time.Second
	}
	return -1
}

// listens tells whether o listens in room r for a message from author.
func (s *Server) listensLocked(o *Outgoing, r *Room, author string) bool {
	for _, ch := range o.Channels {
		switch {
		case ch == "all_public_channels" && r.Type == "c",
			ch == "all_private_groups" && r.Type == "p",
			ch == "all_direct_messages" && r.Type == "d":
			return true
		case strings.HasPrefix(ch, "#") && r.Type != "d":
			if n := ch[1:]; n == r.ID || strings.EqualFold(n, r.Name) {
				return true
			}
		case strings.HasPrefix(ch, "@") && r.Type == "d":
			for _, id := range r.Members {
				u := s.users[id]
				if ch[1:] == id || strings.EqualFold(ch[1:], u.Username) && u.Username != author {
					return true
				}
			}
		}
	}
	return false
}

// triggerLocked queues the outgoing webhooks a new or edited message
// raises. s.mu must be held.
func (s *Server) triggerLocked(r *Room, m *Message) {
	for _, o := range s.outgoing {
		if o.Event != "sendMessage" || !o.Enabled || len(o.URLs) == 0 || !s.listensLocked(o, r, m.User.Username) {
			continue
		}
		if strings.EqualFold(m.User.Username, o.Username) {
			continue // the integration's own messages are not sent back to it
		}
		word := ""
		if len(o.TriggerWords) > 0 {
			for _, w := range o.TriggerWords {
				if !o.TriggerWordAnywhere && strings.HasPrefix(m.Text, w) || o.TriggerWordAnywhere && strings.Contains(m.Text, w) {
					word = w
					break
				}
			}
			if word == "" {
				continue
			}
		}
		if m.EditedAt != nil && !o.RunOnEdits {
			continue
		}
		data := s.outgoingDataLocked(o, r, m, word)
		s.queueOutgoingLocked(o, r.ID, data)
	}
}

// triggerRoomEventLocked queues the outgoing webhooks on event
// ("roomJoined" or "roomLeft") for user u in room r. The body is what
// Rocket.Chat's trigger handler maps these events to: the room and the
// user, as ids and names and as objects. s.mu must be held.
func (s *Server) triggerRoomEventLocked(event string, r *Room, u *User) {
	for _, o := range s.outgoing {
		if o.Event != event || !o.Enabled || len(o.URLs) == 0 || !s.listensLocked(o, r, u.Username) {
			continue
		}
		data := map[string]any{
			"token": o.Token, "bot": u.Type == "bot", "channel_id": r.ID, "timestamp": isoTime(s.now()),
			"user_id": u.ID, "user_name": u.Username, "user": s.userWire(u), "room": s.roomWire(r),
		}
		if r.Name != "" {
			data["channel_name"] = r.Name
		}
		body, _ := json.Marshal(data)
		s.queueLocked(&job{kind: "outgoing", integ: o, roomID: r.ID, data: data, body: body,
			text: fmt.Sprintf("outgoing %s %s %s", event, s.labelLocked(r, ""), u.Username)})
	}
}

// outgoingDataLocked builds the JSON body Rocket.Chat sends for the
// sendMessage event.
func (s *Server) outgoingDataLocked(o *Outgoing, r *Room, m *Message, word string) map[string]any {
	data := map[string]any{
		"token": o.Token, "bot": false, "channel_id": r.ID, "message_id": m.ID, "timestamp": isoTime(m.TS),
		"user_id": m.User.ID, "user_name": m.User.Username, "text": m.Text, "siteUrl": s.URL(),
	}
	if r.Name != "" {
		data["channel_name"] = r.Name
	}
	if word != "" {
		data["trigger_word"] = word
	}
	if m.Alias != "" {
		data["alias"] = m.Alias
	}
	if len(m.Bot) > 0 {
		data["bot"] = m.Bot
	}
	if m.EditedAt != nil {
		data["isEdited"] = true
	}
	if m.ThreadID != "" {
		data["tmid"] = m.ThreadID
	}
	return data
}

func (s *Server) queueOutgoingLocked(o *Outgoing, roomID string, data map[string]any) {
	body, _ := json.Marshal(data)
	s.queueLocked(&job{kind: "outgoing", integ: o, roomID: roomID, data: data, body: body,
		text: "outgoing " + describeOutgoing(data, s.labelLocked(s.rooms[roomID], ""))})
}

// describeOutgoing is the one-line description of an outgoing body:
// message in #general from ada: "hi" (trigger_word=!menu).
func describeOutgoing(data map[string]any, room string) string {
	text, _ := data["text"].(string)
	user, _ := data["user_name"].(string)
	out := fmt.Sprintf("message in %s from %s: %q", room, user, text)
	if ed, _ := data["isEdited"].(bool); ed {
		out = "edited " + out
	}
	if w, _ := data["trigger_word"].(string); w != "" {
		out += " (trigger_word=" + w + ")"
	}
	if t, _ := data["tmid"].(string); t != "" {
		out += " (tmid=" + t + ")"
	}
	return out
}

// job is one queued delivery.
type job struct {
	kind   string // "outgoing" or "block_actions"
	integ  *Outgoing
	url    string
	roomID string
	data   map[string]any
	body   []byte
	text   string
	ticket *fakes.Ticket // its place in the World's line for the Turn
}

// Delivery is one attempt at a webhook or interaction delivery.
type Delivery struct {
	Kind    string    `json:"kind"` // "outgoing" or "block_actions"
	URL     string    `json:"url"`
	Attempt int       `json:"attempt"`
	Status  int       `json:"status,omitempty"`
	Error   string    `json:"error,omitempty"`
	Body    string    `json:"body"`
	At      time.Time `json:"at"`
}

// Deliveries returns the delivery attempts, in order: the last ones
// (WithHistory).
func (s *Server) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deliveries.All()
}

func (s *Server) queueLocked(j *job) {
	j.ticket = s.cfg.activity.Queue("rocketchat deliver " + j.kind)
	j.ticket.Ready() // the worker sends the queue in order
	s.queue = append(s.queue, j)
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// deliverLoop makes the queued deliveries one at a time, in order.
func (s *Server) deliverLoop() {
	defer close(s.workerDone)
	ctx := s.life
	for {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		var j *job
		if len(s.queue) > 0 {
			j, s.queue = s.queue[0], s.queue[1:]
		}
		s.mu.Unlock()
		if j == nil {
			select {
			case <-s.wake:
			case <-s.life.Done():
				return
			}
			continue
		}
		release, err := j.ticket.Turn(ctx)
		if err != nil { // closing
			j.ticket.End()
			continue
		}
		switch j.kind {
		case "outgoing":
			s.runOutgoing(ctx, j)
		default:
			s.runInteraction(ctx, j)
		}
		release()
		j.ticket.End()
	}
}

// record journals an observation of class.
func (s *Server) record(class fakes.Class, kind, text string, data any) {
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "rocketchat", Kind: kind, Text: text, Data: data, Class: class})
}

// runOutgoing makes one outgoing webhook call as Rocket.Chat's trigger
// handler does: a 200/201/202 answer with content is a success (its JSON
// text or attachments are posted); 410 with content disables the
// integration, 500 with content is not retried; anything else, an empty
// 2xx included, is retried only if the integration says so. Network
// errors are not retried.
func (s *Server) runOutgoing(ctx context.Context, j *job) {
	o := j.integ
	for tries := 0; ; tries++ {
		s.mu.Lock()
		enabled, urls, client := o.Enabled, slices.Clone(o.URLs), s.cfg.client
		text := j.text
		if tries > 0 {
			text += fmt.Sprintf(" (attempt %d)", tries+1)
		}
		if !enabled || len(urls) == 0 {
			s.record(fakes.ClassDelivery, "deliver", j.text+" skipped: integration disabled", map[string]any{"kind": j.kind, "integration": o.ID})
			s.mu.Unlock()
			s.cfg.journal.Outcome(fakes.Outcome{Kind: fakes.Undelivered, Source: "rocketchat", What: j.kind + " " + o.ID, Detail: "integration disabled"})
			return
		}
		s.record(fakes.ClassDelivery, "deliver", text, map[string]any{"kind": j.kind, "integration": o.ID, "attempt": tries + 1, "body": json.RawMessage(j.body)})
		s.mu.Unlock()
		retry := false
		for _, u := range urls {
			rep := fakes.Send(ctx, client, fakes.Outgoing{URL: u, Body: j.body, Timeout: s.cfg.deliverTimeout, Clock: s.cfg.clock, Header: http.Header{
				"Content-Type": {"application/json"},
				"User-Agent":   {"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2227.0 Safari/537.36"},
			}})
			if ctx.Err() != nil {
				return
			}
			if s.outgoingResult(j, u, tries, rep) {
				retry = true
			} else {
				s.cfg.journal.Outcome(fakes.DeliveryOutcome("rocketchat", j.kind+" "+o.ID, rep))
			}
		}
		if !retry {
			return
		}
		wait := retryWait(o.RetryDelay, tries)
		if err := s.cfg.clock.Sleep(ctx, wait); err != nil {
			return
		}
	}
}

// outgoingResult handles one answer and tells whether to retry.
func (s *Server) outgoingResult(j *job, u string, tries int, rep fakes.Reply) bool {
	o := j.integ
	s.mu.Lock()
	defer s.mu.Unlock()
	d := Delivery{Kind: j.kind, URL: u, Attempt: tries + 1, Status: rep.Status, Body: string(j.body), At: s.now()}
	if rep.Err != nil {
		d.Error = rep.Outcome()
	}
	s.deliveries.Add(d)
	data := map[string]any{"kind": j.kind, "integration": o.ID, "attempt": tries + 1, "status": rep.Status, "outcome": rep.Outcome()}
	if rep.Err != nil {
		s.record(fakes.ClassDelivery, "deliver", "→ "+rep.Outcome()+" (not retried)", data)
		return false
	}
	success := rep.Status == 200 || rep.Status == 201 || rep.Status == 202
	if success && len(rep.Body) > 0 {
		s.postReplyLocked(j, rep)
		return false
	}
	if len(rep.Body) > 0 {
		switch rep.Status {
		case http.StatusGone:
			o.Enabled = false
			s.record(fakes.ClassDelivery, "deliver", "→ 410 Gone (integration "+o.Name+" disabled)", data)
			return false
		case http.StatusInternalServerError:
			s.record(fakes.ClassDelivery, "deliver", "→ 500 Internal Server Error (not retried)", data)
			return false
		}
	}
	outcome := rep.Outcome()
	if success {
		outcome += " with an empty body"
	}
	if o.RetryFailedCalls && tries < o.RetryCount {
		s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("→ %s (retrying in %s)", outcome, retryWait(o.RetryDelay, tries)), data)
		return true
	}
	switch {
	case o.RetryFailedCalls:
		s.record(fakes.ClassDelivery, "deliver", fmt.Sprintf("→ %s (dropped after %d attempts)", outcome, tries+1), data)
	case !success:
		s.record(fakes.ClassDelivery, "deliver", "→ "+outcome+" (not retried)", data)
	}
	return false
}

// postReplyLocked posts the text or attachments of a JSON answer into the
// room, as the integration's user.
func (s *Server) postReplyLocked(j *job, rep fakes.Reply) {
	ct, _, _ := mime.ParseMediaType(rep.Header.Get("Content-Type"))
	switch ct {
	case "application/json", "text/javascript", "application/javascript", "application/x-javascript":
	default:
		return
	}
	var ans map[string]any
	if decodeJSON(rep.Body, &ans) != nil {
		return
	}
	text := str(ans, "text")
	att := rawParam(ans, "attachments")
	if text == "" && att == nil {
		return
	}
	if e := checkRich(Message{Attachments: att}); e != nil {
		s.record(fakes.ClassCall, "webhook reply", "→ not posted: "+fmt.Sprint(e.body["error"]), map[string]any{"integration": j.integ.ID, "error": e.body["errorType"]})
		return
	}
	o := j.integ
	poster := s.userByNameLocked(o.Username)
	room := s.rooms[j.roomID]
	if ch := str(ans, "channel"); ch != "" {
		if r, err := s.findRoomLocked(ch, poster); err == nil {
			room = r
		}
	}
	if poster == nil || room == nil {
		return
	}
	if tooLong(text) {
		s.record(fakes.ClassCall, "webhook reply", s.labelLocked(room, poster.ID)+" not posted: "+sizeExceededReason+" ["+sizeExceeded+"]",
			map[string]any{"integration": o.ID, "error": sizeExceeded})
		return
	}
	m := Message{Text: strings.TrimSpace(text), Attachments: att, Alias: o.Alias, Emoji: o.Emoji, Avatar: o.Avatar, ThreadID: str(ans, "tmid")}
	if a := str(ans, "alias"); a != "" {
		m.Alias = a
	}
	if e := str(ans, "emoji"); e != "" {
		m.Emoji = e
	}
	if a := str(ans, "avatar"); a != "" {
		m.Avatar = a
	}
	m.Bot, _ = json.Marshal(map[string]string{"i": o.ID})
	pm := s.postLocked(room, poster, m)
	s.record(fakes.ClassCall, "webhook reply", s.labelLocked(room, poster.ID)+" "+summarizeMessage(pm)+" msg="+pm.ID,
		map[string]any{"integration": o.ID, "message": pm.wire(false)})
}

// serveIncoming serves POST /hooks/<id>/<token>.
func (s *Server) serveIncoming(w http.ResponseWriter, r *http.Request, rest string) {
	id, token, _ := strings.Cut(rest, "/")
	s.mu.Lock()
	var hook *Incoming
	for _, h := range s.incoming {
		if h.ID == id && h.Token == token && h.Enabled {
			hook = h
		}
	}
	s.mu.Unlock()
	if hook == nil || r.Method != http.MethodPost {
		s.mu.Lock()
		s.record(fakes.ClassCall, "hooks", "incoming "+id+" → 404 invalid integration id or token", map[string]any{"id": id})
		s.mu.Unlock()
		writeJSON(w, http.StatusNotFound, map[string]any{"success": false, "error": "Invalid integration id or token provided."})
		return
	}
	body, err := readBody(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": err.Error()})
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/x-www-form-urlencoded" {
		vs, err := url.ParseQuery(string(body))
		if err == nil && len(vs) == 1 && vs.Has("payload") {
			body = []byte(vs.Get("payload"))
		}
	}
	var p map[string]any
	if err := decodeJSON(body, &p); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": "Invalid JSON body: " + jsonProblem(err)})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tooLong(str(p, "text")) {
		s.record(fakes.ClassCall, "hooks", "incoming "+id+" → 400 "+sizeExceeded, map[string]any{"id": id})
		writeJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": sizeExceeded})
		return
	}
	poster := s.userByNameLocked(hook.Username)
	target := hook.Channel
	if ch := str(p, "channel"); ch != "" {
		target = ch
	} else if rid := str(p, "roomId"); rid != "" {
		target = rid
	}
	room, err := s.findRoomLocked(target, poster)
	if err != nil {
		s.record(fakes.ClassCall, "hooks", "incoming "+target+" → 400 invalid-channel", map[string]any{"id": id})
		writeJSON(w, http.StatusBadRequest, map[string]any{"success": false, "error": "invalid-channel"})
		return
	}
	m := Message{Text: strings.TrimSpace(str(p, "text")), Attachments: rawParam(p, "attachments"), Alias: hook.Alias, Emoji: hook.Emoji,
		Avatar: hook.Avatar, ThreadID: str(p, "tmid")}
	if e := checkRich(m); e != nil {
		s.record(fakes.ClassCall, "hooks", "incoming → 400 "+fmt.Sprint(e.body["error"]), map[string]any{"id": id})
		writeJSON(w, e.status, e.body)
		return
	}
	for k, dst := range map[string]*string{"alias": &m.Alias, "emoji": &m.Emoji, "icon_emoji": &m.Emoji, "avatar": &m.Avatar, "icon_url": &m.Avatar} {
		if v := str(p, k); v != "" {
			*dst = v
		}
	}
	m.Bot, _ = json.Marshal(map[string]string{"i": hook.ID})
	pm := s.postLocked(room, poster, m)
	s.record(fakes.ClassCall, "hooks", "incoming "+s.labelLocked(room, poster.ID)+" "+summarizeMessage(pm)+" msg="+pm.ID, map[string]any{"id": id, "message": pm.wire(false)})
	writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

func readBody(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(http.MaxBytesReader(nil, r.Body, fakes.MaxBody))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return b.Bytes(), nil
}
