package features

import (
	"context"
	"errors"
	"strings"

	"github.com/chatsim/chatsim/sim"
)

// ErrUnsupported is returned when a platform has no such action: Telegram
// has no modals, and does not tell bots about deleted messages.
var ErrUnsupported = errors.New("not supported on this platform")

// ErrNotFound is returned when a step names a person, place, message or
// button the scenario does not have.
var ErrNotFound = errors.New("not found")

// ActionKind names what a person does.
type ActionKind string

// The actions of the shared vocabulary. A platform that has no such thing
// returns ErrUnsupported from Do.
const (
	Send        ActionKind = "send"         // Text into Place
	SendPhoto   ActionKind = "photo"        // a photo with the caption Text
	Edit        ActionKind = "edit"         // Target (their own message) to Text
	Delete      ActionKind = "delete"       // Target
	React       ActionKind = "react"        // Text (an emoji) on Target
	Mention     ActionKind = "mention"      // the bot, with Text
	Reply       ActionKind = "reply"        // Text, in reply (or in the thread of) Target
	Command     ActionKind = "command"      // Text, "/start promo"
	Click       ActionKind = "click"        // the button Text, on Target ("" = the latest message that has it)
	Pick        ActionKind = "pick"         // the option Text from the menu on Target
	PickDate    ActionKind = "pick-date"    // the date Text (YYYY-MM-DD) on Target
	Submit      ActionKind = "submit"       // the modal Target with Values
	Join        ActionKind = "join"         // Place
	Leave       ActionKind = "leave"        // Place
	CreateOrder ActionKind = "create-order" // the order Target with Values (item → quantity)
	PayOrder    ActionKind = "pay-order"    // the order Target
	CancelOrder ActionKind = "cancel-order" // the order Target
)

// Action is one thing a person does on a chat platform.
type Action struct {
	Kind ActionKind
	// Person is the handle the scenario gave them ("ada").
	Person string
	// Place is a chat, channel or room by the name the scenario gave it; ""
	// is the person's default place (their private chat with the bot, or
	// the one place they are in).
	Place string
	// Text is what the action carries: the message, the new text, the
	// emoji, the button's or option's label, the date, the command line.
	Text string
	// Target is the message (by its text) or modal or order the action is
	// about; "" means the latest one that fits.
	Target string
	// Values are a modal's fields or an order's lines.
	Values map[string]string
	// Verb is the word the step used ("taps", "clicks"), for the transcript.
	Verb string
}

// Shown is one message as a person sees it in a chat.
type Shown struct {
	// From is the sender's handle, or "bot".
	From string
	// Text is the message's text (or caption).
	Text string
	// Buttons are the labels of its buttons and menu options, in order.
	Buttons []string
	// Edits are its earlier texts, oldest first.
	Edits []string
	// Deleted marks a message that was deleted.
	Deleted bool
	// Reactions are the emoji on it, in order.
	Reactions []string
	// Media describes an attachment, "(photo)".
	Media string
	// Notes are the other lines a rich message shows besides its text and
	// its controls: "✓ Coffee chosen by @ada" under a message whose
	// buttons were replaced.
	Notes []string
}

// String renders the message on one line as a person reads it:
// "bot  ◂ What would you like?  [Tea] [Coffee]".
func (m Shown) String() string {
	arrow := "▸"
	if m.From == "bot" {
		arrow = "◂"
	}
	var b strings.Builder
	b.WriteString(m.From + "  " + arrow + " ")
	if m.Media != "" {
		b.WriteString(m.Media)
		if m.Text != "" {
			b.WriteString(" ")
		}
	}
	b.WriteString(m.Text)
	if len(m.Buttons) > 0 {
		b.WriteString(" ")
		for _, l := range m.Buttons {
			b.WriteString(" [" + l + "]")
		}
	}
	for _, n := range m.Notes {
		b.WriteString("  " + n)
	}
	if len(m.Edits) > 0 {
		b.WriteString("  (edited)")
	}
	if m.Deleted {
		b.WriteString("  (deleted)")
	}
	for _, r := range m.Reactions {
		b.WriteString("  " + r)
	}
	return b.String()
}

// Platform is one chat platform's fake as the shared vocabulary drives it.
// A scenario makes its own with the World (see newPlatforms); the
// platform's setup steps (steps_<platform>.go) register the people and
// places the scenario names.
type Platform interface {
	// Name is the platform's name as steps write it: "Telegram".
	Name() string
	// Has reports whether the scenario set person up on this platform.
	Has(person string) bool
	// Do performs a as a person. It runs inside a World step, which settles
	// once it returns. It returns the line the conversation transcript
	// shows for it ("ada  ▸ menu"; "" for none).
	Do(ctx context.Context, a Action) (line string, err error)
	// Seen returns what person sees in place ("" for their default place),
	// oldest first.
	Seen(person, place string) ([]Shown, error)
}

// newPlatforms returns the scenario's adapters for the chat platforms the
// World simulates. Each chat platform's file (steps_<platform>.go) has an
// adapter function, which returns nil when the World does not simulate it.
func newPlatforms(s *Scenario, w *sim.World) []Platform {
	var out []Platform
	for _, adapt := range []func(*Scenario, *sim.World) Platform{telegramAdapter, slackAdapter, shopifyAdapter, rocketchatAdapter} {
		if p := adapt(s, w); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// adapter returns the scenario's adapter for the chat platform called name
// ("Slack"), or nil before the World starts or when it is not simulated.
func (s *Scenario) adapter(name string) Platform {
	for _, p := range s.platforms {
		if p.Name() == name {
			return p
		}
	}
	return nil
}
