package features

import "github.com/chatsim/chatsim/sim"

// shopifyAdapter makes the scenario's Shopify adapter when the World
// simulates Shopify.
func shopifyAdapter(s *Scenario, w *sim.World) Platform {
	if w.Shopify == nil {
		return nil
	}
	return nil // TODO: the Shopify adapter
}

// shopifySteps are the Shopify setup steps.
func shopifySteps() []Step { return nil }
