package sim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/contracts"
)

// Integration is an integration under test: how to launch it and what it
// brings. It is the one description every entry point shares: a World's
// Options, a Catalog entry (the bundled examples), what ParseSpec makes of
// `--integration` and of the step library's `Given the integration "…"`.
// The zero value is no integration: a World with only the fakes and the
// platform (`chatsim serve`).
type Integration struct {
	// Name is what people call it: a catalog name ("examples/telegram") or
	// the spec it was parsed from ("exec:./bot"). Empty means the
	// Launcher's own name.
	Name string
	// Launcher starts it (InProcess, Exec, URL, Func); nil means none.
	Launcher Launcher
	// Definition is its definition; every capture is checked against it.
	// nil disables contract checks.
	Definition *contracts.Definition
	// Configuration is the install's configuration object. Its string values
	// may hold ${VAR} references to the World's environment, such as
	// ${TELEGRAM_BOT_TOKEN}, expanded before register.
	Configuration json.RawMessage
	// ConfigurationType names an entry of the definition's configurations.
	ConfigurationType string
	// Secrets holds values for SECRET_<NAME>; like the configuration's
	// strings they may hold ${VAR} references to the World's environment,
	// such as ${SLACK_SIGNING_SECRET}, so that the integration checks what
	// the fake signs with. A declared secret without a value gets a fixed
	// test value, "chatsim-test-<name>".
	Secrets map[string]string
	// Platforms names the chat platforms it serves (see PlatformNames);
	// only their fakes are started and have their webhooks pointed at it,
	// so a Telegram integration is not sent Slack's url_verification. Empty
	// means every platform of the registry.
	Platforms []string
	// Direct marks an integration that talks to the chat platforms' fakes
	// itself, with no platform hop: a long-polling bot (no URL), or a bot
	// whose URL the fakes' webhooks reach straight (a Rocket.Chat
	// outgoing-webhook bot). A launcher with no URL is always direct.
	Direct bool
	// Cassettes are its recorded conversations (*.cassette at the root),
	// each with its golden journal beside it (order.cassette, order.golden).
	Cassettes fs.FS
}

// String names the integration for people: its launcher's name
// ("examples/telegram (in process)"), else Name, else "no integration".
func (in Integration) String() string {
	switch {
	case in.Launcher != nil:
		return in.Launcher.String()
	case in.Name != "":
		return in.Name
	}
	return "no integration"
}

// Catalog is a set of integrations known by name, each made when it is
// looked up: the bundled examples (which the CLI wires in), a test's own.
// ParseSpec tries a catalog's names before exec: and url: specs.
type Catalog map[string]func() (Integration, error)

// CatalogOf returns a catalog of these integrations, by their Name.
func CatalogOf(ins ...Integration) Catalog {
	c := make(Catalog, len(ins))
	for _, in := range ins {
		c[in.Name] = func() (Integration, error) { return in, nil }
	}
	return c
}

// Names returns the catalog's names, sorted.
func (c Catalog) Names() []string { return slices.Sorted(maps.Keys(c)) }

// ErrUnknownIntegration is ParseSpec's error for a spec that is no name
// of its catalog and not exec:, url: or an http(s) URL.
var ErrUnknownIntegration = errors.New("unknown integration")

// ParseSpec turns an integration spec, as --integration and the step
// library take it, into an Integration: a name of known ("examples/telegram",
// which brings its definition, configuration, secrets and cassettes),
// "exec:COMMAND LINE" (a child process, run through sh -c), "url:URL" or a
// bare http(s) URL (already running). A malformed exec: or url: spec is an
// error wrapping ErrSpec; a spec that is neither a name nor a launcher
// wraps ErrUnknownIntegration and lists the names there are.
func ParseSpec(spec string, known Catalog) (Integration, error) {
	if load, ok := known[spec]; ok {
		in, err := load()
		if err != nil {
			return Integration{}, fmt.Errorf("integration %q: %w", spec, err)
		}
		if in.Launcher == nil {
			return Integration{}, fmt.Errorf("integration %q: %w: it has no launcher", spec, ErrSpec)
		}
		in.Name = spec
		return in, nil
	}
	l, err := parseLauncher(spec)
	switch {
	case err == nil:
		return Integration{Name: spec, Launcher: l}, nil
	case !errors.Is(err, errors.ErrUnsupported):
		return Integration{}, err // a malformed exec: or url: spec
	}
	names := "none"
	if len(known) > 0 {
		names = strings.Join(known.Names(), ", ")
	}
	return Integration{}, fmt.Errorf("integration %q: %w: not a known integration (have: %s), nor exec:COMMAND, url:URL or an http(s) URL",
		spec, ErrUnknownIntegration, names)
}
