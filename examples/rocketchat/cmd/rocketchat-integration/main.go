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
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/chatsim/chatsim/examples/rocketchat"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// run serves until ctx is done and returns the exit status.
func run(ctx context.Context, getenv func(string) string, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	port := getenv("PORT")
	if port == "" {
		port = "8072"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		fmt.Fprintf(stderr, "rocketchat-integration: PORT: want a port number, got %q\n", port)
		return 2
	}
	h, err := rocketchat.New(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "rocketchat-integration: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		fmt.Fprintf(stderr, "rocketchat-integration: %v\n", err)
		return 1
	}
	srv := &http.Server{Handler: logRequests(log, h), ReadHeaderTimeout: 10 * time.Second}
	log.Info("listening", "url", "http://"+ln.Addr().String())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		log.Error("serve", "err", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

// logRequests logs each request's operation and answer status.
func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", r.URL.Path,
			"operation", r.Header.Get("x-bp-operation"), "status", rec.status)
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
