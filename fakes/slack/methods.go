package slack

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Every method below runs with s.mu held.

func (s *Server) authTest(c *call) (map[string]any, *apiErr) {
	ws := s.st.ws
	out := map[string]any{
		"url": "https://" + ws.Team.Domain + ".slack.com/", "team": ws.Team.Name, "team_id": ws.Team.ID,
		"is_enterprise_install": false,
	}
	if c.token == ws.App.AppToken {
		out["app_id"] = ws.App.ID
		return out, nil
	}
	out["user"] = ws.App.BotName
	out["user_id"] = ws.App.BotUserID
	out["bot_id"] = ws.App.BotID
	return out, nil
}

// readable reports whether the bot can see c at all: public channels
// always, anything else only as a member.
func (s *Server) readable(c *channelState) bool {
	if c.IM != "" || c.MPIM || c.Private {
		return c.isMember(s.st.botID())
	}
	return true
}

// channelArg resolves a channel argument the bot can see.
func (s *Server) channelArg(c *call, key string) (*channelState, *apiErr) {
	ref := c.p.str(key)
	if ref == "" {
		return nil, fail("channel_not_found")
	}
	ch := s.st.channel(ref)
	if ch == nil || !s.readable(ch) {
		return nil, fail("channel_not_found")
	}
	return ch, nil
}

// messageContent reads text, blocks, attachments and metadata.
func messageContent(c *call) (text string, blocks, attachments, metadata json.RawMessage, e *apiErr) {
	text = c.p.str("text")
	if raw, ok := c.p.raw("blocks"); ok && strings.TrimSpace(string(raw)) != "" {
		var e *apiErr
		if blocks, e = withBlockIDs(raw); e != nil {
			return "", nil, nil, nil, e
		}
	}
	if raw, ok := c.p.raw("attachments"); ok && strings.TrimSpace(string(raw)) != "" {
		var as []json.RawMessage
		if json.Unmarshal(raw, &as) != nil {
			return "", nil, nil, nil, fail("invalid_attachments")
		}
		if len(as) > 0 {
			attachments = raw
		}
	}
	if raw, ok := c.p.raw("metadata"); ok && strings.TrimSpace(string(raw)) != "" {
		if !json.Valid(raw) {
			return "", nil, nil, nil, fail("invalid_metadata_format")
		}
		metadata = raw
	}
	if text == "" && blocks == nil && attachments == nil {
		return "", nil, nil, nil, fail("no_text")
	}
	if utf8.RuneCountInString(text) > MaxTextLength {
		return "", nil, nil, nil, fail("msg_too_long")
	}
	return text, blocks, attachments, metadata, nil
}

// withBlockIDs checks blocks and gives every block without a block_id the
// one Slack would, splicing it in so the rest stays byte for byte.
func withBlockIDs(raw json.RawMessage) (json.RawMessage, *apiErr) {
	badFormat := &apiErr{code: "invalid_blocks_format", detail: []string{"[ERROR] must provide an array of blocks"}}
	// One pass: the decoder checks each block as it decodes its head, and
	// its offsets give the block's bytes to splice.
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil, badFormat
	}
	var out []byte
	for i := 0; dec.More(); i++ {
		start := dec.InputOffset()
		if i == MaxBlocks {
			return nil, tooManyBlocks()
		}
		// A map, not a struct: Slack's field names are case-sensitive,
		// encoding/json's struct fields are not ("tYpe" is no type).
		var head map[string]json.RawMessage
		err := dec.Decode(&head)
		var typeErr *json.UnmarshalTypeError
		if err != nil && !errors.As(err, &typeErr) {
			return nil, badFormat
		}
		var typ string
		if err != nil || json.Unmarshal(head["type"], &typ) != nil || typ == "" {
			if !json.Valid(raw) { // a malformed array reads as one, wherever the fault
				return nil, badFormat
			}
			return nil, missingType(i)
		}
		b := bytes.TrimLeft(raw[start:dec.InputOffset()], " \t\r\n,")
		if i == 0 {
			out = make([]byte, 0, len(raw)+32)
			out = append(out, '[')
		} else {
			out = append(out, ',')
		}
		id, hasID := head["block_id"]
		if hasID {
			if e := checkBlockID(id, i); e != nil {
				return nil, e
			}
		}
		if !hasID {
			out = append(out, `{"block_id":"`...)
			out = append(out, blockID(raw, i)...)
			out = append(out, '"')
			if rest := bytes.TrimSpace(b[1:]); string(rest) != "}" {
				out = append(out, ',')
			}
			out = append(out, b[1:]...)
		} else {
			out = append(out, b...)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim(']') {
		return nil, badFormat
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, badFormat
	}
	if out == nil {
		return nil, nil
	}
	return append(out, ']'), nil
}

// MaxTextLength is the most characters a message's text may have; longer
// is msg_too_long.
const MaxTextLength = 40000

// MaxBlocks is the most blocks a message may carry; more is
// invalid_blocks, "no more than 50 items allowed [json-pointer:/blocks]".
const MaxBlocks = 50

// tooManyBlocks is Slack's answer to more than MaxBlocks blocks.
func tooManyBlocks() *apiErr {
	msg := fmt.Sprintf("no more than %d items allowed [json-pointer:/blocks]", MaxBlocks)
	return &apiErr{code: "invalid_blocks", detail: []string{"[ERROR] " + msg}, extra: map[string]any{"errors": []string{msg}}}
}

// checkBlockID checks the block_id a block i was given: a string of 1–255
// characters.
func checkBlockID(raw json.RawMessage, i int) *apiErr {
	bad := func(why string) *apiErr {
		return &apiErr{code: "invalid_blocks", detail: []string{fmt.Sprintf("[ERROR] %s [json-pointer:/blocks/%d/block_id]", why, i)}}
	}
	var id string
	if string(raw) == "null" || json.Unmarshal(raw, &id) != nil {
		return bad("must be a string")
	}
	switch n := utf8.RuneCountInString(id); {
	case n == 0:
		return bad("must be more than 0 characters")
	case n > 255:
		return bad("must be less than 256 characters")
	}
	return nil
}

// missingType is Slack's answer to block i without a type.
func missingType(i int) *apiErr {
	return &apiErr{code: "invalid_blocks", detail: []string{fmt.Sprintf("[ERROR] missing required field: type [json-pointer:/blocks/%d]", i)}}
}

// blockID makes the block_id Slack assigns to a block sent without one: a
// short hash of the blocks and the position, stable across runs.
func blockID(raw []byte, i int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	h := uint32(2166136261)
	for _, b := range raw {
		h = (h ^ uint32(b)) * 16777619
	}
	h = (h ^ uint32(i)) * 16777619
	var sb strings.Builder
	for j := 0; j < 5; j++ {
		sb.WriteByte(alphabet[h%uint32(len(alphabet))])
		h /= uint32(len(alphabet))
		h = h*2654435761 + uint32(j)
	}
	return sb.String()
}

// postTarget resolves chat.postMessage's channel: an id, a name or a user
// id (the bot's DM with that user).
func (s *Server) postTarget(c *call) (*channelState, *apiErr) {
	ref := c.p.str("channel")
	if ref == "" {
		return nil, fail("channel_not_found")
	}
	if u := s.st.users[ref]; u != nil && u.ID != s.st.botID() {
		return s.st.imWith(u.ID), nil
	}
	ch := s.st.channel(ref)
	if ch == nil || !s.readable(ch) {
		return nil, fail("channel_not_found")
	}
	if ch.Archived {
		return nil, fail("is_archived")
	}
	if !ch.isMember(s.st.botID()) {
		return nil, fail("not_in_channel")
	}
	return ch, nil
}

func (s *Server) postMessage(c *call) (map[string]any, *apiErr) {
	ch, e := s.postTarget(c)
	if e != nil {
		return nil, e
	}
	text, blocks, atts, meta, e := messageContent(c)
	if e != nil {
		return nil, e
	}
	app := s.st.ws.App
	m := &Message{TS: s.st.newTS(), User: app.BotUserID, BotID: app.BotID, Text: text, Blocks: blocks, Attachments: atts,
		Metadata: meta, Username: c.p.str("username")}
	if t := c.p.str("thread_ts"); t != "" {
		m.ThreadTS = ch.rootOf(t)
		m.Broadcast = c.p.boolean("reply_broadcast")
		if m.Broadcast {
			m.Subtype = "thread_broadcast"
		}
	}
	s.st.addMessage(ch, m)
	s.emitMessageLocked(ch, m, app.BotUserID)
	return map[string]any{"channel": ch.ID, "ts": m.TS, "message": s.st.messageJSON(m)}, nil
}

// messageArg resolves the message at key in ch.
func (s *Server) messageArg(c *call, ch *channelState, key string) (*Message, *apiErr) {
	ts := c.p.str(key)
	if ts == "" {
		return nil, fail("message_not_found")
	}
	m := ch.byTS[ts]
	if m == nil || m.Deleted || m.EphemeralTo != "" {
		return nil, fail("message_not_found")
	}
	return m, nil
}

func (s *Server) chatUpdate(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	m, e := s.messageArg(c, ch, "ts")
	if e != nil {
		return nil, e
	}
	if m.BotID != s.st.ws.App.BotID {
		return nil, fail("cant_update_message")
	}
	text, blocks, atts, meta, e := messageContent(c)
	if e != nil && !(e.code == "no_text" && (c.p.has("text") || c.p.has("blocks") || c.p.has("attachments"))) {
		return nil, e
	}
	prev := *m
	if c.p.has("text") || e != nil {
		m.Text = text
	}
	if c.p.has("blocks") {
		m.Blocks = blocks
	}
	if c.p.has("attachments") {
		m.Attachments = atts
	}
	if meta != nil {
		m.Metadata = meta
	}
	m.Edited = &Edited{User: s.st.botID(), TS: s.st.newTS()}
	s.emitChangedLocked(ch, &prev, m, s.st.botID())
	return map[string]any{"channel": ch.ID, "ts": m.TS, "text": m.Text, "message": s.st.messageJSON(m)}, nil
}

func (s *Server) chatDelete(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	m, e := s.messageArg(c, ch, "ts")
	if e != nil {
		return nil, e
	}
	if m.BotID != s.st.ws.App.BotID {
		return nil, fail("cant_delete_message")
	}
	s.deleteLocked(ch, m, s.st.botID())
	return map[string]any{"channel": ch.ID, "ts": m.TS}, nil
}

// deleteLocked removes m and sends message_deleted.
func (s *Server) deleteLocked(ch *channelState, m *Message, actor string) {
	prev := *m
	m.Deleted = true
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if root := ch.byTS[m.ThreadTS]; root != nil && root.ReplyCount > 0 {
			root.ReplyCount--
		}
	}
	s.emitDeletedLocked(ch, &prev, actor)
}

func (s *Server) postEphemeral(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	u := s.st.users[c.p.str("user")]
	if u == nil {
		return nil, fail("user_not_found")
	}
	if !ch.isMember(s.st.botID()) {
		return nil, fail("not_in_channel")
	}
	if !ch.isMember(u.ID) {
		return nil, fail("user_not_in_channel")
	}
	text, blocks, atts, _, e := messageContent(c)
	if e != nil {
		return nil, e
	}
	app := s.st.ws.App
	m := &Message{TS: s.st.newTS(), User: app.BotUserID, BotID: app.BotID, Text: text, Blocks: blocks, Attachments: atts,
		EphemeralTo: u.ID, ThreadTS: c.p.str("thread_ts")}
	s.st.addMessage(ch, m)
	return map[string]any{"message_ts": m.TS}, nil
}

func (s *Server) getPermalink(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	m, e := s.messageArg(c, ch, "message_ts")
	if e != nil {
		return nil, e
	}
	return map[string]any{"channel": ch.ID, "permalink": s.st.permalink(ch, m)}, nil
}

func validEmoji(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '+' || r == '\'' || r == ':') {
			return false
		}
	}
	return true
}

func (s *Server) react(c *call, add bool) (map[string]any, *apiErr) {
	name := strings.Trim(c.p.str("name"), ":")
	if c.p.str("channel") == "" || c.p.str("timestamp") == "" {
		return nil, fail("no_item_specified")
	}
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	m, e := s.messageArg(c, ch, "timestamp")
	if e != nil {
		return nil, e
	}
	if !validEmoji(name) {
		return nil, fail("invalid_name")
	}
	if !ch.isMember(s.st.botID()) && ch.IM == "" {
		return nil, fail("not_in_channel")
	}
	if err := s.reactLocked(ch, m, s.st.botID(), name, add); err != "" {
		return nil, fail(err)
	}
	return map[string]any{}, nil
}

// reactLocked adds or removes user's reaction name on m and sends the
// event; it returns Slack's error code, if any.
func (s *Server) reactLocked(ch *channelState, m *Message, user, name string, add bool) string {
	idx := -1
	for i, r := range m.Reactions {
		if r.Name == name {
			idx = i
		}
	}
	if add {
		if idx >= 0 {
			for _, u := range m.Reactions[idx].Users {
				if u == user {
					return "already_reacted"
				}
			}
			m.Reactions[idx].Users = append(m.Reactions[idx].Users, user)
			m.Reactions[idx].Count++
		} else {
			m.Reactions = append(m.Reactions, Reaction{Name: name, Users: []string{user}, Count: 1})
		}
	} else {
		if idx < 0 {
			return "no_reaction"
		}
		r := &m.Reactions[idx]
		found := false
		for i, u := range r.Users {
			if u == user {
				r.Users = append(r.Users[:i:i], r.Users[i+1:]...)
				found = true
				break
			}
		}
		if !found {
			return "no_reaction"
		}
		r.Count--
		if r.Count == 0 {
			m.Reactions = append(m.Reactions[:idx:idx], m.Reactions[idx+1:]...)
		}
	}
	s.emitReactionLocked(ch, m, user, name, add)
	return ""
}

func (s *Server) convInfo(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	info := s.st.channelJSON(ch)
	if !c.p.boolean("include_num_members") {
		delete(info, "num_members")
	}
	return map[string]any{"channel": info}, nil
}

func (s *Server) convOpen(c *call) (map[string]any, *apiErr) {
	if ref := c.p.str("channel"); ref != "" {
		ch := s.st.channel(ref)
		if ch == nil || (ch.IM == "" && !ch.MPIM) || !ch.isMember(s.st.botID()) {
			return nil, fail("channel_not_found")
		}
		return map[string]any{"no_op": true, "already_open": true, "channel": s.openResult(c, ch)}, nil
	}
	raw := c.p.str("users")
	if raw == "" {
		return nil, fail("users_list_not_supplied")
	}
	var ids []string
	for _, ref := range strings.Split(raw, ",") {
		u := s.st.users[strings.TrimSpace(ref)]
		if u == nil {
			return nil, fail("user_not_found")
		}
		if u.ID != s.st.botID() {
			ids = append(ids, u.ID)
		}
	}
	if len(ids) > 8 {
		return nil, fail("too_many_users")
	}
	if len(ids) == 0 {
		return nil, fail("cannot_dm_bot")
	}
	if len(ids) == 1 {
		existed := false
		for _, cid := range s.st.chOrder {
			if s.st.channels[cid].IM == ids[0] {
				existed = true
			}
		}
		ch := s.st.imWith(ids[0])
		return map[string]any{"no_op": existed, "already_open": existed, "channel": s.openResult(c, ch)}, nil
	}
	want := append([]string{s.st.botID()}, ids...)
	sort.Strings(want)
	for _, cid := range s.st.chOrder {
		ch := s.st.channels[cid]
		if !ch.MPIM {
			continue
		}
		have := append([]string{}, ch.members...)
		sort.Strings(have)
		if strings.Join(have, ",") == strings.Join(want, ",") {
			return map[string]any{"no_op": true, "already_open": true, "channel": s.openResult(c, ch)}, nil
		}
	}
	ch := &channelState{Channel: Channel{ID: s.st.newID("G"), MPIM: true}, created: s.now().Unix(), byTS: map[string]*Message{},
		members: append([]string{s.st.botID()}, ids...)}
	s.st.channels[ch.ID] = ch
	s.st.chOrder = append(s.st.chOrder, ch.ID)
	return map[string]any{"no_op": false, "already_open": false, "channel": s.openResult(c, ch)}, nil
}

func (s *Server) openResult(c *call, ch *channelState) map[string]any {
	if c.p.boolean("return_im") {
		return s.st.channelJSON(ch)
	}
	return map[string]any{"id": ch.ID}
}

// cursor encodes Slack-style opaque cursors.
func encodeCursor(kind string, v int) string {
	return base64.StdEncoding.EncodeToString([]byte(kind + ":" + strconv.Itoa(v)))
}

func decodeCursor(cur, kind string) (int, bool) {
	if cur == "" {
		return 0, true
	}
	b, err := base64.StdEncoding.DecodeString(cur)
	if err != nil {
		return 0, false
	}
	k, v, ok := strings.Cut(string(b), ":")
	if !ok || k != kind {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 0
}

func limitArg(c *call, def, max int) int {
	n := c.p.integer("limit", def)
	if n <= 0 {
		n = def
	}
	if n > max {
		n = max
	}
	return n
}

// page cuts items at the cursor, returning the page and the next cursor.
func page[T any](items []T, c *call, kind string, def, max int) ([]T, string, *apiErr) {
	off, ok := decodeCursor(c.p.str("cursor"), kind)
	if !ok {
		return nil, "", fail("invalid_cursor")
	}
	limit := limitArg(c, def, max)
	if off > len(items) {
		off = len(items)
	}
	end := min(off+limit, len(items))
	next := ""
	if end < len(items) {
		next = encodeCursor(kind, end)
	}
	return items[off:end], next, nil
}

func tsLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	if fa != fb {
		return fa < fb
	}
	return a < b
}

func (s *Server) convHistory(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	if !ch.isMember(s.st.botID()) {
		return nil, fail("not_in_channel")
	}
	latest, oldest := c.p.str("latest"), c.p.str("oldest")
	inclusive := c.p.boolean("inclusive")
	var msgs []*Message
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		m := ch.msgs[i]
		if m.Deleted || m.EphemeralTo != "" || (m.ThreadTS != "" && m.ThreadTS != m.TS && !m.Broadcast) {
			continue
		}
		if latest != "" && (tsLess(latest, m.TS) || (!inclusive && latest == m.TS)) {
			continue
		}
		if oldest != "" && (tsLess(m.TS, oldest) || (!inclusive && oldest == m.TS)) {
			continue
		}
		msgs = append(msgs, m)
	}
	pg, next, e := page(msgs, c, "next_ts", 100, 999)
	if e != nil {
		return nil, e
	}
	out := make([]map[string]any, 0, len(pg))
	for _, m := range pg {
		out = append(out, s.st.messageJSON(m))
	}
	return map[string]any{"messages": out, "has_more": next != "", "pin_count": 0, "channel_actions_ts": nil,
		"channel_actions_count": 0, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) convReplies(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	if !ch.isMember(s.st.botID()) {
		return nil, fail("not_in_channel")
	}
	ts := c.p.str("ts")
	root := ch.byTS[ch.rootOf(ts)]
	if ts == "" || root == nil || root.Deleted {
		return nil, fail("thread_not_found")
	}
	msgs := append([]*Message{root}, ch.replies(root.TS)...)
	pg, next, e := page(msgs, c, "next_ts", 1000, 1000)
	if e != nil {
		return nil, e
	}
	out := make([]map[string]any, 0, len(pg))
	for _, m := range pg {
		out = append(out, s.st.messageJSON(m))
	}
	return map[string]any{"messages": out, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) convList(c *call) (map[string]any, *apiErr) {
	types := map[string]bool{}
	for _, t := range strings.Split(c.p.str("types"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			switch t {
			case "public_channel", "private_channel", "im", "mpim":
				types[t] = true
			default:
				return nil, fail("invalid_types")
			}
		}
	}
	if len(types) == 0 {
		types["public_channel"] = true
	}
	exclude := c.p.boolean("exclude_archived")
	var chans []*channelState
	for _, id := range s.st.chOrder {
		ch := s.st.channels[id]
		var t string
		switch {
		case ch.IM != "":
			t = "im"
		case ch.MPIM:
			t = "mpim"
		case ch.Private:
			t = "private_channel"
		default:
			t = "public_channel"
		}
		if !types[t] || !s.readable(ch) || (exclude && ch.Archived) {
			continue
		}
		chans = append(chans, ch)
	}
	pg, next, e := page(chans, c, "team", 100, 1000)
	if e != nil {
		return nil, e
	}
	out := make([]map[string]any, 0, len(pg))
	for _, ch := range pg {
		out = append(out, s.st.channelJSON(ch))
	}
	return map[string]any{"channels": out, "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) convMembers(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	pg, next, e := page(ch.members, c, "member", 100, 1000)
	if e != nil {
		return nil, e
	}
	return map[string]any{"members": append([]string{}, pg...), "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) convJoin(c *call) (map[string]any, *apiErr) {
	ch, e := s.channelArg(c, "channel")
	if e != nil {
		return nil, e
	}
	if ch.IM != "" || ch.MPIM || ch.Private {
		return nil, fail("method_not_supported_for_channel_type")
	}
	if ch.Archived {
		return nil, fail("is_archived")
	}
	if ch.isMember(s.st.botID()) {
		return map[string]any{"channel": s.st.channelJSON(ch), "warning": "already_in_channel",
			"response_metadata": map[string]any{"warnings": []string{"already_in_channel"}}}, nil
	}
	s.joinLocked(ch, s.st.botID(), "")
	return map[string]any{"channel": s.st.channelJSON(ch)}, nil
}

// joinLocked adds user to ch: a channel_join message and
// member_joined_channel.
func (s *Server) joinLocked(ch *channelState, user, inviter string) {
	ch.members = append(ch.members, user)
	m := &Message{TS: s.st.newTS(), User: user, Subtype: "channel_join", Text: "<@" + user + "> has joined the channel"}
	s.st.addMessage(ch, m)
	s.emitMemberLocked(ch, user, inviter, true)
	s.emitMessageLocked(ch, m, user)
}

// leaveLocked removes user from ch: a channel_leave message and
// member_left_channel.
func (s *Server) leaveLocked(ch *channelState, user string) {
	m := &Message{TS: s.st.newTS(), User: user, Subtype: "channel_leave", Text: "<@" + user + "> has left the channel"}
	s.st.addMessage(ch, m)
	s.emitMessageLocked(ch, m, user)
	s.emitMemberLocked(ch, user, "", false)
	for i, id := range ch.members {
		if id == user {
			ch.members = append(ch.members[:i:i], ch.members[i+1:]...)
			break
		}
	}
}

func (s *Server) usersInfo(c *call) (map[string]any, *apiErr) {
	u := s.st.users[c.p.str("user")]
	if u == nil {
		return nil, fail("user_not_found")
	}
	return map[string]any{"user": s.st.userJSON(u)}, nil
}

func (s *Server) usersList(c *call) (map[string]any, *apiErr) {
	all := make([]*User, 0, len(s.st.order))
	for _, id := range s.st.order {
		all = append(all, s.st.users[id])
	}
	pg, next, e := page(all, c, "users", 0x7fffffff, 0x7fffffff)
	if c.p.str("limit") != "" {
		pg, next, e = page(all, c, "users", 100, 1000)
	}
	if e != nil {
		return nil, e
	}
	out := make([]map[string]any, 0, len(pg))
	for _, u := range pg {
		out = append(out, s.st.userJSON(u))
	}
	return map[string]any{"members": out, "cache_ts": s.now().Unix(), "response_metadata": map[string]any{"next_cursor": next}}, nil
}

func (s *Server) usersLookup(c *call) (map[string]any, *apiErr) {
	email := strings.ToLower(strings.TrimSpace(c.p.str("email")))
	if email == "" {
		return nil, invalidArgs("[ERROR] missing required field: email")
	}
	for _, id := range s.st.order {
		if u := s.st.users[id]; strings.ToLower(u.Email) == email {
			return map[string]any{"user": s.st.userJSON(u)}, nil
		}
	}
	return nil, fail("users_not_found")
}

func (s *Server) teamInfo(c *call) (map[string]any, *apiErr) {
	t := s.st.ws.Team
	if id := c.p.str("team"); id != "" && id != t.ID {
		return nil, fail("team_not_found")
	}
	return map[string]any{"team": map[string]any{"id": t.ID, "name": t.Name, "url": "https://" + t.Domain + ".slack.com/",
		"domain": t.Domain, "email_domain": "", "is_verified": false, "avatar_base_url": "https://ca.slack-edge.com/",
		"icon": map[string]any{"image_default": true, "image_34": avatar(t.ID, 34), "image_44": avatar(t.ID, 44),
			"image_68": avatar(t.ID, 68), "image_88": avatar(t.ID, 88), "image_102": avatar(t.ID, 102),
			"image_132": avatar(t.ID, 132), "image_230": avatar(t.ID, 230)}}}, nil
}

func (s *Server) botsInfo(c *call) (map[string]any, *apiErr) {
	id := c.p.str("bot")
	app := s.st.ws.App
	if id == "" || id == app.BotID {
		p := s.st.makeBotProfile()
		p["user_id"] = app.BotUserID
		return map[string]any{"bot": p}, nil
	}
	for _, uid := range s.st.order {
		if u := s.st.users[uid]; u.BotID == id {
			return map[string]any{"bot": map[string]any{"id": id, "deleted": false, "name": u.Name, "updated": s.st.ws0(),
				"user_id": u.ID, "icons": map[string]string{"image_36": avatar(id, 36), "image_48": avatar(id, 48), "image_72": avatar(id, 72)}}}, nil
		}
	}
	return nil, fail("bot_not_found")
}

func (s *Server) uploadURL(c *call) (map[string]any, *apiErr) {
	name := c.p.str("filename")
	length := c.p.integer("length", 0)
	if name == "" || length <= 0 {
		return nil, invalidArgs("[ERROR] missing required field: filename or length")
	}
	f := &File{ID: s.st.newID("F"), Name: name, Title: name, Size: length, User: s.st.botID()}
	s.st.files[f.ID] = f
	return map[string]any{"upload_url": s.URL() + "/upload/v1/" + f.ID, "file_id": f.ID}, nil
}

func (s *Server) completeUpload(c *call) (map[string]any, *apiErr) {
	raw, ok := c.p.raw("files")
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if !ok || json.Unmarshal(raw, &list) != nil || len(list) == 0 {
		return nil, invalidArgs("[ERROR] missing required field: files")
	}
	var files []File
	out := []map[string]any{}
	for _, it := range list {
		f := s.st.files[it.ID]
		if f == nil || !f.done {
			return nil, fail("file_not_found")
		}
		if it.Title != "" {
			f.Title = it.Title
		}
		files = append(files, *f)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	chRef := c.p.str("channel_id")
	if chRef == "" {
		chRef = strings.Split(c.p.str("channels"), ",")[0]
	}
	if chRef != "" {
		ch := s.st.channel(chRef)
		if ch == nil || !s.readable(ch) {
			return nil, fail("channel_not_found")
		}
		if !ch.isMember(s.st.botID()) {
			return nil, fail("not_in_channel")
		}
		app := s.st.ws.App
		m := &Message{TS: s.st.newTS(), User: app.BotUserID, BotID: app.BotID, Text: c.p.str("initial_comment"), Files: files}
		if raw, ok := c.p.raw("blocks"); ok {
			m.Blocks = raw
		}
		if t := c.p.str("thread_ts"); t != "" {
			m.ThreadTS = ch.rootOf(t)
		}
		s.st.addMessage(ch, m)
		s.emitMessageLocked(ch, m, app.BotUserID)
	}
	return map[string]any{"files": out}, nil
}

// FileContent returns an uploaded file's bytes.
func (s *Server) FileContent(id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files[id]
	if f == nil || !f.done {
		return nil, false
	}
	return append([]byte(nil), f.data...), true
}
