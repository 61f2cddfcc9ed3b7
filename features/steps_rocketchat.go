package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/rocketchat"
	"github.com/chatsim/chatsim/sim"
)

// rocketchatAdapter makes the scenario's Rocket.Chat adapter when the World
// simulates Rocket.Chat.
func rocketchatAdapter(s *Scenario, w *sim.World) Platform {
	if w.RocketChat == nil {
		return nil
	}
	return newRocketchatPlatform(w.RocketChat)
}

// rocketchatPlatform is the Rocket.Chat fake behind the shared vocabulary:
// a person's handle is their username (the fake starts with ada "Ada
// Lovelace", grace "Grace Hopper" and admin; others are created), places
// are rooms by their name ("#general") and each person's direct message
// with the bot, their default place when the scenario set one up.
type rocketchatPlatform struct {
	rc     *rocketchat.Server
	people map[string]bool
	rooms  map[string]string // room name without "#" → room id
	dms    map[string]string // handle → id of their DM with the bot
	last   map[string]string // handle → id of their latest message
}

func newRocketchatPlatform(rc *rocketchat.Server) *rocketchatPlatform {
	return &rocketchatPlatform{rc: rc, people: map[string]bool{}, rooms: map[string]string{}, dms: map[string]string{}, last: map[string]string{}}
}

func (p *rocketchatPlatform) Name() string { return "Rocket.Chat" }

func (p *rocketchatPlatform) Has(person string) bool { return p.people[person] }

// addPerson makes handle a person of the scenario: the fake's account with
// that username, created when missing (named name, or the handle
// capitalised) and renamed when the scenario names it otherwise.
func (p *rocketchatPlatform) addPerson(handle, name string) error {
	name = strings.TrimSpace(name)
	for _, u := range p.rc.Users() {
		if u.Username != handle {
			continue
		}
		if u.Type == "bot" {
			return fmt.Errorf("%q is the bot's username on Rocket.Chat: name people otherwise", handle)
		}
		if name != "" && u.Name != name {
			if _, err := p.rc.SetUserName(handle, name); err != nil {
				return err
			}
		}
		p.people[handle] = true
		return nil
	}
	if name == "" {
		name = strings.ToUpper(handle[:1]) + handle[1:]
	}
	if _, err := p.rc.AddUser(rocketchat.User{Username: handle, Name: name, Email: handle + "@chatsim.test", Password: handle + "-password"}); err != nil {
		return err
	}
	p.people[handle] = true
	return nil
}

// addRoom sets up a channel ("c") or private group ("p") with the bot and
// these people in it: the fake's own room of that name when it has one
// (#general, #team), else a new one.
func (p *rocketchatPlatform) addRoom(name, typ string, handles []string) error {
	name = strings.TrimPrefix(name, "#")
	bot := p.rc.BotUser().Username
	for _, r := range p.rc.Rooms() {
		if r.Name == "" || !strings.EqualFold(r.Name, name) {
			continue
		}
		if r.Type != typ {
			return fmt.Errorf("#%s already exists on Rocket.Chat as a %s", r.Name, map[string]string{"c": "public channel", "p": "private group"}[r.Type])
		}
		for _, h := range append([]string{bot}, handles...) {
			if err := p.rc.AddMember(r.ID, h); err != nil {
				return err
			}
		}
		p.rooms[strings.ToLower(r.Name)] = r.ID
		return nil
	}
	r, err := p.rc.AddRoom(name, typ, append([]string{bot}, handles...)...)
	if err != nil {
		return err
	}
	p.rooms[strings.ToLower(r.Name)] = r.ID
	return nil
}

func (p *rocketchatPlatform) roomNames() []string {
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
func (p *rocketchatPlatform) room(person, place string) (string, error) {
	if !p.people[person] {
		return "", fmt.Errorf("person %q: %w on Rocket.Chat", person, ErrNotFound)
	}
	if place != "" {
		if id, ok := p.rooms[strings.ToLower(strings.TrimPrefix(place, "#"))]; ok {
			return id, nil
		}
		if id, ok := p.dms[strings.TrimPrefix(place, "@")]; ok && strings.TrimPrefix(place, "@") == person {
			return id, nil
		}
		return "", fmt.Errorf("place %q: %w on Rocket.Chat (the scenario has: %s)", place, ErrNotFound, strings.Join(p.roomNames(), ", "))
	}
	if id, ok := p.dms[person]; ok {
		return id, nil
	}
	var in []string
	users := map[string]string{}
	for _, u := range p.rc.Users() {
		users[u.Username] = u.ID
	}
	for _, r := range p.rc.Rooms() {
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
func (p *rocketchatPlatform) find(roomID string, ok func(m rocketchat.Message) bool) (rocketchat.Message, bool) {
	msgs, _ := p.rc.Messages(roomID)
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Type == "" && ok(msgs[i]) {
			return msgs[i], true
		}
	}
	return rocketchat.Message{}, false
}

func rcSameText(a, b string) bool { return strings.TrimSpace(a) == strings.TrimSpace(b) }

// target finds the latest message with this text.
func (p *rocketchatPlatform) target(roomID, text string) (rocketchat.Message, error) {
	m, ok := p.find(roomID, func(m rocketchat.Message) bool { return rcSameText(m.Text, text) })
	if !ok {
		return m, fmt.Errorf("message %q: %w in %s", text, ErrNotFound, p.label(roomID))
	}
	return m, nil
}

func (p *rocketchatPlatform) label(roomID string) string {
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
func (p *rocketchatPlatform) control(roomID, target, what, label string, has func(c rocketchat.Control) bool) (rocketchat.Message, error) {
	m, ok := p.find(roomID, func(m rocketchat.Message) bool {
		if target != "" && !rcSameText(m.Text, target) {
			return false
		}
		return slices.ContainsFunc(rocketchat.Controls(m.Blocks), has)
	})
	if !ok {
		where := "any message"
		if target != "" {
			where = fmt.Sprintf("the message %q", target)
		}
		return m, fmt.Errorf("%s %q: %w on %s in %s", what, label, ErrNotFound, where, p.label(roomID))
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

func (p *rocketchatPlatform) Do(ctx context.Context, a Action) (string, error) {
	if !p.people[a.Person] {
		return "", fmt.Errorf("person %q: %w on Rocket.Chat", a.Person, ErrNotFound)
	}
	line := a.Person + "  ▸ "
	switch a.Kind {
	case Join, Leave:
		id, ok := p.rooms[strings.ToLower(strings.TrimPrefix(a.Place, "#"))]
		if !ok {
			return "", fmt.Errorf("room %q: %w on Rocket.Chat (the scenario has: %s)", a.Place, ErrNotFound, strings.Join(p.roomNames(), ", "))
		}
		if a.Kind == Join {
			_, err := p.rc.Join(a.Person, id)
			return line + "(joins " + p.label(id) + ")", err
		}
		_, err := p.rc.Leave(a.Person, id)
		return line + "(leaves " + p.label(id) + ")", err
	case Command:
		return "", fmt.Errorf("run a command: %w: Rocket.Chat's slash commands belong to apps, and outgoing webhooks never see them", ErrUnsupported)
	case SendPhoto:
		return "", fmt.Errorf("send a photo: %w: the Rocket.Chat fake does not simulate file uploads", ErrUnsupported)
	case Submit:
		return "", fmt.Errorf("submit a modal: %w: Rocket.Chat's modals belong to apps (UIKit views), which the fake does not simulate", ErrUnsupported)
	case CreateOrder, PayOrder, CancelOrder:
		return "", fmt.Errorf("%s: %w: Rocket.Chat is not a shop", a.Kind, ErrUnsupported)
	}
	roomID, err := p.room(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	send := func(m rocketchat.Message) error {
		sent, err := p.rc.SendMessage(a.Person, roomID, m)
		if err == nil {
			p.last[a.Person] = sent.ID
		}
		return err
	}
	switch a.Kind {
	case Send:
		return line + a.Text, send(rocketchat.Message{Text: a.Text})
	case Mention:
		t := "@" + p.rc.BotUser().Username + " " + a.Text
		return line + t, send(rocketchat.Message{Text: t})
	case Reply:
		m, err := p.target(roomID, a.Target)
		if err != nil {
			return "", err
		}
		root := m.ID
		if m.ThreadID != "" {
			root = m.ThreadID // a reply in a thread goes to its root
		}
		return line + fmt.Sprintf("(replies to %q) %s", a.Target, a.Text), send(rocketchat.Message{Text: a.Text, ThreadID: root})
	case Edit:
		mine := p.rc.Users()
		var uid string
		for _, u := range mine {
			if u.Username == a.Person {
				uid = u.ID
			}
		}
		m, ok := p.find(roomID, func(m rocketchat.Message) bool { return m.User.ID == uid && rcSameText(m.Text, a.Target) })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, p.label(roomID), ErrNotFound)
		}
		_, err := p.rc.Edit(a.Person, m.ID, a.Text)
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), err
	case Delete:
		m, ok := p.find(roomID, func(m rocketchat.Message) bool { return m.User.Username == a.Person && rcSameText(m.Text, a.Target) })
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in %s: %w", a.Person, a.Target, p.label(roomID), ErrNotFound)
		}
		return line + fmt.Sprintf("(deletes %q)", a.Target), p.rc.Delete(a.Person, m.ID)
	case React:
		m, err := p.target(roomID, a.Target)
		if err != nil {
			return "", err
		}
		_, err = p.rc.React(a.Person, m.ID, rcShortcode(a.Text))
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), err
	case Click:
		m, err := p.control(roomID, a.Target, "button", a.Text, func(c rocketchat.Control) bool { return c.Type == "button" && c.Text == a.Text })
		if err != nil {
			return "", err
		}
		verb := a.Verb
		if verb == "" {
			verb = "clicks"
		}
		_, err = p.rc.Click(a.Person, m.ID, a.Text)
		return line + "(" + verb + " " + a.Text + ")", err
	case Pick:
		m, err := p.control(roomID, a.Target, "menu option", a.Text, func(c rocketchat.Control) bool {
			return (c.Type == "static_select" || c.Type == "overflow") && slices.Contains(c.Options, a.Text)
		})
		if err != nil {
			return "", err
		}
		_, err = p.rc.Select(a.Person, m.ID, "", a.Text)
		return line + "(picks " + a.Text + ")", err
	case PickDate:
		m, err := p.control(roomID, a.Target, "date picker for", a.Text, func(c rocketchat.Control) bool { return c.Type == "datepicker" })
		if err != nil {
			return "", err
		}
		_, err = p.rc.PickDate(a.Person, m.ID, "", a.Text)
		return line + "(picks the date " + a.Text + ")", err
	}
	return "", fmt.Errorf("%s: %w", a.Kind, ErrUnsupported)
}

// rcButtonsOf lists what a person can press or pick on a rich message:
// button labels, menu options, and a date picker as "📅 <its day or
// placeholder>".
func rcButtonsOf(blocks json.RawMessage) []string {
	var out []string
	for _, c := range rocketchat.Controls(blocks) {
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

func (p *rocketchatPlatform) Seen(person, place string) ([]Shown, error) {
	roomID, err := p.room(person, place)
	if err != nil {
		return nil, err
	}
	msgs, err := p.rc.Messages(roomID)
	if err != nil {
		return nil, err
	}
	botID := p.rc.BotUser().ID
	var out []Shown
	for _, m := range msgs {
		sh := Shown{From: m.User.Username, Text: m.Text, Buttons: rcButtonsOf(m.Blocks), Notes: rocketchat.ContextTexts(m.Blocks)}
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

// rocketchatOf returns the scenario's Rocket.Chat adapter, starting the
// World.
func (s *Scenario) rocketchatOf(ctx context.Context) (*rocketchatPlatform, error) {
	if _, err := s.world(ctx); err != nil {
		return nil, err
	}
	p, ok := s.adapter("Rocket.Chat").(*rocketchatPlatform)
	if !ok {
		return nil, errors.New(`Rocket.Chat is not simulated in this world: choose a Rocket.Chat integration, e.g. Given the integration "examples/rocketchat" with its definition`)
	}
	return p, nil
}

// rcPeopleRe is a list of people, each with an optional full name:
// "ada" (Ada Lovelace) and "grace".
const rcPeopleRe = `("[^"]*"(?: \([^)]*\))?(?:(?:, | and )"[^"]*"(?: \([^)]*\))?)*)`

var rcPersonRe = regexp.MustCompile(`"([^"]*)"(?: \(([^)]*)\))?`)

// outgoingWebhook changes the Rocket.Chat outgoing integration the World
// pointed at the integration (the first one).
func (p *rocketchatPlatform) outgoingWebhook(change func(o *rocketchat.Outgoing)) error {
	outs := p.rc.Outgoings()
	if len(outs) == 0 {
		return errors.New("Rocket.Chat has no outgoing webhook integration")
	}
	_, err := p.rc.UpdateOutgoing(outs[0].ID, change)
	return err
}

func rocketchatSteps() []Step {
	setup := func(run func(p *rocketchatPlatform, a args) error) func(ctx context.Context, s *Scenario, a args) error {
		return func(ctx context.Context, s *Scenario, a args) error {
			p, err := s.rocketchatOf(ctx)
			if err != nil {
				return err
			}
			return run(p, a)
		}
	}
	return []Step{
		{
			Group: "rocketchat", Pattern: `^a Rocket\.Chat (room|private group) "([^"]*)" with ` + rcPeopleRe + `$`,
			Doc: "A public channel (room) or private group with this name, the bot and these people in it: the server's own #general " +
				"or #team when named so, else a new one. Each person is the account with that username (ada \"Ada Lovelace\" and grace " +
				"\"Grace Hopper\" exist; others are created), named as the parentheses say.",
			Example: `Given a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				var handles []string
				for _, m := range rcPersonRe.FindAllStringSubmatch(a.s[2], -1) {
					if err := p.addPerson(m[1], m[2]); err != nil {
						return err
					}
					handles = append(handles, m[1])
				}
				typ := "c"
				if a.s[0] == "private group" {
					typ = "p"
				}
				return p.addRoom(a.s[1], typ, handles)
			}),
		},
		{
			Group: "rocketchat", Pattern: `^a Rocket\.Chat direct message with "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person and their direct message with the bot: their default place.",
			Example: `Given a Rocket.Chat direct message with "ada" (Ada Lovelace)`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				if err := p.addPerson(a.s[0], a.s[1]); err != nil {
					return err
				}
				r, err := p.rc.DM(a.s[0], p.rc.BotUser().Username)
				if err != nil {
					return err
				}
				p.dms[a.s[0]] = r.ID
				return nil
			}),
		},
		{
			Group: "rocketchat", Pattern: `^a Rocket\.Chat user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person with an account and no room of the scenario yet (to join one later). New accounts join #general, as Rocket.Chat's default channels.",
			Example: `Given a Rocket.Chat user "cleo" (Cleo Patra)`,
			run:     setup(func(p *rocketchatPlatform, a args) error { return p.addPerson(a.s[0], a.s[1]) }),
		},
		{
			Group: "rocketchat", Pattern: `^the Rocket\.Chat outgoing webhook listens for the trigger words? ` + listRe + `( anywhere in a message)?$`,
			Doc: "The outgoing webhook integration posts only messages that begin with one of these words (or hold one anywhere), " +
				"with trigger_word set; other messages never reach the bot.",
			Example: `Given the Rocket.Chat outgoing webhook listens for the trigger words "!menu" and "!help"`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				return p.outgoingWebhook(func(o *rocketchat.Outgoing) {
					o.TriggerWords, o.TriggerWordAnywhere = parseList(a.s[0]), a.s[1] != ""
				})
			}),
		},
		{
			Group: "rocketchat", Pattern: `^the Rocket\.Chat outgoing webhook runs on edits$`,
			Doc:     "The outgoing webhook integration also posts edited messages (isEdited: true), as its \"Run on edits\" setting does; it is off by default.",
			Example: `Given the Rocket.Chat outgoing webhook runs on edits`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				return p.outgoingWebhook(func(o *rocketchat.Outgoing) { o.RunOnEdits = true })
			}),
		},
		{
			Group: "rocketchat", Pattern: `^the Rocket\.Chat outgoing webhook retries failed calls(?: (\d+) times?)?$`,
			Doc:     "The outgoing webhook integration retries a failed call (a non-2xx answer, or an empty one), every 0.1 s, 1 s, 10 s… on the virtual clock; 6 times unless said.",
			Example: `Given the Rocket.Chat outgoing webhook retries failed calls 2 times`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				n := 6
				if a.s[0] != "" {
					n = parseCount(a.s[0] + " times")
				}
				return p.outgoingWebhook(func(o *rocketchat.Outgoing) {
					o.RetryFailedCalls, o.RetryCount, o.RetryDelay = true, n, "powers-of-ten"
				})
			}),
		},
		{
			Group: "rocketchat", Pattern: `^Rocket\.Chat also posts (roomJoined|roomLeft) to the integration$`,
			Doc:     "A second outgoing webhook integration, on the event roomJoined or roomLeft in every channel and group, posts to the same URL with the same token.",
			Example: `Given Rocket.Chat also posts roomJoined to the integration`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				outs := p.rc.Outgoings()
				if len(outs) == 0 {
					return errors.New("Rocket.Chat has no outgoing webhook integration to copy")
				}
				_, err := p.rc.AddOutgoing(rocketchat.Outgoing{Name: a.s[0], Event: a.s[0], URLs: outs[0].URLs, Token: outs[0].Token,
					Channels: []string{"all_public_channels", "all_private_groups"}})
				return err
			}),
		},
		{
			Group: "rocketchat", Pattern: `^Rocket\.Chat response URLs expire after (\S+)$`,
			Doc: "Interactions from now on carry a response_url that expires after this long (a Go duration; 30m by default). The clock is " +
				"virtual and still within a step, so 0s makes it expired before the bot can answer: Rocket.Chat then answers 400.",
			Example: `Given Rocket.Chat response URLs expire after 0s`,
			run: setup(func(p *rocketchatPlatform, a args) error {
				d, err := time.ParseDuration(a.s[0])
				if err != nil {
					return fmt.Errorf("read the duration %q: %w", a.s[0], err)
				}
				p.rc.SetResponseURLTTL(d)
				return nil
			}),
		},
		{
			Group: "rocketchat", Pattern: `^Rocket\.Chat delivers the last message from "([^"]*)" again$`,
			Doc:     "The outgoing webhook posts the person's latest message a second time, as a retry does: a duplicate the integration must not turn into a second message.",
			Example: `When Rocket.Chat delivers the last message from "ada" again`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.rocketchatOf(ctx)
				if err != nil {
					return err
				}
				id, ok := p.last[a.s[0]]
				if !ok {
					return fmt.Errorf("%q has sent no message on Rocket.Chat yet", a.s[0])
				}
				m, err := p.rc.Message(id)
				if err != nil {
					return err
				}
				body, err := json.Marshal(map[string]any{"message_id": m.ID, "channel_id": m.RoomID, "user_id": m.User.ID, "user_name": m.User.Username, "text": m.Text})
				if err != nil {
					return fmt.Errorf("encode the delivery: %w", err)
				}
				return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
					_, err := p.rc.Replay(ctx, fakes.Delivery{Kind: "outgoing", Body: body})
					return "", err
				})
			},
		},
	}
}
