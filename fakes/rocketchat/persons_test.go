package rocketchat

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

func TestRocketChatRefusesWhatRocketChatCannotDo(t *testing.T) {
	t.Parallel()
	srv := New(t)
	p := srv.persons
	if err := p.addPerson("ada", ""); err != nil {
		t.Fatal(err)
	}
	if err := p.addRoom("#general", "c", []string{"ada"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		a    fakes.Action
		want error
	}{
		{name: "command", a: fakes.Action{Kind: fakes.ActCommand, Person: "ada", Text: "/start"}, want: fakes.ErrUnsupported},
		{name: "photo", a: fakes.Action{Kind: fakes.ActSendPhoto, Person: "ada"}, want: fakes.ErrUnsupported},
		{name: "modal", a: fakes.Action{Kind: fakes.ActSubmit, Person: "ada", Target: "Feedback"}, want: fakes.ErrUnsupported},
		{name: "order", a: fakes.Action{Kind: fakes.ActPayOrder, Person: "ada", Target: "#1001"}, want: fakes.ErrUnsupported},
		{name: "unknown person", a: fakes.Action{Kind: fakes.ActSend, Person: "zed", Text: "hi"}, want: fakes.ErrNotFound},
		{name: "unknown place", a: fakes.Action{Kind: fakes.ActSend, Person: "ada", Text: "hi", Place: "#nowhere"}, want: fakes.ErrNotFound},
		{name: "unknown button", a: fakes.Action{Kind: fakes.ActClick, Person: "ada", Text: "Cocoa"}, want: fakes.ErrNotFound},
		{name: "unknown option", a: fakes.Action{Kind: fakes.ActPick, Person: "ada", Text: "Large"}, want: fakes.ErrNotFound},
		{name: "no date picker", a: fakes.Action{Kind: fakes.ActPickDate, Person: "ada", Text: "2026-02-14"}, want: fakes.ErrNotFound},
		{name: "someone else's message", a: fakes.Action{Kind: fakes.ActEdit, Person: "ada", Target: "nothing", Text: "x"}, want: fakes.ErrNotFound},
		{name: "unknown room to join", a: fakes.Action{Kind: fakes.ActJoin, Person: "ada", Place: "#nowhere"}, want: fakes.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := srv.Do(context.Background(), tc.a); !errors.Is(err, tc.want) {
				t.Errorf("Do(%+v) = %v, want %v", tc.a, err, tc.want)
			}
		})
	}
	if err := p.addPerson(DefaultBotUsername, ""); err == nil {
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
