package fakes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Outgoing is one webhook request a fake sends to the integration side.
type Outgoing struct {
	Method string // POST when empty
	URL    string
	Header http.Header
	Body   []byte
	// Timeout is how long the platform waits for the answer (Slack 3 s,
	// Shopify 5 s); zero means no limit beyond ctx.
	Timeout time.Duration
	// Clock measures Timeout (see WithTimeout): on a VirtualClock the wait
	// ends when the integration sleeps on the clock past it, so a busy
	// machine never turns a slow answer into a timeout and a replay stays
	// the same under load, with a wall backstop of WallBackstop times
	// Timeout for a process that hangs. nil measures wall time.
	Clock Clock
}

// WallBackstop is how many times its timeout a wait measured on a Clock
// (WithTimeout, an Outgoing's Timeout) lasts on the wall clock at most, for
// a VirtualClock that nothing moves.
const WallBackstop = 10

// Reply is what came back from an Outgoing request.
type Reply struct {
	Status int // 0 when Err is set
	Header http.Header
	Body   []byte
	// Err is the network error, if the request got no answer.
	Err error
	// Elapsed is how long the answer took, on the wall clock.
	Elapsed time.Duration
}

// OK reports whether the webhook answered 2xx.
func (r Reply) OK() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// TimedOut reports whether the request ran out of time before an answer.
func (r Reply) TimedOut() bool {
	var ne net.Error
	return r.Err != nil && (errors.Is(r.Err, context.DeadlineExceeded) || errors.As(r.Err, &ne) && ne.Timeout())
}

// Refused reports whether nothing listened at the webhook's address.
func (r Reply) Refused() bool { return r.Err != nil && errors.Is(r.Err, syscall.ECONNREFUSED) }

// Outcome names the result for a journal line: "200", "500 Internal Server
// Error", "timeout", "connection refused" or "network error". It carries
// no ports or other run-dependent detail.
func (r Reply) Outcome() string {
	switch {
	case r.Err == nil && r.OK():
		return fmt.Sprint(r.Status)
	case r.Err == nil:
		return fmt.Sprintf("%d %s", r.Status, http.StatusText(r.Status))
	case r.TimedOut():
		return "timeout"
	case r.Refused():
		return "connection refused"
	case errors.Is(r.Err, context.Canceled):
		return "cancelled"
	}
	return "network error"
}

// Send makes one webhook request with client and reads the answer (at most
// MaxBody bytes). It never returns an error: a failed request is a Reply with
// Err set, which is what a platform's retry logic looks at.
func Send(ctx context.Context, client *http.Client, out Outgoing) Reply {
	if client == nil {
		client = http.DefaultClient
	}
	if out.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = WithTimeout(ctx, out.Clock, out.Timeout)
		defer cancel()
	}
	method := out.Method
	if method == "" {
		method = http.MethodPost
	}
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, method, out.URL, bytes.NewReader(out.Body))
	if err != nil {
		return Reply{Err: err}
	}
	if out.Header != nil {
		req.Header = out.Header.Clone()
	}
	resp, err := client.Do(req)
	if err != nil {
		return Reply{Err: timedOut(ctx, err), Elapsed: time.Since(start)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil {
		return Reply{Err: timedOut(ctx, err), Elapsed: time.Since(start)}
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: time.Since(start)}
}

// timedOut makes err a context.DeadlineExceeded when the timeout on the
// clock ended the request (its context is cancelled, with that cause).
func timedOut(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || !errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w (on the platform's clock): %w", context.DeadlineExceeded, err)
}
