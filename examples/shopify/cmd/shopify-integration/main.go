// Command shopify-integration serves the example Shopify integration on
// 127.0.0.1:$PORT (default 8072, the port @botpress/sdk integrations use).
//
//	BP_API_URL=http://127.0.0.1:8075 SECRET_SHOPIFY_API_SECRET=shpss_… \
//	SECRET_SHOPIFY_ACCESS_TOKEN=shpat_… SHOPIFY_API_URL=http://127.0.0.1:8082 \
//	shopify-integration
//
// Environment: PORT, plus what shopify.New reads (BP_API_URL, BP_TOKEN,
// SECRET_SHOPIFY_API_SECRET, SECRET_SHOPIFY_ACCESS_TOKEN, SHOPIFY_API_URL,
// SHOPIFY_API_VERSION). It logs one line per request to stderr and stops
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
	"github.com/chatsim/chatsim/examples/shopify"
)

// program returns this command for bpkit.Run.
func program() bpkit.Program {
	return bpkit.Program{
		Name:        "shopify-integration",
		DefaultPort: "8072",
		Handler:     func(getenv func(string) string) (http.Handler, error) { return shopify.New(getenv) },
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := bpkit.Run(ctx, program(), os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}
