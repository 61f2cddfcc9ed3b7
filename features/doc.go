// Package features is chatsim's step library for Gherkin scenarios, run
// with godog: one vocabulary for every chat platform ("ada" sends "menu";
// "ada" taps "Coffee"; "ada" sees "…" with the buttons …), the platform
// side (users, conversations, messages, events, states, actions, contract
// violations), scripted bot rules, fault knobs, cassette replay and golden
// journals.
//
// From a user's own go test, every scenario is a subtest with a World of
// its own:
//
//	func TestFeatures(t *testing.T) {
//		features.Run(t, features.Options{
//			Paths:        []string{"features"},
//			Integrations: sim.CatalogOf(sim.Integration{Name: "mine", Launcher: sim.Exec("./bot")}),
//			Randomize:   -1, // a random order, its seed printed
//			Concurrency: 4,
//			Strict:      true, // a refused or missed delivery fails unless asserted
//		})
//	}
//
// and a scenario reads:
//
//	Feature: Ordering through the Telegram bot
//
//	  Background:
//	    Given the integration "mine"
//	    And the definition "definition.json"
//	    And a Telegram private chat with "ada" (Ada Lovelace)
//	    And the bot answers "menu" with a choice "What would you like?" offering "Tea" and "Coffee"
//
//	  Scenario: Ada picks from the menu
//	    When "ada" sends "menu"
//	    Then "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"
//	    When "ada" taps "Coffee"
//	    Then the platform has an incoming text message "coffee"
//	    And the journal matches the golden file
//
// Steps lists every step with its documentation and an example (`chatsim
// steps` prints it). A failing step explains itself (StepFailure): the step,
// what was expected and what was found (with the JSON pointer of the first
// difference), the conversation so far as a chat transcript, and the
// journal since the last step that passed.
//
// Golden journals live next to the feature file, in
// testdata/<feature file name>/<scenario name>.golden; Options.Update
// rewrites them (`go test -update`, `chatsim test --update`).
//
// The step library knows no chat platform by name. The shared vocabulary
// reaches each platform of the registry (sim.Registry) through its fake's
// fakes.People methods (it performs a fakes.Action as a person and lists
// what a person sees, fakes.Shown), and each platform's package brings its
// own steps (fakes.Kind.Steps: its people, places and knobs), listed under
// its name by `chatsim steps`.
package features
