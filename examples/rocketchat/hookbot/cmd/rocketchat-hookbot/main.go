// Command rocketchat-hookbot serves the echo bot of package hookbot on
// 127.0.0.1:$PORT (default 8080): point a Rocket.Chat outgoing webhook
// integration at http://127.0.0.1:$PORT/ with the token in
// ROCKETCHAT_WEBHOOK_TOKEN.
//
//	ROCKETCHAT_WEBHOOK_TOKEN=… PORT=8080 rocketchat-hookbot
//
// GET /health answers "ok"; every other request goes to the bot. It logs
// one line per request to stderr and stops cleanly on SIGINT or SIGTERM.
// Exit status: 0 after a clean stop, 1 when serving fails, 2 for a bad
// environment.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatsim/chatsim/examples/bpkit"
	"github.com/chatsim/chatsim/examples/rocketchat/hookbot"
)

// program returns this command for bpkit.Run.
func program() bpkit.Program {
	return bpkit.Program{Name: "rocketchat-hookbot", DefaultPort: "8080", Handler: handler}
}

// handler answers GET /health and hands every other request to the bot.
func handler(getenv func(string) string) (http.Handler, error) {
	bot, err := hookbot.New(getenv("ROCKETCHAT_WEBHOOK_TOKEN"))
	if err != nil {
		return nil, fmt.Errorf("ROCKETCHAT_WEBHOOK_TOKEN: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok")
	})
	mux.Handle("/", bot)
	return mux, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bpkit.Run(ctx, program(), os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
