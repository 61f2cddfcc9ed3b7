package rocketchat

import (
	"embed"
	"io/fs"
)

//go:embed cassettes/*.cassette cassettes/*.golden
var cassettes embed.FS

// Cassettes returns the recorded conversations bundled with the example,
// deliveries as Rocket.Chat sends them (kind "outgoing" for outgoing
// webhooks, "block_actions" for interaction payloads): exchange (two
// messages), button (a choice and a click on it), menu (a static_select
// pick) and datepicker (a date pick).
// Beside each X.cassette is its golden journal, X.golden.
func Cassettes() fs.FS {
	sub, err := fs.Sub(cassettes, "cassettes")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
