package rocketchat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
)

// persons is the Rocket.Chat fake behind the shared vocabulary:
// a person's handle is their username (the fake starts with ada "Ada
// Lovelace", grace "Grace Hopper" and admin; others are created), places
// are rooms by their name ("#general") and each person's direct message
// with the bot, their default place when the scenario set one up.
type persons struct {
	mu     sync.Mutex // held through an action or a setup step
	srv    *Server
	people map[string]bool
	rooms  map[string]string // room name without "#" → room id
	dms    map[string]string // handle → id of their DM with the bot
	last   map[string]string // handle → id of their latest message
}

func newPersons(srv *Server) *persons {
	return &persons{srv: srv, people: map[string]bool{}, rooms: map[string]string{}, dms: map[string]string{}, last: map[string]string{}}
}

// Has reports whether the person was set up on the fake (fakes.People).
func (p *persons) Has(person string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.people[person]
}

// Do performs a as a person (fakes.People): messages, mentions, thread
// replies, edits, deletions, reactions, slash commands, button presses,
// menu and date picks, joins and leaves.
func (p *persons) Do(ctx context.Context, a fakes.Action) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do(ctx, a)
}

// Seen returns what the person sees in a room, their direct message with
// the bot (or the one room they are in) when place is "" (fakes.People).
func (p *persons) Seen(person, place string) ([]fakes.Shown, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen(person, place)
}

// addPerson makes handle a person of the scenario: the fake's account with
// that username, created when missing (named name, or the handle
// capitalised) and renamed when the scenario names it otherwise.
func (p *persons) addPerson(handle, name string) error {
	name = strings.TrimSpace(name)
	for _, u := range p.srv.Users() {
		if u.Username != handle {
			continue
		}
		if u.Type == "bot" {
			return fmt.Errorf("%q is the bot's username on Rocket.Chat: name people otherwise", handle)
		}
		if name != "" && u.Name != name {
			if _, err := p.srv.SetUserName(handle, name); err != nil {
				return err
			}
		}
		p.people[handle] = true
		return nil
	}
	if name == "" {
		name = strings.ToUpper(handle[:1]) + handle[1:]
	}
	if _, err := p.srv.AddUser(User{Username: handle, Name: name, Email: handle + "@chatsim.test", Password: handle + "-password"}); err != nil {
		return err
	}
	p.people[handle] = true
	return nil
}

// addRoom sets up a channel ("c") or private group ("p") with the bot and
// these people in it: the fake's own room of that name when it has one
// (#general, #team), else a new one.
func (p *persons) addRoom(name, typ string, handles []string) error {
	name = strings.TrimPrefix(name, "#")
	bot := p.srv.BotUser().Username
	for _, r := range p.srv.Rooms() {
		if r.Name == "" || !strings.EqualFold(r.Name, name) {
			continue
		}
		if r.Type != typ {
			return fmt.Errorf("#%s already exists on Rocket.Chat as a %s", r.Name, map[string]string{"c": "public channel", "p": "private group"}[r.Type])
		}
		for _, h := range append([]string{bot}, handles...) {
			if err := p.srv.AddMember(r.ID, h); err != nil {
				return err
			}
		}
		p.rooms[strings.ToLower(r.Name)] = r.ID
		return nil
	}
	r, err := p.srv.AddRoom(name, typ, append([]string{bot}, handles...)...)
	if err != nil {
		return err
	}
	p.rooms[strings.ToLower(r.Name)] = r.ID
	return nil
}

func (p *persons) roomNames() []string {
	var out []string
	for n := range p.rooms {
		out = append(out, "#"+n)
	}
	for h := range p.dms {
		out = append(out, "@"+h)
	}
	sort.Strings(out)
	return out
}

// room resolves where person acts: a room by name ("#general" or
// "general"), "@handle" for a DM with the bot, or by default their DM
// with the bot, else the one room of the scenario they are in.
func (p *persons) room(person, place string) (string, error) {
	if !p.people[person] {
		return "", fmt.Errorf("person %q: %w on Rocket.Chat", person, fakes.ErrNotFound)
	}
	if place != "" {
		if id, ok := p.rooms[strings.ToLower(strings.TrimPrefix(place, "#"))]; ok {
			return id, nil
		}
		if id, ok := p.dms[strings.TrimPrefix(place, "@")]; ok && strings.TrimPrefix(place, "@") == person {
			return id, nil
		}
		return "", fmt.Errorf("place %q: %w on Rocket.Chat (the scenario has: %s)", place, fakes.ErrNotFound, strings.Join(p.roomNames(), ", "))
	}
	if id, ok := p.dms[person]; ok {
		return id, nil
	}
	var in []string
	users := map[string]string{}
	for _, u := range p.srv.Users() {
		users[u.Username] = u.ID
	}
	for _, r := range p.srv.Rooms() {
		if _, ours := p.rooms[strings.ToLower(r.Name)]; ours && r.Name != "" && slices.Contains(r.Members, users[person]) {
			in = append(in, r.ID)
		}
	}
	if len(in) == 1 {
		return in[0], nil
	}
	return "", fmt.Errorf("where does %q act on Rocket.Chat? they have no direct message with the bot and are in %d of the scenario's rooms: add in \"#…\" to the step", person, len(in))
}

// find returns the latest live message of a room that satisfies ok.
func (p *persons) find(roomID string, ok func(m Message) bool) (Message, bool) {
	msgs, _ := p.srv.Messages(roomID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Type == "" && ok(msgs[i]) {
			return msgs[i], true
		}
	}
	return Message{}, false
}

func rcSameText(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

// target finds the latest message with this text.
func (p *persons) target(roomID, text string) (Message, error) {
	m, ok := p.find(roomID, func(m Message) bool { return rcSameText(m.Text, text) })
	if !ok {
		return m, fmt.Errorf("message %q: %w in %s", text, fakes.ErrNotFound, p.label(roomID))
	}
	return m, nil
}

func (p *persons) label(roomID string) string {
	for n, id := range p.rooms {
		if id == roomID {
			return "#" + n
		}
	}
	for h, id := range p.dms {
		if id == roomID {
			return "the direct message of " + h + " with the bot"
		}
	}
	return "room " + roomID
}

// control finds the latest message (with the text target, unless "") that
// has a control accepting label, as has says.
func (p *persons) control(roomID, target, what, label string, has func(c Control) bool) (Message, error) {
	m, ok := p.find(roomID, func(m Message) bool {
		if target != "" && !rcSameText(m.Text, target) {
			return false
		}
		return slices.ContainsFunc(Controls(m.Blocks), has)
	})
	if !ok {
		where := "any message"
		if target != "" {
			where = fmt.Sprintf("the message %q", target)
		}
		return m, fmt.Errorf("%s %q: %w on %s in %s", what, label, fakes.ErrNotFound, where, p.label(roomID))
	}
	return m, nil
}

// rcEmojiNames returns the shortcodes of the emoji scenarios write most:
// Rocket.Chat reacts by shortcode and refuses a raw emoji.
func rcEmojiNames() map[string]string {
	return map[string]string{
		"👍": "+1", "👎": "-1", "❤️": "heart", "❤": "heart", "🎉": "tada", "😄": "smile", "😂": "joy", "🙏": "pray", "🔥": "fire",
		"👀": "eyes", "✅": "white_check_mark", "👏": "clap", "😢": "cry", "😮": "open_mouth", "🚀": "rocket", "☕": "coffee", "🍵": "tea",
	}
}

// shortcode turns what a scenario writes ("👍", "tada", ":tada:") into the
// shortcode Rocket.Chat takes.
func rcShortcode(emoji string) string {
	if n, ok := rcEmojiNames()[emoji]; ok {
		return n
	}
	return strings.Trim(emoji, ":")
}

// rcEmojiOf turns a reaction's key (":+1:") into what a scenario writes:
// the emoji when it is one rcEmojiNames knows, else the key.
func rcEmojiOf(key string) string {
	name := strings.Trim(key, ":")
	best := ""
	for e, n := range rcEmojiNames() {
		if n == name && (best == "" || e < best) {
			best = e
		}
	}
	if best != "" {
		return best
	}
	return key
}

func (p *persons) do(ctx context.Context, a fakes.Action) (string, error) {
	if !p.people[a.Person] {
		return "", fmt.Errorf("person %q: %w on Rocket.Chat", a.Person, fakes.ErrNotFound)
	}
	line := a.Person + "  ▸ "
	switch a.Kind {
	case fakes.ActJoin, fakes.ActLeave:
		id, ok := p.rooms[strings.ToLower(strings.TrimPrefix(a.Place, "#"))]
		if !ok {
			return "", fmt.Errorf("room %q: %w on Rocket.Chat (the scenario has: %s)", a.Place, fakes.ErrNotFound, strings.Join(p.roomNames(), ", "))
		}
		if a.Kind == fakes.ActJoin {
			_, err := p.srv.Join(a.Person, id)
			return line + "(joins " + p.label(id) + ")", err
		}
		_, err := p.srv.Leave(a.Person, id)
		return line + "(leaves " + p.label(id) + ")", err
	case fakes.ActCommand:
		return "", fmt.Errorf("run a command: %w: Rocket.Chat's slash commands belong to apps, and outgoing webhooks never see them", fakes.ErrUnsupported)
	case fakes.ActSendPhoto:
		return "", fmt.Errorf("send a photo: %w: the Rocket.Chat fake does not simulate file uploads", fakes.ErrUnsupported)
	case fakes.ActSubmit:
		return "", fmt.Errorf("submit a modal: %w: Rocket.Chat's modals belong to apps (UIKit views), which the fake does not simulate", fakes.ErrUnsupported)
	case fakes.ActCreateOrder, fakes.ActPayOrder, fakes.ActCancelOrder:
		return "", fmt.Errorf("%s: %w: Rocket.Chat is not a shop", a.Kind, fakes.ErrUnsupported)
	}
	roomID, err := p.room(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	send := func(m Message) error {
		sent, err := p.srv.SendMessage(a.Person, roomID, m)
		if err == nil {
			p.last[a.Person] = sent.ID
		}
		return err
	}
	switch a.Kind {
	case fakes.ActSend:
		return line + a.Text, send(Message{Text: a.Text})
	case fakes.ActMention:
		t := "@" + p.srv.BotUser().Username + " " + a.Text
		return line + t, send(Message{Text: t})
	case fakes.ActReply:
		m, err := p.target(roomID, a.Target)
		if err != nil {
			return "", err
		}
		root := m.ID
		if m.ThreadID != "" {
			root = m.ThreadID // a reply in a thread goes to its root
		}
		return line + fmt.Sprintf("(replies to %q) %s", a.Target, a.Text), send(Message{Text: a.Text, ThreadID: root})
	case fakes.ActEdit:
		mine := p.srv.Users()
		var uid string
		for _, u := range mine {
			if u.Username == a.Person {
				uid = u.ID
			}
		}
		m, ok := p.find(roomID, func(m Message) bool { return m.User.ID == uid && rcSameText(m.Text, a.Target) })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, p.label(roomID), fakes.ErrNotFound)
		}
		_, err := p.srv.Edit(a.Person, m.ID, a.Text)
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), err
	case fakes.ActDelete:
		m, ok := p.find(roomID, func(m Message) bool { return m.User.Username == a.Person && rcSameText(m.Text, a.Target) })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, p.label(roomID), fakes.ErrNotFound)
		}
		return line + fmt.Sprintf("(deletes %q)", a.Target), p.srv.Delete(a.Person, m.ID)
	case fakes.ActReact:
		m, err := p.target(roomID, a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.React(a.Person, m.ID, rcShortcode(a.Text))
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), err
	case fakes.ActClick:
		m, err := p.control(roomID, a.Target, "button", a.Text, func(c Control) bool { return c.Type == "button" && c.Text == a.Text })
		if err != nil {
			return "", err
		}
		verb := a.Verb
		if verb == "" {
			verb = "clicks"
		}
		_, err = p.srv.Click(a.Person, m.ID, a.Text)
		return line + "(" + verb + " " + a.Text + ")", err
	case fakes.ActPick:
		m, err := p.control(roomID, a.Target, "menu option", a.Text, func(c Control) bool {
			return (c.Type == "static_select" || c.Type == "overflow") && slices.Contains(c.Options, a.Text)
		})
		if err != nil {
			return "", err
		}
		_, err = p.srv.Select(a.Person, m.ID, "", a.Text)
		return line + "(picks " + a.Text + ")", err
	case fakes.ActPickDate:
		m, err := p.control(roomID, a.Target, "date picker for", a.Text, func(c Control) bool { return c.Type == "datepicker" })
		if err != nil {
			return "", err
		}
		_, err = p.srv.PickDate(a.Person, m.ID, "", a.Text)
		return line + "(picks the date " + a.Text + ")", err
	}
	return "", fmt.Errorf("%s: %w", a.Kind, fakes.ErrUnsupported)
}

// rcButtonsOf lists what a person can press or pick on a rich message:
// button labels, menu options, and a date picker as "📅 <its day or
// placeholder>".
func rcButtonsOf(blocks json.RawMessage) []string {
	var out []string
	for _, c := range Controls(blocks) {
		switch c.Type {
		case "button":
			out = append(out, c.Text)
		case "datepicker":
			day := c.InitialDate
			if day == "" {
				day = c.Text
			}
			out = append(out, strings.TrimSpace("📅 "+day))
		default:
			out = append(out, c.Options...)
		}
	}
	return out
}

func (p *persons) seen(person, place string) ([]fakes.Shown, error) {
	roomID, err := p.room(person, place)
	if err != nil {
		return nil, err
	}
	msgs, err := p.srv.Messages(roomID)
	if err != nil {
		return nil, err
	}
	botID := p.srv.BotUser().ID
	var out []fakes.Shown
	for _, m := range msgs {
		sh := fakes.Shown{From: m.User.Username, Text: m.Text, Buttons: rcButtonsOf(m.Blocks), Notes: ContextTexts(m.Blocks)}
		if m.User.ID == botID {
			sh.From = "bot"
		}
		switch m.Type {
		case "uj":
			sh.Text = "(" + m.User.Username + " joined)"
		case "ul":
			sh.Text = "(" + m.User.Username + " left)"
		}
		for _, r := range m.History {
			sh.Edits = append(sh.Edits, r.Text)
		}
		keys := make([]string, 0, len(m.Reactions))
		for k := range m.Reactions {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sh.Reactions = append(sh.Reactions, rcEmojiOf(k))
		}
		if n := rcCountAttachments(m.Attachments); n > 0 && sh.Text == "" {
			sh.Media = "(attachment)"
		}
		out = append(out, sh)
	}
	return out, nil
}

func rcCountAttachments(raw json.RawMessage) int {
	var a []json.RawMessage
	_ = json.Unmarshal(raw, &a)
	return len(a)
}
