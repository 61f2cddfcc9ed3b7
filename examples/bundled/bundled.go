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
	"io/fs"
	"net/http"
	"sort"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/sim"
)

// Integration is one bundled example integration.
type Integration struct {
	// Name is what --integration takes: "examples/telegram".
	Name string
	// Launcher runs it in process.
	Launcher sim.Launcher
	// Definition returns its definition.json.
	Definition func() []byte
	// Configuration is the install's default configuration, with ${VAR}
	// placeholders the World expands ({"botToken":"${TELEGRAM_BOT_TOKEN}"}).
	Configuration json.RawMessage
	// Cassettes are its recorded conversations (*.cassette at the root).
	Cassettes fs.FS
	// Direct marks a bot that talks to the chat platform itself, with no
	// platform hop.
	Direct bool
}

// ParseDefinition parses the integration's definition, naming
// "<name>/definition.json" in errors.
func (in Integration) ParseDefinition() (*contracts.Definition, error) {
	return contracts.Parse(in.Definition(), in.Name+"/definition.json")
}

// All lists the bundled integrations, in name order. It builds the list
// anew on each call: nothing here is package-level mutable state.
func All() []Integration {
	return []Integration{
		{
			Name: "examples/telegram",
			Launcher: sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
				return telegram.New(getenv)
			}),
			Definition:    telegram.Definition,
			Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`),
			Cassettes:     telegram.Cassettes(),
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
