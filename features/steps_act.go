package features

import (
	"context"
	"fmt"
	"strconv"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// do performs a as its person, on the platform they were set up on, as one
// numbered World step.
func (s *Scenario) do(ctx context.Context, a fakes.Action) error {
	if _, err := s.world(ctx); err != nil {
		return err
	}
	p, err := s.platformFor(a.Person)
	if err != nil {
		return err
	}
	return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
		line, err := p.fake.Do(ctx, a)
		if err != nil {
			return line, fmt.Errorf("%s: %w", p.kind.Title, err)
		}
		return line, nil
	})
}

// tableValues reads a step's two-column table (field | value) into a map.
func tableValues(a args) (map[string]string, error) { return fakes.TableValues(tableRows(a.table)) }

func actSteps() []Step {
	act := func(kind fakes.ActionKind, fill func(a args, x *fakes.Action)) func(ctx context.Context, s *Scenario, a args) error {
		return func(ctx context.Context, s *Scenario, a args) error {
			x := fakes.Action{Kind: kind, Person: a.s[0]}
			fill(a, &x)
			return s.do(ctx, x)
		}
	}
	return []Step{
		{
			Group: "act", Pattern: `^"([^"]*)" sends "([^"]*)"` + inRe + `$`,
			Doc:     "A person sends a text message, in their default place (their private chat with the bot, or the one place they are in) or in a named one.",
			Example: `When "ada" sends "menu"`,
			run:     act(fakes.ActSend, func(a args, x *fakes.Action) { x.Text, x.Place = a.s[1], a.s[2] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" sends "([^"]*)" (\d+) times` + inRe + `$`,
			Doc: "A person sends the same text message that many times, one after the other, each answered before the next " +
				"(virtual time stands still between them: the way to run into a platform's rate limits).",
			Example: `When "ada" sends "hello" 61 times`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				n, err := strconv.Atoi(a.s[2])
				if err != nil || n < 1 || n > 1000 {
					return fmt.Errorf("%q times: want a count from 1 to 1000", a.s[2])
				}
				for i := 1; i <= n; i++ {
					if err := s.do(ctx, fakes.Action{Kind: fakes.ActSend, Person: a.s[0], Text: a.s[1], Place: a.s[3]}); err != nil {
						return fmt.Errorf("message %d of %d: %w", i, n, err)
					}
				}
				return nil
			},
		},
		{
			Group: "act", Pattern: `^"([^"]*)" sends` + inRe + `:$`, arg: argDoc,
			Doc:     "A person sends the doc string as one message (several lines).",
			Example: "When \"ada\" sends:\n  \"\"\"\n  first line\n  second line\n  \"\"\"",
			run:     act(fakes.ActSend, func(a args, x *fakes.Action) { x.Text, x.Place = a.doc, a.s[1] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" sends a photo(?: with the caption "([^"]*)")?` + inRe + `$`,
			Doc:     "A person sends a small PNG photo, with an optional caption.",
			Example: `When "ada" sends a photo with the caption "my cat"`,
			run:     act(fakes.ActSendPhoto, func(a args, x *fakes.Action) { x.Text, x.Place = a.s[1], a.s[2] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" edits "([^"]*)" to "([^"]*)"` + inRe + `$`,
			Doc:     "A person edits their own latest message with that text.",
			Example: `When "ada" edits "menu" to "menu please"`,
			run:     act(fakes.ActEdit, func(a args, x *fakes.Action) { x.Target, x.Text, x.Place = a.s[1], a.s[2], a.s[3] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" deletes "([^"]*)"` + inRe + `$`,
			Doc:     "A person deletes their own latest message with that text (platforms that do not tell bots about deletions refuse).",
			Example: `When "ada" deletes "menu"`,
			run:     act(fakes.ActDelete, func(a args, x *fakes.Action) { x.Target, x.Place = a.s[1], a.s[2] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" reacts (?:with )?"([^"]*)" to "([^"]*)"` + inRe + `$`,
			Doc:     "A person reacts with an emoji to the latest message with that text.",
			Example: `When "ada" reacts "👍" to "What would you like?"`,
			run:     act(fakes.ActReact, func(a args, x *fakes.Action) { x.Text, x.Target, x.Place = a.s[1], a.s[2], a.s[3] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" mentions the bot with "([^"]*)"` + inRe + `$`,
			Doc:     "A person sends a message that mentions the bot (@chatsim_bot on Telegram), which reaches it even where it only sees mentions.",
			Example: `When "ada" mentions the bot with "menu" in "Tea lovers"`,
			run:     act(fakes.ActMention, func(a args, x *fakes.Action) { x.Text, x.Place = a.s[1], a.s[2] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" replies "([^"]*)" to "([^"]*)"` + inRe + `$`,
			Doc:     "A person answers a message: a reply on Telegram, a thread reply on Slack and Rocket.Chat.",
			Example: `When "ada" replies "Tea, please" to "What would you like?"`,
			run:     act(fakes.ActReply, func(a args, x *fakes.Action) { x.Text, x.Target, x.Place = a.s[1], a.s[2], a.s[3] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" runs the command "([^"]*)"` + inRe + `$`,
			Doc:     "A person runs a slash command with its arguments.",
			Example: `When "ada" runs the command "/start promo"`,
			run:     act(fakes.ActCommand, func(a args, x *fakes.Action) { x.Text, x.Place = a.s[1], a.s[2] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" (taps|clicks|presses) "([^"]*)"(?: on "([^"]*)")?` + inRe + `$`,
			Doc:     "A person presses a button, on the latest message that has it or on the message with that text.",
			Example: `When "ada" taps "Coffee"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.do(ctx, fakes.Action{Kind: fakes.ActClick, Person: a.s[0], Verb: a.s[1], Text: a.s[2], Target: a.s[3], Place: a.s[4]})
			},
		},
		{
			Group: "act", Pattern: `^"([^"]*)" picks "([^"]*)"(?: from "([^"]*)")?` + inRe + `$`,
			Doc:     "A person picks an option from a menu (a dropdown, a select), on the latest message that offers it or on the one with that text.",
			Example: `When "ada" picks "Large" from "Which size?"`,
			run:     act(fakes.ActPick, func(a args, x *fakes.Action) { x.Text, x.Target, x.Place = a.s[1], a.s[2], a.s[3] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" picks the date "(\d{4}-\d{2}-\d{2})"(?: on "([^"]*)")?` + inRe + `$`,
			Doc:     "A person picks a date in a date picker.",
			Example: `When "ada" picks the date "2026-02-14" on "When should we deliver?"`,
			run:     act(fakes.ActPickDate, func(a args, x *fakes.Action) { x.Text, x.Target, x.Place = a.s[1], a.s[2], a.s[3] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" submits the modal "([^"]*)" with:$`, arg: argTable,
			Doc:     "A person fills a modal's fields (a two-column table: field | value) and submits it.",
			Example: "When \"ada\" submits the modal \"Feedback\" with:\n  | rating  | 5        |\n  | comment | Lovely!  |",
			run: func(ctx context.Context, s *Scenario, a args) error {
				vals, err := tableValues(a)
				if err != nil {
					return err
				}
				return s.do(ctx, fakes.Action{Kind: fakes.ActSubmit, Person: a.s[0], Target: a.s[1], Values: vals})
			},
		},
		{
			Group: "act", Pattern: `^"([^"]*)" joins "([^"]*)"$`,
			Doc:     "A person joins a group, channel or room.",
			Example: `When "bob" joins "Tea lovers"`,
			run:     act(fakes.ActJoin, func(a args, x *fakes.Action) { x.Place = a.s[1] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" leaves "([^"]*)"$`,
			Doc:     "A person leaves a group, channel or room.",
			Example: `When "bob" leaves "Tea lovers"`,
			run:     act(fakes.ActLeave, func(a args, x *fakes.Action) { x.Place = a.s[1] }),
		},
		{
			Group: "act", Pattern: `^"([^"]*)" creates the order "([^"]*)" with:$`, arg: argTable,
			Doc:     "A customer places an order (a two-column table: item | quantity) on a shop platform.",
			Example: "When \"ada\" creates the order \"#1001\" with:\n  | Coffee beans | 2 |",
			run: func(ctx context.Context, s *Scenario, a args) error {
				vals, err := tableValues(a)
				if err != nil {
					return err
				}
				return s.do(ctx, fakes.Action{Kind: fakes.ActCreateOrder, Person: a.s[0], Target: a.s[1], Values: vals})
			},
		},
		{
			Group: "act", Pattern: `^"([^"]*)" (pays|cancels) the order "([^"]*)"$`,
			Doc:     "A customer pays or cancels an order on a shop platform.",
			Example: `When "ada" pays the order "#1001"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				kind := fakes.ActPayOrder
				if a.s[1] == "cancels" {
					kind = fakes.ActCancelOrder
				}
				return s.do(ctx, fakes.Action{Kind: kind, Person: a.s[0], Target: a.s[2]})
			},
		},
	}
}
