package features

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes/telegram"
)

func TestTelegramRefusesWhatTelegramCannotDo(t *testing.T) {
	t.Parallel()
	p := newTelegramPlatform(telegram.New(t))
	if _, err := p.addUser("ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	p.private["ada"] = true
	cases := []struct {
		name string
		a    Action
		want error
	}{
		{name: "delete", a: Action{Kind: Delete, Person: "ada", Target: "menu"}, want: ErrUnsupported},
		{name: "date picker", a: Action{Kind: PickDate, Person: "ada", Text: "2026-02-14"}, want: ErrUnsupported},
		{name: "modal", a: Action{Kind: Submit, Person: "ada", Target: "Feedback"}, want: ErrUnsupported},
		{name: "order", a: Action{Kind: PayOrder, Person: "ada", Target: "#1001"}, want: ErrUnsupported},
		{name: "unknown person", a: Action{Kind: Send, Person: "zed", Text: "hi"}, want: ErrNotFound},
		{name: "unknown button", a: Action{Kind: Click, Person: "ada", Text: "Cocoa"}, want: ErrNotFound},
		{name: "unknown group", a: Action{Kind: Join, Person: "ada", Place: "Nowhere"}, want: ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := p.Do(context.Background(), tc.a); !errors.Is(err, tc.want) {
				t.Errorf("Do(%+v) = %v, want %v", tc.a, err, tc.want)
			}
		})
	}
}
