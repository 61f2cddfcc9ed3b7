package rocketchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// withPersons runs a step on the scenario's Rocket.Chat fake, holding its
// people and places.
func withPersons(run func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error) func(ctx context.Context, sc fakes.Scene, a fakes.StepArgs) error {
	return fakes.Bind(func(ctx context.Context, sc fakes.Scene, s *Server, a fakes.StepArgs) error {
		s.persons.mu.Lock()
		defer s.persons.mu.Unlock()
		return run(ctx, sc, s.persons, a)
	})
}

// outgoingWebhook changes the Rocket.Chat outgoing integration the World
// pointed at the integration (the first one).
func (p *persons) outgoingWebhook(change func(o *Outgoing)) error {
	outs := p.srv.Outgoings()
	if len(outs) == 0 {
		return errors.New("Rocket.Chat has no outgoing webhook integration")
	}
	_, err := p.srv.UpdateOutgoing(outs[0].ID, change)
	return err
}

// steps are Rocket.Chat's own steps: its people, rooms and direct
// messages, and its outgoing webhook's settings (Kind.Steps).
func steps() []fakes.Step {
	setup := func(run func(p *persons, a fakes.StepArgs) error) func(ctx context.Context, sc fakes.Scene, a fakes.StepArgs) error {
		return withPersons(func(_ context.Context, _ fakes.Scene, p *persons, a fakes.StepArgs) error { return run(p, a) })
	}
	return []fakes.Step{
		{
			Pattern: `^a Rocket\.Chat (room|private group) "([^"]*)" with ` + fakes.PeoplePattern + `$`,
			Doc: "A public channel (room) or private group with this name, the bot and these people in it: the server's own #general " +
				"or #team when named so, else a new one. Each person is the account with that username (ada \"Ada Lovelace\" and grace " +
				"\"Grace Hopper\" exist; others are created), named as the parentheses say.",
			Example: `Given a Rocket.Chat room "#general" with "ada" (Ada Lovelace) and "grace"`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				var handles []string
				for _, who := range fakes.ParsePeople(a.Groups[2]) {
					if err := p.addPerson(who.Handle, who.Name); err != nil {
						return err
					}
					handles = append(handles, who.Handle)
				}
				typ := "c"
				if a.Groups[0] == "private group" {
					typ = "p"
				}
				return p.addRoom(a.Groups[1], typ, handles)
			}),
		},
		{
			Pattern: `^a Rocket\.Chat direct message with "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person and their direct message with the bot: their default place.",
			Example: `Given a Rocket.Chat direct message with "ada" (Ada Lovelace)`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				if err := p.addPerson(a.Groups[0], a.Groups[1]); err != nil {
					return err
				}
				r, err := p.srv.DM(a.Groups[0], p.srv.BotUser().Username)
				if err != nil {
					return err
				}
				p.dms[a.Groups[0]] = r.ID
				return nil
			}),
		},
		{
			Pattern: `^a Rocket\.Chat user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A person with an account and no room of the scenario yet (to join one later). New accounts join #general, as Rocket.Chat's default channels.",
			Example: `Given a Rocket.Chat user "cleo" (Cleo Patra)`,
			Run:     setup(func(p *persons, a fakes.StepArgs) error { return p.addPerson(a.Groups[0], a.Groups[1]) }),
		},
		{
			Pattern: `^the Rocket\.Chat outgoing webhook listens for the trigger words? ` + fakes.ListPattern + `( anywhere in a message)?$`,
			Doc: "The outgoing webhook integration posts only messages that begin with one of these words (or hold one anywhere), " +
				"with trigger_word set; other messages never reach the bot.",
			Example: `Given the Rocket.Chat outgoing webhook listens for the trigger words "!menu" and "!help"`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				return p.outgoingWebhook(func(o *Outgoing) {
					o.TriggerWords, o.TriggerWordAnywhere = fakes.ParseList(a.Groups[0]), a.Groups[1] != ""
				})
			}),
		},
		{
			Pattern: `^the Rocket\.Chat outgoing webhook runs on edits$`,
			Doc:     "The outgoing webhook integration also posts edited messages (isEdited: true), as its \"Run on edits\" setting does; it is off by default.",
			Example: `Given the Rocket.Chat outgoing webhook runs on edits`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				return p.outgoingWebhook(func(o *Outgoing) { o.RunOnEdits = true })
			}),
		},
		{
			Pattern: `^the Rocket\.Chat outgoing webhook retries failed calls(?: (\d+) times?)?$`,
			Doc:     "The outgoing webhook integration retries a failed call (a non-2xx answer, or an empty one), every 0.1 s, 1 s, 10 s… on the virtual clock; 6 times unless said.",
			Example: `Given the Rocket.Chat outgoing webhook retries failed calls 2 times`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				n := 6
				if a.Groups[0] != "" {
					n = fakes.ParseCount(a.Groups[0] + " times")
				}
				return p.outgoingWebhook(func(o *Outgoing) {
					o.RetryFailedCalls, o.RetryCount, o.RetryDelay = true, n, "powers-of-ten"
				})
			}),
		},
		{
			Pattern: `^Rocket\.Chat also posts (roomJoined|roomLeft) to the integration$`,
			Doc:     "A second outgoing webhook integration, on the event roomJoined or roomLeft in every channel and group, posts to the same URL with the same token.",
			Example: `Given Rocket.Chat also posts roomJoined to the integration`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				outs := p.srv.Outgoings()
				if len(outs) == 0 {
					return errors.New("Rocket.Chat has no outgoing webhook integration to copy")
				}
				_, err := p.srv.AddOutgoing(Outgoing{Name: a.Groups[0], Event: a.Groups[0], URLs: outs[0].URLs, Token: outs[0].Token,
					Channels: []string{"all_public_channels", "all_private_groups"}})
				return err
			}),
		},
		{
			Pattern: `^Rocket\.Chat response URLs expire after (\S+)$`,
			Doc: "Interactions from now on carry a response_url that expires after this long (a Go duration; 30m by default). The clock is " +
				"virtual and still within a step, so 0s makes it expired before the bot can answer: Rocket.Chat then answers 400.",
			Example: `Given Rocket.Chat response URLs expire after 0s`,
			Run: setup(func(p *persons, a fakes.StepArgs) error {
				d, err := time.ParseDuration(a.Groups[0])
				if err != nil {
					return fmt.Errorf("read the duration %q: %w", a.Groups[0], err)
				}
				p.srv.SetResponseURLTTL(d)
				return nil
			}),
		},
		{
			Pattern: `^Rocket\.Chat delivers the last message from "([^"]*)" again$`,
			Doc:     "The outgoing webhook posts the person's latest message a second time, as a retry does: a duplicate the integration must not turn into a second message.",
			Example: `When Rocket.Chat delivers the last message from "ada" again`,
			Run: withPersons(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				id, ok := p.last[a.Groups[0]]
				if !ok {
					return fmt.Errorf("%q has sent no message on Rocket.Chat yet", a.Groups[0])
				}
				m, err := p.srv.Message(id)
				if err != nil {
					return err
				}
				body, err := json.Marshal(map[string]any{"message_id": m.ID, "channel_id": m.RoomID, "user_id": m.User.ID, "user_name": m.User.Username, "text": m.Text})
				if err != nil {
					return fmt.Errorf("encode the delivery: %w", err)
				}
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					_, err := p.srv.Replay(ctx, fakes.Delivery{Kind: "outgoing", Body: body})
					return "", err
				})
			}),
		},
	}
}
