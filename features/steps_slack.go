package features

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/chatsim/chatsim/sim"
)

// slackAdapter makes the scenario's Slack adapter when the World
// simulates Slack.
func slackAdapter(s *Scenario, w *sim.World) Platform {
	if w.Slack == nil {
		return nil
	}
	return &slackPlatform{sl: w.Slack, people: map[string]bool{}, places: map[string]string{}, dms: map[string]string{}}
}

// slackPlatform is the fake Slack behind the shared vocabulary. People
// are workspace users with their handle as name (ada and grace are in the
// fake's default workspace; others get the id U0<HANDLE>); places are
// channels by their #name (new ones get C0<NAME>, or G0<NAME> when private,
// the bot in them) and each person's DM with the bot. What a step sets up is
// declared: as if it had always been so, with no event for the app.
type slackPlatform struct {
	sl     *slack.Server
	people map[string]bool   // handles the scenario set up
	places map[string]string // "#general" → channel id
	dms    map[string]string // handle → the DM's id
}

func (p *slackPlatform) Name() string { return "Slack" }

func (p *slackPlatform) Has(person string) bool { return p.people[person] }

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
func (p *slackPlatform) user(ref string) (slack.User, bool) {
	for _, u := range p.sl.Workspace().Users {
		if u.Name == ref || u.ID == ref {
			return u, true
		}
	}
	return slack.User{}, false
}

// addPerson makes sure the workspace has the person, named name when one
// is given ("Ada Lovelace"; no name gives the handle capitalised).
func (p *slackPlatform) addPerson(handle, name string) error {
	name = strings.TrimSpace(name)
	if u, ok := p.user(handle); ok {
		if name != "" && u.RealName != name {
			if _, err := p.sl.DeclareUser(slack.User{ID: u.ID, RealName: name}); err != nil {
				return err
			}
		}
		p.people[handle] = true
		return nil
	}
	if name == "" {
		name = strings.ToUpper(handle[:1]) + handle[1:]
	}
	u := slack.User{ID: slackID("U", handle), Name: handle, RealName: name, DisplayName: handle, Email: handle + "@example.com"}
	if _, taken := p.user(u.ID); taken || u.ID == "" {
		u.ID = ""
	}
	if _, err := p.sl.AddUser(u); err != nil {
		return err
	}
	p.people[handle] = true
	return nil
}

// addChannel makes sure the channel exists with these people in it; a new
// one has the bot in it too.
func (p *slackPlatform) addChannel(place string, private bool, people []slackPerson) error {
	name := strings.TrimPrefix(place, "#")
	for _, who := range people {
		if err := p.addPerson(who.handle, who.name); err != nil {
			return err
		}
	}
	id := ""
	for _, c := range p.sl.Workspace().Channels {
		if c.Name == name && c.IM == "" && !c.MPIM {
			id = c.ID
		}
	}
	if id == "" {
		c := slack.Channel{ID: slackID("C", name), Name: name, Private: private, Members: []string{"bot"}}
		if private {
			c.ID = slackID("G", name)
		}
		if len(people) > 0 {
			c.Creator = people[0].handle
		}
		for _, who := range people {
			c.Members = append(c.Members, who.handle)
		}
		got, err := p.sl.DeclareChannel(c)
		if err != nil {
			c.ID = "" // the readable id is taken: a fresh one
			if got, err = p.sl.DeclareChannel(c); err != nil {
				return err
			}
		}
		id = got.ID
	} else {
		for _, who := range people {
			if err := p.sl.DeclareMember(id, who.handle, true); err != nil {
				return err
			}
		}
	}
	p.places["#"+name] = id
	return nil
}

// addDM makes sure the person has a DM with the bot: their default place.
func (p *slackPlatform) addDM(handle, name string) error {
	if err := p.addPerson(handle, name); err != nil {
		return err
	}
	u, _ := p.user(handle)
	for _, c := range p.sl.Workspace().Channels {
		if c.IM == u.ID {
			p.dms[handle] = c.ID
			return nil
		}
	}
	c, err := p.sl.DeclareChannel(slack.Channel{ID: slackID("D", handle), IM: u.ID})
	if err != nil {
		if c, err = p.sl.DeclareChannel(slack.Channel{IM: u.ID}); err != nil {
			return err
		}
	}
	p.dms[handle] = c.ID
	return nil
}

func (p *slackPlatform) placeNames() []string {
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
func (p *slackPlatform) channel(person, place string) (string, error) {
	u, ok := p.user(person)
	if !ok || !p.people[person] {
		return "", fmt.Errorf("person %q: %w on Slack", person, ErrNotFound)
	}
	if place != "" {
		if id, ok := p.places["#"+strings.TrimPrefix(place, "#")]; ok {
			return id, nil
		}
		if id, ok := p.dms[person]; ok && (place == person || place == "dm") {
			return id, nil
		}
		return "", fmt.Errorf("place %q: %w on Slack (channels: %s)", place, ErrNotFound, quoteAll(p.placeNames()))
	}
	if id, ok := p.dms[person]; ok {
		return id, nil
	}
	var in []string
	for _, c := range p.sl.Workspace().Channels {
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
func (p *slackPlatform) history(ch string) ([]slack.Message, error) {
	return p.sl.Messages(ch)
}

// find returns the latest message of a channel that ok accepts.
func (p *slackPlatform) find(ch string, ok func(m slack.Message) bool) (slack.Message, bool) {
	h, err := p.history(ch)
	if err != nil {
		return slack.Message{}, false
	}
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].EphemeralTo == "" && ok(h[i]) {
			return h[i], true
		}
	}
	return slack.Message{}, false
}

var slackMentionRE = regexp.MustCompile(`<@([UW][A-Z0-9]+)(?:\|[^>]*)?>`)

// plain renders <@U…> mentions as @handle.
func (p *slackPlatform) plain(text string) string {
	ws := p.sl.Workspace()
	users := append(ws.Users, slack.User{ID: ws.App.BotUserID, Name: ws.App.BotName})
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
func (p *slackPlatform) target(ch, want string) (slack.Message, error) {
	m, ok := p.find(ch, func(m slack.Message) bool { return strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(want) })
	if !ok {
		return m, fmt.Errorf("message %q: %w in %s", want, ErrNotFound, ch)
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
			x.labels = []string{"Pick a date"}
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

func slackButtons(m slack.Message) []string {
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

func (p *slackPlatform) Do(ctx context.Context, a Action) (string, error) {
	u, ok := p.user(a.Person)
	if !ok || !p.people[a.Person] {
		return "", fmt.Errorf("person %q: %w on Slack", a.Person, ErrNotFound)
	}
	line := a.Person + "  ▸ "
	if a.Kind == Join || a.Kind == Leave {
		id, ok := p.places["#"+strings.TrimPrefix(a.Place, "#")]
		if !ok {
			return "", fmt.Errorf("channel %q: %w on Slack (channels: %s)", a.Place, ErrNotFound, quoteAll(p.placeNames()))
		}
		if a.Kind == Join {
			return line + "(joins " + a.Place + ")", p.sl.Join(u.ID, id, "")
		}
		return line + "(leaves " + a.Place + ")", p.sl.Leave(u.ID, id)
	}
	if a.Kind == Submit {
		return p.submit(u, a)
	}
	ch, err := p.channel(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	switch a.Kind {
	case Send:
		_, err := p.sl.Send(slack.Post{User: u.ID, Channel: ch, Text: a.Text})
		return line + a.Text, err
	case Mention:
		_, err := p.sl.Send(slack.Post{User: u.ID, Channel: ch, Text: a.Text, Mention: true})
		return line + "@" + p.botName() + " " + a.Text, err
	case Reply:
		m, err := p.target(ch, a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.sl.Send(slack.Post{User: u.ID, Channel: ch, Text: a.Text, Thread: m.TS})
		return line + fmt.Sprintf("(in the thread of %q) %s", a.Target, a.Text), err
	case Edit:
		m, ok := p.find(ch, func(m slack.Message) bool { return m.User == u.ID && p.plain(m.Text) == a.Target })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, ch, ErrNotFound)
		}
		_, err := p.sl.Edit(u.ID, ch, m.TS, a.Text)
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), err
	case Delete:
		m, ok := p.find(ch, func(m slack.Message) bool { return m.User == u.ID && p.plain(m.Text) == a.Target })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, ch, ErrNotFound)
		}
		return line + fmt.Sprintf("(deletes %q)", a.Target), p.sl.Delete(u.ID, ch, m.TS)
	case React:
		m, err := p.target(ch, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), p.sl.React(u.ID, ch, m.TS, slackEmojiName(a.Text), false)
	case Command:
		cmd, rest, _ := strings.Cut(strings.TrimSpace(a.Text), " ")
		if !strings.HasPrefix(cmd, "/") {
			return "", fmt.Errorf("command %q: want /name and its arguments", a.Text)
		}
		_, err := p.sl.RunCommand(slack.Command{User: u.ID, Channel: ch, Command: cmd, Text: strings.TrimSpace(rest)})
		return line + a.Text, err
	case Click, Pick:
		m, ok := p.find(ch, func(m slack.Message) bool {
			return (a.Target == "" || strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(a.Target)) && slices.Contains(slackButtons(m), a.Text)
		})
		if !ok {
			return "", fmt.Errorf("%s %q: %w on %s in %s", map[ActionKind]string{Click: "button", Pick: "option"}[a.Kind], a.Text, ErrNotFound, slackOnWhat(a.Target), ch)
		}
		verb := a.Verb
		if verb == "" {
			verb = map[ActionKind]string{Click: "clicks", Pick: "picks"}[a.Kind]
		}
		_, err := p.sl.Act(slack.Action{User: u.ID, Channel: ch, TS: m.TS, Target: a.Text})
		return line + "(" + verb + " " + a.Text + ")", err
	case PickDate:
		var picker string
		m, ok := p.find(ch, func(m slack.Message) bool {
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
			return "", fmt.Errorf("date picker: %w on %s in %s", ErrNotFound, slackOnWhat(a.Target), ch)
		}
		_, err := p.sl.Act(slack.Action{User: u.ID, Channel: ch, TS: m.TS, Target: picker, Value: a.Text})
		return line + "(picks the date " + a.Text + ")", err
	case SendPhoto:
		return "", fmt.Errorf("send a photo: %w: the Slack fake's people do not upload files", ErrUnsupported)
	case CreateOrder, PayOrder, CancelOrder:
		return "", fmt.Errorf("%s: %w: Slack is not a shop", a.Kind, ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, ErrUnsupported)
}

func slackOnWhat(target string) string {
	if target == "" {
		return "any message"
	}
	return fmt.Sprintf("the message %q", target)
}

func (p *slackPlatform) botName() string { return p.sl.Workspace().App.BotName }

// submit submits the person's open modal with this title.
func (p *slackPlatform) submit(u slack.User, a Action) (string, error) {
	var open []string
	for _, v := range p.sl.Views() {
		if v.Type != "modal" || v.Closed || v.User != u.ID {
			continue
		}
		if v.Title == a.Target {
			_, err := p.sl.Submit(slack.Submission{User: u.ID, View: v.ID, Values: a.Values})
			return a.Person + "  ▸ (submits " + a.Target + ")", err
		}
		open = append(open, v.Title)
	}
	return "", fmt.Errorf("modal %q: %w among %q's open modals (%s)", a.Target, ErrNotFound, a.Person, quoteAll(open))
}

func (p *slackPlatform) Seen(person, place string) ([]Shown, error) {
	ch, err := p.channel(person, place)
	if err != nil {
		return nil, err
	}
	u, _ := p.user(person)
	h, err := p.history(ch)
	if err != nil {
		return nil, err
	}
	ws := p.sl.Workspace()
	handles := map[string]string{}
	for _, x := range ws.Users {
		handles[x.ID] = x.Name
	}
	var out []Shown
	for _, m := range h {
		if m.EphemeralTo != "" && m.EphemeralTo != u.ID {
			continue
		}
		sh := Shown{Text: p.plain(m.Text), Buttons: slackButtons(m)}
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
func (p *slackPlatform) notes(person, place, text string) ([]string, []Shown, error) {
	ch, err := p.channel(person, place)
	if err != nil {
		return nil, nil, err
	}
	shown, err := p.Seen(person, place)
	if err != nil {
		return nil, nil, err
	}
	m, ok := p.find(ch, func(m slack.Message) bool { return strings.TrimSpace(p.plain(m.Text)) == strings.TrimSpace(text) })
	if !ok {
		return nil, shown, nil
	}
	_, notes := slackElements(m.Blocks)
	for i := range notes {
		notes[i] = p.plain(notes[i])
	}
	return notes, shown, nil
}

// slackOf returns the scenario's Slack adapter, starting the World.
func (s *Scenario) slackOf(ctx context.Context) (*slackPlatform, error) {
	if _, err := s.world(ctx); err != nil {
		return nil, err
	}
	p, _ := s.adapter("Slack").(*slackPlatform)
	if p == nil {
		return nil, fmt.Errorf("slack is not simulated in this world: choose a Slack integration first, e.g. Given the integration \"examples/slack\" with its definition")
	}
	return p, nil
}

// slackPerson is a handle and an optional full name from a step.
type slackPerson struct{ handle, name string }

// slackPeopleRe is a list of people with optional names: "ada" (Ada Lovelace) and "grace".
const slackPeopleRe = `("[^"]*"(?: \([^)]*\))?(?:(?:, | and )"[^"]*"(?: \([^)]*\))?)*)`

var slackPersonRe = regexp.MustCompile(`"([^"]*)"(?: \(([^)]*)\))?`)

func parseSlackPeople(s string) []slackPerson {
	var out []slackPerson
	for _, m := range slackPersonRe.FindAllStringSubmatch(s, -1) {
		out = append(out, slackPerson{handle: m[1], name: m[2]})
	}
	return out
}

// slackModalView builds a modal with one plain-text input per label.
func slackModalView(title string, inputs []string) map[string]any {
	blocks := make([]any, 0, len(inputs))
	for _, l := range inputs {
		id := slug(l)
		blocks = append(blocks, map[string]any{"type": "input", "block_id": id, "label": map[string]any{"type": "plain_text", "text": l},
			"element": map[string]any{"type": "plain_text_input", "action_id": id}})
	}
	return map[string]any{"type": "modal", "callback_id": slug(title), "title": map[string]any{"type": "plain_text", "text": title},
		"submit": map[string]any{"type": "plain_text", "text": "Submit"}, "blocks": blocks}
}

// slackSteps are the Slack setup steps and Slack's own knobs.
func slackSteps() []Step {
	with := func(run func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error) func(ctx context.Context, s *Scenario, a args) error {
		return func(ctx context.Context, s *Scenario, a args) error {
			p, err := s.slackOf(ctx)
			if err != nil {
				return err
			}
			return run(ctx, s, p, a)
		}
	}
	return []Step{
		{
			Group: "slack", Pattern: `^a Slack workspace with ` + slackPeopleRe + ` in "(#[^"]*)"$`,
			Doc: "The Slack workspace has these people (by handle, with an optional full name; ada and grace are there already, others get " +
				"the id U0<HANDLE>) and they are in this channel (#general is there already with the bot in it; a new one gets C0<NAME> and " +
				"the bot). Declared as if it had always been so: the app gets no event.",
			Example: `Given a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				return p.addChannel(a.s[1], false, parseSlackPeople(a.s[0]))
			}),
		},
		{
			Group: "slack", Pattern: `^a (private )?Slack channel "(#[^"]*)" with ` + slackPeopleRe + `$`,
			Doc:     "A public (C0<NAME>) or private (G0<NAME>) channel with the bot and these people in it, created as users when new.",
			Example: `Given a private Slack channel "#tea-lovers" with "ada" and "bob" (Bob Babbage)`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				return p.addChannel(a.s[1], a.s[0] != "", parseSlackPeople(a.s[2]))
			}),
		},
		{
			Group: "slack", Pattern: `^a Slack DM between "([^"]*)"(?: \(([^)]*)\))? and the bot$`,
			Doc:     "The person's direct messages with the bot (ada's is D0ADA): their default place from then on.",
			Example: `Given a Slack DM between "ada" and the bot`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				return p.addDM(a.s[0], a.s[1])
			}),
		},
		{
			Group: "slack", Pattern: `^a Slack user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person in the workspace who is in none of the scenario's channels yet (to join one later).",
			Example: `Given a Slack user "bob" (Bob Babbage)`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				return p.addPerson(a.s[0], a.s[1])
			}),
		},
		{
			Group: "slack", Pattern: `^the Slack bot is (not )?in "(#[^"]*)"$`,
			Doc:     "Puts the bot in a channel, or takes it out, as if it had always been so: Slack sends a channel's events only to apps whose bot is in it.",
			Example: `Given the Slack bot is not in "#general"`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				if _, ok := p.places[a.s[1]]; !ok {
					if err := p.addChannel(a.s[1], false, nil); err != nil {
						return err
					}
				}
				return p.sl.DeclareMember(p.places[a.s[1]], "bot", a.s[0] == "")
			}),
		},
		{
			Group: "slack", Pattern: `^Slack's rate limits are (on|off)$`,
			Doc: "Switches Slack's rate-limit tiers on (off by default): each Web API method gets its tier's calls a minute on the " +
				"virtual clock (chat.postMessage 60 a minute per channel), then 429 with an integer Retry-After and {\"ok\":false,\"error\":\"ratelimited\"}.",
			Example: `Given Slack's rate limits are on`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				p.sl.SetRateLimits(a.s[0] == "on")
				return nil
			}),
		},
		{
			Group: "slack", Pattern: `^Slack delivers the next (event|\d+ events) twice$`,
			Doc:     "Slack delivers the next Events API events twice each (the same event_id), as it sometimes does: the integration must record them once.",
			Example: `Given Slack delivers the next 2 events twice`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				n := 1
				if a.s[0] != "event" {
					n = parseCount(a.s[0])
				}
				p.sl.DuplicateDeliveries(n)
				return nil
			}),
		},
		{
			Group: "slack", Pattern: `^Slack signs the next delivery with (a stale timestamp|the wrong secret)$`,
			Doc: "The next request Slack sends the app is signed ten minutes ago, or with the wrong signing secret: what a real verifier " +
				"(slack-go's SecretsVerifier, Bolt) refuses. An event refused so is retried, signed right.",
			Example: `Given Slack signs the next delivery with a stale timestamp`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				fault := slack.SignStale
				if a.s[0] == "the wrong secret" {
					fault = slack.SignBad
				}
				return p.sl.SetSigningFault(fault, 1)
			}),
		},
		{
			Group: "slack", Pattern: `^Slack delivers the last event from "([^"]*)" again(?: with the reason "(\w+)")?$`,
			Doc: "Slack redelivers the latest event it sent about the person (their message, reaction, join…), as it does when it took the " +
				"first answer for lost: the same event_id, X-Slack-Retry-Num and X-Slack-Retry-Reason (http_timeout unless said).",
			Example: `When Slack delivers the last event from "ada" again`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				u, ok := p.user(a.s[0])
				if !ok {
					return fmt.Errorf("person %q: %w on Slack", a.s[0], ErrNotFound)
				}
				evs := p.sl.Events()
				id := ""
				for _, e := range evs {
					if e.User == u.ID {
						id = e.ID
					}
				}
				if id == "" {
					return fmt.Errorf("slack has sent no event about %q yet", a.s[0])
				}
				return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
					_, err := p.sl.Redeliver(id, a.s[1])
					return "", err
				})
			}),
		},
		{
			Group: "slack", Pattern: `^the Slack app has opened the modal "([^"]*)" for "([^"]*)" with the inputs ` + listRe + `$`,
			Doc: "A modal (views.open) is open for the person, titled so, with one plain-text input per label (block_id and action_id: " +
				"the label as a slug): for a submit step. It is opened without a trigger_id round trip.",
			Example: `Given the Slack app has opened the modal "Feedback" for "ada" with the inputs "Rating" and "Comment"`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				_, err := p.sl.OpenModal(a.s[1], slackModalView(a.s[0], parseList(a.s[2])))
				return err
			}),
		},
		{
			Group: "slack", Pattern: `^"([^"]*)" sees "([^"]*)" below "([^"]*)"` + inRe + `$`,
			Doc:     "The latest message with the second text shows the first as a context line (a Block Kit context block, mentions as @handle).",
			Example: `Then "ada" sees "✓ Coffee chosen by @ada" below "What would you like?"`,
			run: with(func(ctx context.Context, s *Scenario, p *slackPlatform, a args) error {
				notes, shown, err := p.notes(a.s[0], a.s[3], a.s[2])
				if err != nil {
					return err
				}
				if slices.Contains(notes, a.s[1]) {
					return nil
				}
				return fmt.Errorf("no line %q below %q (its lines: %s)\n%s", a.s[1], a.s[2], quoteAll(notes), chatShows(a.s[0], shown))
			}),
		},
	}
}
