package slack_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes/slack"
	slackgo "github.com/slack-go/slack"
)

// TestMessageLimits drives slack-go into Slack's limits: 40,000 characters
// of text (not bytes) and 50 blocks.
func TestMessageLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	blocks := func(n int) slackgo.MsgOption {
		bs := make([]slackgo.Block, n)
		for i := range bs {
			bs[i] = slackgo.NewDividerBlock()
		}
		return slackgo.MsgOptionBlocks(bs...)
	}
	tests := []struct {
		name    string
		opts    []slackgo.MsgOption
		err     string
		errors  []string // the answer's "errors"
		details []string // response_metadata.messages
	}{
		{"40000 two-byte characters", []slackgo.MsgOption{slackgo.MsgOptionText(strings.Repeat("é", slack.MaxTextLength), false)}, "", nil, nil},
		{"40001 characters", []slackgo.MsgOption{slackgo.MsgOptionText(strings.Repeat("a", slack.MaxTextLength+1), false)}, "msg_too_long", nil, nil},
		{"50 blocks", []slackgo.MsgOption{slackgo.MsgOptionText("x", false), blocks(50)}, "", nil, nil},
		{"51 blocks", []slackgo.MsgOption{slackgo.MsgOptionText("x", false), blocks(51)}, "invalid_blocks",
			[]string{"no more than 50 items allowed [json-pointer:/blocks]"},
			[]string{"[ERROR] no more than 50 items allowed [json-pointer:/blocks]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := w.api.PostMessage("general", tt.opts...)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("PostMessage = %v", err)
				}
				return
			}
			var se slackgo.SlackErrorResponse
			if !errors.As(err, &se) || se.Err != tt.err {
				t.Fatalf("PostMessage = %v, want %s", err, tt.err)
			}
			var got []string
			for _, e := range se.Errors {
				if e.Message != nil {
					got = append(got, *e.Message)
				}
			}
			if strings.Join(got, "|") != strings.Join(tt.errors, "|") ||
				strings.Join(se.ResponseMetadata.Messages, "|") != strings.Join(tt.details, "|") {
				t.Errorf("errors %q, messages %q; want %q, %q", got, se.ResponseMetadata.Messages, tt.errors, tt.details)
			}
		})
	}
	// A person is held to the same length.
	if _, err := w.srv.Send(slack.Post{User: "ada", Channel: "general", Text: strings.Repeat("a", slack.MaxTextLength+1)}); !errors.Is(err, slack.ErrInvalid) ||
		!strings.Contains(err.Error(), "40001 characters, Slack allows 40000") {
		t.Errorf("Send of 40001 characters = %v", err)
	}
}

// TestNameLimits: a member's names are held to Slack's limits (a username
// of 21 characters, a full or display name of 80) and a channel's to 80,
// each refusal naming the field and the limit.
func TestNameLimits(t *testing.T) {
	t.Parallel()
	srv := slack.New(t)
	long := func(n int) string { return strings.Repeat("é", n) }
	tests := []struct {
		name string
		add  func() error
		says string // "" when it must be accepted
	}{
		{"username of 21", func() error { _, err := srv.AddUser(slack.User{Name: strings.Repeat("b", 21)}); return err }, ""},
		{"username of 22", func() error { _, err := srv.AddUser(slack.User{Name: strings.Repeat("c", 22)}); return err }, "22 characters, at most 21"},
		{"username with a capital", func() error { _, err := srv.AddUser(slack.User{Name: "Bob"}); return err }, "want lowercase letters"},
		{"real_name of 80", func() error { _, err := srv.AddUser(slack.User{Name: "dee", RealName: long(80)}); return err }, ""},
		{"real_name of 81", func() error { _, err := srv.AddUser(slack.User{Name: "eve", RealName: long(81)}); return err }, "real_name: 81 characters, at most 80"},
		{"display_name of 81", func() error {
			_, err := srv.DeclareUser(slack.User{Name: "ada", DisplayName: long(81)})
			return err
		}, "display_name: 81 characters, at most 80"},
		{"channel of 81", func() error {
			_, err := srv.DeclareChannel(slack.Channel{Name: strings.Repeat("t", 81)})
			return err
		}, "(at most 80)"},
	}
	for _, tt := range tests {
		err := tt.add()
		switch {
		case tt.says == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.says != "" && (err == nil || !strings.Contains(err.Error(), tt.says) || !errors.Is(err, slack.ErrInvalid)):
			t.Errorf("%s: %v, want ErrInvalid saying %q", tt.name, err, tt.says)
		}
	}
}
