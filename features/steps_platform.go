package features

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// payloadText returns a message payload's "text" field.
func payloadText(raw json.RawMessage) string {
	var p struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Text
}

// people returns the platform's users other than the bot's own.
func people(w *sim.World) []contracts.User {
	var out []contracts.User
	for _, u := range w.Platform.Users() {
		if u.ID != w.Platform.BotUserID() {
			out = append(out, u)
		}
	}
	return out
}

func (s *Scenario) describeUsers() string {
	w := s.world0()
	a := s.aliaser()
	var out []string
	for _, u := range people(w) {
		out = append(out, a.Alias(fmt.Sprintf("%s %q %s", u.ID, u.Name, fakes.FormatTags(u.Tags))))
	}
	return orNone(out)
}

func (s *Scenario) describeConversations() string {
	w := s.world0()
	a := s.aliaser()
	var out []string
	for _, c := range w.Platform.Conversations() {
		out = append(out, a.Alias(fmt.Sprintf("%s channel=%s %s", c.ID, c.Channel, fakes.FormatTags(c.Tags))))
	}
	return orNone(out)
}

func (s *Scenario) describeMessages() string {
	w := s.world0()
	a := s.aliaser()
	var out []string
	for _, m := range w.Platform.Messages() {
		out = append(out, a.Alias(fmt.Sprintf("%s %s %s %s %s", m.ID, m.Direction, m.Type, fakes.CanonicalJSON(m.Payload), fakes.FormatTags(m.Tags))))
	}
	return orNone(out)
}

func (s *Scenario) describeEvents() string {
	w := s.world0()
	a := s.aliaser()
	var out []string
	for _, e := range w.Platform.Events() {
		out = append(out, a.Alias(fmt.Sprintf("%s %s %s", e.ID, e.Type, fakes.CanonicalJSON(e.Payload))))
	}
	return orNone(out)
}

func orNone(lines []string) string {
	if len(lines) == 0 {
		return " none"
	}
	return "\n  " + strings.Join(lines, "\n  ")
}

// findMessages returns the messages of a direction and type ("" for any),
// in a conversation with tags (nil for any).
func findMessages(w *sim.World, dir, typ string, convTags, msgTags map[string]string) []contracts.Message {
	convs := map[string]contracts.Conversation{}
	for _, c := range w.Platform.Conversations() {
		convs[c.ID] = c
	}
	var out []contracts.Message
	for _, m := range w.Platform.Messages() {
		if dir != "" && m.Direction != dir || typ != "" && m.Type != typ {
			continue
		}
		if convTags != nil && !tagsInclude(convs[m.ConversationID].Tags, convTags) {
			continue
		}
		if msgTags != nil && !tagsInclude(m.Tags, msgTags) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// stateOf finds the one state of scope and name (of the conversation or
// user with tags, when given).
func (s *Scenario) stateOf(w *sim.World, scope, name, ownerTags string) (*contracts.StateChange, error) {
	owners := map[string]bool{}
	if ownerTags != "" {
		want := parseTags(ownerTags)
		for _, c := range w.Platform.Conversations() {
			if tagsInclude(c.Tags, want) {
				owners[c.ID] = true
			}
		}
		for _, u := range w.Platform.Users() {
			if tagsInclude(u.Tags, want) {
				owners[u.ID] = true
			}
		}
	}
	var found []contracts.StateChange
	var all []string
	a := s.aliaser()
	for _, st := range w.Platform.States() {
		all = append(all, a.Alias(fmt.Sprintf("%s %s %q %s", st.Scope, st.ID, st.Name, fakes.CanonicalJSON(st.Payload))))
		if st.Scope == scope && st.Name == name && (ownerTags == "" || owners[st.ID]) {
			found = append(found, st)
		}
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		return &found[0], nil
	}
	return nil, fmt.Errorf("%d %s states %q: say whose, e.g. the %s state %q of the conversation tagged id=\"…\" (states:%s)", len(found), scope, name, scope, name, orNone(all))
}

func (s *Scenario) describeStates(w *sim.World) string {
	a := s.aliaser()
	var all []string
	for _, st := range w.Platform.States() {
		all = append(all, a.Alias(fmt.Sprintf("%s %s %q %s", st.Scope, st.ID, st.Name, fakes.CanonicalJSON(st.Payload))))
	}
	return orNone(all)
}

// expand replaces {{conversation.id}}, {{user.id}}, {{message.id}} and
// {{bot.user.id}} in a doc string with the real ids of the latest
// conversation, user (not the bot) and message.
func (s *Scenario) expand(w *sim.World, text string) string {
	if !strings.Contains(text, "{{") {
		return text
	}
	var conv, user, msg string
	if cs := w.Platform.Conversations(); len(cs) > 0 {
		conv = cs[len(cs)-1].ID
	}
	if us := people(w); len(us) > 0 {
		user = us[len(us)-1].ID
	}
	if ms := w.Platform.Messages(); len(ms) > 0 {
		msg = ms[len(ms)-1].ID
	}
	return strings.NewReplacer("{{conversation.id}}", conv, "{{user.id}}", user, "{{message.id}}", msg, "{{bot.user.id}}", w.Platform.BotUserID()).Replace(text)
}

const ownerRe = `(?: of the (?:conversation|user) tagged ` + tagsRe + `)?`

func platformSteps() []Step {
	need := func(ctx context.Context, s *Scenario) (*sim.World, error) { return s.world(ctx) }
	event := func(ctx context.Context, s *Scenario, a args) error {
		w, err := need(ctx, s)
		if err != nil {
			return err
		}
		var last error
		n := 0
		for _, e := range w.Platform.Events() {
			if e.Type != a.s[0] {
				continue
			}
			n++
			if strings.TrimSpace(a.doc) == "" {
				return nil
			}
			if last = compareJSON("the event's payload", a.doc, e.Payload, false); last == nil {
				return nil
			}
		}
		if n == 0 {
			return fmt.Errorf("no event %q on the platform; its events:%s", a.s[0], s.describeEvents())
		}
		return last
	}
	trigger := func(ctx context.Context, s *Scenario, a args) error {
		w, err := need(ctx, s)
		if err != nil {
			return err
		}
		input := json.RawMessage(s.expand(w, a.doc))
		res := &actionResult{name: a.s[0]}
		err = s.act(ctx, func(ctx context.Context, w *sim.World) (string, error) {
			res.output, res.err = w.Platform.TriggerAction(ctx, a.s[0], input)
			return "", nil
		})
		s.action = res
		return err
	}
	return []Step{
		{
			Group: "platform", Pattern: `^the platform has a user tagged ` + tagsRe + `(?: named "([^"]*)")?$`,
			Doc:     "The integration created (or found) a user with at least these tags, and this name when one is given.",
			Example: `Then the platform has a user tagged id="1001" named "Ada Lovelace"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				want := parseTags(a.s[0])
				for _, u := range people(w) {
					if tagsInclude(u.Tags, want) && (a.s[1] == "" || u.Name == a.s[1]) {
						return nil
					}
				}
				return fmt.Errorf("no user tagged %s%s on the platform; its users:%s", a.s[0], named(a.s[1]), s.describeUsers())
			},
		},
		{
			Group: "platform", Pattern: `^the platform has (\d+) users?$`,
			Doc:     "The platform holds exactly this many users besides the bot's own.",
			Example: `Then the platform has 2 users`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				if n := len(people(w)); fmt.Sprint(n) != a.s[0] {
					return fmt.Errorf("the platform has %s, want %s:%s", plural(n, "user", "users"), a.s[0], s.describeUsers())
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the platform has a conversation tagged ` + tagsRe + `(?: on the channel "([^"]*)")?$`,
			Doc:     "The integration created (or found) a conversation with at least these tags, on this channel when one is given.",
			Example: `Then the platform has a conversation tagged id="1001" on the channel "channel"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				want := parseTags(a.s[0])
				for _, c := range w.Platform.Conversations() {
					if tagsInclude(c.Tags, want) && (a.s[1] == "" || c.Channel == a.s[1]) {
						return nil
					}
				}
				return fmt.Errorf("no conversation tagged %s on the platform; its conversations:%s", a.s[0], s.describeConversations())
			},
		},
		{
			Group: "platform", Pattern: `^the platform has (\d+) conversations?$`,
			Doc:     "The platform holds exactly this many conversations.",
			Example: `Then the platform has 1 conversation`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				if n := len(w.Platform.Conversations()); fmt.Sprint(n) != a.s[0] {
					return fmt.Errorf("the platform has %s, want %s:%s", plural(n, "conversation", "conversations"), a.s[0], s.describeConversations())
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the platform has an? (incoming|outgoing) (\w+) message "([^"]*)"(?: in a conversation tagged ` + tagsRe + `)?$`,
			Doc:     "A message of this direction and type whose payload text is exactly this, optionally in a conversation with these tags.",
			Example: `Then the platform has an incoming text message "menu" in a conversation tagged id="1001"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				var conv map[string]string
				if a.s[3] != "" {
					conv = parseTags(a.s[3])
				}
				for _, m := range findMessages(w, a.s[0], a.s[1], conv, nil) {
					if payloadText(m.Payload) == a.s[2] {
						return nil
					}
				}
				return fmt.Errorf("no %s %s message %q on the platform; its messages:%s", a.s[0], a.s[1], a.s[2], s.describeMessages())
			},
		},
		{
			Group: "platform", Pattern: `^the platform has an? (incoming|outgoing) (\w+) message(?: tagged ` + tagsRe + `)? with the payload:$`, arg: argDoc,
			Doc:     "A message of this direction and type (with at least these tags) whose payload is exactly this JSON.",
			Example: "Then the platform has an incoming text message tagged id=\"1\" with the payload:\n  \"\"\"json\n  {\"text\": \"menu\"}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				var tags map[string]string
				if a.s[2] != "" {
					tags = parseTags(a.s[2])
				}
				ms := findMessages(w, a.s[0], a.s[1], nil, tags)
				if len(ms) == 0 {
					return fmt.Errorf("no %s %s message%s on the platform; its messages:%s", a.s[0], a.s[1], taggedSuffix(a.s[2]), s.describeMessages())
				}
				var last error
				for _, m := range ms {
					if last = compareJSON("the payload", a.doc, m.Payload, false); last == nil {
						return nil
					}
				}
				if len(ms) == 1 {
					return last
				}
				return fmt.Errorf("none of the %d %s %s messages has this payload; the last one's %v", len(ms), a.s[0], a.s[1], last)
			},
		},
		{
			Group: "platform", Pattern: `^the platform has (\d+) (incoming|outgoing) messages?$`,
			Doc:     "The platform holds exactly this many messages of this direction.",
			Example: `Then the platform has 1 incoming message`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				if n := len(findMessages(w, a.s[1], "", nil, nil)); fmt.Sprint(n) != a.s[0] {
					return fmt.Errorf("the platform has %d %s messages, want %s; its messages:%s", n, a.s[1], a.s[0], s.describeMessages())
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the platform has no (incoming|outgoing) message "([^"]*)"$`,
			Doc:     "No message of this direction has this payload text.",
			Example: `Then the platform has no incoming message "hello"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				for _, m := range findMessages(w, a.s[0], "", nil, nil) {
					if payloadText(m.Payload) == a.s[1] {
						return fmt.Errorf("the platform has the %s message %q, want none; its messages:%s", a.s[0], a.s[1], s.describeMessages())
					}
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the platform has an event "([^"]*)"$`,
			Doc:     "The integration created an event of this type.",
			Example: `Then the platform has an event "memberJoined"`,
			run:     event,
		},
		{
			Group: "platform", Pattern: `^the platform has an event "([^"]*)" with the payload:$`, arg: argDoc,
			Doc:     "The integration created an event of this type with exactly this payload.",
			Example: "Then the platform has an event \"memberJoined\" with the payload:\n  \"\"\"json\n  {\"chatId\": \"-4001\", \"userId\": \"1002\", \"username\": \"bob\"}\n  \"\"\"",
			run:     event,
		},
		{
			Group: "platform", Pattern: `^the platform has an event "([^"]*)" whose payload includes:$`, arg: argDoc,
			Doc:     "The integration created an event of this type whose payload holds at least these keys, with these values (for big payloads, such as a whole order).",
			Example: "Then the platform has an event \"newOrderCreated\" whose payload includes:\n  \"\"\"json\n  {\"current_total_price\": \"24.00\"}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				var last error
				for _, e := range w.Platform.Events() {
					if e.Type == a.s[0] {
						if last = compareJSON("the event's payload", a.doc, e.Payload, true); last == nil {
							return nil
						}
					}
				}
				if last == nil {
					return fmt.Errorf("no event %q on the platform; its events:%s", a.s[0], s.describeEvents())
				}
				return last
			},
		},
		{
			Group: "platform", Pattern: `^the platform has (\d+) events? "([^"]*)"$`,
			Doc:     "The integration created exactly this many events of this type (a redelivery must not make a second one).",
			Example: `Then the platform has 1 event "orderPaid"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				n := 0
				for _, e := range w.Platform.Events() {
					if e.Type == a.s[1] {
						n++
					}
				}
				if fmt.Sprint(n) != a.s[0] {
					return fmt.Errorf("the platform has %s %q, want %s; its events:%s", plural(n, "event", "events"), a.s[1], a.s[0], s.describeEvents())
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the platform has no event "([^"]*)"$`,
			Doc:     "The integration created no event of this type.",
			Example: `Then the platform has no event "memberLeft"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				for _, e := range w.Platform.Events() {
					if e.Type == a.s[0] {
						return fmt.Errorf("the platform has an event %q, want none; its events:%s", a.s[0], s.describeEvents())
					}
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the (conversation|user|integration|bot) state "([^"]*)"` + ownerRe + ` (is|includes):$`, arg: argDoc,
			Doc: "The state of this scope and name now equals this JSON (\"is\"), or holds at least its keys (\"includes\"). " +
				"With several such states, say whose: of the conversation tagged id=\"1001\".",
			Example: "Then the conversation state \"selection\" is:\n  \"\"\"json\n  {\"label\": \"Coffee\", \"messageId\": \"2\", \"value\": \"coffee\"}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				st, err := s.stateOf(w, a.s[0], a.s[1], a.s[2])
				if err != nil {
					return err
				}
				if st == nil {
					return fmt.Errorf("the %s state %q is not set; the states:%s", a.s[0], a.s[1], s.describeStates(w))
				}
				return compareJSON(fmt.Sprintf("the %s state %q", a.s[0], a.s[1]), a.doc, st.Payload, a.s[3] == "includes")
			},
		},
		{
			Group: "platform", Pattern: `^the (conversation|user|integration|bot) state "([^"]*)"` + ownerRe + ` is not set$`,
			Doc:     "No state of this scope and name is set (or it expired).",
			Example: `Then the conversation state "selection" is not set`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				st, err := s.stateOf(w, a.s[0], a.s[1], a.s[2])
				if err != nil {
					return err
				}
				if st != nil {
					return fmt.Errorf("the %s state %q is %s, want it not set", a.s[0], a.s[1], fakes.CanonicalJSON(st.Payload))
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the bot triggers the action "([^"]*)"$`,
			Doc:     "The platform invokes action_triggered with the input {}. The outcome is checked with the action steps below.",
			Example: `When the bot triggers the action "stopTypingIndicator"`,
			run:     trigger,
		},
		{
			Group: "platform", Pattern: `^the bot triggers the action "([^"]*)" with:$`, arg: argDoc,
			Doc: "The platform invokes action_triggered with this input (a JSON object). {{conversation.id}}, {{user.id}}, " +
				"{{message.id}} stand for the latest conversation's, user's and message's ids.",
			Example: "When the bot triggers the action \"startTypingIndicator\" with:\n  \"\"\"json\n  {\"conversationId\": \"{{conversation.id}}\"}\n  \"\"\"",
			run:     trigger,
		},
		{
			Group: "platform", Pattern: `^the action returned:$`, arg: argDoc,
			Doc:     "The last triggered action succeeded with exactly this output.",
			Example: "Then the action returned:\n  \"\"\"json\n  {}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.action == nil {
					return fmt.Errorf("no action was triggered: use When the bot triggers the action \"…\" first")
				}
				if s.action.err != nil {
					return fmt.Errorf("the action %q failed: %v", s.action.name, s.action.err)
				}
				return compareJSON(fmt.Sprintf("the output of %q", s.action.name), a.doc, s.action.output, false)
			},
		},
		{
			Group: "platform", Pattern: `^the action returned an output that includes:$`, arg: argDoc,
			Doc:     "The last triggered action succeeded with an output that holds at least these keys, with these values (for big outputs, such as a whole order).",
			Example: "Then the action returned an output that includes:\n  \"\"\"json\n  {\"order\": {\"name\": \"#1001\"}}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.action == nil {
					return fmt.Errorf("no action was triggered: use When the bot triggers the action \"…\" first")
				}
				if s.action.err != nil {
					return fmt.Errorf("the action %q failed: %v", s.action.name, s.action.err)
				}
				return compareJSON(fmt.Sprintf("the output of %q", s.action.name), a.doc, s.action.output, true)
			},
		},
		{
			Group: "platform", Pattern: `^the action failed(?: with "([^"]*)")?$`,
			Doc:     "The last triggered action failed (with an error containing this text). The integration failure it caused counts as expected.",
			Example: `Then the action failed with "Unknown action"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.action == nil {
					return fmt.Errorf("no action was triggered: use When the bot triggers the action \"…\" first")
				}
				if s.action.err == nil {
					return fmt.Errorf("the action %q succeeded with %s, want a failure", s.action.name, fakes.CanonicalJSON(s.action.output))
				}
				if !strings.Contains(s.action.err.Error(), a.s[0]) {
					return fmt.Errorf("the action %q failed with %q, want it to say %q", s.action.name, s.action.err.Error(), a.s[0])
				}
				s.ackFailures("action_triggered", "")
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the contract is violated(?: in "([^"]*)")? at "([^"]*)"(?: with "([^"]*)")?$`,
			Doc: "A capture broke the integration's definition at this JSON pointer (in a capture whose aliased name starts with the given " +
				"one, such as \"bot.reply\" or \"message.create msg#1\"; saying a message part). Violations a scenario does not assert fail it at its end.",
			Example: `Then the contract is violated in "bot.reply" at "/payload/options/0/value" with "missing property"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				al := s.aliaser()
				vs := w.Violations()
				var seen []string
				for _, v := range vs {
					capture := al.Alias(v.Capture)
					seen = append(seen, al.Alias(v.Error()))
					if strings.HasPrefix(capture, a.s[0]) && v.Pointer == a.s[1] && strings.Contains(v.Message, a.s[2]) {
						s.violationsAcked = len(vs)
						return nil
					}
				}
				return fmt.Errorf("no contract violation at %q; the violations:%s", a.s[1], orNone(seen))
			},
		},
		{
			Group: "platform", Pattern: `^there are no contract violations$`,
			Doc:     "Every capture so far kept to the definition.",
			Example: `Then there are no contract violations`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := need(ctx, s)
				if err != nil {
					return err
				}
				if vs := w.Violations(); len(vs) > 0 {
					al := s.aliaser()
					var lines []string
					for _, v := range vs {
						lines = append(lines, al.Alias(v.Error()))
					}
					return fmt.Errorf("%s:%s", plural(len(vs), "contract violation", "contract violations"), orNone(lines))
				}
				return nil
			},
		},
		{
			Group: "platform", Pattern: `^the integration failed (\S+)(?: with "([^"]*)")?$`,
			Doc: "The integration answered an operation (message_created, action_triggered, register…) with an error containing this text. " +
				"Failures a scenario does not assert fail it at its end.",
			Example: `Then the integration failed message_created with "403"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				if _, err := need(ctx, s); err != nil {
					return err
				}
				if s.ackFailures(a.s[0], a.s[1]) {
					return nil
				}
				var all []string
				for _, f := range s.outcomes(fakes.IntegrationFailed) {
					all = append(all, f.text)
				}
				return fmt.Errorf("the integration did not fail %s%s; its failures:%s", a.s[0], saying(a.s[1]), orNone(all))
			},
		},
	}
}

// ackFailures marks the integration's failures of op (containing text) as
// expected, and reports whether there was one.
func (s *Scenario) ackFailures(op, text string) bool {
	found := false
	for _, f := range s.outcomes(fakes.IntegrationFailed) {
		if f.op == op && strings.Contains(f.text, text) {
			s.acked[f.i] = true
			found = true
		}
	}
	return found
}

func named(n string) string {
	if n == "" {
		return ""
	}
	return fmt.Sprintf(" named %q", n)
}

func saying(t string) string {
	if t == "" {
		return ""
	}
	return fmt.Sprintf(" with %q", t)
}

func taggedSuffix(t string) string {
	if t == "" {
		return ""
	}
	return " tagged " + t
}
