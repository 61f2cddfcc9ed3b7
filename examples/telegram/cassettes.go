package telegram

import (
	"embed"
	"io/fs"
)

//go:embed cassettes/*.cassette cassettes/*.golden
var cassettes embed.FS

// Cassettes returns the recorded conversations bundled with the example:
// order (the demo: a menu and a tap on an inline button), text, photo,
// group-join, edit and violation (a bot reply that breaks the contract).
// Beside each X.cassette is its golden journal, X.golden.
func Cassettes() fs.FS {
	sub, err := fs.Sub(cassettes, "cassettes")
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return sub
}
