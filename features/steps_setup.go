package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// errStarted is returned by setup steps that come after the World started.
var errStarted = errors.New("the world has already started: put this step before the first step that acts or sets a chat up")

func setupSteps() []Step {
	return []Step{
		{
			Group: "setup", Pattern: `^the integration "([^"]*)"( with its definition)?$`,
			Doc: "Chooses the integration under test: a name from Options.Integrations (chatsim test knows the bundled examples: " +
				"examples/telegram, examples/slack, examples/shopify, examples/rocketchat, examples/rocketchat/hookbot; run in process), " +
				"exec:COMMAND LINE (a child process, any language) or url:URL (already running). " +
				"\"with its definition\" checks every capture against the definition the integration brings.",
			Example: `Given the integration "examples/telegram" with its definition`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.chooseIntegration(a.s[0], a.s[1] != "")
			},
		},
		{
			Group: "setup", Pattern: `^the chat platform is (` + titlesPattern() + `)$`,
			Doc: "Simulates only this chat platform, after the integration step: an exec: or url: integration " +
				"for one platform is then not sent Slack's url_verification or another platform's webhooks. " +
				"A bundled example already simulates its own platform only.",
			Example: "And the chat platform is Telegram",
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				for _, k := range sim.Registry() {
					if k.Title == a.s[0] {
						s.opts.Integration.Platforms = []string{k.Name}
					}
				}
				return nil
			},
		},
		{
			Group: "setup", Pattern: `^no integration$`,
			Doc:     "Runs the scenario with the fakes and the platform only: nothing answers the chat platforms' webhooks.",
			Example: `Given no integration`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				s.opts.Integration.Launcher, s.opts.Integration.Name = nil, ""
				s.integration, s.chosen = "", true
				return nil
			},
		},
		{
			Group: "setup", Pattern: `^the definition "([^"]*)"$`,
			Doc:     "Checks every capture against this definition file (JSON as `bp read` prints it, or YAML), relative to the feature file.",
			Example: `Given the definition "../examples/telegram/definition.json"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				def, err := contracts.LoadFile(s.path(a.s[0]))
				if err != nil {
					return err
				}
				s.opts.Integration.Definition = def
				return nil
			},
		},
		{
			Group: "setup", Pattern: `^the configuration is:$`, arg: argDoc,
			Doc:     "Sets the install's configuration (a JSON object); ${VAR} expands from the integration's environment, such as ${TELEGRAM_BOT_TOKEN}.",
			Example: "Given the configuration is:\n  \"\"\"json\n  {\"botToken\": \"${TELEGRAM_BOT_TOKEN}\"}\n  \"\"\"",
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				if _, err := parseJSON(a.doc, "the configuration"); err != nil {
					return err
				}
				s.opts.Integration.Configuration = json.RawMessage(a.doc)
				return nil
			},
		},
		{
			Group: "setup", Pattern: `^the secret "([^"]*)" is "([^"]*)"$`,
			Doc:     "Gives the integration SECRET_<NAME>; declared secrets without a value get \"chatsim-test-<name>\".",
			Example: `Given the secret "WEBHOOK_SECRET" is "s3cr3t-value"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				if s.opts.Integration.Secrets == nil {
					s.opts.Integration.Secrets = map[string]string{}
				}
				s.opts.Integration.Secrets[a.s[0]] = a.s[1]
				return nil
			},
		},
		{
			Group: "setup", Pattern: `^the integration is started$`,
			Doc:     "Starts the World now: the fakes, the platform and the integration, registered. Other steps start it when they first need it.",
			Example: `Given the integration is started`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				_, err := s.world(ctx)
				return err
			},
		},
	}
}

// chooseIntegration resolves spec as `chatsim replay --integration` does
// (sim.ParseSpec): a name of Options.Integrations, exec:…, url:… or an
// http(s) URL.
func (s *Scenario) chooseIntegration(spec string, withDef bool) error {
	if s.world0() != nil {
		return errStarted
	}
	in, err := sim.ParseSpec(spec, s.run.opts.Integrations)
	if err != nil {
		if errors.Is(err, sim.ErrUnknownIntegration) {
			return fmt.Errorf("%w (%w)", err, fakes.ErrNotFound)
		}
		return err
	}
	// What earlier steps set wins over what the integration brings.
	cur := &s.opts.Integration
	if withDef && in.Definition == nil {
		return fmt.Errorf("integration %q brings no definition: name one with Given the definition \"path/to/definition.json\"", spec)
	}
	if !withDef {
		in.Definition = cur.Definition
	}
	if cur.Configuration != nil {
		in.Configuration = cur.Configuration
	}
	if cur.ConfigurationType != "" {
		in.ConfigurationType = cur.ConfigurationType
	}
	secrets := map[string]string{}
	for k, v := range in.Secrets {
		secrets[k] = v
	}
	for k, v := range cur.Secrets {
		secrets[k] = v
	}
	in.Secrets = secrets
	*cur = in
	s.cassettes = in.Cassettes
	s.integration, s.chosen = spec, true
	return nil
}

// titlesPattern matches the title of any platform of the registry:
// Telegram|Slack|Shopify|Rocket\.Chat.
func titlesPattern() string {
	var alts []string
	for _, k := range sim.Registry() {
		alts = append(alts, regexp.QuoteMeta(k.Title))
	}
	return strings.Join(alts, "|")
}
