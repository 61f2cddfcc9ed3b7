package rocketchat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// The Server is a chat platform's fake for a World.
var _ fakes.Platform = (*Server)(nil)

// Name returns "rocketchat".
func (s *Server) Name() string { return "rocketchat" }

// Env returns what an integration needs to reach the fake:
// ROCKETCHAT_URL (the base URL the Go SDK's clients take),
// ROCKETCHAT_USER and ROCKETCHAT_PASSWORD (the bot's), ROCKETCHAT_USER_ID
// and ROCKETCHAT_AUTH_TOKEN (the bot's id and personal access token) and
// ROCKETCHAT_WEBHOOK_TOKEN (the outgoing integration's token).
func (s *Server) Env() map[string]string {
	bot := s.BotUser()
	return map[string]string{
		"ROCKETCHAT_URL":           s.URL(),
		"ROCKETCHAT_USER":          bot.Username,
		"ROCKETCHAT_PASSWORD":      s.BotPassword(),
		"ROCKETCHAT_USER_ID":       bot.ID,
		"ROCKETCHAT_AUTH_TOKEN":    s.BotToken(),
		"ROCKETCHAT_WEBHOOK_TOKEN": s.WebhookToken(),
	}
}

// Service describes the fake for `chatsim serve --json`: url, control,
// restUrl, websocketUrl, the bot's credentials, the outgoing integration's
// token and urls, the incoming webhook URL and the interaction URL.
func (s *Server) Service() map[string]any {
	bot := s.BotUser()
	m := map[string]any{
		"url":          s.URL(),
		"control":      s.URL() + fakes.ControlPrefix,
		"restUrl":      s.URL() + "/api/v1",
		"websocketUrl": "ws" + strings.TrimPrefix(s.URL(), "http") + "/websocket",
		"botUsername":  bot.Username,
		"botPassword":  s.BotPassword(),
		"botUserId":    bot.ID,
		"botAuthToken": s.BotToken(),
		"webhookToken": s.WebhookToken(),
	}
	if outs := s.Outgoings(); len(outs) > 0 && len(outs[0].URLs) > 0 {
		m["outgoingUrls"] = outs[0].URLs
	}
	if ins := s.Incomings(); len(ins) > 0 {
		m["incomingWebhookUrl"] = s.URL() + "/hooks/" + ins[0].ID + "/" + ins[0].Token
	}
	if u := s.InteractionURL(); u != "" {
		m["interactionUrl"] = u
	}
	return m
}

// Literals maps the fake's base URL and secrets to the placeholders a
// rendered journal shows.
func (s *Server) Literals() map[string]string {
	m := map[string]string{
		s.URL():         "${ROCKETCHAT_URL}",
		s.BotToken():    "${ROCKETCHAT_AUTH_TOKEN}",
		s.BotPassword(): "${ROCKETCHAT_PASSWORD}",
	}
	if t := s.WebhookToken(); t != "" {
		m[t] = "${ROCKETCHAT_WEBHOOK_TOKEN}"
	}
	return m
}

// SetWebhookTarget points the outgoing integrations declared without URLs
// and, unless SetInteractionURL set it, the interaction URL at url.
// Rocket.Chat checks nothing when an address is saved, so it never fails.
func (s *Server) SetWebhookTarget(_ context.Context, u string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.target = u
	for _, o := range s.outgoing {
		if !o.urlsDeclared {
			o.URLs = []string{u}
		}
	}
	if !s.interact.declared {
		s.interact.url = u
	}
	return nil
}

// Replay ingests a recorded delivery and delivers it again through the
// fake's own machinery, with this fake's tokens and fresh times. Kind
// "outgoing" is an outgoing webhook body: its user, room and message are
// created when missing and the first outgoing integration posts it. Kind
// "block_actions" is an interaction payload (JSON or payload= form): its
// user, room and rich message are created when missing and it is posted to
// the interaction URL with a fresh response_url. A recorded rich message the
// integration sent again in this replay (the newest message of the bot in
// the room with the same text) stands for the recorded one: the click
// acts on what people see, not on a copy.
func (s *Server) Replay(ctx context.Context, d fakes.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay rocketchat delivery: %w", err)
	}
	var (
		title string
		err   error
	)
	switch d.Kind {
	case "outgoing", "sendMessage", "":
		title, err = s.replayOutgoing(ctx, d.Body)
	case "block_actions":
		title, err = s.replayAction(ctx, d.Body)
	default:
		err = fmt.Errorf("replay: kind %q: want \"outgoing\" or \"block_actions\": %w: %w", d.Kind, fakes.ErrBadDelivery, ErrInvalid)
	}
	if err != nil {
		if d.Location != "" {
			return "", fmt.Errorf("%s: %w", d.Location, err)
		}
		return "", err
	}
	return "rocketchat → integration: " + title, nil
}

func decodeObject(body []byte) (map[string]any, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] != '{' {
		if vs, err := url.ParseQuery(string(body)); err == nil && vs.Has("payload") {
			body = []byte(vs.Get("payload"))
		}
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode body: %w", fakes.JSONError(err))
	}
	return m, nil
}

// ingestUserLocked finds or creates the user with this id and username.
func (s *Server) ingestUserLocked(id, username, name string) (*User, error) {
	if u := s.users[id]; u != nil && id != "" {
		return u, nil
	}
	if u := s.userByNameLocked(username); u != nil {
		return u, nil
	}
	if username == "" {
		return nil, fmt.Errorf("replay: the body names no user: %w", ErrInvalid)
	}
	u, err := s.addUserLocked(User{ID: id, Username: username, Name: name})
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return u, nil
}

// ingestRoomLocked finds or creates the room a recording names; a room
// without a name is the user's DM with the bot.
func (s *Server) ingestRoomLocked(id, name, typ string, u *User) (*Room, error) {
	if r := s.rooms[id]; r != nil && id != "" {
		return r, nil
	}
	if name != "" {
		if r := s.roomByNameLocked(name); r != nil {
			return r, nil
		}
		if typ != "p" {
			typ = "c"
		}
		r, err := s.addRoomLocked(name, typ, []string{u.ID, s.botID})
		if err != nil {
			return nil, fmt.Errorf("replay: %w", err)
		}
		return r, nil
	}
	return s.dmLocked(u, s.users[s.botID]), nil
}

func (s *Server) replayOutgoing(ctx context.Context, body []byte) (string, error) {
	data, err := decodeObject(body)
	if err != nil {
		return "", fmt.Errorf("replay outgoing: %w: %w", fakes.ErrBadDelivery, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay rocketchat delivery: %w", err)
	}
	if len(s.outgoing) == 0 || len(s.outgoing[0].URLs) == 0 {
		return "", fmt.Errorf("replay outgoing: no outgoing integration with a URL (SetWebhookTarget): %w", ErrInvalid)
	}
	o := s.outgoing[0]
	u, err := s.ingestUserLocked(str(data, "user_id"), str(data, "user_name"), "")
	if err != nil {
		return "", err
	}
	r, err := s.ingestRoomLocked(str(data, "channel_id"), str(data, "channel_name"), "", u)
	if err != nil {
		return "", err
	}
	if !contains(r.Members, u.ID) {
		r.Members = append(r.Members, u.ID)
	}
	id := str(data, "message_id")
	m := s.msgs[id]
	if m == nil {
		nm := Message{ID: id, RoomID: r.ID, Text: str(data, "text"), TS: s.now(), UpdatedAt: s.now(), User: s.ref(u),
			Alias: str(data, "alias"), ThreadID: str(data, "tmid")}
		if ed, _ := boolParam(data, "isEdited"); ed {
			t := s.now()
			nm.EditedAt, nm.EditedBy = &t, &nm.User
		}
		if nm.ID == "" {
			nm.ID = s.newIDLocked()
		}
		m = &nm
		s.addMessageLocked(r, m)
		s.streamLocked(m)
	}
	fresh := s.outgoingDataLocked(o, r, m, str(data, "trigger_word"))
	s.queueOutgoingLocked(o, r.ID, fresh)
	return describeOutgoing(fresh, s.labelLocked(r, "")), nil
}

func (s *Server) replayAction(ctx context.Context, body []byte) (string, error) {
	p, err := decodeObject(body)
	if err != nil {
		return "", fmt.Errorf("replay block_actions: %w: %w", fakes.ErrBadDelivery, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay rocketchat delivery: %w", err)
	}
	if s.interact.url == "" {
		return "", fmt.Errorf("replay block_actions: no interaction URL is set: %w", ErrInvalid)
	}
	pu, _ := p["user"].(map[string]any)
	pc, _ := p["channel"].(map[string]any)
	orig, _ := p["original_message"].(map[string]any)
	if orig == nil {
		orig, _ = p["message"].(map[string]any)
	}
	acts, _ := p["actions"].([]any)
	if pu == nil || pc == nil || orig == nil || len(acts) == 0 {
		return "", fmt.Errorf("replay block_actions: %w: want user, channel, original_message and actions: %w", fakes.ErrBadDelivery, ErrInvalid)
	}
	u, err := s.ingestUserLocked(str(pu, "id"), str(pu, "username"), str(pu, "name"))
	if err != nil {
		return "", err
	}
	name := str(pc, "name")
	if str(pc, "type") == "d" {
		name = ""
	}
	r, err := s.ingestRoomLocked(str(pc, "id"), name, str(pc, "type"), u)
	if err != nil {
		return "", err
	}
	if !contains(r.Members, u.ID) {
		r.Members = append(r.Members, u.ID)
	}
	id := stringField(orig, "_id")
	m := s.msgs[id]
	if m == nil {
		// The recorded message is the one the integration sent in the
		// recording; in this replay it sent it again under a fresh id.
		m = s.liveCopyLocked(r, stringField(orig, "msg", "text"))
	}
	if m == nil {
		text := stringField(orig, "msg", "text")
		nm := Message{ID: id, RoomID: r.ID, Text: text, TS: s.now(), UpdatedAt: s.now(), User: s.ref(s.users[s.botID]),
			Blocks: rawParam(orig, "blocks"), Attachments: rawParam(orig, "attachments")}
		if nm.ID == "" {
			nm.ID = s.newIDLocked()
		}
		m = &nm
		s.addMessageLocked(r, m)
	}
	act, _ := acts[0].(map[string]any)
	action := map[string]any{}
	for k, v := range act {
		action[k] = v
	}
	action["action_ts"] = actionTS(s.now())
	if str(action, "block_id") == "" {
		action["block_id"] = "block-0"
	}
	payload := s.payloadLocked(u, r, m, action)
	desc := describeAction(action)
	title := fmt.Sprintf("block_actions %s on msg=%s in %s from %s", desc, m.ID, s.labelLocked(r, ""), u.Username)
	if _, err := s.queueInteractionLocked(payload, title); err != nil {
		return "", err
	}
	return title, nil
}

// liveCopyLocked returns the newest rich message of the bot in room r
// with this text, or nil.
func (s *Server) liveCopyLocked(r *Room, text string) *Message {
	for i := len(r.msgs) - 1; i >= 0; i-- {
		m := s.msgs[r.msgs[i]]
		if !m.deleted && m.User.ID == s.botID && len(m.Blocks) > 0 && m.Text == text {
			return m
		}
	}
	return nil
}

func describeAction(a map[string]any) string {
	aid := str(a, "action_id")
	switch typ := str(a, "type"); typ {
	case "button":
		return "click [" + textOf(a["text"]) + "] (action_id=" + aid + ")"
	case "datepicker":
		return "datepicker " + str(a, "selected_date") + " (action_id=" + aid + ")"
	default:
		if o, ok := a["selected_option"].(map[string]any); ok {
			return fmt.Sprintf("%s %q (action_id=%s)", typ, textOf(o["text"]), aid)
		}
		return typ + " (action_id=" + aid + ")"
	}
}

// Kind returns Rocket.Chat as the registry (package sim) lists it: its fake
// started on a World's wiring, its own steps, and where its secrets travel:
// the REST auth token (X-Auth-Token, authToken in login's answer, resume in
// a realtime login), the bot's password, the outgoing webhook's token in
// every post, an interaction's response_url (a credential until it
// expires), and an incoming webhook's token in its path. Its Wire says how
// a live server's traffic reads, for `chatsim record`.
func Kind() fakes.Kind {
	return fakes.Kind{
		Name:       "rocketchat",
		Title:      "Rocket.Chat",
		Start:      func(w fakes.Wiring) (fakes.Platform, error) { return Start(WithWiring(w)) },
		Steps:      steps,
		PersonStep: "Given a Rocket.Chat direct message with %q",
		Carriers: []fakes.Carrier{
			{Name: "ROCKETCHAT_AUTH_TOKEN", Header: "X-Auth-Token", In: fakes.Calls},
			{Name: "ROCKETCHAT_AUTH_TOKEN", Field: "authToken", In: fakes.Calls},
			{Name: "ROCKETCHAT_AUTH_TOKEN", Field: "resume", In: fakes.Calls},
			{Name: "ROCKETCHAT_PASSWORD", Field: "password", In: fakes.Calls},
			{Name: "ROCKETCHAT_WEBHOOK_TOKEN", Field: "token", In: fakes.Deliveries},
			{Name: "ROCKETCHAT_RESPONSE_URL", Field: "response_url", In: fakes.Deliveries},
			{Name: "ROCKETCHAT_INCOMING_TOKEN", Path: `^/hooks/[^/]+/([^/]+)`, In: fakes.Calls},
		},
		Wire: wire(),
	}
}
