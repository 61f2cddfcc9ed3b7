package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
)

// DefaultStepTimeout bounds how long a step may wait for the integration and
// every call it started to finish.
const DefaultStepTimeout = 30 * time.Second

// Options configure a World. The zero value starts the fakes and the
// platform with no integration and no contract checks.
type Options struct {
	// Integration is the integration under test, with its definition,
	// configuration, secrets and the chat platforms it serves; the zero
	// value starts the World without one (chatsim serve), simulating every
	// platform of the registry.
	Integration Integration
	// Bot is the scripted bot's rules; nil means echo.
	Bot []botpress.BotRule
	// Token is BP_TOKEN; the platform then demands it as a Bearer token.
	// Empty means "chatsim-bp-token".
	Token string
	// Start is the virtual clock's start; zero means fakes.EpochUnix.
	Start time.Time
	// Clock is the World's clock; nil means a fresh fakes.VirtualClock
	// reading Start, which replay and tests need (a replay moves it to
	// each entry's recorded time). `chatsim serve` passes fakes.RealClock{}
	// so that dates are current and rate limits drain in wall time.
	Clock fakes.Clock
	// StepTimeout bounds each step; zero means DefaultStepTimeout.
	StepTimeout time.Duration
	// StepTimeoutName is how people set StepTimeout ("--step-timeout"),
	// named in the error when a step runs out of it.
	StepTimeoutName string
	// StartupTimeout bounds how long a launched integration may take to
	// answer its health check; zero means DefaultStartupTimeout.
	StartupTimeout time.Duration
	// StartupTimeoutName is how people set StartupTimeout
	// ("--startup-timeout"), named in the error when it runs out.
	StartupTimeoutName string
	// Progress, when set, is told what the World is waiting for during a
	// slow startup (a line every few seconds with the last health check).
	Progress func(line string)
	// NoRegister skips the register call after launch.
	NoRegister bool
	// Seeds are what a recorded cassette's header says the platforms' worlds
	// were (cassette.Header.Seed), by platform: each fake starts from its
	// part (Wiring.Seed). SetupFromHeader fills it in.
	Seeds map[string]json.RawMessage
	// Starters start these platforms' fakes, by name, in the registry's
	// place: a recorder's proxy (package recorder) stands in for the fake
	// of the platform it records.
	Starters map[string]func(fakes.Wiring) (fakes.Platform, error)
	// HTTPClient, when set, is what the platform uses to invoke the
	// integration and the fakes use to deliver webhooks (a tracing or
	// recording transport, say). nil means a client of their own each.
	HTTPClient *http.Client
}

// World is one simulated universe: a clock (virtual unless Options.Clock
// says otherwise), a journal, the fakes, the mock platform and the
// integration under test wired together. Worlds share nothing, so any
// number run in parallel.
type World struct {
	Clock fakes.Clock
	// Journal is the World's journal. It streams each step, once the next
	// begins, into the golden journal (Render, ReplayOptions.Journal) and
	// holds only the running step's observations, unless told to hold
	// more (fakes.Journal.Keep: Keep(0) right after Start holds it all).
	Journal  *fakes.Journal
	Activity *fakes.Activity
	Platform *botpress.Server
	// Fakes are the chat platforms' fakes the World simulates, in the
	// registry's order; Fake finds one by name.
	Fakes []fakes.Platform
	// Env is the environment the integration was given.
	Env Env

	opts        Options
	integration Running
	launcher    Launcher
	golden      *goldenStream // the golden journal, rendered as the journal streams

	mu    sync.Mutex
	steps int
	last  int64 // journal seq at the start of the last step
}

// Start builds a World: it starts the fakes and the platform, launches the
// integration with their URLs and credentials in its environment, and
// registers it (which is where an integration sets its webhooks).
func Start(ctx context.Context, opts Options) (_ *World, err error) {
	if opts.StepTimeout == 0 {
		opts.StepTimeout = DefaultStepTimeout
	}
	if opts.Token == "" {
		opts.Token = "chatsim-bp-token"
	}
	clock := opts.Clock
	if clock == nil {
		clock = fakes.NewVirtualClock(opts.Start)
	}
	w := &World{
		Clock:    clock,
		Journal:  fakes.NewJournal(),
		Activity: fakes.NewActivity(),
		opts:     opts,
		launcher: opts.Integration.Launcher,
	}
	w.golden = &goldenStream{w: w}
	w.Journal.Stream(w.golden.write)
	// The journal holds what the start records, so that a caller that
	// looks back further than a step can Keep it all once Start returns.
	defer w.Journal.Keep(w.Journal.Keep(0))
	defer func() {
		if err != nil {
			_ = w.Close()
		}
	}()
	if err := w.startFakes(opts); err != nil {
		return nil, err
	}
	w.Env = Env{"BP_TOKEN": opts.Token}
	for _, f := range w.Fakes {
		for k, v := range f.Env() {
			w.Env[k] = v
		}
	}
	popts := []botpress.Option{
		botpress.WithClock(w.Clock), botpress.WithJournal(w.Journal), botpress.WithActivity(w.Activity),
		botpress.WithDefinition(opts.Integration.Definition), botpress.WithToken(opts.Token),
	}
	if opts.HTTPClient != nil {
		popts = append(popts, botpress.WithHTTPClient(opts.HTTPClient))
	}
	if opts.Bot != nil {
		popts = append(popts, botpress.WithBot(opts.Bot))
	}
	if w.Platform, err = botpress.Start(popts...); err != nil {
		return nil, err // botpress says "start platform: …"
	}
	w.Env["BP_API_URL"] = w.Platform.URL()
	w.Env["BP_WEBHOOK_URL"] = w.Platform.WebhookURL()
	w.Env["BP_BOT_ID"] = w.Platform.BotID()
	w.Env["BP_INTEGRATION_ID"] = w.Platform.IntegrationID()
	// Secrets and the configuration are expanded once every variable the
	// README lists is known, the platform's own URLs included.
	if err := w.expandSecrets(opts); err != nil {
		return nil, err
	}
	cfg, err := expandConfig(opts.Integration.Configuration, w.Env)
	if err != nil {
		return nil, err
	}
	if err := w.Platform.SetConfiguration(cfg, opts.Integration.ConfigurationType); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if opts.Integration.Launcher == nil {
		return w, nil
	}
	w.integration, err = opts.Integration.Launcher.Launch(ctx, w.Env, LaunchOptions{
		Clock:          w.Clock,
		StartupTimeout: opts.StartupTimeout,
		TimeoutName:    opts.StartupTimeoutName,
		Progress:       opts.Progress,
	})
	if err != nil {
		return nil, fmt.Errorf("launch integration: %w", err)
	}
	if w.Direct() {
		// A bot that talks to the fakes itself: no platform hop. If it
		// serves HTTP, the fakes' webhooks go straight to it.
		if u := w.integration.URL(); u != "" {
			err = w.Step(ctx, "setup  chat platforms → integration: webhooks", func(ctx context.Context) error {
				return w.setWebhookTargets(ctx, u)
			})
		}
		if err != nil {
			return nil, err
		}
		return w, nil
	}
	w.Platform.SetIntegrationURL(w.integration.URL())
	title := "setup  platform → integration: register"
	if opts.NoRegister {
		title = "setup  chat platforms → platform: webhooks"
	}
	err = w.Step(ctx, title, func(ctx context.Context) error {
		if err := w.setWebhookTargets(ctx, w.Platform.WebhookURL()); err != nil {
			return err
		}
		if opts.NoRegister {
			return nil
		}
		return w.Platform.Register(ctx)
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// expandSecrets puts SECRET_<NAME> in the environment for every secret the
// definition declares or opts gives, expanding ${VAR} references.
func (w *World) expandSecrets(opts Options) error {
	in := opts.Integration
	if in.Definition != nil {
		for name := range in.Definition.Secrets {
			if _, ok := in.Secrets[name]; !ok {
				w.Env["SECRET_"+secretEnvName(name)] = "chatsim-test-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.Secrets)) {
		ev, err := expandString(in.Secrets[name], w.Env, "secret "+name)
		if err != nil {
			return err
		}
		w.Env["SECRET_"+secretEnvName(name)] = ev
	}
	return nil
}

// startFakes starts the chat platforms' fakes the integration serves (every
// platform of the registry when it names none) on the World's clock,
// journal and activity.
func (w *World) startFakes(opts Options) error {
	reg := Registry()
	want := map[string]bool{}
	for _, name := range opts.Integration.Platforms {
		if !slices.ContainsFunc(reg, func(k fakes.Kind) bool { return k.Name == name }) {
			return fmt.Errorf("start world: platform %q: %w (have: %s)", name, ErrUnknownPlatform, strings.Join(PlatformNames(), ", "))
		}
		want[name] = true
	}
	for _, k := range reg {
		if len(want) > 0 && !want[k.Name] {
			continue
		}
		wiring := fakes.Wiring{Clock: w.Clock, Journal: w.Journal, Activity: w.Activity, HTTPClient: opts.HTTPClient, Seed: opts.Seeds[k.Name]}
		start := k.Start
		if s, ok := opts.Starters[k.Name]; ok {
			start = s
		}
		f, err := start(wiring)
		if err != nil {
			return fmt.Errorf("start %s: %w", k.Name, err)
		}
		w.Fakes = append(w.Fakes, f)
	}
	return nil
}

// ErrConfig is wrapped by the errors of a configuration or a secret that
// cannot be used: not a JSON object, or a ${VAR} the environment lacks.
var ErrConfig = errors.New("bad configuration")

// ErrUnknownPlatform is returned for a chat platform the World cannot
// simulate.
var ErrUnknownPlatform = errors.New("unknown chat platform")

// setWebhookTargets points every fake's configured webhooks (Slack's Request
// URL, a Rocket.Chat outgoing integration) at url.
// The first fake that refuses it (Slack, when the url_verification
// challenge is not answered) fails the setup.
func (w *World) setWebhookTargets(ctx context.Context, url string) error {
	for _, f := range w.Fakes {
		if err := f.SetWebhookTarget(ctx, url); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
	}
	return nil
}

// Fake returns the chat platform fake called name ("telegram"), or nil.
func (w *World) Fake(name string) fakes.Platform {
	for _, f := range w.Fakes {
		if f.Name() == name {
			return f
		}
	}
	return nil
}

// FakeNames returns the names of the World's fakes, in start order.
func (w *World) FakeNames() []string {
	names := make([]string, len(w.Fakes))
	for i, f := range w.Fakes {
		names[i] = f.Name()
	}
	return names
}

// secretEnvName turns a secret's name into SCREAMING_SNAKE_CASE, as the
// Botpress CLI does for SECRET_<NAME>.
func secretEnvName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r >= 'A' && r <= 'Z' && i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z':
			b.WriteByte('_')
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r == '-' || r == ' ' || r == '.':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// expandConfig replaces ${VAR} in every string of cfg with env[VAR]. An
// unknown variable is an error that names it and its JSON pointer.
func expandConfig(cfg json.RawMessage, env Env) (json.RawMessage, error) {
	if len(cfg) == 0 {
		return json.RawMessage(`{}`), nil
	}
	var v any
	if err := json.Unmarshal(cfg, &v); err != nil {
		return nil, fmt.Errorf("%w: read configuration: %v", ErrConfig, err)
	}
	var walk func(v any, ptr string) (any, error)
	walk = func(v any, ptr string) (any, error) {
		switch t := v.(type) {
		case string:
			return expandString(t, env, "configuration at "+ptr)
		case map[string]any:
			for k, e := range t {
				n, err := walk(e, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"))
				if err != nil {
					return nil, err
				}
				t[k] = n
			}
		case []any:
			for i, e := range t {
				n, err := walk(e, fmt.Sprintf("%s/%d", ptr, i))
				if err != nil {
					return nil, err
				}
				t[i] = n
			}
		}
		return v, nil
	}
	v, err := walk(v, "")
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// expandString replaces ${VAR} in v with env[VAR]; an unknown variable is an
// error naming where (what) and the variables there are.
func expandString(v string, env Env, what string) (string, error) {
	var missing string
	out := os.Expand(v, func(k string) string {
		val, ok := env[k]
		if !ok && missing == "" {
			missing = k
		}
		return val
	})
	if missing != "" {
		return "", fmt.Errorf("%w: expand %s: unknown variable ${%s} (known: %s)", ErrConfig, what, missing, strings.Join(sortedKeys(env), ", "))
	}
	return out, nil
}

func sortedKeys(m Env) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Integration returns the running integration, or nil.
func (w *World) Integration() Running { return w.integration }

// Direct reports whether the integration talks to the fakes directly, with
// no platform hop: it has no URL for the platform (a long-polling bot), or
// Options.Direct says its URL takes the fakes' webhooks straight.
func (w *World) Direct() bool {
	return w.integration != nil && (w.opts.Integration.Direct || w.integration.URL() == "")
}

// Launcher returns the launcher the World was started with, or nil.
func (w *World) Launcher() Launcher { return w.launcher }

// Step runs fn as one numbered step: it records a step header in the journal,
// runs fn, then waits until the integration has answered and every call it
// started has finished (Settle). A step never ends after a fixed sleep.
func (w *World) Step(ctx context.Context, title string, fn func(ctx context.Context) error) error {
	return w.StepTitled(ctx, title, func(ctx context.Context) (string, error) { return "", fn(ctx) })
}

// StepTitled is Step for an action that names itself once it has begun (a
// replayed delivery the fake describes): a non-empty title returned by fn
// replaces the provisional one in the step's header.
func (w *World) StepTitled(ctx context.Context, title string, fn func(ctx context.Context) (string, error)) error {
	numbered := func(title string) string { return title }
	if !strings.HasPrefix(title, "setup") {
		w.mu.Lock()
		w.steps++
		n := w.steps
		w.mu.Unlock()
		numbered = func(title string) string { return fmt.Sprintf("step %d  %s", n, title) }
	}
	header := numbered(title)
	o := w.Journal.Record(fakes.Observation{At: w.Clock.Now(), Source: "step", Kind: "header", Text: header, Class: fakes.ClassHeader})
	w.mu.Lock()
	w.last = o.Seq
	w.mu.Unlock()
	ctx, cancel := context.WithTimeoutCause(ctx, w.opts.StepTimeout, errStepTimeout)
	defer cancel()
	ctx, stop := w.stopOnExit(ctx)
	defer stop()
	unanswered := w.Journal.NoAnswers()
	named, ferr := fn(ctx)
	if named != "" {
		header = numbered(named)
		w.Journal.SetText(o.Seq, header)
	}
	serr := w.Settle(ctx)
	if ferr == nil && serr == nil {
		if w.Journal.NoAnswers() > unanswered && w.integration != nil && w.integration.Exited() != nil {
			w.awaitExit(ctx)
		}
		if err := w.Err(); err != nil {
			return &StepError{Step: header, Err: err}
		}
		return nil
	}
	if err := w.Err(); err != nil {
		// The integration died: that is the cause, whatever it broke
		// on the way; the ExitError carries its last lines of output.
		return &StepError{Step: header, Err: err}
	}
	if errors.Is(context.Cause(ctx), errStepTimeout) {
		pending := w.Activity.Pending()
		if len(pending) == 0 {
			pending = []string{"the step itself: " + title}
		}
		terr := &TimeoutError{Limit: w.opts.StepTimeout, Name: w.opts.StepTimeoutName, Pending: pending, Hints: w.stalled()}
		if ferr != nil && !errors.Is(ferr, context.DeadlineExceeded) && !errors.Is(ferr, errStepTimeout) {
			return &StepError{Step: header, Err: errors.Join(terr, ferr), Output: w.output()}
		}
		return &StepError{Step: header, Err: terr, Output: w.output()}
	}
	return &StepError{Step: header, Err: errors.Join(ferr, serr), Output: w.output()}
}

// exitGrace is how long a step waits, once it has settled, for a launched
// integration that stopped answering to show that it exited: the platform
// sees its connections close before the process is reaped.
const exitGrace = 3 * time.Second

// awaitExit waits up to exitGrace for the integration to exit, or for ctx
// to end; an integration that is alive costs the wait once per step that
// it left unanswered.
func (w *World) awaitExit(ctx context.Context) {
	t := time.NewTimer(exitGrace)
	defer t.Stop()
	select {
	case <-w.integration.Exited():
	case <-t.C:
	case <-ctx.Done():
	}
}

// errStepTimeout is the cause of a step's context that ran out of time.
var errStepTimeout = errors.New("step timeout")

// stopOnExit returns ctx, cancelled as well when the integration exits, so
// that a step waiting on a dead integration ends at once.
func (w *World) stopOnExit(ctx context.Context) (context.Context, func()) {
	var exited <-chan struct{}
	if w.integration != nil {
		exited = w.integration.Exited()
	}
	if exited == nil {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		select {
		case <-exited:
			cancel(w.integration.Err())
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// Err returns why the integration stopped (an *ExitError, which wraps
// ErrExited) once a launched integration has exited, and nil while it
// runs, when it was stopped by Close, or when there is none.
func (w *World) Err() error {
	if w.integration == nil {
		return nil
	}
	select {
	case <-w.integration.Exited():
		return w.integration.Err()
	default:
		return nil
	}
}

// stalled asks every fake that can tell why its work waits (Telegram's
// updates for a bot that neither set a webhook nor polls).
func (w *World) stalled() []string {
	var out []string
	for _, f := range w.Fakes {
		if s, ok := f.(interface{ Stalled() string }); ok {
			if why := s.Stalled(); why != "" {
				out = append(out, why)
			}
		}
	}
	return out
}

// TimeoutError is a step that did not settle within its limit; Pending
// names what was still in flight, never nothing, and Hints what the fakes
// know of why.
type TimeoutError struct {
	Limit   time.Duration
	Name    string // how to raise it, "--step-timeout"; may be empty
	Pending []string
	Hints   []string
}

// Error says which limit ran out and what was still pending.
func (e *TimeoutError) Error() string {
	name := ""
	if e.Name != "" {
		name = " (" + e.Name + ")"
	}
	msg := fmt.Sprintf("no answer within the %s step timeout%s: still pending: %s", e.Limit, name, strings.Join(e.Pending, ", "))
	for _, h := range e.Hints {
		msg += "\n  " + h
	}
	return msg
}

// Unwrap makes a TimeoutError a context.DeadlineExceeded.
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Settle waits until nothing is in flight: every request a fake is serving,
// every delivery queued, every reply the bot owes.
func (w *World) Settle(ctx context.Context) error {
	return w.Activity.Wait(ctx)
}

func (w *World) output() string {
	if w.integration == nil {
		return ""
	}
	return w.integration.Output()
}

// LastStepSeq returns the journal sequence number of the last step header.
func (w *World) LastStepSeq() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// Violations returns every contract violation recorded so far.
func (w *World) Violations() []contracts.Violation { return w.Platform.Violations() }

// Close stops the integration, then the platform and the fakes. It is safe
// to call more than once and on a partly started World.
func (w *World) Close() error {
	var errs []error
	if w.integration != nil {
		errs = append(errs, w.integration.Close())
	}
	if w.Platform != nil {
		errs = append(errs, w.Platform.Close())
	}
	for _, f := range w.Fakes {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}

// StepError is a step that failed: the integration answered with an error,
// a fake refused a call, or the step did not settle in time. Output holds
// what the integration printed.
type StepError struct {
	Step   string
	Err    error
	Output string
}

// Error names the step and its cause, then the integration's output.
func (e *StepError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if strings.TrimSpace(e.Output) != "" {
		msg += "\n--- integration output ---\n" + tail(e.Output, 4000)
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *StepError) Unwrap() error { return e.Err }
