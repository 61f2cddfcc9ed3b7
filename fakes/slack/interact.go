package slack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// response_url limits, as Slack documents them.
const (
	responseURLTTL  = 30 * time.Minute
	responseURLUses = 5
)

// hexID returns n hex digits derived from seed, stable across runs.
func hexID(seed string, n int) string {
	h := uint64(14695981039346656037)
	var sb strings.Builder
	for sb.Len() < n {
		for _, b := range []byte(seed) {
			h = (h ^ uint64(b)) * 1099511628211
		}
		h = (h ^ uint64(sb.Len())) * 1099511628211
		sb.WriteString(fmt.Sprintf("%016x", h))
	}
	return sb.String()[:n]
}

// newTriggerLocked issues a trigger_id for user, valid for the trigger TTL.
func (s *Server) newTriggerLocked(user string) string {
	n := s.st.nextSeq("trigger")
	id := fmt.Sprintf("%d.%d.%s", s.now().Unix()*10+n, 1000000001, hexID("trigger"+strconv.FormatInt(n, 10), 32))
	s.st.addTrigger(id, &trigger{at: s.now(), user: user})
	return id
}

// newResponseURLLocked issues a response_url.
func (s *Server) newResponseURLLocked(kind, channel, user, msgTS, thread string) string {
	n := s.st.nextSeq("hook")
	path := fmt.Sprintf("%s/%s/%d/%s", kind, s.st.ws.Team.ID, 1000000000+n, hexID("hook"+strconv.FormatInt(n, 10), 24))
	s.st.responses[path] = &responseURL{kind: kind, channel: channel, user: user, msgTS: msgTS, thread: thread, at: s.now()}
	if old, ok := s.st.respOrder.Add(path); ok && old != path {
		delete(s.st.responses, old)
	}
	return s.URL() + "/hooks/" + path
}

func (s *Server) userObj(u *User) map[string]any {
	return map[string]any{"id": u.ID, "username": u.Name, "name": u.Name, "team_id": s.st.ws.Team.ID}
}

func (s *Server) teamObj() map[string]any {
	return map[string]any{"id": s.st.ws.Team.ID, "domain": s.st.ws.Team.Domain}
}

func channelName(ch *channelState) string {
	switch {
	case ch.IM != "":
		return "directmessage"
	case ch.MPIM:
		return "mpdm"
	case ch.Private:
		return "privategroup"
	}
	return ch.Name
}

// --- slash commands ---

// Command is a slash command a user runs.
type Command struct {
	User    string `json:"user"`    // id or name
	Channel string `json:"channel"` // id or name
	Command string `json:"command"` // "/order", the slash optional
	Text    string `json:"text"`
}

// CommandResult tells what a slash command sent.
type CommandResult struct {
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url"`
}

// RunCommand sends a slash command to the app as Slack does: a signed form
// with response_url and trigger_id, to the slash-command URL or over
// Socket Mode. The app's answer (plain text, or a JSON message with
// response_type) is shown in the channel.
func (s *Server) RunCommand(cmd Command) (CommandResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(cmd.User)
	if u == nil {
		return CommandResult{}, fmt.Errorf("run command: user %q: %w", cmd.User, ErrUnknownUser)
	}
	ch := s.st.channel(cmd.Channel)
	if ch == nil {
		return CommandResult{}, fmt.Errorf("run command: channel %q: %w", cmd.Channel, ErrUnknownChannel)
	}
	if !ch.isMember(u.ID) {
		return CommandResult{}, fmt.Errorf("run command: %s in %s: %w", u.Name, cmd.Channel, ErrNotMember)
	}
	name := "/" + strings.TrimPrefix(strings.TrimSpace(cmd.Command), "/")
	if name == "/" || strings.ContainsAny(name, " \t\n") {
		return CommandResult{}, fmt.Errorf("run command: command %q: want /name: %w", cmd.Command, ErrInvalid)
	}
	res := CommandResult{TriggerID: s.newTriggerLocked(u.ID), ResponseURL: s.newResponseURLLocked("commands", ch.ID, u.ID, "", "")}
	ws := s.st.ws
	f := url.Values{
		"token": {ws.App.VerificationToken}, "team_id": {ws.Team.ID}, "team_domain": {ws.Team.Domain},
		"channel_id": {ch.ID}, "channel_name": {channelName(ch)}, "user_id": {u.ID}, "user_name": {u.Name},
		"command": {name}, "text": {cmd.Text}, "api_app_id": {ws.App.ID}, "is_enterprise_install": {"false"},
		"response_url": {res.ResponseURL}, "trigger_id": {res.TriggerID},
	}
	chID, userID := ch.ID, u.ID
	s.pushLocked(&outgoing{kind: "slash_command", socket: "slash_commands", fields: f, id: res.TriggerID,
		text:   fmt.Sprintf("slash_command %s channel=%s user=%s %q", name, ch.ID, u.ID, cmd.Text),
		answer: func(ctype string, body []byte) { s.commandAnswer(chID, userID, ctype, body) }})
	return res, nil
}

// commandAnswer shows a slash command's immediate answer.
func (s *Server) commandAnswer(channel, user, ctype string, body []byte) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return
	}
	mt, _, _ := mime.ParseMediaType(ctype)
	var msg hookMessage
	if mt == "application/json" || json.Valid(body) && strings.HasPrefix(strings.TrimSpace(string(body)), "{") {
		if err := json.Unmarshal(body, &msg); err != nil {
			return
		}
	} else {
		msg.Text = string(body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// An answer with nothing to show is an acknowledgement; one Slack
	// refuses (invalid_blocks…) is journaled, not dropped silently.
	if code := s.showLocked(&responseURL{kind: "commands", channel: channel, user: user}, msg, "command answer"); code != "" && code != "no_text" {
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "command answer", Text: "→ " + code, Class: fakes.ClassNote})
	}
}

// hookMessage is what an app posts to a response_url (or answers a slash
// command with).
type hookMessage struct {
	Text            string          `json:"text"`
	Blocks          json.RawMessage `json:"blocks"`
	Attachments     json.RawMessage `json:"attachments"`
	ThreadTS        string          `json:"thread_ts"`
	ResponseType    string          `json:"response_type"`
	ReplaceOriginal bool            `json:"replace_original"`
	DeleteOriginal  bool            `json:"delete_original"`
}

func nullish(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null" || s == "[]"
}

// checkHookMessage checks a response_url post or a command answer as
// chat.postMessage checks its arguments, giving blocks their block_ids; it
// returns Slack's error code, or "".
func checkHookMessage(msg *hookMessage) string {
	if !nullish(msg.Blocks) {
		blocks, e := withBlockIDs(msg.Blocks)
		if e != nil {
			return e.code
		}
		msg.Blocks = blocks
	}
	if !nullish(msg.Attachments) {
		var as []json.RawMessage
		if json.Unmarshal(msg.Attachments, &as) != nil {
			return "invalid_attachments"
		}
	}
	if len(msg.Text) > 40000 {
		return "msg_too_long"
	}
	return ""
}

// showLocked applies a response_url post or a command answer to the
// conversation, journaling it like a Web API call.
func (s *Server) showLocked(r *responseURL, msg hookMessage, via string) string {
	ch := s.st.channels[r.channel]
	if ch == nil {
		return "channel_not_found"
	}
	app := s.st.ws.App
	if code := checkHookMessage(&msg); code != "" {
		return code
	}
	var orig *Message
	if r.msgTS != "" {
		orig = ch.byTS[r.msgTS]
		if orig != nil && orig.Deleted {
			orig = nil
		}
	}
	var text string
	switch {
	case msg.DeleteOriginal:
		if orig == nil {
			return "message_not_found"
		}
		if orig.EphemeralTo != "" {
			orig.Deleted = true
		} else {
			s.deleteLocked(ch, orig, app.BotUserID)
		}
		text = fmt.Sprintf("delete_original channel=%s ts=%s", ch.ID, orig.TS)
	case msg.ReplaceOriginal && orig != nil:
		if nullish(msg.Blocks) && nullish(msg.Attachments) && msg.Text == "" {
			return "no_text"
		}
		prev := *orig
		orig.Text = msg.Text
		orig.Blocks = nil
		if !nullish(msg.Blocks) {
			orig.Blocks = msg.Blocks
		}
		orig.Attachments = nil
		if !nullish(msg.Attachments) {
			orig.Attachments = msg.Attachments
		}
		if orig.EphemeralTo == "" {
			orig.Edited = &Edited{User: app.BotUserID, TS: s.st.newTS()}
			s.emitChangedLocked(ch, &prev, orig, app.BotUserID)
		}
		text = fmt.Sprintf("replace_original channel=%s ts=%s %q", ch.ID, orig.TS, msg.Text)
		if !nullish(msg.Blocks) {
			text += " blocks" + blocksShape(msg.Blocks)
		}
	default:
		if nullish(msg.Blocks) && nullish(msg.Attachments) && msg.Text == "" {
			return "no_text"
		}
		m := &Message{TS: s.st.newTS(), User: app.BotUserID, BotID: app.BotID, Text: msg.Text}
		if !nullish(msg.Blocks) {
			m.Blocks = msg.Blocks
		}
		if !nullish(msg.Attachments) {
			m.Attachments = msg.Attachments
		}
		thread := msg.ThreadTS
		if thread == "" {
			thread = r.thread
		}
		if thread != "" {
			m.ThreadTS = ch.rootOf(thread)
		}
		kind := "ephemeral"
		if msg.ResponseType == "in_channel" {
			kind = "in_channel"
			s.st.addMessage(ch, m)
			s.emitMessageLocked(ch, m, app.BotUserID)
		} else {
			m.EphemeralTo = r.user
			s.st.addMessage(ch, m)
		}
		text = fmt.Sprintf("%s channel=%s %q", kind, ch.ID, msg.Text)
		if !nullish(msg.Blocks) {
			text += " blocks" + blocksShape(msg.Blocks)
		}
	}
	class := fakes.ClassNote // an answer to a delivery
	if via == "response_url" {
		class = fakes.ClassCall
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: via, Text: text, Data: msg, Class: class})
	return ""
}

// serveResponseURL serves POSTs to response_urls.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request, path string) {
	if r.Method != http.MethodPost {
		http.Error(w, "method_not_allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
	if err != nil {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	var msg hookMessage
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
		vals, _ := url.ParseQuery(string(body))
		body = []byte(vals.Get("payload"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hook := s.st.responses[path]
	fail := func(status int, code string) {
		s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "response_url", Text: "→ " + code, Class: fakes.ClassCall})
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, code)
	}
	switch {
	case hook == nil:
		fail(http.StatusNotFound, "no_service")
		return
	case s.now().Sub(hook.at) > responseURLTTL:
		fail(http.StatusNotFound, "expired_url")
		return
	case hook.uses >= responseURLUses:
		fail(http.StatusNotFound, "used_url")
		return
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		fail(http.StatusBadRequest, "invalid_payload")
		return
	}
	hook.uses++
	if code := s.showLocked(hook, msg, "response_url"); code != "" {
		fail(http.StatusBadRequest, code)
		return
	}
	fakes.WriteJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// --- block actions ---

// Action is a person acting on an interactive element: clicking a button,
// picking from a menu or an overflow, choosing a date, a user or
// checkboxes.
type Action struct {
	User string `json:"user"` // id or name
	// Channel and TS name the message the element is on; an empty TS means
	// the latest message in Channel that has the element.
	Channel string `json:"channel,omitempty"`
	TS      string `json:"ts,omitempty"`
	// View names a view (V…) the element is in instead of a message.
	View string `json:"view,omitempty"`
	// Target names the element: its action_id, a button's text, a menu's
	// placeholder, or the text or value of one of its options.
	Target string `json:"target"`
	// Value is what is picked: an option's text or value (static_select,
	// overflow, radio_buttons), a date "2026-01-02" (datepicker), a user
	// (users_select). Empty picks the option Target names.
	Value string `json:"value,omitempty"`
	// Values are the options checked (checkboxes).
	Values []string `json:"values,omitempty"`
}

// ActionResult tells what an action sent.
type ActionResult struct {
	ActionID    string `json:"action_id"`
	BlockID     string `json:"block_id"`
	Type        string `json:"type"`
	TriggerID   string `json:"trigger_id"`
	ResponseURL string `json:"response_url,omitempty"`
}

// found is an interactive element located in blocks.
type found struct {
	blockID string
	el      map[string]any
}

func elementsOf(b map[string]any) []map[string]any {
	var out []map[string]any
	if els, ok := b["elements"].([]any); ok && b["type"] == "actions" {
		for _, e := range els {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	if acc, ok := b["accessory"].(map[string]any); ok {
		out = append(out, acc)
	}
	if el, ok := b["element"].(map[string]any); ok {
		out = append(out, el)
	}
	return out
}

func optionsOf(el map[string]any) []map[string]any {
	var out []map[string]any
	if opts, ok := el["options"].([]any); ok {
		for _, o := range opts {
			if m, ok := o.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	if groups, ok := el["option_groups"].([]any); ok {
		for _, g := range groups {
			gm, _ := g.(map[string]any)
			opts, _ := gm["options"].([]any)
			for _, o := range opts {
				if m, ok := o.(map[string]any); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

func findOption(el map[string]any, want string) map[string]any {
	for _, o := range optionsOf(el) {
		if v, _ := o["value"].(string); v == want || plainText(o["text"]) == want {
			return o
		}
	}
	return nil
}

// findElement finds the element target names in blocks.
func findElement(raw json.RawMessage, target string) (found, bool) {
	var blocks []map[string]any
	if json.Unmarshal(raw, &blocks) != nil {
		return found{}, false
	}
	for i, b := range blocks {
		bid, _ := b["block_id"].(string)
		if bid == "" {
			bid = blockID(raw, i)
		}
		for _, el := range elementsOf(b) {
			aid, _ := el["action_id"].(string)
			if aid == target || elementLabel(el) == target || findOption(el, target) != nil {
				return found{blockID: bid, el: el}, true
			}
		}
	}
	return found{}, false
}

// actionID returns an element's action_id, or the one Slack makes up.
func actionIDOf(el map[string]any, blockID string) string {
	if aid, _ := el["action_id"].(string); aid != "" {
		return aid
	}
	return hexID(blockID+elementLabel(el), 5)
}

// actionPayload builds the actions[] entry and the state value for an
// element, given what was picked.
func (s *Server) actionPayload(f found, a Action) (act, state map[string]any, err error) {
	typ, _ := f.el["type"].(string)
	aid := actionIDOf(f.el, f.blockID)
	act = map[string]any{"type": typ, "action_id": aid, "block_id": f.blockID, "action_ts": s.actionTS()}
	pick := a.Value
	if pick == "" && findOption(f.el, a.Target) != nil {
		pick = a.Target
	}
	switch typ {
	case "button":
		act["text"] = withEmoji(f.el["text"])
		if v, ok := f.el["value"]; ok {
			act["value"] = v
		}
		if st, ok := f.el["style"]; ok {
			act["style"] = st
		}
		return act, nil, nil
	case "static_select", "overflow", "radio_buttons", "external_select":
		opt := findOption(f.el, pick)
		if opt == nil {
			return nil, nil, fmt.Errorf("%s %s has no option %q: %w", typ, aid, pick, ErrUnknownElement)
		}
		act["selected_option"] = withEmojiOption(opt)
		if typ == "static_select" {
			if p, ok := f.el["placeholder"]; ok {
				act["placeholder"] = withEmoji(p)
			}
		}
		return act, map[string]any{"type": typ, "selected_option": withEmojiOption(opt)}, nil
	case "datepicker":
		if _, err := time.Parse("2006-01-02", pick); err != nil {
			return nil, nil, fmt.Errorf("datepicker %s: value %q: want YYYY-MM-DD: %w", aid, pick, ErrInvalid)
		}
		act["selected_date"] = pick
		if init, ok := f.el["initial_date"]; ok {
			act["initial_date"] = init
		}
		return act, map[string]any{"type": typ, "selected_date": pick}, nil
	case "users_select":
		u := s.st.user(pick)
		if u == nil {
			return nil, nil, fmt.Errorf("users_select %s: user %q: %w", aid, pick, ErrUnknownUser)
		}
		act["selected_user"] = u.ID
		return act, map[string]any{"type": typ, "selected_user": u.ID}, nil
	case "checkboxes":
		picks := a.Values
		if len(picks) == 0 && pick != "" {
			picks = []string{pick}
		}
		sel := []map[string]any{}
		for _, p := range picks {
			opt := findOption(f.el, p)
			if opt == nil {
				return nil, nil, fmt.Errorf("checkboxes %s has no option %q: %w", aid, p, ErrUnknownElement)
			}
			sel = append(sel, withEmojiOption(opt))
		}
		act["selected_options"] = sel
		return act, map[string]any{"type": typ, "selected_options": sel}, nil
	}
	return nil, nil, fmt.Errorf("element type %q: %w", typ, ErrUnknownElement)
}

func withEmoji(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	if out["type"] == "plain_text" {
		if _, ok := out["emoji"]; !ok {
			out["emoji"] = true
		}
	}
	return out
}

func withEmojiOption(o map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range o {
		out[k] = x
	}
	out["text"] = withEmoji(o["text"])
	return out
}

// actionTS is an action_ts: the clock's time with microseconds from a
// counter.
func (s *Server) actionTS() string {
	n := s.st.nextSeq("action_ts")
	return fmt.Sprintf("%d.%06d", s.now().Unix(), n%1_000_000)
}

// Act sends block_actions for a person's action on an interactive element
// in a message or a view, as Slack does: a signed payload= form (or a
// Socket Mode interactive envelope) with trigger_id and, for messages,
// response_url.
func (s *Server) Act(a Action) (ActionResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(a.User)
	if u == nil {
		return ActionResult{}, fmt.Errorf("act: user %q: %w", a.User, ErrUnknownUser)
	}
	if a.Target == "" {
		return ActionResult{}, fmt.Errorf("act: target is required (an action_id, a button's text or an option): %w", ErrInvalid)
	}
	ws := s.st.ws
	payload := map[string]any{"type": "block_actions", "user": s.userObj(u), "api_app_id": ws.App.ID,
		"token": ws.App.VerificationToken, "team": s.teamObj(), "enterprise": nil, "is_enterprise_install": false}
	var f found
	var res ActionResult
	var title string
	if a.View != "" {
		v := s.st.views[a.View]
		if v == nil || v.closed {
			return ActionResult{}, fmt.Errorf("act: view %q: %w", a.View, ErrUnknownView)
		}
		blocks, _ := json.Marshal(v.body["blocks"])
		var ok bool
		if f, ok = findElement(blocks, a.Target); !ok {
			return ActionResult{}, fmt.Errorf("act: %q in view %s: %w", a.Target, v.id, ErrUnknownElement)
		}
		act, stv, err := s.actionPayload(f, a)
		if err != nil {
			return ActionResult{}, fmt.Errorf("act: %w", err)
		}
		if stv != nil {
			v.setState(f.blockID, act["action_id"].(string), stv)
		}
		payload["container"] = map[string]any{"type": "view", "view_id": v.id}
		payload["view"] = s.viewJSON(v)
		payload["actions"] = []any{act}
		res = ActionResult{ActionID: act["action_id"].(string), BlockID: f.blockID, Type: act["type"].(string)}
		title = fmt.Sprintf("block_actions %s view=%s user=%s %s", res.Type, v.id, u.ID, actionSummary(act))
	} else {
		ch := s.st.channel(a.Channel)
		if ch == nil {
			return ActionResult{}, fmt.Errorf("act: channel %q: %w", a.Channel, ErrUnknownChannel)
		}
		var m *Message
		if a.TS != "" {
			m = ch.byTS[a.TS]
			if m == nil || m.Deleted || (m.EphemeralTo != "" && m.EphemeralTo != u.ID) {
				return ActionResult{}, fmt.Errorf("act: message %s in %s: %w", a.TS, ch.ID, ErrUnknownMessage)
			}
			var ok bool
			if f, ok = findElement(m.Blocks, a.Target); !ok {
				return ActionResult{}, fmt.Errorf("act: %q on message %s: %w", a.Target, m.TS, ErrUnknownElement)
			}
		} else {
			for i := len(ch.msgs) - 1; i >= 0 && m == nil; i-- {
				c := ch.msgs[i]
				if c.Deleted || (c.EphemeralTo != "" && c.EphemeralTo != u.ID) || len(c.Blocks) == 0 {
					continue
				}
				if ff, ok := findElement(c.Blocks, a.Target); ok {
					m, f = c, ff
				}
			}
			if m == nil {
				return ActionResult{}, fmt.Errorf("act: %q in %s: %w", a.Target, a.Channel, ErrUnknownElement)
			}
		}
		if !ch.isMember(u.ID) && ch.IM != u.ID {
			return ActionResult{}, fmt.Errorf("act: %s in %s: %w", u.Name, ch.ID, ErrNotMember)
		}
		act, stv, err := s.actionPayload(f, a)
		if err != nil {
			return ActionResult{}, fmt.Errorf("act: %w", err)
		}
		values := map[string]any{}
		if stv != nil {
			values[f.blockID] = map[string]any{act["action_id"].(string): stv}
		}
		container := map[string]any{"type": "message", "message_ts": m.TS, "channel_id": ch.ID, "is_ephemeral": m.EphemeralTo != ""}
		if m.ThreadTS != "" {
			container["thread_ts"] = m.ThreadTS
		}
		res.ResponseURL = s.newResponseURLLocked("actions", ch.ID, u.ID, m.TS, m.ThreadTS)
		payload["container"] = container
		payload["channel"] = map[string]any{"id": ch.ID, "name": channelName(ch)}
		msgJSON := s.st.messageJSON(m)
		if m.EphemeralTo == "" {
			payload["message"] = msgJSON
		}
		payload["state"] = map[string]any{"values": values}
		payload["response_url"] = res.ResponseURL
		payload["actions"] = []any{act}
		res.ActionID, res.BlockID, res.Type = act["action_id"].(string), f.blockID, act["type"].(string)
		title = fmt.Sprintf("block_actions %s channel=%s ts=%s user=%s %s", res.Type, ch.ID, m.TS, u.ID, actionSummary(act))
	}
	res.TriggerID = s.newTriggerLocked(u.ID)
	payload["trigger_id"] = res.TriggerID
	body, _ := json.Marshal(payload)
	s.pushLocked(&outgoing{kind: "block_actions", socket: "interactive", body: body, id: res.TriggerID, text: title})
	return res, nil
}

func actionSummary(act map[string]any) string {
	switch {
	case act["selected_option"] != nil:
		o, _ := act["selected_option"].(map[string]any)
		return "[" + plainText(o["text"]) + "]"
	case act["selected_date"] != nil:
		return fmt.Sprint(act["selected_date"])
	case act["selected_user"] != nil:
		return fmt.Sprint(act["selected_user"])
	case act["selected_options"] != nil:
		var sb strings.Builder
		for _, o := range act["selected_options"].([]map[string]any) {
			sb.WriteString("[" + plainText(o["text"]) + "]")
		}
		if sb.Len() == 0 {
			return "[]"
		}
		return sb.String()
	}
	return "[" + plainText(act["text"]) + "]"
}

// --- views ---

func (v *view) setState(blockID, actionID string, val map[string]any) {
	st, _ := v.body["state"].(map[string]any)
	if st == nil {
		st = map[string]any{}
		v.body["state"] = st
	}
	vals, _ := st["values"].(map[string]any)
	if vals == nil {
		vals = map[string]any{}
		st["values"] = vals
	}
	b, _ := vals[blockID].(map[string]any)
	if b == nil {
		b = map[string]any{}
		vals[blockID] = b
	}
	b[actionID] = val
}

// viewJSON renders a view as views.open returns it.
func (s *Server) viewJSON(v *view) map[string]any {
	out := map[string]any{}
	for k, x := range v.body {
		out[k] = x
	}
	out["id"] = v.id
	out["team_id"] = s.st.ws.Team.ID
	out["type"] = v.kind
	out["hash"] = v.hash
	out["app_id"] = s.st.ws.App.ID
	out["app_installed_team_id"] = s.st.ws.Team.ID
	out["bot_id"] = s.st.ws.App.BotID
	out["external_id"] = v.externalID
	out["root_view_id"] = v.rootID
	if v.previousID != "" {
		out["previous_view_id"] = v.previousID
	} else {
		out["previous_view_id"] = nil
	}
	for _, k := range []string{"private_metadata", "callback_id"} {
		if _, ok := out[k]; !ok {
			out[k] = ""
		}
	}
	for _, k := range []string{"clear_on_close", "notify_on_close"} {
		if _, ok := out[k]; !ok {
			out[k] = false
		}
	}
	for _, k := range []string{"close", "submit"} {
		if _, ok := out[k]; !ok {
			out[k] = nil
		}
	}
	if _, ok := out["state"]; !ok {
		out["state"] = map[string]any{"values": map[string]any{}}
	}
	if _, ok := out["blocks"]; !ok {
		out["blocks"] = []any{}
	}
	return out
}

// viewArg reads and checks a view argument of kind ("modal" or "home").
func viewArg(c *call, kind string) (map[string]any, *apiErr) {
	raw, ok := c.p.raw("view")
	if !ok {
		return nil, invalidArgs("[ERROR] missing required field: view")
	}
	var body map[string]any
	if json.Unmarshal(raw, &body) != nil {
		return nil, invalidArgs("[ERROR] failed to match all allowed schemas [json-pointer:/view]")
	}
	if t, _ := body["type"].(string); t != kind {
		return nil, invalidArgs(fmt.Sprintf("[ERROR] must be %s [json-pointer:/view/type]", kind))
	}
	if kind == "modal" && plainText(body["title"]) == "" {
		return nil, invalidArgs("[ERROR] missing required field: title [json-pointer:/view]")
	}
	bs, ok := body["blocks"].([]any)
	if !ok {
		return nil, invalidArgs("[ERROR] missing required field: blocks [json-pointer:/view]")
	}
	for i, b := range bs {
		bm, _ := b.(map[string]any)
		if bm == nil || bm["type"] == nil {
			return nil, invalidArgs(fmt.Sprintf("[ERROR] missing required field: type [json-pointer:/view/blocks/%d]", i))
		}
		if _, ok := bm["block_id"]; !ok {
			bm["block_id"] = blockID(raw, i)
		}
	}
	delete(body, "id")
	delete(body, "hash")
	return body, nil
}

func (s *Server) newViewLocked(kind, user string, body map[string]any) *view {
	id := s.st.newID("V")
	v := &view{id: id, teamID: s.st.ws.Team.ID, userID: user, kind: kind, body: body, rootID: id}
	v.externalID, _ = body["external_id"].(string)
	delete(body, "external_id")
	v.hash = fmt.Sprintf("%d.%s", s.now().Unix(), hexID(id, 8))
	s.st.views[id] = v
	return v
}

func (s *Server) viewsOpen(c *call) (map[string]any, *apiErr) {
	tid := c.p.str("trigger_id")
	if tid == "" {
		return nil, invalidArgs("[ERROR] missing required field: trigger_id")
	}
	t := s.st.triggers[tid]
	switch {
	case t == nil:
		return nil, fail("invalid_trigger_id")
	case t.used:
		return nil, fail("exchanged_trigger_id")
	case s.now().Sub(t.at) > s.cfg.triggerTTL:
		return nil, fail("expired_trigger_id")
	}
	body, e := viewArg(c, "modal")
	if e != nil {
		return nil, e
	}
	t.used = true
	v := s.newViewLocked("modal", t.user, body)
	return map[string]any{"view": s.viewJSON(v)}, nil
}

func (s *Server) viewsUpdate(c *call) (map[string]any, *apiErr) {
	var v *view
	if id := c.p.str("view_id"); id != "" {
		v = s.st.views[id]
	} else if ext := c.p.str("external_id"); ext != "" {
		for _, x := range s.st.views {
			if x.externalID == ext {
				v = x
			}
		}
	} else {
		return nil, invalidArgs("[ERROR] missing required field: view_id or external_id")
	}
	if v == nil || v.closed {
		return nil, fail("not_found")
	}
	if h := c.p.str("hash"); h != "" && h != v.hash {
		return nil, fail("hash_conflict")
	}
	body, e := viewArg(c, v.kind)
	if e != nil {
		return nil, e
	}
	if ext, _ := body["external_id"].(string); ext != "" {
		v.externalID = ext
		delete(body, "external_id")
	}
	v.body = body
	v.hash = fmt.Sprintf("%d.%s", s.now().Unix(), hexID(v.id+v.hash, 8))
	return map[string]any{"view": s.viewJSON(v)}, nil
}

func (s *Server) viewsPublish(c *call) (map[string]any, *apiErr) {
	u := s.st.users[c.p.str("user_id")]
	if u == nil {
		return nil, fail("user_not_found")
	}
	body, e := viewArg(c, "home")
	if e != nil {
		return nil, e
	}
	for _, v := range s.st.views {
		if v.kind == "home" && v.userID == u.ID {
			if h := c.p.str("hash"); h != "" && h != v.hash {
				return nil, fail("hash_conflict")
			}
			v.body = body
			v.hash = fmt.Sprintf("%d.%s", s.now().Unix(), hexID(v.id+v.hash, 8))
			return map[string]any{"view": s.viewJSON(v)}, nil
		}
	}
	v := s.newViewLocked("home", u.ID, body)
	return map[string]any{"view": s.viewJSON(v)}, nil
}

// ViewInfo is an open view as the control API shows it.
type ViewInfo struct {
	ID     string            `json:"id"`
	Type   string            `json:"type"`
	User   string            `json:"user"`
	Title  string            `json:"title,omitempty"`
	Closed bool              `json:"closed,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
	View   map[string]any    `json:"view"`
}

// Views returns every view the app opened or published, by id.
func (s *Server) Views() []ViewInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ViewInfo
	for i := int64(1); i <= s.st.seq["V"]; i++ {
		for _, v := range s.st.views {
			if v.id == "V"+fmt.Sprintf("%09s", strings.ToUpper(strconv.FormatInt(i, 36))) {
				out = append(out, ViewInfo{ID: v.id, Type: v.kind, User: v.userID, Title: plainText(v.body["title"]),
					Closed: v.closed, Errors: v.errors, View: s.viewJSON(v)})
			}
		}
	}
	return out
}

// Submission is a person submitting a modal.
type Submission struct {
	User string `json:"user"`
	// View is the modal's id; empty means the user's latest open modal.
	View string `json:"view,omitempty"`
	// Values fills the inputs, keyed by action_id, block_id or the input's
	// label: text for text inputs, an option's text or value for menus and
	// radio buttons, "YYYY-MM-DD" for date pickers, a user for user
	// menus, comma-separated options for checkboxes.
	Values map[string]string `json:"values"`
}

// Submit sends view_submission for a modal, as Slack does. The app's
// answer decides what happens next: response_action "errors" keeps the
// modal open with the errors, "update" replaces it, "push" opens another,
// "clear" or no answer closes it.
func (s *Server) Submit(sub Submission) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.st.user(sub.User)
	if u == nil {
		return "", fmt.Errorf("submit: user %q: %w", sub.User, ErrUnknownUser)
	}
	var v *view
	if sub.View != "" {
		v = s.st.views[sub.View]
	} else {
		for _, x := range s.st.views {
			if x.kind == "modal" && !x.closed && x.userID == u.ID && (v == nil || x.id > v.id) {
				v = x
			}
		}
	}
	if v == nil || v.closed || v.kind != "modal" {
		return "", fmt.Errorf("submit: view %q: %w", sub.View, ErrUnknownView)
	}
	blocks, _ := v.body["blocks"].([]any)
	used := map[string]bool{}
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		if bm["type"] != "input" {
			continue
		}
		el, _ := bm["element"].(map[string]any)
		bid, _ := bm["block_id"].(string)
		aid := actionIDOf(el, bid)
		label := plainText(bm["label"])
		key := ""
		for _, k := range []string{aid, bid, label} {
			if _, ok := sub.Values[k]; ok && k != "" {
				key = k
				break
			}
		}
		if key == "" {
			if opt, _ := bm["optional"].(bool); !opt {
				return "", fmt.Errorf("submit: input %q (block %s) is required: %w", label, bid, ErrInvalid)
			}
			v.setState(bid, aid, emptyState(el))
			continue
		}
		used[key] = true
		val, err := s.inputState(el, sub.Values[key])
		if err != nil {
			return "", fmt.Errorf("submit: input %q: %w", label, err)
		}
		v.setState(bid, aid, val)
	}
	for k := range sub.Values {
		if !used[k] {
			return "", fmt.Errorf("submit: no input %q in view %s: %w", k, v.id, ErrUnknownElement)
		}
	}
	ws := s.st.ws
	tid := s.newTriggerLocked(u.ID)
	payload := map[string]any{"type": "view_submission", "team": s.teamObj(), "user": s.userObj(u), "api_app_id": ws.App.ID,
		"token": ws.App.VerificationToken, "trigger_id": tid, "view": s.viewJSON(v), "response_urls": []any{},
		"is_enterprise_install": false, "enterprise": nil}
	body, _ := json.Marshal(payload)
	viewID := v.id
	cb, _ := v.body["callback_id"].(string)
	s.pushLocked(&outgoing{kind: "view_submission", socket: "interactive", body: body, id: tid,
		text:   fmt.Sprintf("view_submission view=%s user=%s callback=%s", v.id, u.ID, cb),
		answer: func(ctype string, body []byte) { s.submissionAnswer(viewID, body) }})
	return tid, nil
}

func emptyState(el map[string]any) map[string]any {
	typ, _ := el["type"].(string)
	switch typ {
	case "static_select", "radio_buttons", "external_select":
		return map[string]any{"type": typ, "selected_option": nil}
	case "datepicker":
		return map[string]any{"type": typ, "selected_date": nil}
	case "users_select":
		return map[string]any{"type": typ, "selected_user": nil}
	case "checkboxes", "multi_static_select":
		return map[string]any{"type": typ, "selected_options": []any{}}
	}
	return map[string]any{"type": typ, "value": nil}
}

// inputState turns a typed value into the state Slack reports for el.
func (s *Server) inputState(el map[string]any, val string) (map[string]any, error) {
	typ, _ := el["type"].(string)
	switch typ {
	case "plain_text_input", "email_text_input", "url_text_input", "number_input":
		return map[string]any{"type": typ, "value": val}, nil
	case "static_select", "radio_buttons":
		opt := findOption(el, val)
		if opt == nil {
			return nil, fmt.Errorf("no option %q: %w", val, ErrUnknownElement)
		}
		return map[string]any{"type": typ, "selected_option": withEmojiOption(opt)}, nil
	case "datepicker":
		if _, err := time.Parse("2006-01-02", val); err != nil {
			return nil, fmt.Errorf("date %q: want YYYY-MM-DD: %w", val, ErrInvalid)
		}
		return map[string]any{"type": typ, "selected_date": val}, nil
	case "users_select":
		u := s.st.user(val)
		if u == nil {
			return nil, fmt.Errorf("user %q: %w", val, ErrUnknownUser)
		}
		return map[string]any{"type": typ, "selected_user": u.ID}, nil
	case "checkboxes", "multi_static_select":
		sel := []map[string]any{}
		for _, p := range strings.Split(val, ",") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			opt := findOption(el, p)
			if opt == nil {
				return nil, fmt.Errorf("no option %q: %w", p, ErrUnknownElement)
			}
			sel = append(sel, withEmojiOption(opt))
		}
		return map[string]any{"type": typ, "selected_options": sel}, nil
	}
	return nil, fmt.Errorf("input element %q: %w", typ, ErrUnknownElement)
}

// submissionAnswer applies the app's answer to a view_submission.
func (s *Server) submissionAnswer(viewID string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.st.views[viewID]
	if v == nil {
		return
	}
	var ans struct {
		ResponseAction string            `json:"response_action"`
		Errors         map[string]string `json:"errors"`
		View           json.RawMessage   `json:"view"`
	}
	if len(strings.TrimSpace(string(body))) > 0 {
		_ = json.Unmarshal(body, &ans)
	}
	text := "close view=" + v.id
	switch ans.ResponseAction {
	case "errors":
		v.errors = ans.Errors
		text = "errors view=" + v.id + " " + fakes.FormatTags(ans.Errors)
	case "update", "push":
		var nb map[string]any
		if json.Unmarshal(ans.View, &nb) == nil {
			if ans.ResponseAction == "update" {
				v.body, v.errors = nb, nil
				text = "update view=" + v.id + " " + viewShape(ans.View)
			} else {
				nv := s.newViewLocked("modal", v.userID, nb)
				nv.rootID, nv.previousID = v.rootID, v.id
				text = "push view=" + nv.id + " " + viewShape(ans.View)
			}
		}
	case "clear":
		for _, x := range s.st.views {
			if x.rootID == v.rootID {
				x.closed = true
			}
		}
		text = "clear view=" + v.id
	default:
		v.closed = true
	}
	var data any // the answer as JSON when it is JSON: Observation.Data must marshal
	if json.Valid(body) {
		data = json.RawMessage(body)
	} else if len(bytes.TrimSpace(body)) > 0 {
		data = string(body)
	}
	s.cfg.journal.Record(fakes.Observation{At: s.now(), Source: "slack", Kind: "view_submission", Text: text, Data: data, Class: fakes.ClassNote})
}

// serveUpload receives a file's bytes at an upload_url.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	var data []byte
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		var f io.ReadCloser
		f, _, err = r.FormFile("file")
		if err == nil {
			data, err = io.ReadAll(f)
			f.Close()
		}
	} else {
		data, err = io.ReadAll(http.MaxBytesReader(w, r.Body, fakes.MaxBody))
	}
	if err != nil {
		http.Error(w, "upload: "+err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	f := s.st.files[id]
	if f != nil {
		f.data, f.done, f.Size = data, true, len(data)
	}
	s.mu.Unlock()
	if f == nil {
		http.Error(w, "file not found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = fmt.Fprintf(w, "OK - %d", len(data))
}
