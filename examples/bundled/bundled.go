// Package bundled names the example integrations chatsim ships and runs in
// process: the CLI wires its Catalog into --integration and the step
// library's `Given the integration "…"`, and the tests look them up here.
// Nothing below the CLI imports it: sim and features take a sim.Catalog.
//
//	in, err := bundled.Lookup("examples/telegram")
//	w, err := sim.Start(ctx, sim.Options{Integration: in})
package bundled

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/rocketchat"
	"github.com/chatsim/chatsim/examples/rocketchat/hookbot"
	"github.com/chatsim/chatsim/examples/shopify"
	"github.com/chatsim/chatsim/examples/slack"
	"github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/sim"
)

// Catalog returns the bundled integrations by name ("examples/telegram"),
// each made when it is looked up: run in process, with its definition,
// its default configuration and secrets (${VAR}s the World expands, so that
// it checks what the fake signs with), the one chat platform it serves,
// and its cassettes. It builds the catalog anew on each call.
func Catalog() sim.Catalog {
	return sim.Catalog{
		"examples/telegram": func() (sim.Integration, error) {
			return withDefinition(sim.Integration{
				Launcher: sim.InProcessOnClock("examples/telegram", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
					return telegram.New(getenv, telegram.WithSleep(sleep))
				}),
				Platforms:     []string{"telegram"},
				Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`),
				Cassettes:     telegram.Cassettes(),
			}, "examples/telegram", telegram.Definition())
		},
		"examples/slack": func() (sim.Integration, error) {
			return withDefinition(sim.Integration{
				Launcher: sim.InProcessOnClock("examples/slack", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
					return slack.New(getenv, slack.WithSleep(sleep))
				}),
				Platforms:     []string{"slack"},
				Configuration: json.RawMessage(`{"botToken":"${SLACK_BOT_TOKEN}"}`),
				Secrets:       map[string]string{"SIGNING_SECRET": "${SLACK_SIGNING_SECRET}"},
				Cassettes:     slack.Cassettes(),
			}, "examples/slack", slack.Definition())
		},
		"examples/shopify": func() (sim.Integration, error) {
			return withDefinition(sim.Integration{
				Launcher: sim.InProcessOnClock("examples/shopify", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
					return shopify.New(getenv, shopify.WithSleep(sleep))
				}),
				Platforms:     []string{"shopify"},
				Configuration: json.RawMessage(`{"shopName":"chatsim-demo"}`),
				Secrets: map[string]string{
					"SHOPIFY_API_SECRET": "${SHOPIFY_API_SECRET}", "SHOPIFY_ACCESS_TOKEN": "${SHOPIFY_ACCESS_TOKEN}",
				},
				Cassettes: shopify.Cassettes(),
			}, "examples/shopify", shopify.Definition())
		},
		"examples/rocketchat": func() (sim.Integration, error) {
			return withDefinition(sim.Integration{
				Launcher: sim.InProcessOnClock("examples/rocketchat", func(getenv func(string) string, sleep sim.Sleep) (http.Handler, error) {
					return rocketchat.New(getenv, rocketchat.WithSleep(sleep))
				}),
				Platforms:     []string{"rocketchat"},
				Configuration: json.RawMessage(`{}`),
				Secrets:       map[string]string{"WEBHOOK_TOKEN": "${ROCKETCHAT_WEBHOOK_TOKEN}"},
				Cassettes:     rocketchat.Cassettes(),
			}, "examples/rocketchat", rocketchat.Definition())
		},
		"examples/rocketchat/hookbot": func() (sim.Integration, error) {
			// A bot that answers Rocket.Chat's outgoing webhook itself: no
			// platform hop, no definition.
			return sim.Integration{
				Name: "examples/rocketchat/hookbot",
				Launcher: sim.InProcess("examples/rocketchat/hookbot", func(getenv func(string) string) (http.Handler, error) {
					return hookbot.New(getenv("ROCKETCHAT_WEBHOOK_TOKEN"))
				}),
				Platforms: []string{"rocketchat"},
				Cassettes: hookbot.Cassettes(),
				Direct:    true,
			}, nil
		},
	}
}

// withDefinition names in and parses its definition.json, naming
// "<name>/definition.json" in errors.
func withDefinition(in sim.Integration, name string, def []byte) (sim.Integration, error) {
	d, err := contracts.Parse(def, name+"/definition.json")
	if err != nil {
		return sim.Integration{}, err
	}
	in.Name, in.Definition = name, d
	return in, nil
}

// Lookup returns the bundled integration called name.
func Lookup(name string) (sim.Integration, error) {
	load, ok := Catalog()[name]
	if !ok {
		return sim.Integration{}, fmt.Errorf("integration %q: %w (have: %v)", name, sim.ErrUnknownIntegration, Catalog().Names())
	}
	return load()
}

// All returns every bundled integration, in name order.
func All() ([]sim.Integration, error) {
	cat := Catalog()
	out := make([]sim.Integration, 0, len(cat))
	for _, name := range cat.Names() {
		in, err := cat[name]()
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, nil
}
