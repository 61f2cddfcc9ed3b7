package features

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// serviceRe names a fake in a fault step: the platform, or a chat platform
// of the registry by its title.
func serviceRe() string { return `(the platform|` + titlesPattern() + `)` }

// faultsOf returns the injected faults of the service a step names.
func faultsOf(w *sim.World, service string) (*fakes.Faults, error) {
	if service == "the platform" {
		return w.Platform.Faults(), nil
	}
	var f fakes.Platform
	for _, k := range sim.Registry() {
		if k.Title == service {
			f = w.Fake(k.Name)
		}
	}
	if f == nil {
		return nil, fmt.Errorf("%s is not simulated in this world (have: %s)", service, strings.Join(w.FakeNames(), ", "))
	}
	withFaults, ok := f.(interface{ Faults() *fakes.Faults })
	if !ok {
		return nil, fmt.Errorf("%s's fake takes no faults", service)
	}
	return withFaults.Faults(), nil
}

func faultTimes(count string) (int, error) {
	if count == "" || count == "every time" {
		return 0, nil
	}
	n := fakes.ParseCount(count)
	if n == 0 {
		return 0, fmt.Errorf("a fault applies once, twice, N times or every time, not %q", count)
	}
	return n, nil
}

func faultSteps() []Step {
	add := func(ctx context.Context, s *Scenario, service string, f fakes.Fault) error {
		w, err := s.world(ctx)
		if err != nil {
			return err
		}
		fs, err := faultsOf(w, service)
		if err != nil {
			return err
		}
		fs.Add(f)
		return nil
	}
	return []Step{
		{
			Group: "faults", Pattern: `^` + serviceRe() + ` answers (\S+) with (\d{3})(?: "([^"]*)")?(?: and retry_after (\d+(?:\.\d+)?))?(?: (once|twice|\d+ times|every time))?$`,
			Doc: "Makes an operation fail in the platform's own words: a Telegram method (sendMessage), a platform route (message.create, " +
				"state.set) or \"*\". An optional error text, a retry hint in seconds for 429s, and how often (every time if not said).",
			Example: `Given Telegram answers sendMessage with 429 and retry_after 3 once`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				status, _ := strconv.Atoi(a.s[2])
				if status < 400 || status > 599 {
					return fmt.Errorf("a fault's status must be 400–599, not %d", status)
				}
				times, err := faultTimes(a.s[5])
				if err != nil {
					return err
				}
				ra, _ := strconv.ParseFloat(a.s[4], 64)
				return add(ctx, s, a.s[0], fakes.Fault{Op: a.s[1], Status: status, Message: a.s[3], RetryAfter: ra, Times: times})
			},
		},
		{
			Group: "faults", Pattern: `^` + serviceRe() + ` delays (\S+) by (\S+)(?: (once|twice|\d+ times|every time))?$`,
			Doc:     "Holds an operation's answer back by a real duration (\"50ms\"): for timeouts and ordering. Keep it short.",
			Example: `Given the platform delays message.create by 50ms once`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				d, err := time.ParseDuration(a.s[2])
				if err != nil {
					return fmt.Errorf("read the delay %q: %w", a.s[2], err)
				}
				times, err := faultTimes(a.s[3])
				if err != nil {
					return err
				}
				return add(ctx, s, a.s[0], fakes.Fault{Op: a.s[1], Delay: fakes.Duration(d), Times: times})
			},
		},
		{
			Group: "faults", Pattern: `^` + serviceRe() + ` is healthy again$`,
			Doc:     "Clears every fault injected into that service.",
			Example: `Given Telegram is healthy again`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := s.world(ctx)
				if err != nil {
					return err
				}
				fs, err := faultsOf(w, a.s[0])
				if err != nil {
					return err
				}
				fs.Clear()
				return nil
			},
		},
	}
}
