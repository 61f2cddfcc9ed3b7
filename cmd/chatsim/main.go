// Command chatsim runs chat integrations against local fakes of the chat
// platforms and a Botpress-compatible mock platform: it replays recorded
// conversations and checks the journal against golden files (replay) and
// starts the fakes for interactive use (serve).
//
//	chatsim replay                       # the bundled demo through the bundled Telegram example
//	chatsim replay my.cassette --integration exec:"node dist/index.js" --definition def.json --golden my.golden
//	chatsim serve --json                 # the fakes' URLs and credentials, one JSON object
//
// Exit codes: 0 ok; 1 a failed replay or scenario; 2 usage, or input that
// cannot be read or is malformed; 130 interrupted (Ctrl-C, SIGTERM, SIGHUP).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// The first Ctrl-C (or SIGTERM, SIGHUP) cancels the run, which stops,
	// prints what it has so far and exits 130; a second one kills chatsim
	// at once (its exec: children die with it all the same).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
