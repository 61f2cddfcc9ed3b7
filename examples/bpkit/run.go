package bpkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Program describes an integration's command for Run.
type Program struct {
	// Name is the command's name, which starts its error messages.
	Name string
	// DefaultPort is the port when PORT is unset (8072 is the one
	// @botpress/sdk integrations use).
	DefaultPort string
	// Handler builds the handler from the environment; an error is a bad
	// environment (exit status 2) and should name the variable.
	Handler func(getenv func(string) string) (http.Handler, error)
}

// Run is a command's whole life: it builds p's handler from getenv,
// serves it on 127.0.0.1:$PORT, logs one line per request to stderr, and
// stops cleanly when ctx is done (wire it to SIGINT and SIGTERM). It
// returns the exit status: 0 after a clean stop, 1 when serving fails, 2
// for a bad environment.
//
//	func main() {
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//		code := bpkit.Run(ctx, bpkit.Program{Name: "my-integration", DefaultPort: "8072", Handler: build}, os.Getenv, os.Stderr)
//		stop()
//		os.Exit(code)
//	}
func Run(ctx context.Context, p Program, getenv func(string) string, stderr io.Writer) int {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	port := getenv("PORT")
	if port == "" {
		port = p.DefaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		fmt.Fprintf(stderr, "%s: PORT: want a port number, got %q\n", p.Name, port)
		return 2
	}
	h, err := p.Handler(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
		return 2
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", p.Name, err)
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

// logRequests logs each request, its operation when the platform sent one,
// and its answer status.
func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		attrs := []any{"method", r.Method, "path", r.URL.Path}
		if op := r.Header.Get("x-bp-operation"); op != "" {
			attrs = append(attrs, "operation", op)
		}
		log.Info("request", append(attrs, "status", rec.status)...)
	})
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records status and writes it.
func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}
