package features

import "github.com/chatsim/chatsim/sim"

// rocketchatAdapter makes the scenario's Rocket.Chat adapter when the World
// simulates Rocket.Chat.
func rocketchatAdapter(s *Scenario, w *sim.World) Platform {
	if w.RocketChat == nil {
		return nil
	}
	return nil // TODO: the Rocket.Chat adapter
}

// rocketchatSteps are the Rocket.Chat setup steps.
func rocketchatSteps() []Step { return nil }
