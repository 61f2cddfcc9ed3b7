package slack

import (
	"context"
	"fmt"
	"slices"

	"github.com/chatsim/chatsim/fakes"
)

// withPersons runs a step on the scenario's Slack fake, holding its people
// and places.
func withPersons(run func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error) func(ctx context.Context, sc fakes.Scene, a fakes.StepArgs) error {
	return fakes.Bind(func(ctx context.Context, sc fakes.Scene, s *Server, a fakes.StepArgs) error {
		s.persons.mu.Lock()
		defer s.persons.mu.Unlock()
		return run(ctx, sc, s.persons, a)
	})
}

// slackModalView builds a modal with one plain-text input per label.
func slackModalView(title string, inputs []string) map[string]any {
	blocks := make([]any, 0, len(inputs))
	for _, l := range inputs {
		id := fakes.Slug(l)
		blocks = append(blocks, map[string]any{"type": "input", "block_id": id, "label": map[string]any{"type": "plain_text", "text": l},
			"element": map[string]any{"type": "plain_text_input", "action_id": id}})
	}
	return map[string]any{"type": "modal", "callback_id": fakes.Slug(title), "title": map[string]any{"type": "plain_text", "text": title},
		"submit": map[string]any{"type": "plain_text", "text": "Submit"}, "blocks": blocks}
}

// steps are Slack's own steps: its workspace, people, channels and DMs,
// and its knobs (Kind.Steps).
func steps() []fakes.Step {
	with := withPersons
	return []fakes.Step{
		{
			Pattern: `^a Slack workspace with ` + fakes.PeoplePattern + ` in "(#[^"]*)"$`,
			Doc: "The Slack workspace has these people (by handle, with an optional full name; ada and grace are there already, others get " +
				"the id U0<HANDLE>) and they are in this channel (#general is there already with the bot in it; a new one gets C0<NAME> and " +
				"the bot). Declared as if it had always been so: the app gets no event.",
			Example: `Given a Slack workspace with "ada" (Ada Lovelace) and "grace" in "#general"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return p.addChannel(a.Groups[1], false, fakes.ParsePeople(a.Groups[0]))
			}),
		},
		{
			Pattern: `^a (private )?Slack channel "(#[^"]*)" with ` + fakes.PeoplePattern + `$`,
			Doc:     "A public (C0<NAME>) or private (G0<NAME>) channel with the bot and these people in it, created as users when new.",
			Example: `Given a private Slack channel "#tea-lovers" with "ada" and "bob" (Bob Babbage)`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return p.addChannel(a.Groups[1], a.Groups[0] != "", fakes.ParsePeople(a.Groups[2]))
			}),
		},
		{
			Pattern: `^a Slack DM between "([^"]*)"(?: \(([^)]*)\))? and the bot$`,
			Doc:     "The person's direct messages with the bot (ada's is D0ADA): their default place from then on.",
			Example: `Given a Slack DM between "ada" and the bot`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return p.addDM(a.Groups[0], a.Groups[1])
			}),
		},
		{
			Pattern: `^a Slack user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person in the workspace who is in none of the scenario's channels yet (to join one later).",
			Example: `Given a Slack user "bob" (Bob Babbage)`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return p.addPerson(a.Groups[0], a.Groups[1])
			}),
		},
		{
			Pattern: `^the Slack bot is (not )?in "(#[^"]*)"$`,
			Doc:     "Puts the bot in a channel, or takes it out, as if it had always been so: Slack sends a channel's events only to apps whose bot is in it.",
			Example: `Given the Slack bot is not in "#general"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				if _, ok := p.places[a.Groups[1]]; !ok {
					if err := p.addChannel(a.Groups[1], false, nil); err != nil {
						return err
					}
				}
				return p.srv.DeclareMember(p.places[a.Groups[1]], "bot", a.Groups[0] == "")
			}),
		},
		{
			Pattern: `^Slack's rate limits are (on|off)$`,
			Doc: "Switches Slack's rate-limit tiers on (off by default): each Web API method gets its tier's calls a minute on the " +
				"virtual clock (chat.postMessage 60 a minute per channel), then 429 with an integer Retry-After and {\"ok\":false,\"error\":\"ratelimited\"}.",
			Example: `Given Slack's rate limits are on`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				p.srv.SetRateLimits(a.Groups[0] == "on")
				return nil
			}),
		},
		{
			Pattern: `^Slack delivers the next (event|\d+ events) twice$`,
			Doc:     "Slack delivers the next Events API events twice each (the same event_id), as it sometimes does: the integration must record them once.",
			Example: `Given Slack delivers the next 2 events twice`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				n := 1
				if a.Groups[0] != "event" {
					n = fakes.ParseCount(a.Groups[0])
				}
				p.srv.DuplicateDeliveries(n)
				return nil
			}),
		},
		{
			Pattern: `^Slack signs the next delivery with (a stale timestamp|the wrong secret)$`,
			Doc: "The next request Slack sends the app is signed ten minutes ago, or with the wrong signing secret: what a real verifier " +
				"(slack-go's SecretsVerifier, Bolt) refuses. An event refused so is retried, signed right.",
			Example: `Given Slack signs the next delivery with a stale timestamp`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				fault := SignStale
				if a.Groups[0] == "the wrong secret" {
					fault = SignBad
				}
				return p.srv.SetSigningFault(fault, 1)
			}),
		},
		{
			Pattern: `^Slack delivers the last event from "([^"]*)" again(?: with the reason "(\w+)")?$`,
			Doc: "Slack redelivers the latest event it sent about the person (their message, reaction, join…), as it does when it took the " +
				"first answer for lost: the same event_id, X-Slack-Retry-Num and X-Slack-Retry-Reason (http_timeout unless said).",
			Example: `When Slack delivers the last event from "ada" again`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				u, ok := p.user(a.Groups[0])
				if !ok {
					return fmt.Errorf("person %q: %w on Slack", a.Groups[0], fakes.ErrNotFound)
				}
				evs := p.srv.Events()
				id := ""
				for _, e := range evs {
					if e.User == u.ID {
						id = e.ID
					}
				}
				if id == "" {
					return fmt.Errorf("slack has sent no event about %q yet", a.Groups[0])
				}
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					_, err := p.srv.Redeliver(id, a.Groups[1])
					return "", err
				})
			}),
		},
		{
			Pattern: `^the Slack app has opened the modal "([^"]*)" for "([^"]*)" with the inputs ` + fakes.ListPattern + `$`,
			Doc: "A modal (views.open) is open for the person, titled so, with one plain-text input per label (block_id and action_id: " +
				"the label as a slug): for a submit step. It is opened without a trigger_id round trip.",
			Example: `Given the Slack app has opened the modal "Feedback" for "ada" with the inputs "Rating" and "Comment"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				_, err := p.srv.OpenModal(a.Groups[1], slackModalView(a.Groups[0], fakes.ParseList(a.Groups[2])))
				return err
			}),
		},
		{
			Pattern: `^"([^"]*)" sees "([^"]*)" below "([^"]*)"` + fakes.InPattern + `$`,
			Doc:     "The latest message with the second text shows the first as a context line (a Block Kit context block, mentions as @handle).",
			Example: `Then "ada" sees "✓ Coffee chosen by @ada" below "What would you like?"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				notes, shown, err := p.notes(a.Groups[0], a.Groups[3], a.Groups[2])
				if err != nil {
					return err
				}
				if slices.Contains(notes, a.Groups[1]) {
					return nil
				}
				return fmt.Errorf("no line %q below %q (its lines: %s)\n%s", a.Groups[1], a.Groups[2], fakes.QuoteAll(notes), fakes.Shows(a.Groups[0], shown))
			}),
		},
	}
}
