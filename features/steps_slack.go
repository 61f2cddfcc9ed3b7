package features

import "github.com/chatsim/chatsim/sim"

// slackAdapter makes the scenario's Slack adapter when the World
// simulates Slack.
func slackAdapter(s *Scenario, w *sim.World) Platform {
	if w.Slack == nil {
		return nil
	}
	return nil // TODO: the Slack adapter
}

// slackSteps are the Slack setup steps.
func slackSteps() []Step { return nil }
