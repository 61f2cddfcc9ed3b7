package fakes

import "context"

// UntilClosed returns a context that ends when closing is closed (a fake's
// Close) or cancel is called, whichever comes first: what a fake's delivery
// worker and its outgoing requests run under, so Close stops them.
func UntilClosed(closing <-chan struct{}) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
