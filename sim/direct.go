package sim

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// BotFunc is a bot written in Go that talks to a chat platform's fake
// directly (a Telegram bot on long polling): no platform hop. It runs until
// ctx is cancelled and reads its environment (TELEGRAM_API_URL,
// TELEGRAM_BOT_TOKEN, …) through getenv.
type BotFunc func(ctx context.Context, getenv func(string) string) error

// Func runs a direct bot in this process, in its own goroutine. A World with
// a direct bot has no integration URL and no register call; its journal is
// what the fakes observed.
func Func(name string, run BotFunc) Launcher { return funcLauncher{name: name, run: run} }

type funcLauncher struct {
	name string
	run  BotFunc
}

func (l funcLauncher) String() string { return l.name + " (in process, direct)" }

func (l funcLauncher) Launch(_ context.Context, env Env, _ LaunchOptions) (Running, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &funcRunning{name: l.name, cancel: cancel, done: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		err := l.run(ctx, env.Getenv)
		r.mu.Lock()
		own := ctx.Err() == nil
		if err != nil && !errors.Is(err, context.Canceled) {
			r.err = err
		}
		if own {
			r.exit = fmt.Errorf("bot %s returned before the World closed: %w", l.name, ErrExited)
			if err != nil {
				r.exit = fmt.Errorf("bot %s returned before the World closed: %w: %w", l.name, ErrExited, err)
			}
		}
		r.mu.Unlock()
		close(r.done)
		if own {
			close(r.exited)
		}
	}()
	return r, nil
}

type funcRunning struct {
	name   string
	cancel context.CancelFunc
	done   chan struct{}
	exited chan struct{}
	mu     sync.Mutex
	err    error // what the bot returned, but cancellation
	exit   error // how it stopped on its own
}

func (r *funcRunning) URL() string { return "" }

func (r *funcRunning) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return fmt.Sprintf("bot returned: %v", r.err)
	}
	return ""
}

func (r *funcRunning) Exited() <-chan struct{} { return r.exited }

func (r *funcRunning) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.exit
}

func (r *funcRunning) Close() error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
