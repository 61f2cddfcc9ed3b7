package main

import (
	"fmt"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/sim"
)

// resolveIntegration turns --integration and --definition into the
// integration under test. spec is what sim.ParseSpec takes, with the bundled
// examples as its catalog: a bundled name ("examples/telegram", which brings
// its definition, configuration and secrets), "exec:COMMAND LINE", "url:URL"
// or a bare http(s) URL. defPath, when set, replaces the bundled definition.
func resolveIntegration(spec, defPath string) (sim.Integration, error) {
	in, err := sim.ParseSpec(spec, bundled.Catalog())
	if err != nil {
		return sim.Integration{}, fmt.Errorf("--integration: %w", err)
	}
	if defPath != "" {
		if in.Definition, err = contracts.LoadFile(defPath); err != nil {
			return sim.Integration{}, err
		}
	}
	return in, nil
}
