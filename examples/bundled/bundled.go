// Package bundled is the registry of the example integrations chatsim ships
// and runs in process by name ("examples/telegram"): the CLI's
// --integration, the step library's `Given the integration "…"` and the
// tests all look them up here.
//
//	in, ok := bundled.Lookup("examples/telegram")
//	w, err := sim.Start(ctx, sim.Options{Integration: in.Launcher, Definition: def, Configuration: in.Configuration})
package bundled

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/examples/rocketchat/hookbot"
	"github.com/chatsim/chatsim/examples/shopify"
	"github.com/chatsim/chatsim/examples/slack"
	"github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/sim"
)

// Integration is one bundled example integration.
type Integration struct {
	// Name is what --integration takes: "examples/telegram".
	Name string
	// Launcher runs it in process.
	Launcher sim.Launcher
	// Platform is the chat platform it serves ("telegram"): the World
	// simulates only that one.
	Platform string
	// Definition returns its definition.json; nil for a bot that has none
	// (it talks to the chat platform directly).
	Definition func() []byte
	// Configuration is the install's default configuration, with ${VAR}
	// placeholders the World expands ({"botToken":"${TELEGRAM_BOT_TOKEN}"}).
	Configuration json.RawMessage
	// Secrets are the values of its secrets, with ${VAR} placeholders the
	// World expands, so that it checks what the fake signs with
	// ({"SIGNING_SECRET":"${SLACK_SIGNING_SECRET}"}).
	Secrets map[string]string
	// Cassettes are its recorded conversations (*.cassette at the root),
	// each with its golden journal beside it (order.cassette, order.golden).
	Cassettes fs.FS
	// Direct marks a bot that talks to the chat platform itself, with no
	// platform hop.
	Direct bool
}

// ParseDefinition parses the integration's definition, naming
// "<name>/definition.json" in errors; it returns nil for a bot without one.
func (in Integration) ParseDefinition() (*contracts.Definition, error) {
	if in.Definition == nil {
		return nil, nil
	}
	return contracts.Parse(in.Definition(), in.Name+"/definition.json")
}

// Options returns the World options that run it with its definition def
// (from ParseDefinition): its launcher, configuration, secrets, platform
// and whether it is direct.
func (in Integration) Options(def *contracts.Definition) sim.Options {
	secrets := make(map[string]string, len(in.Secrets))
	for k, v := range in.Secrets {
		secrets[k] = v
	}
	opts := sim.Options{
		Integration: in.Launcher, Definition: def, Configuration: in.Configuration,
		Secrets: secrets, Direct: in.Direct,
	}
	if in.Platform != "" {
		opts.Platforms = []string{in.Platform}
	}
	return opts
}

// ErrUnknown is Resolve's error for a spec that names no bundled
// integration and is not exec:, url: or an http(s) URL.
var ErrUnknown = errors.New("unknown integration")

// Resolve turns an integration spec, as --integration and the step library
// take it, into an Integration: a bundled name ("examples/telegram"),
// "exec:COMMAND LINE" (a child process, run through sh -c), "url:URL" or a
// bare http(s) URL (already running). Only a bundled one brings a
// definition, a configuration, secrets and cassettes.
func Resolve(spec string) (Integration, error) {
	l, err := sim.ParseSpec(spec)
	switch {
	case err == nil:
		return Integration{Name: spec, Launcher: l}, nil
	case !errors.Is(err, errors.ErrUnsupported):
		return Integration{}, err // a malformed exec: or url: spec
	}
	if in, ok := Lookup(spec); ok {
		return in, nil
	}
	return Integration{}, fmt.Errorf("integration %q: %w: not a bundled integration (have: %s), nor exec:COMMAND, url:URL or an http(s) URL",
		spec, ErrUnknown, strings.Join(Names(), ", "))
}

// All lists the bundled integrations, in name order. It builds the list
// anew on each call: nothing here is package-level mutable state.
func All() []Integration {
	return []Integration{
		{
			Name: "examples/telegram",
			Launcher: sim.InProcessOnClock("examples/telegram", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
				return telegram.New(getenv, telegram.WithSleep(sleep))
			}),
			Platform:      "telegram",
			Definition:    telegram.Definition,
			Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`),
			Cassettes:     telegram.Cassettes(),
		},
		{
			Name: "examples/slack",
			Launcher: sim.InProcessOnClock("examples/slack", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
				return slack.New(getenv, slack.WithSleep(sleep))
			}),
			Platform:      "slack",
			Definition:    slack.Definition,
			Configuration: json.RawMessage(`{"botToken":"${SLACK_BOT_TOKEN}"}`),
			Secrets:       map[string]string{"SIGNING_SECRET": "${SLACK_SIGNING_SECRET}"},
			Cassettes:     slack.Cassettes(),
		},
		{
			Name: "examples/shopify",
			Launcher: sim.InProcessOnClock("examples/shopify", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
				return shopify.New(getenv, shopify.WithSleep(sleep))
			}),
			Platform:      "shopify",
			Definition:    shopify.Definition,
			Configuration: json.RawMessage(`{"shopName":"chatsim-demo"}`),
			Secrets: map[string]string{
				"SHOPIFY_API_SECRET": "${SHOPIFY_API_SECRET}", "SHOPIFY_ACCESS_TOKEN": "${SHOPIFY_ACCESS_TOKEN}",
			},
			Cassettes: shopify.Cassettes(),
		},
		{
			Name: "examples/rocketchat",
			Launcher: sim.InProcessOnClock("examples/rocketchat", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
				return rocketchat.New(getenv, rocketchat.WithSleep(sleep))
			}),
			Platform:      "rocketchat",
			Definition:    rocketchat.Definition,
			Configuration: json.RawMessage(`{}`),
			Secrets:       map[string]string{"WEBHOOK_TOKEN": "${ROCKETCHAT_WEBHOOK_TOKEN}"},
			Cassettes:     rocketchat.Cassettes(),
		},
		{
			Name: "examples/rocketchat/hookbot",
			Launcher: sim.InProcess("examples/rocketchat/hookbot", func(getenv func(string) string) (http.Handler, error) {
				return hookbot.New(getenv("ROCKETCHAT_WEBHOOK_TOKEN"))
			}),
			Platform:  "rocketchat",
			Cassettes: hookbot.Cassettes(),
			Direct:    true,
		},
	}
}

// Lookup returns the bundled integration called name.
func Lookup(name string) (Integration, bool) {
	for _, in := range All() {
		if in.Name == name {
			return in, true
		}
	}
	return Integration{}, false
}

// Names returns the bundled integrations' names, sorted.
func Names() []string {
	var names []string
	for _, in := range All() {
		names = append(names, in.Name)
	}
	sort.Strings(names)
	return names
}
