package features

import (
	"context"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/examples/bundled"
)

// TestRocketChatFailuresExplainThemselves runs Rocket.Chat scenarios that
// must fail and checks what each failure says.
func TestRocketChatFailuresExplainThemselves(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	res, err := Execute(context.Background(), Options{Integrations: bundled.Catalog(),
		Paths: []string{"testdata/rocketchat_failing/violation.feature"}, Format: "pretty", Output: &out, Concurrency: 2, NoColor: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Scenarios != 3 || res.Failed != 3 {
		t.Fatalf("%s, want 3 scenarios, 3 failed\n%s", res.Summary(), out.String())
	}
	want := map[string][]string{
		"An unasserted contract violation fails the scenario": {
			`step 5: Then "grace" sees "Pick one" with the buttons "Tea"`,
			"the scenario ended with problems it did not expect",
			`contract violation in bot.reply msg#2 at /payload/options/0/value: missing property "value"`,
			"bot  ◂ Pick one  [Tea]",
			"contract   violation",
		},
		"The buttons were replaced": {
			`message "What would you like?" has the buttons none, want "Tea", "Coffee"`,
			"bot  ◂ What would you like?  ✓ Tea chosen by @ada  (edited)",
			`rocketchat response_url                replace msg=`,
		},
		"Rocket.Chat refuses a raw emoji it does not know": {
			`step 4: When "grace" reacts "🦄" to "hello"`,
			`Rocket.Chat: react: emoji "🦄": want a shortcode`,
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
