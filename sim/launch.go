package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	neturl "net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/chatsim/chatsim/fakes"
)

// Env is the environment an integration runs in: BP_API_URL, BP_TOKEN,
// BP_WEBHOOK_URL, SECRET_<NAME>, PORT and the fakes' base URLs and
// credentials (TELEGRAM_API_URL, TELEGRAM_BOT_TOKEN, …).
type Env map[string]string

// Getenv looks a variable up; it has the signature of os.Getenv so an
// in-process integration reads its environment the same way a process does.
func (e Env) Getenv(key string) string { return e[key] }

// List returns the environment as sorted KEY=value strings.
func (e Env) List() []string {
	out := make([]string, 0, len(e))
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// Launcher starts the integration under test in a given environment.
type Launcher interface {
	// Launch starts the integration and returns once it answers requests,
	// or fails once LaunchOptions.StartupTimeout has passed, saying what the
	// last readiness check saw.
	Launch(ctx context.Context, env Env, opts LaunchOptions) (Running, error)
	// String names the integration for people ("examples/telegram (in process)").
	String() string
}

// DefaultStartupTimeout bounds how long a launch waits for the integration
// to answer its readiness check.
const DefaultStartupTimeout = 30 * time.Second

// LaunchOptions are what a World hands its Launcher besides the
// environment. The zero value is usable: a real clock, the default startup
// timeout and no progress reports.
type LaunchOptions struct {
	// Clock is the World's clock: an in-process integration's sleeps move
	// it (InProcessOnClock). nil means the wall clock.
	Clock fakes.Clock
	// StartupTimeout bounds the wait for readiness; zero means
	// DefaultStartupTimeout.
	StartupTimeout time.Duration
	// TimeoutName says what sets StartupTimeout, for messages
	// ("--startup-timeout"); empty means "Options.StartupTimeout".
	TimeoutName string
	// Progress, when set, is told every few seconds what the launch is still
	// waiting for ("waiting for http://127.0.0.1:8080/health (3s of 30s):
	// connection refused"), so that a person knows why nothing happens.
	Progress func(line string)
}

func (o LaunchOptions) timeout() time.Duration {
	if o.StartupTimeout > 0 {
		return o.StartupTimeout
	}
	return DefaultStartupTimeout
}

func (o LaunchOptions) timeoutName() string {
	if o.TimeoutName != "" {
		return o.TimeoutName
	}
	return "Options.StartupTimeout"
}

// Running is a launched integration.
type Running interface {
	// URL is where the platform invokes it, with no trailing slash; empty
	// for a bot that serves nothing (a long-polling bot).
	URL() string
	// Output returns what it printed so far (stdout and stderr of a process;
	// empty in process), for failure reports.
	Output() string
	// Exited is closed when the integration stopped on its own (a process
	// that exited, a bot function that returned), never by Close; nil for
	// one whose life chatsim cannot see (a URL).
	Exited() <-chan struct{}
	// Err says how it stopped once Exited is closed: an *ExitError for a
	// process. It is nil while it runs.
	Err() error
	// Close stops it. It is safe to call more than once.
	Close() error
}

// ErrExited is wrapped by the error of an integration that stopped on its
// own while the World needed it.
var ErrExited = errors.New("the integration exited")

// ExitError is how a launched process ended on its own: its exit code (or
// the signal that killed it) and the last lines it printed.
type ExitError struct {
	// Name is the integration, as its Launcher names it.
	Name string
	// Code is the exit code; -1 when a signal ended it.
	Code int
	// Signal names the signal that ended it ("killed"), if one did.
	Signal string
	// Output is the end of what it printed.
	Output string
}

// Error says how it ended, then its last lines of output.
func (e *ExitError) Error() string {
	how := fmt.Sprintf("exited with code %d", e.Code)
	if e.Signal != "" {
		how = "was ended by a signal (" + e.Signal + ")"
	}
	msg := fmt.Sprintf("integration %s %s", e.Name, how)
	if o := strings.TrimSpace(e.Output); o != "" {
		msg += "\n--- its last output ---\n" + lastLines(o, 20, 4000)
	}
	return msg
}

// Unwrap makes errors.Is(err, ErrExited) true.
func (e *ExitError) Unwrap() error { return ErrExited }

// lastLines returns at most n lines and max bytes of the end of s.
func lastLines(s string, n, max int) string {
	s = strings.TrimRight(s, "\n")
	cut := false
	if len(s) > max {
		s, cut = s[len(s)-max:], true
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines, cut = lines[len(lines)-n:], true
	}
	out := strings.Join(lines, "\n")
	if cut {
		out = "…\n" + out
	}
	return out
}

// HandlerFunc builds an in-process integration from its environment, the
// way a process would read os.Getenv.
type HandlerFunc func(getenv func(string) string) (http.Handler, error)

// InProcess runs a Go http.Handler in this process, served on loopback, so
// the platform reaches it over HTTP exactly as it reaches any other
// integration. name is how it is shown to people.
func InProcess(name string, build HandlerFunc) Launcher {
	return inProcess{name: name, build: func(getenv func(string) string, _ Sleep) (http.Handler, error) { return build(getenv) }}
}

// Sleep waits d, or returns ctx.Err() if ctx ends first.
type Sleep func(ctx context.Context, d time.Duration) error

// InProcessOnClock is InProcess for an integration that waits (a 429's
// Retry-After, a backoff): build gets sleep, which moves the World's
// virtual clock by d instead of waiting, so a Retry-After of a minute costs
// nothing and the fakes' rate-limit windows see the minute pass. Outside a
// World (LaunchOptions.Clock nil) sleep waits on a real timer.
func InProcessOnClock(name string, build func(getenv func(string) string, sleep Sleep) (http.Handler, error)) Launcher {
	return inProcess{name: name, build: build}
}

type inProcess struct {
	name  string
	build func(getenv func(string) string, sleep Sleep) (http.Handler, error)
}

func (l inProcess) String() string { return l.name + " (in process)" }

func (l inProcess) Launch(_ context.Context, env Env, opts LaunchOptions) (Running, error) {
	var clock fakes.Clock = fakes.RealClock{}
	if opts.Clock != nil {
		clock = opts.Clock
	}
	h, err := l.build(env.Getenv, func(ctx context.Context, d time.Duration) error { return clock.Sleep(ctx, d) })
	if err != nil {
		return nil, fmt.Errorf("build integration %s: %w", l.name, err)
	}
	srv, err := fakes.Listen("", h)
	if err != nil {
		return nil, fmt.Errorf("serve integration %s: %w", l.name, err)
	}
	return inProcessRunning{srv}, nil
}

type inProcessRunning struct{ srv *fakes.Server }

func (r inProcessRunning) URL() string             { return r.srv.URL }
func (r inProcessRunning) Output() string          { return "" }
func (r inProcessRunning) Exited() <-chan struct{} { return nil }
func (r inProcessRunning) Err() error              { return nil }
func (r inProcessRunning) Close() error            { return r.srv.Close() }

// ErrSpec is wrapped by the errors of ParseSpec and ParseURL: the spec or
// URL cannot name an integration.
var ErrSpec = errors.New("bad integration spec")

// ParseURL checks that u can be an integration's address (an absolute
// http or https URL with a host and nothing after the path) and returns it
// without a trailing slash.
func ParseURL(u string) (string, error) {
	if u == "" {
		return "", fmt.Errorf("%w: empty URL, want http://HOST:PORT", ErrSpec)
	}
	// The rules every address chatsim calls keeps, then the integration's.
	if err := fakes.CheckURL(u); err != nil {
		return "", fmt.Errorf("%w: %w", ErrSpec, err)
	}
	if p, _ := neturl.Parse(u); p.RawQuery != "" || p.Fragment != "" || p.User != nil {
		return "", fmt.Errorf("%w: %q: an integration's URL has no user, query or fragment", ErrSpec, u)
	}
	return strings.TrimRight(u, "/"), nil
}

// parseLauncher turns the launcher part of an integration spec into a
// Launcher: "exec:COMMAND LINE" (a child process, run through sh -c),
// "url:URL" or a bare http(s) URL (already running). Any other spec is an
// error wrapping ErrSpec and errors.ErrUnsupported, for ParseSpec to try
// the names it knows.
func parseLauncher(spec string) (Launcher, error) {
	switch {
	case strings.HasPrefix(spec, "exec:"):
		cmd := strings.TrimSpace(strings.TrimPrefix(spec, "exec:"))
		if cmd == "" {
			return nil, fmt.Errorf("integration %q: %w: exec: needs a command line", spec, ErrSpec)
		}
		c := Exec("sh", "-c", "exec "+cmd)
		c.Name = spec
		return c, nil
	case strings.HasPrefix(spec, "url:"):
		u, err := ParseURL(strings.TrimPrefix(spec, "url:"))
		if err != nil {
			return nil, fmt.Errorf("integration %q: %w", spec, err)
		}
		return urlLauncher(u), nil
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		u, err := ParseURL(spec)
		if err != nil {
			return nil, fmt.Errorf("integration %q: %w", spec, err)
		}
		return urlLauncher(u), nil
	}
	return nil, fmt.Errorf("integration %q: %w: %w: not exec:COMMAND, url:URL or an http(s) URL", spec, ErrSpec, errors.ErrUnsupported)
}

// URL uses an integration that is already running at u (a `bp dev` server,
// a container you started, a debugger session). chatsim never stops it. A
// u that ParseURL refuses fails at Launch; ParseSpec checks it at once.
func URL(u string) Launcher { return urlLauncher(strings.TrimRight(u, "/")) }

type urlLauncher string

func (u urlLauncher) String() string { return string(u) }

func (u urlLauncher) Launch(ctx context.Context, _ Env, opts LaunchOptions) (Running, error) {
	if _, err := ParseURL(string(u)); err != nil {
		return nil, err
	}
	if err := waitReady(ctx, string(u), nil, opts); err != nil {
		return nil, fmt.Errorf("reach integration at %s: %w", string(u), err)
	}
	return urlRunning(u), nil
}

type urlRunning string

func (u urlRunning) URL() string             { return string(u) }
func (u urlRunning) Output() string          { return "" }
func (u urlRunning) Exited() <-chan struct{} { return nil }
func (u urlRunning) Err() error              { return nil }
func (u urlRunning) Close() error            { return nil }

// Command runs the integration as a child process: any language, any
// command line. The process gets the World's environment (BP_API_URL,
// BP_TOKEN, SECRET_*, PORT, TELEGRAM_API_URL, …) on top of this process's
// own, must listen on 127.0.0.1:$PORT, and is ready when GET /health answers
// 200. It runs in a process group of its own, which is stopped (SIGTERM,
// then SIGKILL) on Close; on Linux the group also dies with this process,
// even when it is killed with SIGKILL. Its output is kept for failure
// reports, and an exit of its own is an *ExitError.
type Command struct {
	// Path and Args are the program and its arguments, as in exec.Command.
	Path string
	Args []string
	// Name is how people see it; empty means the command line.
	Name string
	// Dir is the working directory; empty means the current one.
	Dir string
	// Env adds variables to the World's environment.
	Env map[string]string
	// Direct marks a bot that talks to the fakes itself (a Telegram bot on
	// long polling): it listens on no port and is ready once started.
	Direct bool
	// ReadyTimeout, when set, replaces LaunchOptions.StartupTimeout for this
	// command.
	ReadyTimeout time.Duration
}

// Exec returns a Command launcher for name and args.
func Exec(name string, args ...string) *Command { return &Command{Path: name, Args: args} }

// String is the command's name, or its command line.
func (c *Command) String() string {
	if c.Name != "" {
		return c.Name
	}
	return strings.Join(append([]string{c.Path}, c.Args...), " ")
}

// Launch starts the process. The port comes from the kernel: a listener on
// 127.0.0.1:0 is opened and closed just before the start; if another process
// takes the port in between, the launch is tried again on a new port (at most
// three times).
func (c *Command) Launch(ctx context.Context, env Env, opts LaunchOptions) (Running, error) {
	if c.ReadyTimeout > 0 {
		opts.StartupTimeout = c.ReadyTimeout
	}
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		r, retry, err := c.launchOnce(ctx, env, opts)
		if err == nil {
			return r, nil
		}
		last = err
		if !retry {
			break
		}
	}
	return nil, last
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func (c *Command) launchOnce(ctx context.Context, env Env, opts LaunchOptions) (Running, bool, error) {
	port := 0
	if !c.Direct {
		var err error
		if port, err = freePort(); err != nil {
			return nil, false, err
		}
	}
	full := Env{}
	for k, v := range env {
		full[k] = v
	}
	for k, v := range c.Env {
		full[k] = v
	}
	if !c.Direct {
		full["PORT"] = strconv.Itoa(port)
	}
	cmd := supervised(c.Path, c.Args)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), full.List()...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("start integration %s: %w", c, err)
	}
	p := &process{name: c.String(), cmd: cmd, out: out, exited: make(chan struct{}), done: make(chan struct{})}
	if !c.Direct {
		p.url = "http://127.0.0.1:" + strconv.Itoa(port)
	}
	go p.wait()
	if c.Direct {
		return p, false, nil
	}
	if err := waitReady(ctx, p.url, p.done, opts); err != nil {
		exitErr := p.Err()
		_ = p.Close()
		retry := strings.Contains(out.String(), "address already in use")
		if exitErr != nil {
			return nil, retry, fmt.Errorf("wait for integration %s on %s: %w", c, p.url, exitErr)
		}
		return nil, retry, fmt.Errorf("wait for integration %s on %s: %w\n--- its output ---\n%s", c, p.url, err, lastLines(out.String(), 20, 4000))
	}
	return p, false, nil
}

type process struct {
	name    string
	cmd     *exec.Cmd
	out     *lockedBuffer
	url     string
	done    chan struct{} // closed when the process has exited, for any reason
	exited  chan struct{} // closed when it exited on its own (not by Close)
	mu      sync.Mutex
	closing bool
	err     error // how it exited on its own
	once    sync.Once
}

// wait reaps the process and says how it ended.
func (p *process) wait() {
	werr := p.cmd.Wait()
	p.mu.Lock()
	own := !p.closing
	if own {
		e := &ExitError{Name: p.name, Code: p.cmd.ProcessState.ExitCode(), Output: p.out.String()}
		if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			e.Signal = ws.Signal().String()
		} else if code, ok := supervisedSignal(e.Code); ok {
			e.Code, e.Signal = -1, code
		}
		if e.Code == -1 && e.Signal == "" && werr != nil {
			e.Signal = werr.Error()
		}
		p.err = e
	}
	p.mu.Unlock()
	close(p.done)
	if own {
		close(p.exited)
	}
}

func (p *process) URL() string             { return p.url }
func (p *process) Output() string          { return p.out.String() }
func (p *process) Exited() <-chan struct{} { return p.exited }

func (p *process) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

func (p *process) Close() error {
	p.once.Do(func() {
		p.mu.Lock()
		select {
		case <-p.done:
		default:
			p.closing = true
		}
		p.mu.Unlock()
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-p.done:
		case <-t.C:
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-p.done
		}
		// What the group left behind (a child that ignored SIGTERM after its
		// parent went) goes too.
		_ = syscall.Kill(pgid, syscall.SIGKILL)
	})
	return nil
}

// progressEvery is how often a launch that is still waiting says so.
const progressEvery = 3 * time.Second

// waitReady polls GET url/health until it answers 200, the startup timeout
// passes, ctx ends or exited is closed. Every few seconds it tells
// opts.Progress what the last check saw; the error says it too.
func waitReady(ctx context.Context, url string, exited <-chan struct{}, opts LaunchOptions) error {
	limit := opts.timeout()
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	report := time.NewTicker(progressEvery)
	defer report.Stop()
	last := errors.New("no answer yet")
	for {
		// A check the deadline cuts short says what it met too: when it
		// had connected, something listens there and did not answer.
		var connected atomic.Bool
		trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
		began := time.Now()
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, url+"/health", nil)
		if err != nil {
			return fmt.Errorf("build health check: %w", err)
		}
		resp, err := client.Do(req)
		switch {
		case err == nil:
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("GET /health answered %s", resp.Status)
		case ctx.Err() == nil:
			last = healthError(err)
		case connected.Load():
			last = fmt.Errorf("no answer within %s (something listens, but does not answer HTTP)", time.Since(began).Round(100*time.Millisecond))
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("not ready within the %s startup timeout (%s); the last health check: %v", limit, opts.timeoutName(), last)
			}
			return fmt.Errorf("%w (the last health check: %v)", ctx.Err(), last)
		case <-exited:
			return errors.New("the process exited before it answered GET /health")
		case <-report.C:
			if opts.Progress != nil {
				opts.Progress(fmt.Sprintf("waiting for %s/health (%s of %s): %v", url, time.Since(start).Round(time.Second), limit, last))
			}
		case <-tick.C:
		}
	}
}

// healthError says what a failed health check met, in words: the
// transport's own error names the URL and method again.
func healthError(err error) error {
	var ue *neturl.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused (nothing listens there)")
	case errors.As(err, &ne) && ne.Timeout():
		return errors.New("no answer within 2s (something listens, but does not answer HTTP)")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("the connection closed without an HTTP answer")
	}
	return err
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 { // keep the last MiB or so
		rest := b.buf.Bytes()[b.buf.Len()-(1<<19):]
		b.buf = *bytes.NewBuffer(append([]byte("…\n"), rest...))
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
