// Command slack-integration serves the example Slack integration on
// 127.0.0.1:$PORT (default 8072, the port @botpress/sdk integrations use).
//
//	BP_API_URL=http://127.0.0.1:8075 SECRET_SIGNING_SECRET=8f742231… \
//	SLACK_API_URL=http://127.0.0.1:8081 slack-integration
//
// Environment: PORT, plus what slack.New reads (BP_API_URL, BP_TOKEN,
// SECRET_SIGNING_SECRET, SLACK_API_URL). It logs one line per request to
// stderr and stops cleanly on SIGINT or SIGTERM. Exit status: 0 after a
// clean stop, 1 when serving fails, 2 for a bad environment.
package main

import (
	"context"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/chatsim/chatsim/examples/bpkit"
	"github.com/chatsim/chatsim/examples/slack"
)

// program returns this command for bpkit.Run.
func program() bpkit.Program {
	return bpkit.Program{
		Name:        "slack-integration",
		DefaultPort: "8072",
		Handler:     func(getenv func(string) string) (http.Handler, error) { return slack.New(getenv) },
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bpkit.Run(ctx, program(), os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
