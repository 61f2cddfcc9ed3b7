package fakes

import (
	"context"
	"errors"
	"strings"
)

// ErrUnsupported is returned when a platform has no such action: Telegram
// has no modals, and does not tell bots about deleted messages.
var ErrUnsupported = errors.New("not supported on this platform")

// ErrNotFound is returned when an action or a step names a person, place,
// message or button the platform does not have.
var ErrNotFound = errors.New("not found")

// People is how a person acts on a chat platform and what they see there,
// in the one platform-neutral vocabulary that the step library, `chatsim
// serve`, the TUI and the recorder share. People are known by the handle a
// scenario or a session gave them ("ada"), places by the name it gave them
// ("#general", "Tea lovers"); the platform's own steps (Kind.Steps) set
// them up.
type People interface {
	// Has reports whether person was set up on this platform.
	Has(person string) bool
	// Do performs a as a person. In a World it runs inside a step, which
	// settles once it returns. It returns the line the conversation
	// transcript shows for it ("ada  ▸ menu"; "" for none). An action the
	// platform does not have is an error wrapping ErrUnsupported; a person,
	// place, message or button it does not know wraps ErrNotFound.
	Do(ctx context.Context, a Action) (line string, err error)
	// Seen returns what person sees in place ("" for their default place),
	// oldest first.
	Seen(person, place string) ([]Shown, error)
}

// ActionKind names what a person does.
type ActionKind string

// The actions of the shared vocabulary. A platform that has no such thing
// returns an error wrapping ErrUnsupported from Do.
const (
	ActSend        ActionKind = "send"         // Text into Place
	ActSendPhoto   ActionKind = "photo"        // a photo with the caption Text
	ActEdit        ActionKind = "edit"         // Target (their own message) to Text
	ActDelete      ActionKind = "delete"       // Target
	ActReact       ActionKind = "react"        // Text (an emoji) on Target
	ActMention     ActionKind = "mention"      // the bot, with Text
	ActReply       ActionKind = "reply"        // Text, in reply (or in the thread of) Target
	ActCommand     ActionKind = "command"      // Text, "/start promo"
	ActClick       ActionKind = "click"        // the button Text, on Target ("" = the latest message that has it)
	ActPick        ActionKind = "pick"         // the option Text from the menu on Target
	ActPickDate    ActionKind = "pick-date"    // the date Text (YYYY-MM-DD) on Target
	ActSubmit      ActionKind = "submit"       // the modal Target with Values
	ActJoin        ActionKind = "join"         // Place
	ActLeave       ActionKind = "leave"        // Place
	ActCreateOrder ActionKind = "create-order" // the order Target with Values (item → quantity)
	ActPayOrder    ActionKind = "pay-order"    // the order Target
	ActCancelOrder ActionKind = "cancel-order" // the order Target
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

// Shows renders what person sees, one message a line, for a step's error:
// "ada sees:\n  bot  ◂ …".
func Shows(person string, msgs []Shown) string {
	if len(msgs) == 0 {
		return person + " sees no messages"
	}
	lines := make([]string, len(msgs))
	for i, m := range msgs {
		lines[i] = "  " + m.String()
	}
	return person + " sees:\n" + strings.Join(lines, "\n")
}
