package main

import (
	"fmt"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/sim"
)

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
		b, ok := bundled.Lookup(spec)
		if !ok {
			return nil, nil, fmt.Errorf("--integration %q: not a bundled integration (have: %s), nor exec:COMMAND, url:URL or an http(s) URL", spec, strings.Join(bundled.Names(), ", "))
		}
		l = b.Launcher
		if defPath == "" {
			d, err := b.ParseDefinition()
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
