package telegram

import (
	"context"
	"errors"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

func TestTelegramRefusesWhatTelegramCannotDo(t *testing.T) {
	t.Parallel()
	srv := New(t)
	p := srv.persons
	if _, err := p.addUser("ada", "Ada Lovelace"); err != nil {
		t.Fatal(err)
	}
	p.private["ada"] = true
	cases := []struct {
		name string
		a    fakes.Action
		want error
	}{
		{name: "delete", a: fakes.Action{Kind: fakes.ActDelete, Person: "ada", Target: "menu"}, want: fakes.ErrUnsupported},
		{name: "date picker", a: fakes.Action{Kind: fakes.ActPickDate, Person: "ada", Text: "2026-02-14"}, want: fakes.ErrUnsupported},
		{name: "modal", a: fakes.Action{Kind: fakes.ActSubmit, Person: "ada", Target: "Feedback"}, want: fakes.ErrUnsupported},
		{name: "order", a: fakes.Action{Kind: fakes.ActPayOrder, Person: "ada", Target: "#1001"}, want: fakes.ErrUnsupported},
		{name: "unknown person", a: fakes.Action{Kind: fakes.ActSend, Person: "zed", Text: "hi"}, want: fakes.ErrNotFound},
		{name: "unknown button", a: fakes.Action{Kind: fakes.ActClick, Person: "ada", Text: "Cocoa"}, want: fakes.ErrNotFound},
		{name: "unknown group", a: fakes.Action{Kind: fakes.ActJoin, Person: "ada", Place: "Nowhere"}, want: fakes.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := srv.Do(context.Background(), tc.a); !errors.Is(err, tc.want) {
				t.Errorf("Do(%+v) = %v, want %v", tc.a, err, tc.want)
			}
		})
	}
}
