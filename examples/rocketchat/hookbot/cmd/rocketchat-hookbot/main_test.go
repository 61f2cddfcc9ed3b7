package main

import (
	"testing"

	"github.com/chatsim/chatsim/examples/bpkit/bpkittest"
)

// TestProgram checks the command's environment handling and its health
// check; bpkit's own tests cover serving, logging and stopping.
func TestProgram(t *testing.T) {
	t.Parallel()
	bpkittest.CheckProgram(t, program(), map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": "s"},
		bpkittest.Bad{Name: "no token", Set: map[string]string{"ROCKETCHAT_WEBHOOK_TOKEN": ""}, Want: "ROCKETCHAT_WEBHOOK_TOKEN"},
	)
}
