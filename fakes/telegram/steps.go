package telegram

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/chatsim/chatsim/fakes"
)

// withPersons runs a step on the scenario's Telegram fake, holding its
// people and places.
func withPersons(run func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error) func(ctx context.Context, sc fakes.Scene, a fakes.StepArgs) error {
	return fakes.Bind(func(ctx context.Context, sc fakes.Scene, s *Server, a fakes.StepArgs) error {
		s.persons.mu.Lock()
		defer s.persons.mu.Unlock()
		return run(ctx, sc, s.persons, a)
	})
}

// steps are Telegram's own steps: its people, chats and groups, and its
// knobs (Kind.Steps).
func steps() []fakes.Step {
	// with runs a step on the scenario's Telegram fake, holding its
	// people and places.
	with := withPersons
	return []fakes.Step{
		{
			Pattern: `^a Telegram private chat with "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc: "A Telegram user with this handle as username and an optional full name (ids count from 1001), and their private chat " +
				"with the bot (its id is theirs): their default place.",
			Example: `Given a Telegram private chat with "ada" (Ada Lovelace)`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				id, err := p.addUser(a.Groups[0], a.Groups[1])
				if err != nil {
					return err
				}
				if err := p.tg.AddChat(Chat{ID: id, Type: ChatPrivate}); err != nil {
					return err
				}
				p.private[a.Groups[0]] = true
				return nil
			}),
		},
		{
			Pattern: `^a Telegram user "([^"]*)"(?: \(([^)]*)\))?$`,
			Doc:     "A Telegram user with no chat yet (to join groups later).",
			Example: `Given a Telegram user "bob" (Bob Babbage)`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				_, err := p.addUser(a.Groups[0], a.Groups[1])
				return err
			}),
		},
		{
			Pattern: `^a Telegram (group|supergroup) "([^"]*)" with ` + fakes.ListPattern + `$`,
			Doc: "A group (ids from -4001) or supergroup (from -1001000000001) with this title, the bot and these people in it " +
				"(created as users when new). The bot has privacy mode on: it sees commands, mentions and replies to it.",
			Example: `Given a Telegram group "Tea lovers" with "ada" and "bob"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				c := Chat{Type: a.Groups[0], Title: a.Groups[1]}
				if c.Type == ChatGroup {
					c.ID = p.nextGroup
				} else {
					c.ID = p.nextSuper
				}
				if err := p.tg.AddChat(c); err != nil {
					return err
				}
				if c.Type == ChatGroup {
					p.nextGroup--
				} else {
					p.nextSuper--
				}
				p.places[a.Groups[1]] = c.ID
				for _, h := range fakes.ParseList(a.Groups[2]) {
					id, err := p.addUser(h, "")
					if err != nil {
						return err
					}
					if err := p.tg.AddMember(c.ID, id, StatusMember); err != nil {
						return err
					}
				}
				return nil
			}),
		},
		{
			Pattern: `^the bot is an administrator of "([^"]*)"$`,
			Doc:     "Makes the bot an administrator of a group: it then sees every message there, not only commands and mentions.",
			Example: `Given the bot is an administrator of "Tea lovers"`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				id, ok := p.places[a.Groups[0]]
				if !ok {
					return fmt.Errorf("group %q: %w on Telegram", a.Groups[0], fakes.ErrNotFound)
				}
				return p.tg.AddMember(id, p.tg.BotUser().ID, StatusAdministrator)
			}),
		},
		{
			Pattern: `^"([^"]*)" (blocks|unblocks) the bot$`,
			Doc:     "The person blocks (or unblocks) the bot: the bot gets my_chat_member, and messages to them then fail with 403.",
			Example: `When "ada" blocks the bot`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				id, ok := p.users[a.Groups[0]]
				if !ok {
					return fmt.Errorf("person %q: %w on Telegram", a.Groups[0], fakes.ErrNotFound)
				}
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					if a.Groups[1] == "blocks" {
						return a.Groups[0] + "  ▸ (blocks the bot)", p.tg.Block(id)
					}
					return a.Groups[0] + "  ▸ (unblocks the bot)", p.tg.Unblock(id)
				})
			}),
		},
		{
			Pattern: `^Telegram delivers the update:$`, Arg: fakes.DocArg,
			Doc:     "Telegram delivers a recorded Update (JSON) to the bot's webhook, as a replayed cassette would; its users and chats become known.",
			Example: "When Telegram delivers the update:\n  \"\"\"json\n  {\"update_id\": 1, \"message\": {\"message_id\": 1, \"date\": 1767225600, \"chat\": {\"id\": 1001, \"type\": \"private\"}, \"from\": {\"id\": 1001, \"is_bot\": false, \"first_name\": \"Ada\"}, \"text\": \"hi\"}}\n  \"\"\"",
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					_, err := p.tg.InjectUpdate(json.RawMessage(a.Doc))
					return "", err
				})
			}),
		},
		{
			Pattern: `^Telegram delivers the last message from "([^"]*)" again$`,
			Doc:     "Telegram delivers the person's latest message a second time, in a new update: a duplicate the integration must not turn into a second message.",
			Example: `When Telegram delivers the last message from "ada" again`,
			Run: with(func(ctx context.Context, sc fakes.Scene, p *persons, a fakes.StepArgs) error {
				m, ok := p.last[a.Groups[0]]
				if !ok {
					return fmt.Errorf("%q has sent no message on Telegram yet", a.Groups[0])
				}
				raw, err := json.Marshal(map[string]any{"update_id": 1, "message": m})
				if err != nil {
					return fmt.Errorf("encode the update: %w", err)
				}
				return sc.Act(ctx, func(ctx context.Context) (string, error) {
					_, err := p.tg.InjectUpdate(raw)
					return "", err
				})
			}),
		},
	}
}
