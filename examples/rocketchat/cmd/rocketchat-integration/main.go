// Command rocketchat-integration serves the example Rocket.Chat integration
// on 127.0.0.1:$PORT (default 8072, the port @botpress/sdk integrations use).
//
//	BP_API_URL=http://127.0.0.1:8075 ROCKETCHAT_URL=http://127.0.0.1:3000 \
//	ROCKETCHAT_USER_ID=bot00000000000001 ROCKETCHAT_AUTH_TOKEN=… \
//	SECRET_WEBHOOK_TOKEN=… rocketchat-integration
//
// Environment: PORT, plus what rocketchat.New reads (BP_API_URL, BP_TOKEN,
// ROCKETCHAT_URL, ROCKETCHAT_USER_ID, ROCKETCHAT_AUTH_TOKEN,
// SECRET_WEBHOOK_TOKEN). It logs one line per request to stderr and stops
// cleanly on SIGINT or SIGTERM. Exit status: 0 after a clean stop, 1 when
// serving fails, 2 for a bad environment.
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatsim/chatsim/examples/bpkit"
	"github.com/chatsim/chatsim/examples/rocketchat"
)

// program returns this command for bpkit.Run.
func program() bpkit.Program {
	return bpkit.Program{
		Name:        "rocketchat-integration",
		DefaultPort: "8072",
		Handler:     func(getenv func(string) string) (http.Handler, error) { return rocketchat.New(getenv) },
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bpkit.Run(ctx, program(), os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
