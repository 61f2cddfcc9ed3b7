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

func (l funcLauncher) Launch(_ context.Context, env Env) (Running, error) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &funcRunning{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		err := l.run(ctx, env.Getenv)
		if err != nil && !errors.Is(err, context.Canceled) {
			r.mu.Lock()
			r.err = err
			r.mu.Unlock()
		}
	}()
	return r, nil
}

type funcRunning struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
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

func (r *funcRunning) Close() error {
	r.cancel()
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
