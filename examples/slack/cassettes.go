package slack

import (
	"embed"
	"io/fs"
)

//go:embed cassettes/*.cassette cassettes/*.golden
var cassettes embed.FS

// Cassettes returns the recorded Slack deliveries bundled with the example:
// channel-message, thread-reply, mention (app_mention and message for one
// ts), reaction, member-join, button-click (block_actions after a choice),
// slash-command and retry (a message and a reaction each delivered twice,
// the second time with X-Slack-Retry-Num).
// Beside each X.cassette is its golden journal, X.golden.
func Cassettes() fs.FS {
	sub, err := fs.Sub(cassettes, "cassettes")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
