package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	// Launch starts the integration and returns once it answers requests.
	Launch(ctx context.Context, env Env) (Running, error)
	// String names the integration for people ("examples/telegram (in process)").
	String() string
}

// Running is a launched integration.
type Running interface {
	// URL is where the platform invokes it, with no trailing slash.
	URL() string
	// Output returns what it printed so far (stdout and stderr of a process;
	// empty in process), for failure reports.
	Output() string
	// Close stops it. It is safe to call more than once.
	Close() error
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
// World (Launch called directly) sleep waits on a real timer.
func InProcessOnClock(name string, build func(getenv func(string) string, sleep Sleep) (http.Handler, error)) Launcher {
	return inProcess{name: name, build: build}
}

type inProcess struct {
	name  string
	build func(getenv func(string) string, sleep Sleep) (http.Handler, error)
}

func (l inProcess) String() string { return l.name + " (in process)" }

func (l inProcess) Launch(ctx context.Context, env Env) (Running, error) {
	return l.launchOnClock(ctx, env, fakes.RealClock{})
}

// clockLauncher is a Launcher the World hands its clock to.
type clockLauncher interface {
	launchOnClock(ctx context.Context, env Env, clock fakes.Clock) (Running, error)
}

func (l inProcess) launchOnClock(_ context.Context, env Env, clock fakes.Clock) (Running, error) {
	h, err := l.build(env.Getenv, func(ctx context.Context, d time.Duration) error { return fakes.Sleep(ctx, clock, d) })
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

func (r inProcessRunning) URL() string    { return r.srv.URL }
func (r inProcessRunning) Output() string { return "" }
func (r inProcessRunning) Close() error   { return r.srv.Close() }

// URL uses an integration that is already running at u (a `bp dev` server,
// a container you started, a debugger session). chatsim never stops it.
func URL(u string) Launcher { return urlLauncher(strings.TrimRight(u, "/")) }

type urlLauncher string

func (u urlLauncher) String() string { return string(u) }

func (u urlLauncher) Launch(ctx context.Context, _ Env) (Running, error) {
	if err := waitHealthy(ctx, string(u), nil); err != nil {
		return nil, fmt.Errorf("reach integration at %s: %w", string(u), err)
	}
	return urlRunning(u), nil
}

type urlRunning string

func (u urlRunning) URL() string    { return string(u) }
func (u urlRunning) Output() string { return "" }
func (u urlRunning) Close() error   { return nil }

// Command runs the integration as a child process: any language, any
// command line. The process gets the World's environment (BP_API_URL,
// BP_TOKEN, SECRET_*, PORT, TELEGRAM_API_URL, …) on top of this process's
// own, must listen on 127.0.0.1:$PORT, and is ready when GET /health answers
// 200. It is killed (SIGTERM, then SIGKILL) on Close, and its output is kept
// for failure reports.
type Command struct {
	// Path and Args are the program and its arguments, as in exec.Command.
	Path string
	Args []string
	// Dir is the working directory; empty means the current one.
	Dir string
	// Env adds variables to the World's environment.
	Env map[string]string
	// Direct marks a bot that talks to the fakes itself (a Telegram bot on
	// long polling): it listens on no port and is ready once started.
	Direct bool
	// ReadyTimeout bounds the wait for /health; zero means 60 seconds (the
	// first `go run` may compile).
	ReadyTimeout time.Duration
}

// Exec returns a Command launcher for name and args.
func Exec(name string, args ...string) *Command { return &Command{Path: name, Args: args} }

// String is the command line.
func (c *Command) String() string { return strings.Join(append([]string{c.Path}, c.Args...), " ") }

// Launch starts the process. The port comes from the kernel: a listener on
// 127.0.0.1:0 is opened and closed just before the start; if another process
// takes the port in between, the launch is tried again on a new port (at most
// three times).
func (c *Command) Launch(ctx context.Context, env Env) (Running, error) {
	var last error
	for attempt := 0; attempt < 3; attempt++ {
		r, retry, err := c.launchOnce(ctx, env)
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

func (c *Command) launchOnce(ctx context.Context, env Env) (Running, bool, error) {
	port, err := freePort()
	if err != nil {
		return nil, false, err
	}
	if c.Direct {
		port = 0
	}
	cmd := exec.Command(c.Path, c.Args...)
	cmd.Dir = c.Dir
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
	cmd.Env = append(os.Environ(), full.List()...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // kill `go run` and its child together
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("start integration %s: %w", c, err)
	}
	p := &process{cmd: cmd, out: out, url: "http://127.0.0.1:" + strconv.Itoa(port), exited: make(chan struct{})}
	go func() { p.waitErr = cmd.Wait(); close(p.exited) }()
	if c.Direct {
		p.url = ""
		return p, false, nil
	}
	timeout := c.ReadyTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := waitHealthy(rctx, p.url, p.exited); err != nil {
		_ = p.Close()
		retry := strings.Contains(out.String(), "address already in use")
		return nil, retry, fmt.Errorf("wait for integration %s on %s: %w\n--- its output ---\n%s", c, p.url, err, tail(out.String(), 4000))
	}
	return p, false, nil
}

type process struct {
	cmd     *exec.Cmd
	out     *lockedBuffer
	url     string
	exited  chan struct{}
	waitErr error
	once    sync.Once
}

func (p *process) URL() string    { return p.url }
func (p *process) Output() string { return p.out.String() }

func (p *process) Close() error {
	p.once.Do(func() {
		pgid := -p.cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(pgid, syscall.SIGKILL)
			<-p.exited
		}
	})
	return nil
}

// waitHealthy polls GET url/health until it answers 200, ctx ends or exited
// is closed. The error says what the last attempt saw.
func waitHealthy(ctx context.Context, url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/health", nil)
		if err != nil {
			return fmt.Errorf("build health check: %w", err)
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("GET /health answered %s", resp.Status)
		} else {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last health check: %v)", ctx.Err(), last)
		case <-exited:
			return errors.New("the process exited before it answered GET /health")
		case <-tick.C:
		}
	}
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
