package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
)

// persons is the fake Slack behind the shared vocabulary. People
// are workspace users with their handle as name (ada and grace are in the
// fake's default workspace; others get the id U0<HANDLE>); places are
// channels by their #name (new ones get C0<NAME>, or G0<NAME> when private,
// the bot in them) and each person's DM with the bot. What a step sets up is
// declared: as if it had always been so, with no event for the app.
type persons struct {
	mu     sync.Mutex // held through an action or a setup step
	srv    *Server
	people map[string]bool   // handles the scenario set up
	places map[string]string // "#general" → channel id
	dms    map[string]string // handle → the DM's id
}

func newPersons(srv *Server) *persons {
	return &persons{srv: srv, people: map[string]bool{}, places: map[string]string{}, dms: map[string]string{}}
}

// Has reports whether the person was set up on the fake (fakes.People).
func (p *persons) Has(person string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.people[person]
}

// Do performs a as a person (fakes.People): messages, mentions, thread
// replies, edits, deletions, reactions, slash commands, button clicks, menu
// and date picks, modal submissions, joins and leaves. The fake's people
// upload no files and Slack is not a shop: those are fakes.ErrUnsupported.
func (p *persons) Do(ctx context.Context, a fakes.Action) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do(ctx, a)
}

// Seen returns what the person sees in a channel, their DM with the bot
// (or the one channel they are in) when place is "" (fakes.People).
func (p *persons) Seen(person, place string) ([]fakes.Shown, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen(person, place)
}

// slackID makes a readable Slack id from a name: "bob" → U0BOB.
func slackID(prefix, name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return prefix + "0" + b.String()
}

// user returns the workspace user with this handle (or id).
func (p *persons) user(ref string) (User, bool) {
	for _, u := range p.srv.Workspace().Users {
		if u.Name == ref || u.ID == ref {
			return u, true
		}
	}
	return User{}, false
}

// addPerson makes sure the workspace has the person, named name when one
// is given ("Ada Lovelace"; no name gives the handle capitalised).
func (p *persons) addPerson(handle, name string) error {
	name = strings.TrimSpace(name)
	if u, ok := p.user(handle); ok {
		if name != "" && u.RealName != name {
			if _, err := p.srv.DeclareUser(User{ID: u.ID, RealName: name}); err != nil {
				return err
			}
		}
		p.people[handle] = true
		return nil
	}
	if name == "" {
		name = strings.ToUpper(handle[:1]) + handle[1:]
	}
	u := User{ID: slackID("U", handle), Name: handle, RealName: name, DisplayName: handle, Email: handle + "@example.com"}
	if _, taken := p.user(u.ID); taken || u.ID == "" {
		u.ID = ""
	}
	if _, err := p.srv.AddUser(u); err != nil {
		return err
	}
	p.people[handle] = true
	return nil
}

// addChannel makes sure the channel exists with these people in it; a new
// one has the bot in it too.
func (p *persons) addChannel(place string, private bool, people []fakes.Person) error {
	name := strings.TrimPrefix(place, "#")
	for _, who := range people {
		if err := p.addPerson(who.Handle, who.Name); err != nil {
			return err
		}
	}
	id := ""
	for _, c := range p.srv.Workspace().Channels {
		if c.Name == name && c.IM == "" && !c.MPIM {
			id = c.ID
		}
	}
	if id == "" {
		c := Channel{ID: slackID("C", name), Name: name, Private: private, Members: []string{"bot"}}
		if private {
			c.ID = slackID("G", name)
		}
		if len(people) > 0 {
			c.Creator = people[0].Handle
		}
		for _, who := range people {
			c.Members = append(c.Members, who.Handle)
		}
		got, err := p.srv.DeclareChannel(c)
		if err != nil {
			c.ID = "" // the readable id is taken: a fresh one
			if got, err = p.srv.DeclareChannel(c); err != nil {
				return err
			}
		}
		id = got.ID
	} else {
		for _, who := range people {
			if err := p.srv.DeclareMember(id, who.Handle, true); err != nil {
				return err
			}
		}
	}
	p.places["#"+name] = id
	return nil
}

// addDM makes sure the person has a DM with the bot: their default place.
func (p *persons) addDM(handle, name string) error {
	if err := p.addPerson(handle, name); err != nil {
		return err
	}
	u, _ := p.user(handle)
	for _, c := range p.srv.Workspace().Channels {
		if c.IM == u.ID {
			p.dms[handle] = c.ID
			return nil
		}
	}
	c, err := p.srv.DeclareChannel(Channel{ID: slackID("D", handle), IM: u.ID})
	if err != nil {
		if c, err = p.srv.DeclareChannel(Channel{IM: u.ID}); err != nil {
			return err
		}
	}
	p.dms[handle] = c.ID
	return nil
}

func (p *persons) placeNames() []string {
	names := make([]string, 0, len(p.places)+len(p.dms))
	for n := range p.places {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// channel resolves where a person acts: a named channel, their DM (by
// their handle, or "" when they have one), or the one channel the
// scenario named that they are in.
func (p *persons) channel(person, place string) (string, error) {
	u, ok := p.user(person)
	if !ok || !p.people[person] {
		return "", fmt.Errorf("person %q: %w on Slack", person, fakes.ErrNotFound)
	}
	if place != "" {
		if id, ok := p.places["#"+strings.TrimPrefix(place, "#")]; ok {
			return id, nil
		}
		if id, ok := p.dms[person]; ok && (place == person || place == "dm") {
			return id, nil
		}
		return "", fmt.Errorf("place %q: %w on Slack (channels: %s)", place, fakes.ErrNotFound, fakes.QuoteAll(p.placeNames()))
	}
	if id, ok := p.dms[person]; ok {
		return id, nil
	}
	var in []string
	for _, c := range p.srv.Workspace().Channels {
		if slices.Contains(c.Members, u.ID) && p.places["#"+c.Name] == c.ID && c.IM == "" {
			in = append(in, c.ID)
		}
	}
	if len(in) == 1 {
		return in[0], nil
	}
	return "", fmt.Errorf("where does %q act? they have no DM with the bot and are in %d of the scenario's channels: add in \"#…\" to the step", person, len(in))
}

// history returns a channel's messages, oldest first.
func (p *persons) history(ch string) ([]Message, error) {
	return p.srv.Messages(ch)
}

// find returns the latest message of a channel that ok accepts.
func (p *persons) find(ch string, ok func(m Message) bool) (Message, bool) {
	h, err := p.history(ch)
	if err != nil {
		return Message{}, false
	}
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].EphemeralTo == "" && ok(h[i]) {
			return h[i], true
		}
	}
	return Message{}, false
}

var slackMentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// plain renders <@U…> mentions as @handle.
func (p *persons) plain(text string) string {
	ws := p.srv.Workspace()
	users := append(ws.Users, User{ID: ws.App.BotUserID, Name: ws.App.BotName})
	return slackMentionRE.ReplaceAllStringFunc(text, func(m string) string {
		id := slackMentionRE.FindStringSubmatch(m)[1]
		for _, u := range users {
			if u.ID == id {
				return "@" + u.Name
			}
		}
		return m
	})
}

// target finds the latest message with text, for an action on it.
func (p *persons) target(ch, want string) (Message, error) {
	m, ok := p.find(ch, func(m Message) bool { return strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(want) })
	if !ok {
		return m, fmt.Errorf("message %q: %w in %s", want, fakes.ErrNotFound, ch)
	}
	return m, nil
}

// slackElement is an interactive element of a message, as a person sees it.
type slackElement struct {
	typ, actionID string
	labels        []string // a button's text, a menu's options
}

// slackElements lists a message's interactive elements and its context lines.
func slackElements(raw json.RawMessage) (els []slackElement, notes []string) {
	var blocks []map[string]json.RawMessage
	if json.Unmarshal(raw, &blocks) != nil {
		return nil, nil
	}
	type text struct {
		Text string `json:"text"`
	}
	type el struct {
		Type        string `json:"type"`
		ActionID    string `json:"action_id"`
		Text        *text  `json:"text"`
		Placeholder *text  `json:"placeholder"`
		Options     []struct {
			Text text `json:"text"`
		} `json:"options"`
	}
	add := func(e el) {
		x := slackElement{typ: e.Type, actionID: e.ActionID}
		switch {
		case e.Type == "button" && e.Text != nil:
			x.labels = []string{e.Text.Text}
		case len(e.Options) > 0:
			for _, o := range e.Options {
				x.labels = append(x.labels, o.Text.Text)
			}
		case e.Type == "datepicker":
			x.labels = []string{"fakes.ActPick a date"}
			if e.Placeholder != nil && e.Placeholder.Text != "" {
				x.labels = []string{e.Placeholder.Text}
			}
		default:
			return // images and other non-interactive accessories
		}
		els = append(els, x)
	}
	for _, b := range blocks {
		var typ string
		_ = json.Unmarshal(b["type"], &typ)
		switch typ {
		case "actions":
			var list []el
			_ = json.Unmarshal(b["elements"], &list)
			for _, e := range list {
				add(e)
			}
		case "context":
			var list []text
			_ = json.Unmarshal(b["elements"], &list)
			for _, t := range list {
				notes = append(notes, t.Text)
			}
		}
		if acc, ok := b["accessory"]; ok {
			var e el
			if json.Unmarshal(acc, &e) == nil {
				add(e)
			}
		}
	}
	return els, notes
}

func slackButtons(m Message) []string {
	els, _ := slackElements(m.Blocks)
	var out []string
	for _, e := range els {
		out = append(out, e.labels...)
	}
	return out
}

// slackEmoji maps the emoji people write to Slack's names, and back.
func slackEmoji() [][2]string {
	return [][2]string{
		{"👍", "+1"}, {"👎", "-1"}, {"❤️", "heart"}, {"🎉", "tada"}, {"😂", "joy"}, {"👀", "eyes"},
		{"✅", "white_check_mark"}, {"🙏", "pray"}, {"🔥", "fire"}, {"😄", "smile"}, {"☕", "coffee"}, {"🍵", "tea"},
	}
}

func slackEmojiName(e string) string {
	for _, pair := range slackEmoji() {
		if pair[0] == e {
			return pair[1]
		}
	}
	return strings.Trim(e, ":")
}

func slackEmojiOf(name string) string {
	for _, pair := range slackEmoji() {
		if pair[1] == name {
			return pair[0]
		}
	}
	return ":" + name + ":"
}

func (p *persons) do(ctx context.Context, a fakes.Action) (string, error) {
	u, ok := p.user(a.Person)
	if !ok || !p.people[a.Person] {
		return "", fmt.Errorf("person %q: %w on Slack", a.Person, fakes.ErrNotFound)
	}
	line := a.Person + "  ▸ "
	if a.Kind == fakes.ActJoin || a.Kind == fakes.ActLeave {
		id, ok := p.places["#"+strings.TrimPrefix(a.Place, "#")]
		if !ok {
			return "", fmt.Errorf("channel %q: %w on Slack (channels: %s)", a.Place, fakes.ErrNotFound, fakes.QuoteAll(p.placeNames()))
		}
		if a.Kind == fakes.ActJoin {
			return line + "(joins " + a.Place + ")", p.srv.Join(u.ID, id, "")
		}
		return line + "(leaves " + a.Place + ")", p.srv.Leave(u.ID, id)
	}
	if a.Kind == fakes.ActSubmit {
		return p.submit(u, a)
	}
	ch, err := p.channel(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	switch a.Kind {
	case fakes.ActSend:
		_, err := p.srv.Send(Post{User: u.ID, Channel: ch, Text: a.Text})
		return line + a.Text, err
	case fakes.ActMention:
		_, err := p.srv.Send(Post{User: u.ID, Channel: ch, Text: a.Text, Mention: true})
		return line + "@" + p.botName() + " " + a.Text, err
	case fakes.ActReply:
		m, err := p.target(ch, a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.srv.Send(Post{User: u.ID, Channel: ch, Text: a.Text, Thread: m.TS})
		return line + fmt.Sprintf("(in the thread of %q) %s", a.Target, a.Text), err
	case fakes.ActEdit:
		m, ok := p.find(ch, func(m Message) bool { return m.User == u.ID && p.plain(m.Text) == a.Target })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, ch, fakes.ErrNotFound)
		}
		_, err := p.srv.Edit(u.ID, ch, m.TS, a.Text)
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), err
	case fakes.ActDelete:
		m, ok := p.find(ch, func(m Message) bool { return m.User == u.ID && p.plain(m.Text) == a.Target })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, ch, fakes.ErrNotFound)
		}
		return line + fmt.Sprintf("(deletes %q)", a.Target), p.srv.Delete(u.ID, ch, m.TS)
	case fakes.ActReact:
		m, err := p.target(ch, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), p.srv.React(u.ID, ch, m.TS, slackEmojiName(a.Text), false)
	case fakes.ActCommand:
		cmd, rest, _ := strings.Cut(strings.TrimSpace(a.Text), " ")
		if !strings.HasPrefix(cmd, "/") {
			return "", fmt.Errorf("command %q: want /name and its arguments", a.Text)
		}
		_, err := p.srv.RunCommand(Command{User: u.ID, Channel: ch, Command: cmd, Text: strings.TrimSpace(rest)})
		return line + a.Text, err
	case fakes.ActClick, fakes.ActPick:
		m, ok := p.find(ch, func(m Message) bool {
			return (a.Target == "" || strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(a.Target)) && slices.Contains(slackButtons(m), a.Text)
		})
		if !ok {
			return "", fmt.Errorf("%s %q: %w on %s in %s", map[fakes.ActionKind]string{fakes.ActClick: "button", fakes.ActPick: "option"}[a.Kind], a.Text, fakes.ErrNotFound, slackOnWhat(a.Target), ch)
		}
		verb := a.Verb
		if verb == "" {
			verb = map[fakes.ActionKind]string{fakes.ActClick: "clicks", fakes.ActPick: "picks"}[a.Kind]
		}
		_, err := p.srv.Act(Action{User: u.ID, Channel: ch, TS: m.TS, Target: a.Text})
		return line + "(" + verb + " " + a.Text + ")", err
	case fakes.ActPickDate:
		var picker string
		m, ok := p.find(ch, func(m Message) bool {
			if a.Target != "" && strings.TrimSpace(p.plain(m.Text)) != strings.TrimSpace(a.Target) {
				return false
			}
			els, _ := slackElements(m.Blocks)
			for _, e := range els {
				if e.typ == "datepicker" && e.actionID != "" {
					picker = e.actionID
					return true
				}
			}
			return false
		})
		if !ok {
			return "", fmt.Errorf("date picker: %w on %s in %s", fakes.ErrNotFound, slackOnWhat(a.Target), ch)
		}
		_, err := p.srv.Act(Action{User: u.ID, Channel: ch, TS: m.TS, Target: picker, Value: a.Text})
		return line + "(picks the date " + a.Text + ")", err
	case fakes.ActSendPhoto:
		return "", fmt.Errorf("send a photo: %w: the Slack fake's people do not upload files", fakes.ErrUnsupported)
	case fakes.ActCreateOrder, fakes.ActPayOrder, fakes.ActCancelOrder:
		return "", fmt.Errorf("%s: %w: Slack is not a shop", a.Kind, fakes.ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, fakes.ErrUnsupported)
}

func slackOnWhat(target string) string {
	if target == "" {
		return "any message"
	}
	return fmt.Sprintf("the message %q", target)
}

func (p *persons) botName() string { return p.srv.Workspace().App.BotName }

// submit submits the person's open modal with this title.
func (p *persons) submit(u User, a fakes.Action) (string, error) {
	var open []string
	for _, v := range p.srv.Views() {
		if v.Type != "modal" || v.Closed || v.User != u.ID {
			continue
		}
		if v.Title == a.Target {
			_, err := p.srv.Submit(Submission{User: u.ID, View: v.ID, Values: a.Values})
			return a.Person + "  ▸ (submits " + a.Target + ")", err
		}
		open = append(open, v.Title)
	}
	return "", fmt.Errorf("modal %q: %w among %q's open modals (%s)", a.Target, fakes.ErrNotFound, a.Person, fakes.QuoteAll(open))
}

func (p *persons) seen(person, place string) ([]fakes.Shown, error) {
	ch, err := p.channel(person, place)
	if err != nil {
		return nil, err
	}
	u, _ := p.user(person)
	h, err := p.history(ch)
	if err != nil {
		return nil, err
	}
	ws := p.srv.Workspace()
	handles := map[string]string{}
	for _, x := range ws.Users {
		handles[x.ID] = x.Name
	}
	var out []fakes.Shown
	for _, m := range h {
		if m.EphemeralTo != "" && m.EphemeralTo != u.ID {
			continue
		}
		sh := fakes.Shown{Text: p.plain(m.Text), Buttons: slackButtons(m)}
		switch {
		case m.BotID == ws.App.BotID:
			sh.From = "bot"
		case handles[m.User] != "":
			sh.From = handles[m.User]
		case m.Username != "":
			sh.From = m.Username
		default:
			sh.From = "someone"
		}
		for _, e := range m.Edits {
			sh.Edits = append(sh.Edits, p.plain(e))
		}
		for _, r := range m.Reactions {
			if r.Count > 0 {
				sh.Reactions = append(sh.Reactions, slackEmojiOf(r.Name))
			}
		}
		if len(m.Files) > 0 {
			sh.Media = "(file " + m.Files[0].Name + ")"
		}
		out = append(out, sh)
	}
	return out, nil
}

// notes returns the context lines of the latest message with text.
func (p *persons) notes(person, place, text string) ([]string, []fakes.Shown, error) {
	ch, err := p.channel(person, place)
	if err != nil {
		return nil, nil, err
	}
	shown, err := p.seen(person, place)
	if err != nil {
		return nil, nil, err
	}
	m, ok := p.find(ch, func(m Message) bool { return strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(text) })
	if !ok {
		return nil, shown, nil
	}
	_, notes := slackElements(m.Blocks)
	for i := range notes {
		notes[i] = p.plain(notes[i])
	}
	return notes, shown, nil
}
