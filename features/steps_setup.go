package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/bundled"
)

// errStarted is returned by setup steps that come after the World started.
var errStarted = errors.New("the world has already started: put this step before the first step that acts or sets a chat up")

func setupSteps() []Step {
	return []Step{
		{
			Group: "setup", Pattern: `^the integration "([^"]*)"( with its definition)?$`,
			Doc: "Chooses the integration under test: a bundled example by name (examples/telegram, examples/slack, examples/shopify, examples/rocketchat, examples/rocketchat/hookbot; run in process), a name from " +
				"Options.Integrations, exec:COMMAND LINE (a child process, any language) or url:URL (already running). " +
				"\"with its definition\" checks every capture against the definition the integration brings.",
			Example: `Given the integration "examples/telegram" with its definition`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.chooseIntegration(a.s[0], a.s[1] != "")
			},
		},
		{
			Group: "setup", Pattern: `^the chat platform is (Telegram|Slack|Shopify|Rocket\.Chat)$`,
			Doc: "Simulates only this chat platform, after the integration step: an exec: or url: integration " +
				"for one platform is then not sent Slack's url_verification or another platform's webhooks. " +
				"A bundled example already simulates its own platform only.",
			Example: "And the chat platform is Telegram",
			run: func(ctx context.Context, s *Scenario, a args) error {
				if s.world0() != nil {
					return errStarted
				}
				s.opts.Platforms = []string{strings.ToLower(strings.ReplaceAll(a.s[0], ".", ""))}
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
				s.opts.Integration, s.integration, s.chosen = nil, "", true
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
				s.opts.Definition = def
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
				s.opts.Configuration = json.RawMessage(a.doc)
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
				if s.opts.Secrets == nil {
					s.opts.Secrets = map[string]string{}
				}
				s.opts.Secrets[a.s[0]] = a.s[1]
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

// chooseIntegration resolves spec as `chatsim replay --integration` does:
// Options.Integrations, the bundled examples, exec:…, url:… or an http(s)
// URL.
func (s *Scenario) chooseIntegration(spec string, withDef bool) error {
	if s.world0() != nil {
		return errStarted
	}
	in, err := ResolveIntegration(spec, s.run.opts.Integrations)
	if err != nil {
		return err
	}
	if withDef {
		if in.Definition == nil {
			return fmt.Errorf("integration %q brings no definition: name one with Given the definition \"path/to/definition.json\"", spec)
		}
		s.opts.Definition = in.Definition
	}
	s.opts.Integration = in.Launcher
	s.opts.Direct = in.Direct
	s.opts.Platforms = in.Platforms
	if s.opts.Configuration == nil {
		s.opts.Configuration = in.Configuration
	}
	for k, v := range in.Secrets {
		if _, set := s.opts.Secrets[k]; !set {
			if s.opts.Secrets == nil {
				s.opts.Secrets = map[string]string{}
			}
			s.opts.Secrets[k] = v
		}
	}
	s.cassettes = in.Cassettes
	s.integration, s.chosen = spec, true
	return nil
}

// ResolveIntegration turns an integration spec into an Integration: a name
// in extra, else what bundled.Resolve makes of it (a bundled example such as
// "examples/telegram", with its definition, configuration, secrets and
// cassettes; "exec:COMMAND LINE"; "url:URL" or a bare http(s) URL).
func ResolveIntegration(spec string, extra map[string]Integration) (Integration, error) {
	if in, ok := extra[spec]; ok {
		if in.Launcher == nil {
			return Integration{}, fmt.Errorf("integration %q: no Launcher", spec)
		}
		return in, nil
	}
	b, err := bundled.Resolve(spec)
	if err != nil {
		if errors.Is(err, bundled.ErrUnknown) {
			return Integration{}, fmt.Errorf("%w (%w)", err, ErrNotFound)
		}
		return Integration{}, err
	}
	def, err := b.ParseDefinition()
	if err != nil {
		return Integration{}, err
	}
	in := Integration{Launcher: b.Launcher, Definition: def, Configuration: b.Configuration, Secrets: b.Secrets, Direct: b.Direct, Cassettes: b.Cassettes}
	if b.Platform != "" {
		in.Platforms = []string{b.Platform}
	}
	return in, nil
}
