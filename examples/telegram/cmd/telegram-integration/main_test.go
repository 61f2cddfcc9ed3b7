package main

import (
	"testing"

	"github.com/chatsim/chatsim/examples/bpkit/bpkittest"
)

// TestProgram checks the command's environment handling and its health
// check; bpkit's own tests cover serving, logging and stopping.
func TestProgram(t *testing.T) {
	t.Parallel()
	bpkittest.CheckProgram(t, program(), map[string]string{"BP_API_URL": "http://127.0.0.1:1", "SECRET_WEBHOOK_SECRET": "s"},
		bpkittest.Bad{Name: "no BP_API_URL", Set: map[string]string{"BP_API_URL": ""}, Want: "BP_API_URL"},
		bpkittest.Bad{Name: "no secret", Set: map[string]string{"SECRET_WEBHOOK_SECRET": ""}, Want: "SECRET_WEBHOOK_SECRET"},
	)
}
