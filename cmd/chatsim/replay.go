package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/internal/atomicfile"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// demoCassette is the bundled conversation `chatsim replay` plays with no arguments.
const demoCassette = "order.cassette"

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("replay", flag.ContinueOnError)
	integration := fset.String("integration", "", "integration to run: a bundled name (examples/telegram), exec:COMMAND, url:URL or an http(s) URL (default: the cassette's hint, else examples/telegram)")
	defPath := fset.String("definition", "", "integration definition (JSON or YAML, the shape `bp read` prints); bundled integrations bring their own")
	golden := fset.String("golden", "", "compare the rendered journal with this golden file; a mismatch shows a diff and exits 1 (default: the cassette's own, X.golden beside X.cassette, when it exists)")
	update := fset.Bool("update", false, "write the rendered journal to the golden file (--golden, else X.golden beside X.cassette) instead of comparing")
	config := fset.String("config", "", "configuration JSON for the install, overriding the cassette's; ${VAR} expands from the world's environment")
	quiet := fset.Bool("quiet", false, "print only the summary line (and a diff on mismatch)")
	strict := fset.Bool("strict", false, "fail when the integration refused or did not answer any delivery")
	strictOutbound := fset.Bool("strict-outbound", false, "fail when the integration's calls to the platform in a turn differ from the calls the cassette recorded for it (a recorded cassette)")
	stepTimeout := fset.Duration("step-timeout", sim.DefaultStepTimeout, "how long each delivery may take to settle: the integration's answer and every call it started")
	startupTimeout := fset.Duration("startup-timeout", sim.DefaultStartupTimeout, "how long an exec: or url: integration may take to answer GET /health")
	fset.Usage = usageFunc(fset, "chatsim replay [CASSETTE] [--integration SPEC] [--definition FILE] [--golden FILE] [--update] [--strict] [--strict-outbound]",
		`Replay the inbound deliveries of a cassette through an integration and render the journal: the platform's
captures and the calls the integration made to the fakes, with ids aliased and virtual time.
With no CASSETTE it replays the bundled demo conversation through the bundled Telegram example.
A cassette's golden journal sits beside it: X.cassette is checked against X.golden when that exists
(the demo against its own), and --update rewrites X.golden; --golden FILE names another.
Exit codes: 0 ok; 1 a contract violation, an integration error, an integration that exited, a step
that timed out, a golden mismatch (or, with --strict, a refused delivery; with --strict-outbound, calls
that differ from the recorded ones); 2 usage or unreadable or
malformed input; 130 interrupted.`)
	pos, code, ok := parseInterleaved(fset, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "chatsim replay:", err)
		return code
	}
	switch {
	case len(pos) > 1:
		return fail(exitUsage, fmt.Errorf("want at most one cassette, got %d arguments", len(pos)))
	case *update && *golden == "" && len(pos) == 0:
		return fail(exitUsage, fmt.Errorf("--update needs --golden FILE with the bundled demo: its golden %s is built into chatsim (regenerate it with go test ./sim -run TestReplayGolden -update)", demoGolden))
	case *stepTimeout <= 0:
		return fail(exitUsage, fmt.Errorf("--step-timeout %s: want a positive duration", *stepTimeout))
	case *startupTimeout <= 0:
		return fail(exitUsage, fmt.Errorf("--startup-timeout %s: want a positive duration", *startupTimeout))
	}

	name, open := demoPath, openDemo
	if len(pos) == 1 {
		name = pos[0]
		open = func() (io.ReadCloser, error) { return os.Open(name) }
	}
	src, err := open()
	if err != nil {
		return fail(exitUsage, err)
	}
	defer src.Close()
	r, err := cassette.NewReader(src, name)
	if err != nil {
		return fail(exitUsage, err)
	}
	h := r.Header()

	spec := *integration
	if spec == "" {
		spec = h.Integration
	}
	if spec == "" {
		spec = "examples/telegram"
	}
	other := "" // an integration other than the one the cassette names
	if h.Integration != "" && spec != h.Integration {
		other = spec
	}
	g, note, err := findGolden(*golden, pos, *update, h.Integration, other)
	if err != nil {
		return fail(exitUsage, err)
	}
	if note != "" && !*quiet {
		fmt.Fprintln(stderr, "chatsim replay:", note)
	}
	in, err := resolveIntegration(spec, *defPath)
	if err != nil {
		return fail(exitUsage, err)
	}
	if *config != "" {
		if err := checkJSONObject(*config); err != nil {
			return fail(exitUsage, fmt.Errorf("--config: %w", err))
		}
		in.Configuration = json.RawMessage(*config)
	}
	opts, err := sim.SetupFromHeader(h, sim.Options{Integration: in})
	if err != nil {
		return fail(exitUsage, fmt.Errorf("%s: %w", name, err))
	}
	opts.StepTimeout, opts.StepTimeoutName = *stepTimeout, "--step-timeout"
	opts.StartupTimeout, opts.StartupTimeoutName = *startupTimeout, "--startup-timeout"
	opts.Progress = func(line string) { fmt.Fprintln(stderr, "chatsim replay:", line) }

	journal, err := openJournal(g, *update, *quiet)
	if err != nil {
		return fail(exitFailed, err)
	}
	defer journal.close()

	if !*quiet {
		fmt.Fprintf(stdout, "replaying %s through %s\n", name, opts.Integration)
	}
	w, err := sim.Start(ctx, opts)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			fmt.Fprintln(stderr, "chatsim replay: interrupted while starting")
			return exitInterrupted
		case errors.Is(err, sim.ErrConfig):
			return fail(exitUsage, err)
		}
		return fail(exitFailed, err)
	}
	defer w.Close()

	bar := startProgress(stderr)
	go func() { bar.SetTotal(countDeliveries(open, name)) }()
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{Strict: *strict, StrictOutbound: *strictOutbound, OnStep: func(int, string) { bar.Step() }, Journal: journal})
	bar.Stop()
	if err != nil {
		var cerr *cassette.Error
		switch {
		case ctx.Err() != nil:
			fmt.Fprintf(stderr, "chatsim replay: interrupted after %s\n", count(res.Deliveries, "delivery", "deliveries"))
			printSoFar(stderr, res, journal.tail)
			return exitInterrupted
		case errors.As(err, &cerr), errors.Is(err, sim.ErrCassette), errors.Is(err, fakes.ErrBadDelivery):
			return fail(exitUsage, err)
		}
		fmt.Fprintln(stderr, "chatsim replay:", err)
		printSoFar(stderr, res, journal.tail)
		return exitFailed
	}
	if res.Deliveries == 0 {
		fmt.Fprintf(stderr, "chatsim replay: warning: %s has 0 deliveries (only a header): nothing was replayed\n", name)
	}
	if !*quiet {
		printConversation(stdout, res)
	}

	failed := false
	switch {
	case journal.update != nil:
		if err := journal.update.Commit(); err != nil {
			return fail(exitFailed, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", g.path)
	case journal.check != nil:
		d, err := journal.check.Diff()
		if err != nil {
			return fail(exitFailed, err)
		}
		if d != "" {
			failed = true
			if *quiet {
				printConversation(stdout, res)
			}
			fmt.Fprint(stdout, d)
		} else if !*quiet {
			fmt.Fprintf(stdout, "journal matches %s\n", g.path)
		}
	case journal.spool != nil:
		fmt.Fprintln(stdout, "journal:")
		if err := journal.print(stdout); err != nil {
			return fail(exitFailed, err)
		}
	}
	for _, v := range res.ViolationLines {
		fmt.Fprintln(stdout, v)
	}
	for _, f := range res.Failures {
		fmt.Fprintln(stdout, f)
	}
	for _, u := range res.Unanswered {
		fmt.Fprintln(stdout, u)
	}
	for _, m := range res.OutboundMismatches {
		fmt.Fprintln(stdout, m)
	}
	if n := res.OutboundMismatchCount - len(res.OutboundMismatches); n > 0 {
		fmt.Fprintf(stdout, "… and %d more turns whose calls differ\n", n)
	}
	fmt.Fprintf(stdout, "%s · %s\n", summary(res), res.Elapsed.Round(100_000))
	if failed || res.Failed() {
		return exitFailed
	}
	return exitOK
}

// demoPath names the bundled demo cassette in messages, demoGolden its
// golden journal, built in beside it.
const (
	demoPath   = "examples/telegram/cassettes/" + demoCassette
	demoGolden = "examples/telegram/cassettes/order.golden"
)

// golden is the golden journal a replay checks or, with --update, writes:
// path names it ("" for none); open opens it, from disk or, for the
// bundled demo, from what chatsim has built in.
type golden struct {
	path string
	open func() (io.ReadCloser, error)
}

// findGolden returns the golden journal of a replay: --golden FILE when
// given; else the cassette's own (X.golden beside X.cassette, when it
// exists or update is to create it; the built-in one for the bundled
// demo) when the run goes through the integration the cassette names
// (other is "" then), since the golden is that integration's journal.
// Through another, it checks nothing and note says why; updating the
// cassette's own golden from it is a usage error.
func findGolden(flagGolden string, pos []string, update bool, hint, other string) (g golden, note string, err error) {
	fromDisk := func(p string) golden {
		return golden{path: p, open: func() (io.ReadCloser, error) { return os.Open(p) }}
	}
	if flagGolden != "" {
		return fromDisk(flagGolden), "", nil
	}
	var own golden
	if len(pos) == 0 {
		own = golden{path: demoGolden, open: func() (io.ReadCloser, error) {
			return tgexample.Cassettes().Open(path.Base(demoGolden))
		}}
	} else {
		own = fromDisk(sidecarGolden(pos[0]))
		if _, err := os.Stat(own.path); errors.Is(err, fs.ErrNotExist) && !update {
			return golden{}, "", nil // no golden beside it: nothing to check
		}
	}
	switch {
	case other == "":
		return own, "", nil
	case update:
		return golden{}, "", fmt.Errorf("--update would rewrite %s, the journal of %s, with a run through %s: pass --golden FILE", own.path, hint, other)
	}
	return golden{}, fmt.Sprintf("not checking %s: it is the journal of %s, not of %s (--golden %s checks it anyway)", own.path, hint, other, own.path), nil
}

// sidecarGolden names the golden journal beside a cassette: the same
// directory and base name, ".golden" for its extension
// (testdata/order.cassette → testdata/order.golden).
func sidecarGolden(cassettePath string) string {
	return strings.TrimSuffix(cassettePath, filepath.Ext(cassettePath)) + ".golden"
}

// openDemo opens the bundled demo cassette.
func openDemo() (io.ReadCloser, error) {
	f, err := tgexample.Cassettes().Open(demoCassette)
	if err != nil {
		return nil, fmt.Errorf("open the bundled demo: %w", err)
	}
	return f, nil
}

// countDeliveries counts the inbound entries of the cassette open opens, for
// the progress line; 0 when it cannot (the replay itself reports why).
func countDeliveries(open func() (io.ReadCloser, error), name string) int {
	src, err := open()
	if err != nil {
		return 0
	}
	defer src.Close()
	r, err := cassette.NewReader(src, name)
	if err != nil {
		return 0
	}
	n := 0
	for {
		e, err := r.Next()
		if err != nil {
			return n
		}
		if e.Direction == cassette.Inbound {
			n++
		}
	}
}

// summary renders the replay's one-line summary, with counts people read
// ("1 delivery", "3 deliveries refused by the integration").
func summary(res *sim.Result) string {
	parts := []string{
		count(res.Deliveries, "delivery", "deliveries"),
		count(res.Captures, "platform capture", "platform captures"),
		count(res.Calls, "chat platform call", "chat platform calls"),
		count(res.ViolationCount, "contract violation", "contract violations"),
	}
	if n := res.IntegrationErrors; n > 0 {
		parts = append(parts, count(n, "integration error", "integration errors"))
	}
	if res.Refused > 0 {
		parts = append(parts, count(res.Refused, "delivery", "deliveries")+" refused by the integration")
	}
	if res.Undelivered > 0 {
		parts = append(parts, count(res.Undelivered, "delivery", "deliveries")+" not delivered")
	}
	if n := res.OutboundMismatchCount; n > 0 {
		parts = append(parts, count(n, "turn", "turns")+" whose calls differ from the recording")
	}
	return strings.Join(parts, " · ")
}

// printSoFar prints what a replay that stopped had produced: the
// conversation and the end of the journal.
func printSoFar(w io.Writer, res *sim.Result, journal *tailLines) {
	if res == nil {
		return
	}
	fmt.Fprint(w, sim.ConversationSoFar(res.Turns(), ""))
	if lines := journal.lines(); len(lines) > 0 {
		fmt.Fprintln(w, "journal so far:")
		if n := journal.dropped; n > 0 {
			fmt.Fprintf(w, "  … %d earlier lines\n", n)
		}
		for _, l := range lines {
			io.WriteString(w, indent(l, "  "))
		}
	}
}

// checkJSONObject says what is wrong when s is not one JSON object.
func checkJSONObject(s string) error {
	var v any
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("not valid JSON at byte %d: %v", se.Offset, se)
		}
		return fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	if _, ok := v.(map[string]any); !ok {
		return errors.New("want a JSON object, like {\"botToken\":\"${TELEGRAM_BOT_TOKEN}\"}")
	}
	return nil
}

// printConversation prints the conversation a replay had, indented: its
// last turns (sim.MaxTurns) after a line counting the earlier ones.
func printConversation(w io.Writer, res *sim.Result) {
	fmt.Fprint(w, sim.Transcript(res.Turns(), "  "))
}

// journalOut is where a replay streams its journal (sim.ReplayOptions.Journal)
// so that no part of chatsim holds it whole: the golden file it is checked
// against (check) or rewrites (update), a spool it is printed from once the
// conversation has been, or nowhere (--quiet with no golden); and always
// its last lines (tail), for a replay that stops.
type journalOut struct {
	io.Writer
	check  *sim.GoldenCheck
	want   io.Closer // what check reads
	update *atomicfile.File
	spool  *os.File
	tail   *tailLines
}

// journalTail is how many of the journal's last lines a replay that
// stops shows.
const journalTail = 200

// openJournal opens where a replay's journal goes: the golden g, written
// with update, else checked against, else (not quiet) a spool.
func openJournal(g golden, update, quiet bool) (*journalOut, error) {
	j := &journalOut{tail: &tailLines{max: journalTail}}
	to := []io.Writer{j.tail}
	switch {
	case g.path != "" && update:
		f, err := atomicfile.Create(g.path)
		if err != nil {
			return nil, err
		}
		j.update = f
		to = append(to, f)
	case g.path != "":
		rc, err := g.open()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("golden file %s does not exist; create it with --update", g.path)
		}
		if err != nil {
			return nil, fmt.Errorf("open golden file: %w", err)
		}
		j.want, j.check = rc, sim.NewGoldenCheck(g.path, rc)
		to = append(to, j.check)
	case !quiet:
		f, err := os.CreateTemp("", "chatsim-journal-*")
		if err != nil {
			return nil, fmt.Errorf("spool the journal: %w", err)
		}
		j.spool = f
		to = append(to, f)
	}
	j.Writer = io.MultiWriter(to...)
	return j, nil
}

// print prints the spooled journal to w, each line indented.
func (j *journalOut) print(w io.Writer) error {
	if _, err := j.spool.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read the spooled journal: %w", err)
	}
	r := bufio.NewReader(j.spool)
	for {
		line, err := r.ReadString('\n')
		io.WriteString(w, indent(line, "  "))
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the spooled journal: %w", err)
		}
	}
}

// close lets go of the golden file, the spool and an update not
// committed.
func (j *journalOut) close() {
	if j.want != nil {
		j.want.Close()
	}
	if j.update != nil {
		j.update.Abort()
	}
	if j.spool != nil {
		j.spool.Close()
		os.Remove(j.spool.Name())
	}
}

// tailLines keeps the last max lines written to it and counts those it
// let go of.
type tailLines struct {
	max     int
	ring    []string
	next    int // where the next line goes once the ring is full
	dropped int
	pending []byte // a line not yet written whole
}

// Write keeps p's lines.
func (t *tailLines) Write(p []byte) (int, error) {
	t.pending = append(t.pending, p...)
	for {
		i := bytes.IndexByte(t.pending, '\n')
		if i < 0 {
			break
		}
		t.add(string(t.pending[:i+1]))
		t.pending = t.pending[i+1:]
	}
	if len(t.pending) == 0 {
		t.pending = nil
	}
	return len(p), nil
}

func (t *tailLines) add(line string) {
	if len(t.ring) < t.max {
		t.ring = append(t.ring, line)
		return
	}
	t.ring[t.next] = line
	t.next = (t.next + 1) % t.max
	t.dropped++
}

// lines returns the lines kept, in order.
func (t *tailLines) lines() []string {
	out := append(slices.Clone(t.ring[t.next:]), t.ring[:t.next]...)
	if len(t.pending) > 0 {
		out = append(out, string(t.pending)+"\n")
	}
	return out
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		if line != "\n" {
			b.WriteString(prefix)
		}
		b.WriteString(line)
	}
	return b.String()
}
