package main

import (
	"testing"

	"github.com/chatsim/chatsim/examples/bpkit/bpkittest"
)

// TestProgram checks the command's environment handling and its health
// check; bpkit's own tests cover serving, logging and stopping.
func TestProgram(t *testing.T) {
	t.Parallel()
	bpkittest.CheckProgram(t, program(), map[string]string{"BP_API_URL": "http://127.0.0.1:1", "SECRET_SHOPIFY_API_SECRET": "s", "SECRET_SHOPIFY_ACCESS_TOKEN": "t"},
		bpkittest.Bad{Name: "no BP_API_URL", Set: map[string]string{"BP_API_URL": ""}, Want: "BP_API_URL"},
		bpkittest.Bad{Name: "no API secret", Set: map[string]string{"SECRET_SHOPIFY_API_SECRET": ""}, Want: "SECRET_SHOPIFY_API_SECRET"},
		bpkittest.Bad{Name: "no access token", Set: map[string]string{"SECRET_SHOPIFY_ACCESS_TOKEN": ""}, Want: "SECRET_SHOPIFY_ACCESS_TOKEN"},
		bpkittest.Bad{Name: "bad API version", Set: map[string]string{"SHOPIFY_API_VERSION": "latest"}, Want: "SHOPIFY_API_VERSION"},
	)
}
