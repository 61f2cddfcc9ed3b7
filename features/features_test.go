package features_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
)

// update is goldie's -update flag: goldie registers it in every test binary
// that imports it, so the suite reads it rather than defining its own.
func update(t *testing.T) bool {
	t.Helper()
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	on, _ := g.Get().(bool)
	return on
}

// TestFeatures runs the project's own suite, features/*.feature, in a
// random order, two scenarios at a time, strictly: a refused or missed
// delivery fails its scenario unless it asserts it.
func TestFeatures(t *testing.T) {
	t.Parallel()
	features.Run(t, features.Options{Integrations: bundled.Catalog(),
		Paths:       []string{"."},
		Update:      update(t),
		Randomize:   -1,
		Concurrency: 2,
		Strict:      true,
	})
}

// TestFailuresExplainThemselves runs scenarios that must fail and checks
// that each failure says which step, what differs, the conversation so far
// and the journal since the last step that passed.
func TestFailuresExplainThemselves(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(),
		Paths:       []string{"testdata/failing/wrong_word.feature"},
		Format:      "pretty",
		Output:      &out,
		Concurrency: 2,
		NoColor:     true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios != 4 || res.Failed != 4 {
		t.Fatalf("%s, want 4 scenarios, 4 failed\n%s", res.Summary(), out.String())
	}
	want := map[string][]string{
		"The state holds another word": {
			`step 7: Then the conversation state "order" is {"drink":"Coffee"}`,
			`the conversation state "order" differs at /drink: want "Coffee", got "coffee"`,
			`want: {"drink":"Coffee"}`,
			`got:  {"drink":"coffee"}`,
			"conversation so far:\n    ada  ▸ menu\n    bot  ◂ What would you like?  [Tea] [Coffee]\n    ada  ▸ (taps Coffee)\n    bot  ◂ One coffee coming up.",
			"journal since step 6:\n    # step 2  \"ada\" taps \"Coffee\"",
			`bot        state.set                   conversation conv#1 "order" {"drink":"coffee"}`,
		},
		"The chat shows another word": {
			`step 6: Then "ada" sees "What would you like?" with the buttons "Tea" and "Cocoa"`,
			`message "What would you like?" has the buttons "Tea", "Coffee", want "Tea", "Cocoa"`,
			"bot  ◂ What would you like?  [Tea] [Coffee]",
		},
		"The journal differs from its golden file": {
			"step 6: Then the journal matches the golden file",
			"the journal differs from testdata/failing/testdata/wrong_word/the-journal-differs-from-its-golden-file.golden",
			`+platform   → integration               webhook_received POST /`,
		},
		"An unexpected contract violation fails the scenario": {
			`step 7: Then the platform has an outgoing choice message "Pick one"`,
			"the scenario ended with problems it did not expect",
			`contract violation in bot.reply msg#2 at /payload/options/0/value: missing property "value"`,
			"integration error: message_created msg#2",
			"journal since step 6:",
			"contract   violation",
		},
	}
	for name, parts := range want {
		var got string
		for _, f := range res.Failures {
			if strings.Contains(f, " / "+name+"\n") {
				got = f
			}
		}
		if got == "" {
			t.Errorf("no failure for %q in:\n%s", name, strings.Join(res.Failures, "\n---\n"))
			continue
		}
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("failure of %q lacks %q:\n%s", name, p, got)
			}
		}
	}
	// The explanations are the Result's: the formatter's output has each
	// failure's cause in one line, and no summary of godog's.
	for _, p := range []string{`the conversation state "order" differs at /drink: want "Coffee", got "coffee"`, "contract violation in bot.reply msg#2"} {
		if n := strings.Count(out.String(), p); n != 1 {
			t.Errorf("the output says %q %d times, want once:\n%s", p, n, out.String())
		}
	}
	for _, p := range []string{"conversation so far", "scenarios (", "steps ("} {
		if strings.Contains(out.String(), p) {
			t.Errorf("the output holds %q:\n%s", p, out.String())
		}
	}
}

// mistyped has undefined steps: one with a doc string, one in a rule, two
// in one scenario; and a scenario with no steps.
const mistyped = `Feature: Mistyped

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)

  Scenario: A doc string
    When "ada" sends "menu"
    Then the conversation stat "order" is:
      """json
      {}
      """

  Scenario: Two at once
    When "ada" whispers "hi"
    Then "ada" hears "hi"

  Scenario: Nothing yet

  Rule: Greetings
    Scenario: In a rule
      When "ada" greets
`

// TestUndefinedSteps runs mistyped steps: each fails its scenario, named by
// file:line with the closest steps; Lax counts them undefined, none passed.
func TestUndefinedSteps(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mistyped.feature")
	if err := os.WriteFile(path, []byte(mistyped), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios != 4 || res.Failed != 4 || res.OK() {
		t.Errorf("%s, want 4 scenarios, 4 failed", res.Summary())
	}
	want := []string{
		path + `:9: undefined step: Then the conversation stat "order" is:` + "\n  closest: Then the conversation state \"order\" is:",
		path + `:15: undefined step: When "ada" whispers "hi"` + "\n  closest: When \"ada\" sends \"hi\"",
		path + `:16: undefined step: Then "ada" hears "hi"` + "\n  closest: Then \"ada\" sees \"hi\"",
		path + `:22: undefined step: When "ada" greets`,
		"Mistyped / Nothing yet\n" + path + ":18: the scenario has no steps",
	}
	all := strings.Join(res.Failures, "\n---\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("the failures lack %q:\n%s", w, all)
		}
	}
	lax, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{path}, Lax: true})
	if err != nil {
		t.Fatal(err)
	}
	if lax.Scenarios != 4 || lax.Undefined != 4 || lax.Passed != 0 || !lax.OK() {
		t.Errorf("lax: %s, want 4 scenarios, 4 undefined", lax.Summary())
	}
}

// TestRefusedDeliveries runs scenarios whose every delivery the
// integration refuses: one fails unless it asserts the refusal, and an
// assertion that does not hold fails, saying what was refused.
func TestRefusedDeliveries(t *testing.T) {
	t.Parallel()
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(),
		Paths:       []string{"testdata/refused/refused.feature"},
		Concurrency: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios != 6 || res.Passed != 2 || res.Failed != 4 {
		t.Errorf("%s, want 6 scenarios, 2 passed, 4 failed", res.Summary())
	}
	if res.Refused != 5 {
		t.Errorf("Result.Refused = %d, want 5 (one in each scenario that signed up)", res.Refused)
	}
	if !strings.Contains(res.Summary(), " · 5 refused deliveries") {
		t.Errorf("the summary %q does not count the refused deliveries", res.Summary())
	}
	want := map[string][]string{
		"Every delivery refused, unasserted": {
			"the scenario ended with problems it did not expect",
			"refused by the integration: shopify customers/create",
			": 401 Unauthorized",
			"(every delivery was refused; assert it with: Then the integration refused every delivery)",
		},
		"Refused, asserted with the wrong count": {
			"step 5: Then the integration refused 2 deliveries",
			"the integration refused 1 delivery of 1, want 2",
			"shopify customers/create",
		},
		"Refused, asserted with the wrong status": {
			"the integration refused 0 deliveries of 1 with 500, want every delivery",
			": 401 Unauthorized",
		},
		"Nothing delivered yet": {
			"the integration refused 0 deliveries of 0, want every delivery",
		},
	}
	for name, parts := range want {
		var got string
		for _, f := range res.Failures {
			if strings.Contains(f, " / "+name+"\n") {
				got = f
			}
		}
		if got == "" {
			t.Errorf("no failure for %q in:\n%s", name, strings.Join(res.Failures, "\n---\n"))
			continue
		}
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Errorf("failure of %q lacks %q:\n%s", name, p, got)
			}
		}
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		res  features.Result
		want string
	}{
		{features.Result{Scenarios: 1, Passed: 1}, "1 scenario (1 passed)"},
		{features.Result{Scenarios: 2, Passed: 1, Failed: 1}, "2 scenarios (1 passed, 1 failed)"},
		{features.Result{Scenarios: 0}, "0 scenarios (0 passed)"},
		{features.Result{Scenarios: 3, Passed: 2, Undefined: 1, IntegrationErrors: 1, Refused: 1, Undelivered: 1},
			"3 scenarios (2 passed, 1 undefined) · 1 integration error · 1 refused delivery · 1 missed delivery"},
		{features.Result{Scenarios: 2, Passed: 2, IntegrationErrors: 2, Refused: 2, Undelivered: 2},
			"2 scenarios (2 passed) · 2 integration errors · 2 refused deliveries · 2 missed deliveries"},
	}
	for _, tc := range cases {
		if got := tc.res.Summary(); got != tc.want {
			t.Errorf("Summary() = %q, want %q", got, tc.want)
		}
	}
}
