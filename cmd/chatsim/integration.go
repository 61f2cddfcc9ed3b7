package main

import (
	"fmt"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/sim"
)

// resolveIntegration turns --integration and --definition into the World's
// options and a name for people. spec is what bundled.Resolve takes: a
// bundled name ("examples/telegram", which brings its definition,
// configuration and secrets), "exec:COMMAND LINE", "url:URL" or a bare
// http(s) URL. defPath, when set, replaces the bundled definition.
func resolveIntegration(spec, defPath string) (sim.Options, error) {
	in, err := bundled.Resolve(spec)
	if err != nil {
		return sim.Options{}, fmt.Errorf("--integration: %w", err)
	}
	var def *contracts.Definition
	if defPath != "" {
		def, err = contracts.LoadFile(defPath)
	} else {
		def, err = in.ParseDefinition()
	}
	if err != nil {
		return sim.Options{}, err
	}
	return in.Options(def), nil
}
