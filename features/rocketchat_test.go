package features

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/rocketchat"
)

func TestRocketChatRefusesWhatRocketChatCannotDo(t *testing.T) {
	t.Parallel()
	p := newRocketchatPlatform(rocketchat.New(t))
	if err := p.addPerson("ada", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.addRoom("#general", "c", []string{"ada"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		a    Action
		want error
	}{
		{name: "command", a: Action{Kind: Command, Person: "ada", Text: "/start"}, want: ErrUnsupported},
		{name: "photo", a: Action{Kind: SendPhoto, Person: "ada"}, want: ErrUnsupported},
		{name: "modal", a: Action{Kind: Submit, Person: "ada", Target: "Feedback"}, want: ErrUnsupported},
		{name: "order", a: Action{Kind: PayOrder, Person: "ada", Target: "#1001"}, want: ErrUnsupported},
		{name: "unknown person", a: Action{Kind: Send, Person: "zed", Text: "hi"}, want: ErrNotFound},
		{name: "unknown place", a: Action{Kind: Send, Person: "ada", Text: "hi", Place: "#nowhere"}, want: ErrNotFound},
		{name: "unknown button", a: Action{Kind: Click, Person: "ada", Text: "Cocoa"}, want: ErrNotFound},
		{name: "unknown option", a: Action{Kind: Pick, Person: "ada", Text: "Large"}, want: ErrNotFound},
		{name: "no date picker", a: Action{Kind: PickDate, Person: "ada", Text: "2026-02-14"}, want: ErrNotFound},
		{name: "someone else's message", a: Action{Kind: Edit, Person: "ada", Target: "nothing", Text: "x"}, want: ErrNotFound},
		{name: "unknown room to join", a: Action{Kind: Join, Person: "ada", Place: "#nowhere"}, want: ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Do(context.Background(), tc.a); !errors.Is(err, tc.want) {
				t.Errorf("Do(%+v) = %v, want %v", tc.a, err, tc.want)
			}
		})
	}
	if err := p.addPerson(rocketchat.DefaultBotUsername, ""); err == nil {
		t.Error("the bot's username was taken as a person's")
	}
}

func TestRocketChatEmoji(t *testing.T) {
	t.Parallel()
	cases := []struct{ written, code, shown string }{
		{"👍", "+1", "👍"},
		{":tada:", "tada", "🎉"},
		{"ok_hand", "ok_hand", ":ok_hand:"},
	}
	for _, tc := range cases {
		if got := rcShortcode(tc.written); got != tc.code {
			t.Errorf("rcShortcode(%q) = %q, want %q", tc.written, got, tc.code)
		}
		if got := rcEmojiOf(":" + tc.code + ":"); got != tc.shown {
			t.Errorf("rcEmojiOf(%q) = %q, want %q", tc.code, got, tc.shown)
		}
	}
}

// TestRocketChatFailuresExplainThemselves runs Rocket.Chat scenarios that
// must fail and checks what each failure says.
func TestRocketChatFailuresExplainThemselves(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	res, err := Execute(context.Background(), Options{
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
