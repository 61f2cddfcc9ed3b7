package slack

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Message is a message as the fake keeps it.
type Message struct {
	Channel     string          `json:"channel"`
	TS          string          `json:"ts"`
	User        string          `json:"user,omitempty"`
	BotID       string          `json:"bot_id,omitempty"`
	Username    string          `json:"username,omitempty"`
	Subtype     string          `json:"subtype,omitempty"`
	Text        string          `json:"text"`
	ThreadTS    string          `json:"thread_ts,omitempty"`
	Blocks      json.RawMessage `json:"blocks,omitempty"`
	Attachments json.RawMessage `json:"attachments,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
	Files       []File          `json:"files,omitempty"`
	Edited      *Edited         `json:"edited,omitempty"`
	// Edits are the message's earlier texts, oldest first (the fake's own
	// record: Slack keeps only the last edit).
	Edits      []string   `json:"edits,omitempty"`
	Reactions  []Reaction `json:"reactions,omitempty"`
	ReplyCount int        `json:"reply_count,omitempty"`
	// EphemeralTo is the only user an ephemeral message is shown to.
	EphemeralTo string `json:"ephemeral_to,omitempty"`
	ClientMsgID string `json:"client_msg_id,omitempty"`
	// Broadcast marks a thread reply also sent to the channel.
	Broadcast bool `json:"reply_broadcast,omitempty"`
	Deleted   bool `json:"deleted,omitempty"`
}

// Edited records the last edit of a message.
type Edited struct {
	User string `json:"user"`
	TS   string `json:"ts"`
}

// Reaction is one emoji on a message and who put it there.
type Reaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
	Count int      `json:"count"`
}

// File is an uploaded file.
type File struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title"`
	Size     int    `json:"size"`
	Mimetype string `json:"mimetype,omitempty"`
	User     string `json:"user,omitempty"`
	data     []byte
	done     bool
}

// channelState is a channel and its messages: the last ones (WithHistory).
type channelState struct {
	Channel
	created int64
	members []string // ids, in joining order
	msgs    []*Message
	byTS    map[string]*Message
}

func (c *channelState) isMember(id string) bool {
	for _, m := range c.members {
		if m == id {
			return true
		}
	}
	return false
}

func (c *channelState) kind() string {
	switch {
	case c.IM != "":
		return "im"
	case c.MPIM:
		return "mpim"
	case c.Private:
		return "group"
	}
	return "channel"
}

type view struct {
	id, teamID, userID, externalID, hash string
	kind                                 string // modal or home
	body                                 map[string]any
	rootID, previousID                   string
	errors                               map[string]string
	closed                               bool
}

type trigger struct {
	at   time.Time
	user string
	used bool
	// channel/message it came from, for context
}

type responseURL struct {
	kind    string // "actions" or "commands"
	channel string
	user    string
	msgTS   string // the message the action was on, for replace/delete
	thread  string
	at      time.Time
	uses    int
}

type state struct {
	ws       Workspace
	clock    fakes.Clock
	users    map[string]*User
	order    []string
	channels map[string]*channelState
	chOrder  []string

	seq        map[string]int64
	tsSeq      int64
	lastMicros int64

	requestURL, interactURL, commandURL string

	// history bounds each channel's messages and the logs (< 1: no bound).
	history    int
	queue      []*outgoing
	deliveries fakes.History[DeliveryRecord]
	sent       fakes.History[*SentEvent]
	calls      fakes.History[Call]
	sockets    map[*socketConn]struct{}
	tickets    map[string]*ticket
	envelopes  map[string]chan socketAck

	views     map[string]*view
	triggers  map[string]*trigger
	trigOrder fakes.History[string] // the trigger_ids kept, to forget the oldest
	responses map[string]*responseURL
	respOrder fakes.History[string] // the response_urls kept, to forget the oldest
	files     map[string]*File

	rateLimits bool
	windows    map[string]*window
	socketMode bool
	profile    map[string]any // the bot's bot_profile, read-only once made
	sockWait   chan struct{}

	signFault      string
	signFaultTimes int
	duplicates     int

	closed bool
}

func newState(ws Workspace, clock fakes.Clock, history int) (*state, error) {
	st := &state{
		ws: ws, clock: clock, history: history,
		deliveries: fakes.NewHistory[DeliveryRecord](history), sent: fakes.NewHistory[*SentEvent](history),
		calls: fakes.NewHistory[Call](history), trigOrder: fakes.NewHistory[string](history), respOrder: fakes.NewHistory[string](history),
		users: map[string]*User{}, channels: map[string]*channelState{}, seq: map[string]int64{},
		sockets: map[*socketConn]struct{}{}, tickets: map[string]*ticket{}, envelopes: map[string]chan socketAck{},
		views: map[string]*view{}, triggers: map[string]*trigger{}, responses: map[string]*responseURL{},
		files: map[string]*File{}, windows: map[string]*window{},
	}
	bot := User{ID: ws.App.BotUserID, Name: ws.App.BotName, RealName: ws.App.Name, DisplayName: ws.App.Name, IsBot: true, BotID: ws.App.BotID}
	st.addUser(bot)
	for _, u := range ws.Users {
		st.addUser(u)
	}
	now := clock.Now().Unix()
	for _, c := range ws.Channels {
		cs := &channelState{Channel: c, created: now, byTS: map[string]*Message{}}
		cs.Members = nil
		if c.IM != "" {
			u := st.user(c.IM)
			cs.IM = u.ID
			cs.members = []string{u.ID, ws.App.BotUserID}
		}
		for _, m := range c.Members {
			u := st.user(m)
			if !cs.isMember(u.ID) {
				cs.members = append(cs.members, u.ID)
			}
		}
		if c.Creator != "" {
			cs.Creator = st.user(c.Creator).ID
		}
		st.channels[c.ID] = cs
		st.chOrder = append(st.chOrder, c.ID)
	}
	return st, nil
}

func (st *state) addUser(u User) {
	cp := u
	st.users[u.ID] = &cp
	st.order = append(st.order, u.ID)
}

// user resolves an id, a name, "@name" or "bot"; nil if unknown.
func (st *state) user(ref string) *User {
	ref = strings.TrimPrefix(strings.TrimSpace(ref), "@")
	if u := st.users[ref]; u != nil {
		return u
	}
	if ref == "bot" {
		return st.users[st.ws.App.BotUserID]
	}
	for _, id := range st.order {
		if u := st.users[id]; u.Name == ref {
			return u
		}
	}
	return nil
}

// channel resolves an id, a name or "#name"; nil if unknown.
func (st *state) channel(ref string) *channelState {
	ref = strings.TrimSpace(ref)
	if c := st.channels[ref]; c != nil {
		return c
	}
	name := strings.TrimPrefix(ref, "#")
	for _, id := range st.chOrder {
		if c := st.channels[id]; c.Name == name && c.IM == "" && !c.MPIM {
			return c
		}
	}
	return nil
}

// imWith returns the DM between the bot and user id, creating it.
func (st *state) imWith(id string) *channelState {
	for _, cid := range st.chOrder {
		if c := st.channels[cid]; c.IM == id {
			return c
		}
	}
	cs := &channelState{Channel: Channel{ID: st.newID("D"), IM: id}, created: st.clock.Now().Unix(), byTS: map[string]*Message{},
		members: []string{id, st.ws.App.BotUserID}}
	st.channels[cs.ID] = cs
	st.chOrder = append(st.chOrder, cs.ID)
	return cs
}

func (st *state) botID() string { return st.ws.App.BotUserID }

// addTrigger issues a trigger_id, forgetting the oldest when the fake holds
// too many.
func (st *state) addTrigger(id string, t *trigger) {
	if _, ok := st.triggers[id]; !ok {
		if old, dropped := st.trigOrder.Add(id); dropped && old != id {
			delete(st.triggers, old)
		}
	}
	st.triggers[id] = t
}

// newID returns a fresh id such as C000000001, unique per prefix.
func (st *state) newID(prefix string) string {
	for {
		st.seq[prefix]++
		id := prefix + fmt.Sprintf("%09s", strings.ToUpper(strconv.FormatInt(st.seq[prefix], 36)))
		if st.users[id] == nil && st.channels[id] == nil {
			return id
		}
	}
}

// nextSeq returns the next value of a named counter, from 1.
func (st *state) nextSeq(name string) int64 {
	st.seq[name]++
	return st.seq[name]
}

// newTS returns a message timestamp, "1767225600.000100": the clock's
// seconds and a per-workspace sequence in the microseconds, always
// increasing.
func (st *state) newTS() string {
	st.tsSeq++
	micros := st.clock.Now().Unix()*1_000_000 + (st.tsSeq*100)%1_000_000
	if micros <= st.lastMicros {
		micros = st.lastMicros + 100
	}
	st.lastMicros = micros
	return fmt.Sprintf("%d.%06d", micros/1_000_000, micros%1_000_000)
}

// seenTS makes newTS hand out only timestamps after ts, a message's ts
// that came from elsewhere (a replayed recording): ts are unique.
func (st *state) seenTS(ts string) {
	sec, frac, ok := strings.Cut(ts, ".")
	if !ok || len(frac) != 6 {
		return
	}
	s, err1 := strconv.ParseInt(sec, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return
	}
	st.lastMicros = max(st.lastMicros, s*1_000_000+f)
}

// seenEventID makes eventID hand out only ids after id, an event_id that
// came from elsewhere (a replayed recording of this fake, whose ids have
// the same form): event ids are unique.
func (st *state) seenEventID(id string) {
	rest, ok := strings.CutPrefix(id, "Ev")
	if !ok || len(rest) != 10 {
		return
	}
	if n, err := strconv.ParseInt(strings.ToLower(rest), 36, 64); err == nil {
		st.seq["Ev"] = max(st.seq["Ev"], n)
	}
}

// addMessage stores m in c, keeping the messages in ts order, and forgets
// the channel's oldest message when it holds too many.
func (st *state) addMessage(c *channelState, m *Message) {
	m.Channel = c.ID
	c.msgs = append(c.msgs, m)
	c.byTS[m.TS] = m
	if st.history > 0 && len(c.msgs) > st.history {
		old := c.msgs[0]
		c.msgs[0] = nil
		c.msgs = c.msgs[1:] // the next append that grows it lets the rest go
		if c.byTS[old.TS] == old {
			delete(c.byTS, old.TS)
		}
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		if root := c.byTS[m.ThreadTS]; root != nil {
			if root.ThreadTS == "" {
				root.ThreadTS = root.TS
			}
			root.ReplyCount++
		}
	}
}

// rootOf returns the thread root ts for a thread_ts given by a client: a
// reply's ts resolves to its root.
func (c *channelState) rootOf(ts string) string {
	if m := c.byTS[ts]; m != nil && m.ThreadTS != "" {
		return m.ThreadTS
	}
	return ts
}

// replies returns the live replies of the thread rooted at ts, oldest first.
func (c *channelState) replies(ts string) []*Message {
	var out []*Message
	for _, m := range c.msgs {
		if !m.Deleted && m.ThreadTS == ts && m.TS != ts && m.EphemeralTo == "" {
			out = append(out, m)
		}
	}
	return out
}

func (st *state) workspace() Workspace {
	ws := st.ws
	ws.Users = nil
	for _, id := range st.order {
		if id == st.botID() {
			continue
		}
		ws.Users = append(ws.Users, *st.users[id])
	}
	ws.Channels = nil
	for _, id := range st.chOrder {
		c := st.channels[id]
		ch := c.Channel
		ch.Members = append([]string{}, c.members...)
		ws.Channels = append(ws.Channels, ch)
	}
	return ws
}

// userJSON renders a user as users.info does.
func (st *state) userJSON(u *User) map[string]any {
	real := u.RealName
	if real == "" {
		real = u.Name
	}
	display := u.DisplayName
	tz := u.TZ
	if tz == "" {
		tz = "Europe/London"
	}
	profile := map[string]any{
		"real_name": real, "real_name_normalized": real, "display_name": display, "display_name_normalized": display,
		"first_name": firstWord(real), "last_name": restWords(real), "title": "", "phone": "", "skype": "",
		"status_text": "", "status_emoji": "", "status_expiration": 0, "team": st.ws.Team.ID,
		"avatar_hash": "g" + strings.ToLower(u.ID), "image_24": avatar(u.ID, 24), "image_32": avatar(u.ID, 32),
		"image_48": avatar(u.ID, 48), "image_72": avatar(u.ID, 72), "image_192": avatar(u.ID, 192), "image_512": avatar(u.ID, 512),
	}
	if u.Email != "" {
		profile["email"] = u.Email
	}
	bot := u.IsBot || u.BotID != ""
	if bot {
		botID := u.BotID
		profile["bot_id"] = botID
		if u.ID == st.botID() {
			profile["api_app_id"] = st.ws.App.ID
		}
		profile["always_active"] = true
	}
	return map[string]any{
		"id": u.ID, "team_id": st.ws.Team.ID, "name": u.Name, "deleted": false, "color": "9f69e7", "real_name": real,
		"tz": tz, "tz_label": tzLabel(tz), "tz_offset": tzOffset(tz), "profile": profile,
		"is_admin": u.IsAdmin, "is_owner": false, "is_primary_owner": false, "is_restricted": false,
		"is_ultra_restricted": false, "is_bot": bot, "is_app_user": false, "updated": st.ws0(), "is_email_confirmed": u.Email != "",
		"who_can_share_contact_card": "EVERYONE",
	}
}

func (st *state) ws0() int64 { return fakes.EpochUnix }

func avatar(id string, size int) string {
	return fmt.Sprintf("https://secure.gravatar.com/avatar/%s.jpg?s=%d&d=mp", strings.ToLower(id), size)
}

func firstWord(s string) string {
	f, _, _ := strings.Cut(s, " ")
	return f
}

func restWords(s string) string {
	_, r, _ := strings.Cut(s, " ")
	return r
}

func tzLabel(tz string) string {
	switch tz {
	case "America/New_York":
		return "Eastern Standard Time"
	case "America/Los_Angeles":
		return "Pacific Standard Time"
	case "Europe/Berlin", "Europe/Paris":
		return "Central European Time"
	}
	return "Greenwich Mean Time"
}

func tzOffset(tz string) int {
	switch tz {
	case "America/New_York":
		return -18000
	case "America/Los_Angeles":
		return -28800
	case "Europe/Berlin", "Europe/Paris":
		return 3600
	}
	return 0
}

// channelJSON renders a conversation as conversations.info does, seen by
// the bot.
func (st *state) channelJSON(c *channelState) map[string]any {
	created := c.created
	if c.IM != "" {
		return map[string]any{
			"id": c.ID, "created": created, "is_im": true, "is_org_shared": false, "user": c.IM, "is_user_deleted": false,
			"priority": 0, "context_team_id": st.ws.Team.ID, "is_open": true, "last_read": "0000000000.000000",
		}
	}
	name := c.Name
	if c.MPIM && name == "" {
		var names []string
		for _, id := range c.members {
			names = append(names, st.users[id].Name)
		}
		name = "mpdm-" + strings.Join(names, "--") + "-1"
	}
	creator := c.Creator
	if creator == "" && len(c.members) > 0 {
		creator = c.members[0]
	}
	m := map[string]any{
		"id": c.ID, "name": name, "name_normalized": name, "created": created, "creator": creator,
		"is_channel": !c.Private && !c.MPIM, "is_group": c.Private && !c.MPIM, "is_im": false, "is_mpim": c.MPIM,
		"is_private": c.Private || c.MPIM, "is_archived": c.Archived, "is_general": c.General, "is_shared": false,
		"is_ext_shared": false, "is_org_shared": false, "is_pending_ext_shared": false, "pending_shared": []string{},
		"context_team_id": st.ws.Team.ID, "unlinked": 0, "parent_conversation": nil, "shared_team_ids": []string{st.ws.Team.ID},
		"is_member": c.isMember(st.botID()), "num_members": len(c.members), "updated": created * 1000,
		"topic":          map[string]any{"value": c.Topic, "creator": topicCreator(c.Topic, creator), "last_set": topicSet(c.Topic, created)},
		"purpose":        map[string]any{"value": c.Purpose, "creator": topicCreator(c.Purpose, creator), "last_set": topicSet(c.Purpose, created)},
		"previous_names": []string{},
	}
	if c.isMember(st.botID()) {
		m["last_read"] = "0000000000.000000"
	}
	return m
}

func topicCreator(v, creator string) string {
	if v == "" {
		return ""
	}
	return creator
}

func topicSet(v string, at int64) int64 {
	if v == "" {
		return 0
	}
	return at
}

// messageJSON renders a stored message as the Web API returns it.
func (st *state) messageJSON(m *Message) map[string]any {
	o := map[string]any{"type": "message", "ts": m.TS, "text": m.Text}
	if m.User != "" {
		o["user"] = m.User
	}
	if m.BotID != "" {
		o["bot_id"] = m.BotID
		if m.BotID == st.ws.App.BotID {
			o["app_id"] = st.ws.App.ID
			o["bot_profile"] = st.botProfile()
		}
	}
	if m.User != "" || m.BotID != "" {
		o["team"] = st.ws.Team.ID
	}
	if m.Username != "" {
		o["username"] = m.Username
	}
	if m.Subtype != "" {
		o["subtype"] = m.Subtype
	}
	if len(m.Blocks) > 0 {
		o["blocks"] = m.Blocks
	}
	if len(m.Attachments) > 0 {
		o["attachments"] = m.Attachments
	}
	if len(m.Metadata) > 0 {
		o["metadata"] = m.Metadata
	}
	if m.ClientMsgID != "" {
		o["client_msg_id"] = m.ClientMsgID
	}
	if m.ThreadTS != "" {
		o["thread_ts"] = m.ThreadTS
		if m.ThreadTS != m.TS {
			if c := st.channels[m.Channel]; c != nil {
				if root := c.byTS[m.ThreadTS]; root != nil {
					o["parent_user_id"] = root.User
				}
			}
		} else {
			c := st.channels[m.Channel]
			reps := c.replies(m.TS)
			o["reply_count"] = len(reps)
			var users []string
			seen := map[string]bool{}
			for _, r := range reps {
				u := r.User
				if u != "" && !seen[u] {
					seen[u] = true
					users = append(users, u)
				}
			}
			sort.Strings(users)
			o["reply_users"] = users
			o["reply_users_count"] = len(users)
			if len(reps) > 0 {
				o["latest_reply"] = reps[len(reps)-1].TS
			}
			o["is_locked"] = false
			o["subscribed"] = false
		}
	}
	if len(m.Files) > 0 {
		var fs []map[string]any
		for _, f := range m.Files {
			fs = append(fs, st.fileJSON(&f))
		}
		o["files"] = fs
		o["upload"] = false
		o["display_as_bot"] = false
	}
	if m.Edited != nil {
		o["edited"] = m.Edited
	}
	if len(m.Reactions) > 0 {
		o["reactions"] = m.Reactions
	}
	return o
}

func (st *state) botProfile() map[string]any {
	if st.profile == nil {
		st.profile = st.makeBotProfile()
	}
	return st.profile
}

func (st *state) makeBotProfile() map[string]any {
	a := st.ws.App
	return map[string]any{"id": a.BotID, "deleted": false, "name": a.Name, "updated": fakes.EpochUnix, "app_id": a.ID,
		"icons":   map[string]string{"image_36": avatar(a.BotID, 36), "image_48": avatar(a.BotID, 48), "image_72": avatar(a.BotID, 72)},
		"team_id": st.ws.Team.ID}
}

func (st *state) fileJSON(f *File) map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "title": f.Title, "size": f.Size, "mimetype": f.Mimetype,
		"filetype": fileType(f.Name), "user": f.User, "created": fakes.EpochUnix, "timestamp": fakes.EpochUnix,
		"url_private": "https://files.slack.com/files-pri/" + st.ws.Team.ID + "-" + f.ID + "/" + f.Name,
		"permalink":   "https://" + st.ws.Team.Domain + ".slack.com/files/" + f.User + "/" + f.ID + "/" + f.Name,
		"is_external": false, "is_public": true, "mode": "hosted"}
}

func fileType(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return strings.ToLower(name[i+1:])
	}
	return "text"
}

// permalink is the message's permalink.
func (st *state) permalink(c *channelState, m *Message) string {
	u := "https://" + st.ws.Team.Domain + ".slack.com/archives/" + c.ID + "/p" + strings.Replace(m.TS, ".", "", 1)
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		u += "?thread_ts=" + m.ThreadTS + "&cid=" + c.ID
	}
	return u
}
