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
