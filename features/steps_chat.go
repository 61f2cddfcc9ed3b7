package features

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/fakes"
)

// seen returns what person sees in place, on their platform.
func (s *Scenario) seen(ctx context.Context, person, place string) ([]fakes.Shown, error) {
	if _, err := s.world(ctx); err != nil {
		return nil, err
	}
	p, err := s.platformFor(person)
	if err != nil {
		return nil, err
	}
	return p.fake.Seen(person, place)
}

// findShown returns the latest message with text, or nil.
func findShown(msgs []fakes.Shown, text string) *fakes.Shown {
	for i := len(msgs) - 1; i >= 0; i-- {
		if !msgs[i].Deleted && strings.TrimSpace(msgs[i].Text) == strings.TrimSpace(text) {
			return &msgs[i]
		}
	}
	return nil
}

func chatSteps() []Step {
	return []Step{
		{
			Group: "chat", Pattern: `^"([^"]*)" sees "([^"]*)"` + inRe + `$`,
			Doc:     "The person's chat shows a message with exactly this text (or caption), from anyone.",
			Example: `Then "ada" sees "One coffee coming up."`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[2])
				if err != nil {
					return err
				}
				if findShown(msgs, a.s[1]) == nil {
					return fmt.Errorf("no message %q in the chat\n%s", a.s[1], fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^"([^"]*)" sees "([^"]*)" with the buttons ` + listRe + inRe + `$`,
			Doc:     "The person's chat shows a message with this text and exactly these buttons (or menu options), in order.",
			Example: `Then "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[3])
				if err != nil {
					return err
				}
				m := findShown(msgs, a.s[1])
				if m == nil {
					return fmt.Errorf("no message %q in the chat\n%s", a.s[1], fakes.Shows(a.s[0], msgs))
				}
				want := fakes.ParseList(a.s[2])
				if !slices.Equal(m.Buttons, want) {
					return fmt.Errorf("message %q has the buttons %s, want %s\n%s", a.s[1], fakes.QuoteAll(m.Buttons), fakes.QuoteAll(want), fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^"([^"]*)" does not see "([^"]*)"` + inRe + `$`,
			Doc:     "No message of the person's chat has this text (deleted ones do not count).",
			Example: `Then "ada" does not see "What would you like?"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[2])
				if err != nil {
					return err
				}
				if findShown(msgs, a.s[1]) != nil {
					return fmt.Errorf("the chat shows %q, want it not to\n%s", a.s[1], fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^"([^"]*)" sees "([^"]*)" edited from "([^"]*)"` + inRe + `$`,
			Doc:     "The chat shows a message now reading the first text that earlier read the second.",
			Example: `Then "ada" sees "menu please" edited from "menu"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[3])
				if err != nil {
					return err
				}
				m := findShown(msgs, a.s[1])
				if m == nil {
					return fmt.Errorf("no message %q in the chat\n%s", a.s[1], fakes.Shows(a.s[0], msgs))
				}
				if !slices.Contains(m.Edits, a.s[2]) {
					return fmt.Errorf("message %q was never %q (earlier versions: %s)\n%s", a.s[1], a.s[2], fakes.QuoteAll(m.Edits), fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^"([^"]*)" sees the reaction "([^"]*)" on "([^"]*)"` + inRe + `$`,
			Doc:     "The chat shows this emoji on the latest message with that text.",
			Example: `Then "ada" sees the reaction "👍" on "What would you like?"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[3])
				if err != nil {
					return err
				}
				m := findShown(msgs, a.s[2])
				if m == nil {
					return fmt.Errorf("no message %q in the chat\n%s", a.s[2], fakes.Shows(a.s[0], msgs))
				}
				if !slices.Contains(m.Reactions, a.s[1]) {
					return fmt.Errorf("message %q has the reactions %s, want %q\n%s", a.s[2], fakes.QuoteAll(m.Reactions), a.s[1], fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^the last message "([^"]*)" sees is "([^"]*)"` + inRe + `$`,
			Doc:     "The newest message of the person's chat has exactly this text.",
			Example: `Then the last message "ada" sees is "One coffee coming up."`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[2])
				if err != nil {
					return err
				}
				var last *fakes.Shown
				for i := range msgs {
					if !msgs[i].Deleted {
						last = &msgs[i]
					}
				}
				if last == nil || strings.TrimSpace(last.Text) != strings.TrimSpace(a.s[1]) {
					got := "nothing"
					if last != nil {
						got = fmt.Sprintf("%q", last.Text)
					}
					return fmt.Errorf("the last message is %s, want %q\n%s", got, a.s[1], fakes.Shows(a.s[0], msgs))
				}
				return nil
			},
		},
		{
			Group: "chat", Pattern: `^"([^"]*)" sees` + inRe + `:$`, arg: argDoc,
			Doc:     "The person's chat shows exactly these messages, one a line as \"who  ▸ text  [button]…\" (▸ from people, ◂ from the bot); blank lines are ignored.",
			Example: "Then \"ada\" sees:\n  \"\"\"\n  ada  ▸ menu\n  bot  ◂ What would you like?  [Tea] [Coffee]\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				msgs, err := s.seen(ctx, a.s[0], a.s[1])
				if err != nil {
					return err
				}
				var got, want []string
				for _, m := range msgs {
					got = append(got, m.String())
				}
				for _, l := range strings.Split(a.doc, "\n") {
					if l = strings.TrimSpace(l); l != "" {
						want = append(want, l)
					}
				}
				for i := 0; i < max(len(got), len(want)); i++ {
					g, w := "(nothing)", "(nothing)"
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if normalizeSpaces(g) != normalizeSpaces(w) {
						return fmt.Errorf("message %d differs:\nwant: %s\ngot:  %s\n%s", i+1, w, g, fakes.Shows(a.s[0], msgs))
					}
				}
				return nil
			},
		},
	}
}

// normalizeSpaces collapses runs of spaces, so a transcript line may be
// written with one or two spaces between its parts.
func normalizeSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }
