package features

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/fakes/telegram"
	"github.com/chatsim/chatsim/sim"
)

// telegramAdapter makes the scenario's Telegram adapter when the World
// simulates Telegram.
func telegramAdapter(s *Scenario, w *sim.World) Platform {
	if w.Telegram == nil {
		return nil
	}
	s.telegram = newTelegramPlatform(w.Telegram)
	return s.telegram
}

// telegramPlatform is the Telegram fake behind the shared vocabulary:
// people are users with ids from 1001, their handle as username; places
// are their private chats (by the person's handle) and groups (by title).
type telegramPlatform struct {
	tg        *telegram.Server
	users     map[string]int64 // handle → user id
	handles   map[int64]string
	places    map[string]int64 // group title → chat id
	private   map[string]bool  // handles with a private chat set up
	nextUser  int64
	nextGroup int64
	nextSuper int64
	last      map[string]telegram.Message // each person's latest message
}

func newTelegramPlatform(tg *telegram.Server) *telegramPlatform {
	return &telegramPlatform{
		tg: tg, users: map[string]int64{}, handles: map[int64]string{}, places: map[string]int64{}, private: map[string]bool{},
		nextUser: 1001, nextGroup: -4001, nextSuper: -1001000000001, last: map[string]telegram.Message{},
	}
}

func (p *telegramPlatform) Name() string { return "Telegram" }

func (p *telegramPlatform) Has(person string) bool { _, ok := p.users[person]; return ok }

// addUser creates the person's Telegram user: "Ada Lovelace" gives
// first_name Ada, last_name Lovelace; no name gives the handle capitalised.
func (p *telegramPlatform) addUser(handle, name string) (int64, error) {
	if id, ok := p.users[handle]; ok {
		return id, nil
	}
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	if first == "" {
		first = strings.ToUpper(handle[:1]) + handle[1:]
	}
	id := p.nextUser
	if err := p.tg.AddUser(telegram.User{ID: id, FirstName: first, LastName: last, Username: handle}); err != nil {
		return 0, err
	}
	p.nextUser++
	p.users[handle], p.handles[id] = id, handle
	return id, nil
}

// chat resolves where a person acts: a named group, their private chat,
// or the one group they are in.
func (p *telegramPlatform) chat(person, place string) (int64, error) {
	uid, ok := p.users[person]
	if !ok {
		return 0, fmt.Errorf("person %q: %w on Telegram", person, ErrNotFound)
	}
	if place != "" {
		if id, ok := p.places[place]; ok {
			return id, nil
		}
		if place == person && p.private[person] {
			return uid, nil
		}
		return 0, fmt.Errorf("place %q: %w on Telegram (groups: %s)", place, ErrNotFound, quoteAll(p.placeNames()))
	}
	if p.private[person] {
		return uid, nil
	}
	var in []int64
	for _, name := range p.placeNames() {
		id := p.places[name]
		if st := p.tg.Members(id)[uid]; st != "" && st != telegram.StatusLeft && st != telegram.StatusKicked {
			in = append(in, id)
		}
	}
	if len(in) == 1 {
		return in[0], nil
	}
	return 0, fmt.Errorf("where does %q act? they have no private chat and are in %d groups: add in \"…\" to the step", person, len(in))
}

func (p *telegramPlatform) placeNames() []string {
	names := make([]string, 0, len(p.places))
	for n := range p.places {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// find returns the latest message of a chat that is not deleted and
// satisfies ok.
func (p *telegramPlatform) find(chatID int64, ok func(e telegram.Entry) bool) (telegram.Entry, bool) {
	h := p.tg.History(chatID)
	for i := len(h) - 1; i >= 0; i-- {
		if !h[i].Deleted && ok(h[i]) {
			return h[i], true
		}
	}
	return telegram.Entry{}, false
}

func text(m telegram.Message) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

func buttons(m telegram.Message) []string {
	var out []string
	if m.ReplyMarkup != nil {
		for _, row := range m.ReplyMarkup.InlineKeyboard {
			for _, b := range row {
				out = append(out, b.Text)
			}
		}
	}
	return out
}

// target finds the latest message with text, for an action on it.
func (p *telegramPlatform) target(chatID int64, want string) (telegram.Entry, error) {
	e, ok := p.find(chatID, func(e telegram.Entry) bool { return strings.TrimSpace(text(e.Message)) == strings.TrimSpace(want) })
	if !ok {
		return e, fmt.Errorf("message %q: %w in chat %d", want, ErrNotFound, chatID)
	}
	return e, nil
}

func (p *telegramPlatform) Do(ctx context.Context, a Action) (string, error) {
	uid, ok := p.users[a.Person]
	if !ok {
		return "", fmt.Errorf("person %q: %w on Telegram", a.Person, ErrNotFound)
	}
	if a.Kind == Join || a.Kind == Leave {
		id, ok := p.places[a.Place]
		if !ok {
			return "", fmt.Errorf("group %q: %w on Telegram (groups: %s)", a.Place, ErrNotFound, quoteAll(p.placeNames()))
		}
		if a.Kind == Join {
			return a.Person + "  ▸ (joins " + a.Place + ")", p.tg.Join(uid, id)
		}
		return a.Person + "  ▸ (leaves " + a.Place + ")", p.tg.Leave(uid, id)
	}
	chatID, err := p.chat(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	line := a.Person + "  ▸ "
	keep := func(m telegram.Message, err error) error {
		if err == nil {
			p.last[a.Person] = m
		}
		return err
	}
	switch a.Kind {
	case Send:
		return line + a.Text, keep(p.tg.SendText(uid, chatID, a.Text))
	case Mention:
		t := "@" + p.tg.BotUser().Username + " " + a.Text
		return line + t, keep(p.tg.SendText(uid, chatID, t))
	case Command:
		cmd, rest, _ := strings.Cut(strings.TrimSpace(a.Text), " ")
		if !strings.HasPrefix(cmd, "/") {
			return "", fmt.Errorf("command %q: want /name and its arguments", a.Text)
		}
		return line + a.Text, keep(p.tg.SendCommand(uid, chatID, cmd, strings.TrimSpace(rest)))
	case SendPhoto:
		img, err := tinyPNG()
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(line + "(photo) " + a.Text), keep(p.tg.SendPhoto(uid, chatID, a.Text, img))
	case Reply:
		e, err := p.target(chatID, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(replies to %q) %s", a.Target, a.Text), keep(p.tg.SendReply(uid, chatID, e.Message.MessageID, a.Text))
	case Edit:
		e, ok := p.find(chatID, func(e telegram.Entry) bool {
			return e.Message.From != nil && e.Message.From.ID == uid && e.Message.Text == a.Target
		})
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in chat %d: %w", a.Person, a.Target, chatID, ErrNotFound)
		}
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), keep(p.tg.EditText(uid, chatID, e.Message.MessageID, a.Text))
	case React:
		e, err := p.target(chatID, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), p.tg.React(uid, chatID, e.Message.MessageID, a.Text)
	case Click, Pick:
		e, ok := p.find(chatID, func(e telegram.Entry) bool {
			return (a.Target == "" || strings.TrimSpace(text(e.Message)) == strings.TrimSpace(a.Target)) && slices.Contains(buttons(e.Message), a.Text)
		})
		if !ok {
			where := "any message"
			if a.Target != "" {
				where = fmt.Sprintf("the message %q", a.Target)
			}
			return "", fmt.Errorf("button %q: %w on %s in chat %d", a.Text, ErrNotFound, where, chatID)
		}
		verb := a.Verb
		if verb == "" {
			verb = map[ActionKind]string{Click: "taps", Pick: "picks"}[a.Kind]
		}
		_, err := p.tg.Tap(uid, chatID, e.Message.MessageID, a.Text)
		return line + "(" + verb + " " + a.Text + ")", err
	case Delete:
		return "", fmt.Errorf("delete: %w: Telegram does not tell bots when a person deletes a message", ErrUnsupported)
	case PickDate:
		return "", fmt.Errorf("pick a date: %w: Telegram has no date pickers", ErrUnsupported)
	case Submit:
		return "", fmt.Errorf("submit a modal: %w: Telegram has no modals", ErrUnsupported)
	case CreateOrder, PayOrder, CancelOrder:
		return "", fmt.Errorf("%s: %w: Telegram is not a shop", a.Kind, ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, ErrUnsupported)
}

func (p *telegramPlatform) Seen(person, place string) ([]Shown, error) {
	chatID, err := p.chat(person, place)
	if err != nil {
		return nil, err
	}
	botID := p.tg.BotUser().ID
	var out []Shown
	for _, e := range p.tg.History(chatID) {
		m := e.Message
		sh := Shown{Text: text(m), Buttons: buttons(m), Deleted: e.Deleted}
		switch {
		case m.From == nil:
			sh.From = "someone"
		case m.From.ID == botID:
			sh.From = "bot"
		case p.handles[m.From.ID] != "":
			sh.From = p.handles[m.From.ID]
		default:
			sh.From = m.From.Username
		}
		if len(m.Photo) > 0 {
			sh.Media = "(photo)"
		}
		for _, ed := range e.Edits {
			sh.Edits = append(sh.Edits, ed.Text+ed.Caption)
		}
		for _, r := range e.Reactions {
			for _, rt := range r.Reactions {
				sh.Reactions = append(sh.Reactions, rt.Emoji)
			}
		}
		switch {
		case len(m.NewChatMembers) > 0:
			var names []string
			for _, u := range m.NewChatMembers {
				names = append(names, p.handleOf(u))
			}
			sh.Text = "(" + strings.Join(names, ", ") + " joined)"
		case m.LeftChatMember != nil:
			sh.Text = "(" + p.handleOf(*m.LeftChatMember) + " left)"
		}
		out = append(out, sh)
	}
	return out, nil
}

func (p *telegramPlatform) handleOf(u telegram.User) string {
	if h := p.handles[u.ID]; h != "" {
		return h
	}
	if u.Username != "" {
		return u.Username
	}
	return u.FirstName
}

// tinyPNG is a 2×2 PNG for photo steps.
func tinyPNG() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("encode a photo: %w", err)
	}
	return b.Bytes(), nil
}

// telegramOf returns the scenario's Telegram adapter, starting the World.
func (s *Scenario) telegramOf(ctx context.Context) (*telegramPlatform, error) {
	if _, err := s.world(ctx); err != nil {
		return nil, err
	}
	if s.telegram == nil {
		return nil, fmt.Errorf("telegram is not simulated in this world")
	}
	return s.telegram, nil
}

func telegramSteps() []Step {
	return []Step{
		{
			Group: "telegram", Pattern: `^a Telegram private chat with "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc: "A Telegram user with this handle as username and an optional full name (ids count from 1001), and their private chat " +
				"with the bot (its id is theirs): their default place.",
			Example: `Given a Telegram private chat with "ada" (Ada Lovelace)`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				id, err := p.addUser(a.s[0], a.s[1])
				if err != nil {
					return err
				}
				if err := p.tg.AddChat(telegram.Chat{ID: id, Type: telegram.ChatPrivate}); err != nil {
					return err
				}
				p.private[a.s[0]] = true
				return nil
			},
		},
		{
			Group: "telegram", Pattern: `^a Telegram user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A Telegram user with no chat yet (to join groups later).",
			Example: `Given a Telegram user "bob" (Bob Babbage)`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				_, err = p.addUser(a.s[0], a.s[1])
				return err
			},
		},
		{
			Group: "telegram", Pattern: `^a Telegram (group|supergroup) "([^"]*)" with ` + listRe + `$`,
			Doc: "A group (ids from -4001) or supergroup (from -1001000000001) with this title, the bot and these people in it " +
				"(created as users when new). The bot has privacy mode on: it sees commands, mentions and replies to it.",
			Example: `Given a Telegram group "Tea lovers" with "ada" and "bob"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				c := telegram.Chat{Type: a.s[0], Title: a.s[1]}
				if c.Type == telegram.ChatGroup {
					c.ID = p.nextGroup
				} else {
					c.ID = p.nextSuper
				}
				if err := p.tg.AddChat(c); err != nil {
					return err
				}
				if c.Type == telegram.ChatGroup {
					p.nextGroup--
				} else {
					p.nextSuper--
				}
				p.places[a.s[1]] = c.ID
				for _, h := range parseList(a.s[2]) {
					id, err := p.addUser(h, "")
					if err != nil {
						return err
					}
					if err := p.tg.AddMember(c.ID, id, telegram.StatusMember); err != nil {
						return err
					}
				}
				return nil
			},
		},
		{
			Group: "telegram", Pattern: `^the bot is an administrator of "([^"]*)"$`,
			Doc:     "Makes the bot an administrator of a group: it then sees every message there, not only commands and mentions.",
			Example: `Given the bot is an administrator of "Tea lovers"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				id, ok := p.places[a.s[0]]
				if !ok {
					return fmt.Errorf("group %q: %w on Telegram", a.s[0], ErrNotFound)
				}
				return p.tg.AddMember(id, p.tg.BotUser().ID, telegram.StatusAdministrator)
			},
		},
		{
			Group: "telegram", Pattern: `^"([^"]*)" (blocks|unblocks) the bot$`,
			Doc:     "The person blocks (or unblocks) the bot: the bot gets my_chat_member, and messages to them then fail with 403.",
			Example: `When "ada" blocks the bot`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				id, ok := p.users[a.s[0]]
				if !ok {
					return fmt.Errorf("person %q: %w on Telegram", a.s[0], ErrNotFound)
				}
				return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
					if a.s[1] == "blocks" {
						return a.s[0] + "  ▸ (blocks the bot)", p.tg.Block(id)
					}
					return a.s[0] + "  ▸ (unblocks the bot)", p.tg.Unblock(id)
				})
			},
		},
		{
			Group: "telegram", Pattern: `^Telegram delivers the update:$`, arg: argDoc,
			Doc:     "Telegram delivers a recorded Update (JSON) to the bot's webhook, as a replayed cassette would; its users and chats become known.",
			Example: "When Telegram delivers the update:\n  \"\"\"json\n  {\"update_id\": 1, \"message\": {\"message_id\": 1, \"date\": 1767225600, \"chat\": {\"id\": 1001, \"type\": \"private\"}, \"from\": {\"id\": 1001, \"is_bot\": false, \"first_name\": \"Ada\"}, \"text\": \"hi\"}}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				err = s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
					_, err := p.tg.InjectUpdate(json.RawMessage(a.doc))
					return "", err
				})
				s.catchUp(false)
				return err
			},
		},
		{
			Group: "telegram", Pattern: `^Telegram delivers the last message from "([^"]*)" again$`,
			Doc:     "Telegram delivers the person's latest message a second time, in a new update: a duplicate the integration must not turn into a second message.",
			Example: `When Telegram delivers the last message from "ada" again`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p, err := s.telegramOf(ctx)
				if err != nil {
					return err
				}
				m, ok := p.last[a.s[0]]
				if !ok {
					return fmt.Errorf("%q has sent no message on Telegram yet", a.s[0])
				}
				raw, err := json.Marshal(map[string]any{"update_id": 1, "message": m})
				if err != nil {
					return fmt.Errorf("encode the update: %w", err)
				}
				return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
					_, err := p.tg.InjectUpdate(raw)
					return "", err
				})
			},
		},
	}
}
