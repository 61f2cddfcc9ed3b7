package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// The Server is a chat platform's fake for a World.
var _ fakes.Platform = (*Server)(nil)

// Name returns "slack".
func (s *Server) Name() string { return "slack" }

// Env returns what an integration needs to reach the fake:
//
//	SLACK_API_URL         the base URL, no trailing slash; the Web API is
//	                      SLACK_API_URL+"/api/<method>", so slack-go takes
//	                      slack.OptionAPIURL(SLACK_API_URL+"/api/") and
//	                      @slack/web-api {slackApiUrl: SLACK_API_URL+"/api/"}
//	SLACK_BOT_TOKEN       xoxb-…
//	SLACK_APP_TOKEN       xapp-… (Socket Mode)
//	SLACK_SIGNING_SECRET  what deliveries are signed with
//	SLACK_VERIFICATION_TOKEN the legacy "token" in every payload
//	SLACK_TEAM_ID, SLACK_BOT_USER_ID, SLACK_APP_ID
func (s *Server) Env() map[string]string {
	a := s.cfg.ws.App
	return map[string]string{
		"SLACK_API_URL": s.URL(), "SLACK_BOT_TOKEN": a.BotToken, "SLACK_APP_TOKEN": a.AppToken,
		"SLACK_SIGNING_SECRET": a.SigningSecret, "SLACK_VERIFICATION_TOKEN": a.VerificationToken,
		"SLACK_TEAM_ID": s.cfg.ws.Team.ID, "SLACK_BOT_USER_ID": a.BotUserID, "SLACK_APP_ID": a.ID,
	}
}

// Service describes the fake for `chatsim serve --json`: url, control,
// apiUrl (what slack-go's OptionAPIURL takes), the credentials, the ids and
// the request URLs once set.
func (s *Server) Service() map[string]any {
	a := s.cfg.ws.App
	m := map[string]any{
		"url": s.URL(), "control": s.URL() + fakes.ControlPrefix, "apiUrl": s.APIURL(),
		"botToken": a.BotToken, "appToken": a.AppToken, "signingSecret": a.SigningSecret,
		"verificationToken": a.VerificationToken, "teamId": s.cfg.ws.Team.ID, "appId": a.ID,
		"botUserId": a.BotUserID, "botId": a.BotID, "botName": a.BotName,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range map[string]string{"requestUrl": s.st.requestURL, "interactivityUrl": s.st.interactURL, "commandUrl": s.st.commandURL} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// Literals maps the base URL and the credentials to their ${…}
// placeholders.
func (s *Server) Literals() map[string]string {
	a := s.cfg.ws.App
	out := map[string]string{
		s.URL(): "${SLACK_API_URL}", a.BotToken: "${SLACK_BOT_TOKEN}", a.SigningSecret: "${SLACK_SIGNING_SECRET}",
		a.VerificationToken: "${SLACK_VERIFICATION_TOKEN}",
	}
	if a.AppToken != "" {
		out[a.AppToken] = "${SLACK_APP_TOKEN}"
	}
	return out
}

// SetWebhookTarget sets the interactivity and slash-command URLs to url
// and then the Events Request URL, sending url_verification first as
// Slack does; when the challenge is not echoed the Request URL is left
// unset and the refusal is in the journal (SetRequestURL returns it as an
// error).
// It fails, as Slack's app settings page does, when the Request URL does
// not answer the url_verification challenge.
func (s *Server) SetWebhookTarget(ctx context.Context, target string) error {
	s.SetInteractivityURL(target)
	s.SetCommandURL(target)
	return s.SetRequestURL(ctx, target)
}

// Replay delivers a recorded request (Kind "event_callback", an
// interactivity kind such as "block_actions" or "view_submission", or
// "slash_command"; sniffed from the body when Kind is empty or unknown).
// It ingests what the request reports into the fake's state (a message then
// shows in conversations.history), points response_url at the fake,
// makes its trigger_id valid from now, puts this fake's verification token
// in it, and queues it, to be signed afresh, through the same delivery
// machinery as control-API actions.
func (s *Server) Replay(ctx context.Context, d fakes.Delivery) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("replay slack delivery: %w", err)
	}
	title, err := s.replay(ctx, d)
	if err != nil {
		if d.Location != "" {
			return "", fmt.Errorf("%s: replay slack delivery: %w", d.Location, err)
		}
		return "", fmt.Errorf("replay slack delivery: %w", err)
	}
	return "slack → integration: " + title, nil
}

func replayKind(d fakes.Delivery) string {
	body := bytes.TrimSpace(d.Body)
	switch {
	case bytes.HasPrefix(body, []byte("payload=")):
		return "interactive"
	case bytes.HasPrefix(body, []byte("{")):
		return "event"
	}
	if vals, err := url.ParseQuery(string(body)); err == nil && vals.Get("command") != "" {
		return "command"
	}
	return ""
}

func (s *Server) replay(ctx context.Context, d fakes.Delivery) (string, error) {
	switch replayKind(d) {
	case "event":
		return s.replayEvent(ctx, d.Body, d.Header)
	case "interactive":
		return s.replayInteractive(ctx, d.Body)
	case "command":
		return s.replayCommand(ctx, d.Body)
	}
	return "", fmt.Errorf("kind %q: the body is neither an event_callback JSON, a payload= form nor a slash-command form: %w: %w", d.Kind, fakes.ErrBadDelivery, ErrInvalid)
}

// replayEvent replays an Events API delivery. A recorded redelivery
// (X-Slack-Retry-Num and X-Slack-Retry-Reason) is sent as one again, with
// the same headers, so the app sees what it saw then.
func (s *Server) replayEvent(ctx context.Context, body []byte, header http.Header) (string, error) {
	var env map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("%w: decode event_callback: %w", fakes.ErrBadDelivery, fakes.JSONError(err))
	}
	if t, _ := env["type"].(string); t != "event_callback" {
		return "", fmt.Errorf("%w: outer type %q: want event_callback: %w", fakes.ErrBadDelivery, t, ErrInvalid)
	}
	ev, ok := env["event"].(map[string]any)
	if !ok {
		return "", fmt.Errorf("%w: event_callback without an event object: %w", fakes.ErrBadDelivery, ErrInvalid)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	title := s.ingestLocked(ev)
	env["token"] = s.cfg.ws.App.VerificationToken
	id, _ := env["event_id"].(string)
	if id == "" {
		id = s.st.eventID()
		env["event_id"] = id
	}
	s.st.seenEventID(id)
	out, _ := json.Marshal(env)
	s.rememberLocked(id, ev, out)
	q := &outgoing{kind: "event_callback", socket: "events_api", body: out, id: id, retries: true,
		text: "event_callback " + id + " " + describeEventIDs(ev) + " (replayed)"}
	if n, err := strconv.Atoi(header.Get("X-Slack-Retry-Num")); err == nil && n > 0 {
		q.retryNum, q.retryReason = n, header.Get("X-Slack-Retry-Reason")
		if q.retryReason == "" {
			q.retryReason = "unknown_error"
		}
		title += fmt.Sprintf(" (retry %d, %s)", n, q.retryReason)
	}
	s.pushLocked(q)
	return title, nil
}

// ingestLocked applies a recorded inner event to the state and returns a
// human title for it.
func (s *Server) ingestLocked(ev map[string]any) string {
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	typ, sub := str(ev, "type"), str(ev, "subtype")
	chID := str(ev, "channel")
	var ch *channelState
	if chID != "" {
		ch = s.replayChannelLocked(chID, str(ev, "channel_type"))
	}
	userID := str(ev, "user")
	if userID != "" {
		s.replayUserLocked(userID)
	}
	where := s.whereLocked(ch)
	who := s.whoLocked(userID, str(ev, "username"), str(ev, "bot_id"))
	switch {
	case typ == "message" && sub == "message_changed":
		if inner, ok := ev["message"].(map[string]any); ok && ch != nil {
			if m := ch.byTS[str(inner, "ts")]; m != nil {
				m.Text = str(inner, "text")
				m.Edited = &Edited{User: str(inner, "user"), TS: str(ev, "ts")}
			}
			return fmt.Sprintf("message edited in %s: %s", where, str(inner, "text"))
		}
		return "message edited in " + where
	case typ == "message" && sub == "message_deleted":
		if ch != nil {
			if m := ch.byTS[str(ev, "deleted_ts")]; m != nil {
				m.Deleted = true
			}
		}
		return "message deleted in " + where
	case typ == "message" || typ == "app_mention":
		ts := str(ev, "ts")
		if ch != nil && ts != "" && ch.byTS[ts] == nil {
			m := &Message{TS: ts, User: userID, BotID: str(ev, "bot_id"), Username: str(ev, "username"), Text: str(ev, "text"),
				ThreadTS: str(ev, "thread_ts"), ClientMsgID: str(ev, "client_msg_id"), Subtype: sub}
			s.st.seenTS(ts)
			if b, ok := ev["blocks"]; ok {
				m.Blocks, _ = json.Marshal(b)
			}
			s.st.addMessage(ch, m)
		}
		kind := "message"
		if typ == "app_mention" {
			kind = "mention"
		}
		if t := str(ev, "thread_ts"); t != "" && t != ts {
			kind = "thread reply"
		}
		return fmt.Sprintf("%s in %s from %s: %s", kind, where, who, s.plain(str(ev, "text")))
	case typ == "reaction_added" || typ == "reaction_removed":
		item, _ := ev["item"].(map[string]any)
		if c := s.replayChannelLocked(str(item, "channel"), ""); c != nil {
			if m := c.byTS[str(item, "ts")]; m != nil && userID != "" {
				idx := -1
				for i, r := range m.Reactions {
					if r.Name == str(ev, "reaction") {
						idx = i
					}
				}
				if typ == "reaction_added" {
					if idx < 0 {
						m.Reactions = append(m.Reactions, Reaction{Name: str(ev, "reaction")})
						idx = len(m.Reactions) - 1
					}
					m.Reactions[idx].Users = append(m.Reactions[idx].Users, userID)
					m.Reactions[idx].Count++
				} else if idx >= 0 && m.Reactions[idx].Count > 0 {
					m.Reactions[idx].Count--
				}
			}
			where = s.whereLocked(c)
		}
		verb := "reacted"
		if typ == "reaction_removed" {
			verb = "removed reaction"
		}
		return fmt.Sprintf("%s %s :%s: in %s", who, verb, str(ev, "reaction"), where)
	case typ == "member_joined_channel":
		if ch != nil && userID != "" && !ch.isMember(userID) {
			ch.members = append(ch.members, userID)
		}
		return fmt.Sprintf("%s joined %s", who, where)
	case typ == "member_left_channel":
		if ch != nil {
			for i, id := range ch.members {
				if id == userID {
					ch.members = append(ch.members[:i:i], ch.members[i+1:]...)
					break
				}
			}
		}
		return fmt.Sprintf("%s left %s", who, where)
	case typ == "channel_created":
		c, _ := ev["channel"].(map[string]any)
		id, name := str(c, "id"), str(c, "name")
		if id != "" && s.st.channels[id] == nil {
			cs := &channelState{Channel: Channel{ID: id, Name: name, Creator: str(c, "creator")}, created: s.now().Unix(), byTS: map[string]*Message{}}
			if cs.Creator != "" {
				s.replayUserLocked(cs.Creator)
				cs.members = []string{cs.Creator}
			}
			s.st.channels[id] = cs
			s.st.chOrder = append(s.st.chOrder, id)
		}
		return "channel #" + name + " created"
	}
	return typ + " in " + where
}

// replayChannelLocked finds or creates a recorded conversation; a new one
// has the bot in it, since Slack only reports what the bot can see.
func (s *Server) replayChannelLocked(id, typ string) *channelState {
	if id == "" {
		return nil
	}
	if c := s.st.channels[id]; c != nil {
		return c
	}
	c := &channelState{Channel: Channel{ID: id}, created: s.now().Unix(), byTS: map[string]*Message{}, members: []string{s.st.botID()}}
	switch {
	case typ == "im" || strings.HasPrefix(id, "D"):
		c.IM = "U" + strings.TrimPrefix(id, "D")
	case typ == "mpim":
		c.MPIM = true
	case typ == "group":
		c.Private = true
		c.Name = strings.ToLower(id)
	default:
		c.Name = strings.ToLower(id)
	}
	s.st.channels[id] = c
	s.st.chOrder = append(s.st.chOrder, id)
	return c
}

func (s *Server) replayUserLocked(id string) {
	if s.st.users[id] == nil && validID(id, "UW") {
		s.st.addUser(User{ID: id, Name: strings.ToLower(id)})
	}
}

func (s *Server) whereLocked(ch *channelState) string {
	switch {
	case ch == nil:
		return "?"
	case ch.IM != "":
		return "a DM"
	case ch.Name != "":
		return "#" + ch.Name
	}
	return ch.ID
}

func (s *Server) whoLocked(user, username, bot string) string {
	if u := s.st.users[user]; u != nil {
		return u.Name
	}
	if username != "" {
		return username
	}
	if bot != "" {
		return bot
	}
	return "someone"
}

func (s *Server) replayInteractive(ctx context.Context, body []byte) (string, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", fmt.Errorf("%w: decode payload form: %w", fakes.ErrBadDelivery, err)
	}
	var p map[string]any
	if err := json.Unmarshal([]byte(vals.Get("payload")), &p); err != nil {
		return "", fmt.Errorf("%w: decode payload JSON: %w", fakes.ErrBadDelivery, fakes.JSONError(err))
	}
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p["token"] = s.cfg.ws.App.VerificationToken
	user, _ := p["user"].(map[string]any)
	uid := str(user, "id")
	s.replayUserLocked(uid)
	var chID, msgTS, thread string
	if c, ok := p["container"].(map[string]any); ok {
		chID, msgTS, thread = str(c, "channel_id"), str(c, "message_ts"), str(c, "thread_ts")
	}
	if chID == "" {
		if c, ok := p["channel"].(map[string]any); ok {
			chID = str(c, "id")
		}
	}
	var ch *channelState
	if chID != "" {
		ch = s.replayChannelLocked(chID, "")
		if uid != "" && !ch.isMember(uid) && ch.IM == "" {
			ch.members = append(ch.members, uid)
		}
		if msgTS != "" && ch.byTS[msgTS] == nil {
			if m, ok := p["message"].(map[string]any); ok {
				rec := &Message{TS: msgTS, User: str(m, "user"), BotID: str(m, "bot_id"), Text: str(m, "text"), ThreadTS: str(m, "thread_ts")}
				if b, ok := m["blocks"]; ok {
					rec.Blocks, _ = json.Marshal(b)
				}
				s.st.addMessage(ch, rec)
			}
		}
	}
	if tid := str(p, "trigger_id"); tid != "" {
		s.st.addTrigger(tid, &trigger{at: s.now(), user: uid})
	}
	if str(p, "response_url") != "" && ch != nil {
		p["response_url"] = s.newResponseURLLocked("actions", ch.ID, uid, msgTS, thread)
	}
	if v, ok := p["view"].(map[string]any); ok {
		if id := str(v, "id"); id != "" && s.st.views[id] == nil {
			body := map[string]any{}
			for k, x := range v {
				body[k] = x
			}
			typ := str(v, "type")
			if typ == "" {
				typ = "modal"
			}
			s.st.views[id] = &view{id: id, teamID: s.st.ws.Team.ID, userID: uid, kind: typ, body: body, rootID: id, hash: str(v, "hash")}
		}
	}
	typ := str(p, "type")
	out, _ := json.Marshal(p)
	id := str(p, "trigger_id")
	title := fmt.Sprintf("%s from %s", typ, s.whoLocked(uid, str(user, "username"), ""))
	if acts, ok := p["actions"].([]any); ok && len(acts) > 0 {
		if a, ok := acts[0].(map[string]any); ok {
			title += " " + actionSummary(a)
		}
	}
	if ch != nil {
		title += " in " + s.whereLocked(ch)
	}
	text := fmt.Sprintf("%s user=%s", typ, uid)
	if ch != nil {
		text += " channel=" + ch.ID
	}
	s.pushLocked(&outgoing{kind: typ, socket: "interactive", body: out, id: id, text: text + " (replayed)"})
	return title, nil
}

func (s *Server) replayCommand(ctx context.Context, body []byte) (string, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return "", fmt.Errorf("%w: decode slash-command form: %w", fakes.ErrBadDelivery, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return "", err
	}
	uid, chID := vals.Get("user_id"), vals.Get("channel_id")
	s.replayUserLocked(uid)
	ch := s.replayChannelLocked(chID, "")
	vals.Set("token", s.cfg.ws.App.VerificationToken)
	if ch != nil {
		vals.Set("response_url", s.newResponseURLLocked("commands", ch.ID, uid, "", ""))
	}
	if tid := vals.Get("trigger_id"); tid != "" {
		s.st.addTrigger(tid, &trigger{at: s.now(), user: uid})
	}
	title := fmt.Sprintf("%s %s from %s in %s", vals.Get("command"), vals.Get("text"), s.whoLocked(uid, vals.Get("user_name"), ""), s.whereLocked(ch))
	var chanID string
	if ch != nil {
		chanID = ch.ID
	}
	s.pushLocked(&outgoing{kind: "slash_command", socket: "slash_commands", fields: vals, id: vals.Get("trigger_id"),
		text:   fmt.Sprintf("slash_command %s channel=%s user=%s %q (replayed)", vals.Get("command"), chID, uid, vals.Get("text")),
		answer: func(ctype string, b []byte) { s.commandAnswer(chanID, uid, ctype, b) }})
	return strings.TrimSpace(strings.ReplaceAll(title, "  ", " ")), nil
}

// Kind returns Slack as the registry (package sim) lists it: its fake
// started on a World's wiring, its own steps, and where its secrets travel:
// tokens in the Authorization header and the form field token (the bot's
// xoxb-, the app's xapp-, the legacy verification token in every payload),
// the request signature, response_url capability URLs, the Socket Mode
// URL apps.connections.open hands out (its ticket is a credential), and the
// OAuth exchange's client_secret, code and refresh_token; and how its live
// traffic reads, for a recorder (wire.go).
func Kind() fakes.Kind {
	return fakes.Kind{
		Name:       "slack",
		Title:      "Slack",
		Start:      func(w fakes.Wiring) (fakes.Platform, error) { return Start(WithWiring(w)) },
		Steps:      steps,
		PersonStep: "Given a Slack DM between %q and the bot",
		Carriers: []fakes.Carrier{
			{Name: "SLACK_BOT_TOKEN", Header: "Authorization", In: fakes.Calls},
			{Name: "SLACK_BOT_TOKEN", Field: "token", In: fakes.Calls},
			{Name: "SLACK_SIGNING_SECRET", Header: "X-Slack-Signature", Signature: true, In: fakes.Deliveries},
			{Name: "SLACK_VERIFICATION_TOKEN", Field: "token", In: fakes.Deliveries},
			{Name: "SLACK_RESPONSE_URL", Field: "response_url", In: fakes.Deliveries},
			{Name: "SLACK_CLIENT_SECRET", Field: "client_secret"},
			{Name: "SLACK_OAUTH_CODE", Field: "code"},
			{Name: "SLACK_REFRESH_TOKEN", Field: "refresh_token"},
			{Name: "SLACK_BOT_TOKEN", Shape: `(?:xoxe\.)?xoxb-[0-9A-Za-z-]+`},
			{Name: "SLACK_USER_TOKEN", Shape: `(?:xoxe\.)?xoxp-[0-9A-Za-z-]+`},
			{Name: "SLACK_APP_TOKEN", Shape: `xapp-[0-9A-Za-z-]+`},
			{Name: "SLACK_REFRESH_TOKEN", Shape: `xoxe-[0-9A-Za-z-]+`},
			{Name: "SLACK_TOKEN", Shape: `xox[aors]-[0-9A-Za-z-]+`},
			{Name: "SLACK_RESPONSE_URL", Shape: `https://hooks\.slack\.com/(?:actions|commands|services|triggers|workflows)/[0-9A-Za-z/_-]+`},
			{Name: "SLACK_SOCKET_URL", Shape: `wss?://[^\s"'<>]+/link/?\?ticket=[^\s"'<>]+`},
		},
		Wire: wire(),
	}
}
