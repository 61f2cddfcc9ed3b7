package telegram

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
)

// persons are the people and places a scenario or a session named on the
// fake, behind the shared vocabulary (fakes.People): people are users with
// ids from 1001, their handle as username; places are their private chats
// (by the person's handle) and groups (by title).
type persons struct {
	mu        sync.Mutex // held through an action or a setup step
	tg        *Server
	users     map[string]int64 // handle → user id
	handles   map[int64]string
	places    map[string]int64 // group title → chat id
	private   map[string]bool  // handles with a private chat set up
	nextUser  int64
	nextGroup int64
	nextSuper int64
	last      map[string]Message // each person's latest message
}

func newPersons(tg *Server) *persons {
	return &persons{
		tg: tg, users: map[string]int64{}, handles: map[int64]string{}, places: map[string]int64{}, private: map[string]bool{},
		nextUser: 1001, nextGroup: -4001, nextSuper: -1001000000001, last: map[string]Message{},
	}
}

// Has reports whether the person was set up on the fake (fakes.People).
func (p *persons) Has(person string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.users[person]
	return ok
}

// Do performs a as a person (fakes.People): sends, mentions, commands,
// photos, replies, edits, reactions, taps and picks, joins and leaves.
// Telegram has no date pickers, modals or shop, and does not tell bots when
// a person deletes a message: those are fakes.ErrUnsupported.
func (p *persons) Do(ctx context.Context, a fakes.Action) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.do(ctx, a)
}

// Seen returns what the person sees in place, their private chat when place
// is "" (fakes.People).
func (p *persons) Seen(person, place string) ([]fakes.Shown, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seen(person, place)
}

// addUser creates the person's Telegram user: "Ada Lovelace" gives
// first_name Ada, last_name Lovelace; no name gives the handle capitalised.
func (p *persons) addUser(handle, name string) (int64, error) {
	if id, ok := p.users[handle]; ok {
		return id, nil
	}
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	if first == "" {
		first = strings.ToUpper(handle[:1]) + handle[1:]
	}
	id := p.nextUser
	if err := p.tg.AddUser(User{ID: id, FirstName: first, LastName: last, Username: handle}); err != nil {
		return 0, err
	}
	p.nextUser++
	p.users[handle], p.handles[id] = id, handle
	return id, nil
}

// chat resolves where a person acts: a named group, their private chat,
// or the one group they are in.
func (p *persons) chat(person, place string) (int64, error) {
	uid, ok := p.users[person]
	if !ok {
		return 0, fmt.Errorf("person %q: %w on Telegram", person, fakes.ErrNotFound)
	}
	if place != "" {
		if id, ok := p.places[place]; ok {
			return id, nil
		}
		if place == person && p.private[person] {
			return uid, nil
		}
		return 0, fmt.Errorf("place %q: %w on Telegram (groups: %s)", place, fakes.ErrNotFound, fakes.QuoteAll(p.placeNames()))
	}
	if p.private[person] {
		return uid, nil
	}
	var in []int64
	for _, name := range p.placeNames() {
		id := p.places[name]
		if st := p.tg.Members(id)[uid]; st != "" && st != StatusLeft && st != StatusKicked {
			in = append(in, id)
		}
	}
	if len(in) == 1 {
		return in[0], nil
	}
	return 0, fmt.Errorf("where does %q act? they have no private chat and are in %d groups: add in \"…\" to the step", person, len(in))
}

func (p *persons) placeNames() []string {
	names := make([]string, 0, len(p.places))
	for n := range p.places {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// find returns the latest message of a chat that is not deleted and
// satisfies ok.
func (p *persons) find(chatID int64, ok func(e Entry) bool) (Entry, bool) {
	h := p.tg.History(chatID)
	for i := len(h) - 1; i >= 0; i-- {
		if !h[i].Deleted && ok(h[i]) {
			return h[i], true
		}
	}
	return Entry{}, false
}

func text(m Message) string {
	if m.Text != "" {
		return m.Text
	}
	return m.Caption
}

func buttons(m Message) []string {
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
func (p *persons) target(chatID int64, want string) (Entry, error) {
	e, ok := p.find(chatID, func(e Entry) bool { return strings.TrimSpace(text(e.Message)) == strings.TrimSpace(want) })
	if !ok {
		return e, fmt.Errorf("message %q: %w in chat %d", want, fakes.ErrNotFound, chatID)
	}
	return e, nil
}

func (p *persons) do(ctx context.Context, a fakes.Action) (string, error) {
	uid, ok := p.users[a.Person]
	if !ok {
		return "", fmt.Errorf("person %q: %w on Telegram", a.Person, fakes.ErrNotFound)
	}
	if a.Kind == fakes.ActJoin || a.Kind == fakes.ActLeave {
		id, ok := p.places[a.Place]
		if !ok {
			return "", fmt.Errorf("group %q: %w on Telegram (groups: %s)", a.Place, fakes.ErrNotFound, fakes.QuoteAll(p.placeNames()))
		}
		if a.Kind == fakes.ActJoin {
			return a.Person + "  ▸ (joins " + a.Place + ")", p.tg.Join(uid, id)
		}
		return a.Person + "  ▸ (leaves " + a.Place + ")", p.tg.Leave(uid, id)
	}
	chatID, err := p.chat(a.Person, a.Place)
	if err != nil {
		return "", err
	}
	line := a.Person + "  ▸ "
	keep := func(m Message, err error) error {
		if err == nil {
			p.last[a.Person] = m
		}
		return err
	}
	switch a.Kind {
	case fakes.ActSend:
		return line + a.Text, keep(p.tg.SendText(uid, chatID, a.Text))
	case fakes.ActMention:
		t := "@" + p.tg.BotUser().Username + " " + a.Text
		return line + t, keep(p.tg.SendText(uid, chatID, t))
	case fakes.ActCommand:
		cmd, rest, _ := strings.Cut(strings.TrimSpace(a.Text), " ")
		if !strings.HasPrefix(cmd, "/") {
			return "", fmt.Errorf("command %q: want /name and its arguments", a.Text)
		}
		return line + a.Text, keep(p.tg.SendCommand(uid, chatID, cmd, strings.TrimSpace(rest)))
	case fakes.ActSendPhoto:
		img, err := tinyPNG()
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(line + "(photo) " + a.Text), keep(p.tg.SendPhoto(uid, chatID, a.Text, img))
	case fakes.ActReply:
		e, err := p.target(chatID, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(replies to %q) %s", a.Target, a.Text), keep(p.tg.SendReply(uid, chatID, e.Message.MessageID, a.Text))
	case fakes.ActEdit:
		e, ok := p.find(chatID, func(e Entry) bool {
			return e.Message.From != nil && e.Message.From.ID == uid && e.Message.Text == a.Target
		})
		if !ok {
			return "", fmt.Errorf("%q wrote no message %q in chat %d: %w", a.Person, a.Target, chatID, fakes.ErrNotFound)
		}
		return line + fmt.Sprintf("(edits %q → %q)", a.Target, a.Text), keep(p.tg.EditText(uid, chatID, e.Message.MessageID, a.Text))
	case fakes.ActReact:
		e, err := p.target(chatID, a.Target)
		if err != nil {
			return "", err
		}
		return line + fmt.Sprintf("(reacts %s to %q)", a.Text, a.Target), p.tg.React(uid, chatID, e.Message.MessageID, a.Text)
	case fakes.ActClick, fakes.ActPick:
		e, ok := p.find(chatID, func(e Entry) bool {
			return (a.Target == "" || strings.TrimSpace(text(e.Message)) == strings.TrimSpace(a.Target)) && slices.Contains(buttons(e.Message), a.Text)
		})
		if !ok {
			where := "any message"
			if a.Target != "" {
				where = fmt.Sprintf("the message %q", a.Target)
			}
			return "", fmt.Errorf("button %q: %w on %s in chat %d", a.Text, fakes.ErrNotFound, where, chatID)
		}
		verb := a.Verb
		if verb == "" {
			verb = map[fakes.ActionKind]string{fakes.ActClick: "taps", fakes.ActPick: "picks"}[a.Kind]
		}
		_, err := p.tg.Tap(uid, chatID, e.Message.MessageID, a.Text)
		return line + "(" + verb + " " + a.Text + ")", err
	case fakes.ActDelete:
		return "", fmt.Errorf("delete: %w: Telegram does not tell bots when a person deletes a message", fakes.ErrUnsupported)
	case fakes.ActPickDate:
		return "", fmt.Errorf("pick a date: %w: Telegram has no date pickers", fakes.ErrUnsupported)
	case fakes.ActSubmit:
		return "", fmt.Errorf("submit a modal: %w: Telegram has no modals", fakes.ErrUnsupported)
	case fakes.ActCreateOrder, fakes.ActPayOrder, fakes.ActCancelOrder:
		return "", fmt.Errorf("%s: %w: Telegram is not a shop", a.Kind, fakes.ErrUnsupported)
	}
	return "", fmt.Errorf("%s: %w", a.Kind, fakes.ErrUnsupported)
}

func (p *persons) seen(person, place string) ([]fakes.Shown, error) {
	chatID, err := p.chat(person, place)
	if err != nil {
		return nil, err
	}
	botID := p.tg.BotUser().ID
	var out []fakes.Shown
	for _, e := range p.tg.History(chatID) {
		m := e.Message
		sh := fakes.Shown{Text: text(m), Buttons: buttons(m), Deleted: e.Deleted}
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

func (p *persons) handleOf(u User) string {
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
