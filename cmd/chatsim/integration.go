package main

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/sim"
)

// builtin is an integration bundled with chatsim, run in process.
type builtin struct {
	launcher   sim.Launcher
	definition func() []byte
}

// builtins returns the integrations chatsim bundles, by the name --integration takes.
func builtins() map[string]builtin {
	return map[string]builtin{
		"examples/telegram": {
			launcher: sim.InProcess("examples/telegram", func(getenv func(string) string) (http.Handler, error) {
				return tgexample.New(getenv)
			}),
			definition: tgexample.Definition,
		},
	}
}

// resolveIntegration turns --integration and --definition into a launcher and
// a definition. spec is a bundled name ("examples/telegram"), "exec:COMMAND
// LINE" (run through sh -c), "url:URL" or a bare http(s) URL.
func resolveIntegration(spec, defPath string) (sim.Launcher, *contracts.Definition, error) {
	var l sim.Launcher
	var def *contracts.Definition
	switch {
	case strings.HasPrefix(spec, "exec:"):
		cmd := strings.TrimSpace(strings.TrimPrefix(spec, "exec:"))
		if cmd == "" {
			return nil, nil, fmt.Errorf("--integration exec: needs a command line")
		}
		l = sim.Exec("sh", "-c", "exec "+cmd)
	case strings.HasPrefix(spec, "url:"):
		l = sim.URL(strings.TrimPrefix(spec, "url:"))
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		l = sim.URL(spec)
	default:
		b, ok := builtins()[spec]
		if !ok {
			return nil, nil, fmt.Errorf("--integration %q: not a bundled integration (have: examples/telegram), nor exec:COMMAND, url:URL or an http(s) URL", spec)
		}
		l = b.launcher
		if defPath == "" {
			d, err := contracts.Parse(b.definition(), spec+"/definition.json")
			if err != nil {
				return nil, nil, err
			}
			def = d
		}
	}
	if defPath != "" {
		d, err := contracts.LoadFile(defPath)
		if err != nil {
			return nil, nil, err
		}
		def = d
	}
	return l, def, nil
}
