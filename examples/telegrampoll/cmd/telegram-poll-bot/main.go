// Command telegram-poll-bot runs the long-polling example bot against the
// Telegram API at $TELEGRAM_API_URL with $TELEGRAM_BOT_TOKEN.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatsim/chatsim/examples/telegrampoll"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := telegrampoll.Run(ctx, os.Getenv)
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "telegram-poll-bot:", err)
		os.Exit(1)
	}
}
