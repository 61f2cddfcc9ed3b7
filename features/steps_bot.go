package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/sim"
)

// Shared fragments of step patterns.
const (
	// listRe is a list of quoted words: "Tea" and "Coffee", "A", "B" and "C".
	listRe = `("[^"]*"(?:(?:, | and | or )"[^"]*")*)`
	// tagsRe is a list of tags: id="1001" chatId="1001".
	tagsRe = `(\w+="[^"]*"(?:(?:, | and | )\w+="[^"]*")*)`
	// countRe is a number of times: once, twice, never, 3 times.
	countRe = `(once|twice|never|\d+ times?)`
	// inRe is an optional place: in "Tea lovers".
	inRe = `(?: in "([^"]*)")?`
)

var (
	quotedRe = regexp.MustCompile(`"([^"]*)"`)
	tagRe    = regexp.MustCompile(`(\w+)="([^"]*)"`)
)

// parseTags reads `id="1001" chatId="1001"`.
func parseTags(s string) map[string]string {
	out := map[string]string{}
	for _, m := range tagRe.FindAllStringSubmatch(s, -1) {
		out[m[1]] = m[2]
	}
	return out
}

// optionValue is the value the bot gives an option labelled l: its label
// in lower case ("Coffee" → "coffee").
func optionValue(l string) string { return strings.ToLower(l) }

func options(labels []string) []map[string]string {
	out := make([]map[string]string, len(labels))
	for i, l := range labels {
		out[i] = map[string]string{"label": l, "value": optionValue(l)}
	}
	return out
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings are marshalled here
	}
	return b
}

func botSteps() []Step {
	textReply := func(text string) botpress.Reply {
		return botpress.Reply{Type: "text", Payload: mustJSON(map[string]string{"text": text})}
	}
	return []Step{
		{
			Group: "bot", Pattern: `^the bot answers "([^"]*)" with "([^"]*)"(?: and sets the (conversation|user) state "([^"]*)" to (\{.*\}))?$`,
			Doc: "The scripted bot answers a text message equal to the first text (trimmed, case-insensitive) with the second, " +
				"and can first set a state. Rules are tried in the order written; without any, the bot echoes text.",
			Example: `Given the bot answers "coffee" with "One coffee coming up." and sets the conversation state "order" to {"drink":"coffee"}`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				r := botpress.BotRule{When: botpress.BotMatch{Text: a.s[0]}, Reply: []botpress.Reply{textReply(a.s[1])}}
				if a.s[2] != "" {
					if _, err := parseJSON(a.s[4], "the state"); err != nil {
						return err
					}
					r.State = &botpress.StateWrite{Scope: a.s[2], Name: a.s[3], Payload: json.RawMessage(a.s[4])}
				}
				return s.addRule(r)
			},
		},
		{
			Group: "bot", Pattern: `^the bot answers "([^"]*)" with an? (choice|dropdown) "([^"]*)" offering ` + listRe + `$`,
			Doc:     "The bot answers with a choice (buttons) or a dropdown (a menu); each option's value is its label in lower case.",
			Example: `Given the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				p := map[string]any{"text": a.s[2], "options": options(fakes.ParseList(a.s[3]))}
				b, _ := json.Marshal(p)
				return s.addRule(botpress.BotRule{When: botpress.BotMatch{Text: a.s[0]}, Reply: []botpress.Reply{{Type: a.s[1], Payload: b}}})
			},
		},
		{
			Group: "bot", Pattern: `^the bot answers "([^"]*)" with a card "([^"]*)"(?: \(([^)]*)\))? with the buttons ` + listRe + `$`,
			Doc:     "The bot answers with a card: a title, an optional subtitle in parentheses, and postback buttons whose values are their labels in lower case.",
			Example: `Given the bot answers "specials" with a card "Espresso" (Strong and short) with the buttons "Order" and "Details"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				var acts []map[string]string
				for _, l := range fakes.ParseList(a.s[3]) {
					acts = append(acts, map[string]string{"action": "postback", "label": l, "value": optionValue(l)})
				}
				p := map[string]any{"title": a.s[1], "actions": acts}
				if a.s[2] != "" {
					p["subtitle"] = a.s[2]
				}
				b, _ := json.Marshal(p)
				return s.addRule(botpress.BotRule{When: botpress.BotMatch{Text: a.s[0]}, Reply: []botpress.Reply{{Type: "card", Payload: b}}})
			},
		},
		{
			Group: "bot", Pattern: `^the bot answers "([^"]*)" with the message:$`, arg: argDoc,
			Doc:     `The bot answers with any message: {"type": …, "payload": …}; payload strings may hold {{text}}, the incoming text.`,
			Example: "Given the bot answers \"photo\" with the message:\n  \"\"\"json\n  {\"type\": \"image\", \"payload\": {\"imageUrl\": \"https://example.com/cat.png\"}}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				var r botpress.Reply
				if err := json.Unmarshal([]byte(a.doc), &r); err != nil {
					return fmt.Errorf("read the message as JSON {\"type\",\"payload\"}: %w", err)
				}
				return s.addRuleChecked(botpress.BotRule{When: botpress.BotMatch{Text: a.s[0]}, Reply: []botpress.Reply{r}})
			},
		},
		{
			Group: "bot", Pattern: `^the bot answers (anything|messages containing "([^"]*)") with "([^"]*)"$`,
			Doc:     "The bot answers every incoming message, or those containing a text (case-insensitive); the reply may hold {{text}}.",
			Example: `Given the bot answers anything with "You said: {{text}}"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				m := botpress.BotMatch{Any: true}
				if a.s[0] != "anything" {
					m = botpress.BotMatch{Contains: a.s[1]}
				}
				return s.addRule(botpress.BotRule{When: m, Reply: []botpress.Reply{textReply(a.s[2])}})
			},
		},
		{
			Group: "bot", Pattern: `^the bot answers the event "([^"]*)" with "([^"]*)"$`,
			Doc:     `The bot answers an event the integration created (its type, or "*" for any) with a text in the event's conversation.`,
			Example: `Given the bot answers the event "memberJoined" with "Welcome!"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.addRule(botpress.BotRule{When: botpress.BotMatch{Event: a.s[0]}, Reply: []botpress.Reply{textReply(a.s[1])}})
			},
		},
		{
			Group: "bot", Pattern: `^the bot stays silent$`,
			Doc:     "The bot answers nothing (no rules at all, not even the echo).",
			Example: `Given the bot stays silent`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				s.rules, s.rulesSet = []botpress.BotRule{}, true
				return s.applyRules()
			},
		},
		{
			Group: "bot", Pattern: `^the bot rules are:$`, arg: argDoc,
			Doc:     `Replaces the bot's rules with a JSON array of rules, as in a cassette header: [{"when": {"text": "hi"}, "reply": [{"type": "text", "payload": {"text": "hello"}}]}].`,
			Example: "Given the bot rules are:\n  \"\"\"json\n  [{\"when\": {\"contains\": \"help\"}, \"reply\": [{\"type\": \"text\", \"payload\": {\"text\": \"How can I help?\"}}]}]\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				rules, err := botpress.ParseBotRules([]byte(a.doc), "the bot rules")
				if err != nil {
					return err
				}
				s.rules, s.rulesSet = rules, true
				return s.applyRules()
			},
		},
		{
			Group: "bot", Pattern: `^the bot sends "([^"]*)" to the conversation tagged ` + tagsRe + `$`,
			Doc:     "The bot sends a text on its own (not an answer) into the conversation with these tags; the platform invokes message_created.",
			Example: `When the bot sends "Your order is ready" to the conversation tagged id="1001"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.botSends(ctx, a.s[1], "text", mustJSON(map[string]string{"text": a.s[0]}))
			},
		},
		{
			Group: "bot", Pattern: `^the bot sends the message to the conversation tagged ` + tagsRe + `:$`, arg: argDoc,
			Doc:     `The bot sends any message {"type", "payload"} on its own into the conversation with these tags.`,
			Example: "When the bot sends the message to the conversation tagged id=\"1001\":\n  \"\"\"json\n  {\"type\": \"choice\", \"payload\": {\"text\": \"Again?\", \"options\": [{\"label\": \"Yes\", \"value\": \"yes\"}]}}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				var r botpress.Reply
				if err := json.Unmarshal([]byte(a.doc), &r); err != nil {
					return fmt.Errorf("read the message as JSON {\"type\",\"payload\"}: %w", err)
				}
				return s.botSends(ctx, a.s[0], r.Type, r.Payload)
			},
		},
	}
}

// addRuleChecked checks r as ParseBotRules would, then adds it.
func (s *Scenario) addRuleChecked(r botpress.BotRule) error {
	b, err := json.Marshal([]botpress.BotRule{r})
	if err != nil {
		return fmt.Errorf("encode the bot rule: %w", err)
	}
	if _, err := botpress.ParseBotRules(b, "the bot rule"); err != nil {
		return err
	}
	return s.addRule(r)
}

// addRule appends a rule to the bot's rules.
func (s *Scenario) addRule(r botpress.BotRule) error {
	s.rules, s.rulesSet = append(s.rules, r), true
	return s.applyRules()
}

// applyRules hands the rules to a running World's bot.
func (s *Scenario) applyRules() error {
	if w := s.world0(); w != nil {
		w.Platform.SetBot(s.rules)
	}
	return nil
}

// botSends makes the bot send a message into the conversation tagged tags.
func (s *Scenario) botSends(ctx context.Context, tags, typ string, payload json.RawMessage) error {
	w, err := s.world(ctx)
	if err != nil {
		return err
	}
	want := parseTags(tags)
	var convID string
	for _, c := range w.Platform.Conversations() {
		if tagsInclude(c.Tags, want) {
			convID = c.ID
		}
	}
	if convID == "" {
		return fmt.Errorf("no conversation tagged %s on the platform (it has: %s)", tags, s.describeConversations())
	}
	return s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) {
		_, err := w.Platform.SendMessage(ctx, convID, typ, payload)
		var inv *botpress.InvocationError
		if errors.As(err, &inv) {
			// The integration failed message_created: journaled, and an
			// unexpected failure unless the scenario asserts it.
			return "", nil
		}
		return "", err
	})
}

func tagsInclude(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}
