// Command chatsim runs chat integrations against local fakes of the chat
// platforms and a Botpress-compatible mock platform: it replays recorded
// conversations and checks the journal against golden files (replay) and
// starts the fakes for interactive use (serve).
//
//	chatsim replay                       # the bundled demo through the bundled Telegram example
//	chatsim replay my.cassette --integration exec:"node dist/index.js" --definition def.json --golden my.golden
//	chatsim serve --json                 # the fakes' URLs and credentials, one JSON object
//
// Exit codes: 0 ok, 1 a failed replay or contract violation, 2 usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
