package features

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gherkin "github.com/cucumber/gherkin/go/v26"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// ErrInterrupted is returned by Execute when its context ended during the
// run: the scenarios it stopped are in Result.Interrupted, the ones it did
// not begin are counted in Result.Skipped.
var ErrInterrupted = errors.New("interrupted")

// ErrParse is returned when a feature file cannot be read or parsed; the
// error names the file and line.
var ErrParse = errors.New("parse features")

// Options configure a run. The zero value runs the features under
// "features", in file order, one scenario at a time, with godog's
// "progress" output discarded (Run) or on Output (Execute).
type Options struct {
	// Paths are .feature files or directories; empty means "features".
	Paths []string
	// Update rewrites golden files instead of comparing them.
	Update bool
	// Randomize shuffles the scenarios of each feature with this seed; -1
	// picks a random seed (Result.Seed; Run logs it); 0 keeps file order.
	Randomize int64
	// Lax lets scenarios with undefined or pending steps pass as
	// undefined. Without it they fail: an undefined step is named by its
	// file:line with the library's closest steps (ErrUndefinedStep).
	Lax bool
	// Strict fails a scenario on any delivery the integration refused or
	// missed that the scenario does not assert (Then the integration
	// refused 1 delivery, … missed 1 delivery). Without it only a scenario
	// whose every delivery was refused fails for it. (Undefined and pending
	// steps fail either way, unless Lax.)
	Strict bool
	// Concurrency is how many scenarios run at once; 0 means 1.
	Concurrency int
	// Tags filters scenarios by godog tag expression ("@telegram && ~@slow").
	Tags string
	// Format is the godog formatter: "progress" (the default), "pretty",
	// "cucumber", "junit".
	Format string
	// Output receives the formatter's output; nil discards it in Run and
	// means io.Discard in Execute too.
	Output io.Writer
	// NoColor turns colors off in the formatter's output.
	NoColor bool
	// Integrations are the integrations a scenario can name in `Given the
	// integration "NAME"`, besides exec: and url: specs: your own
	// (sim.CatalogOf(sim.Integration{Name: "mine", Launcher: …})), the
	// bundled examples (chatsim test passes examples/bundled.Catalog()).
	Integrations sim.Catalog
	// StepTimeout bounds each step; zero means sim.DefaultStepTimeout.
	StepTimeout time.Duration
	// StepTimeoutName is how people set StepTimeout ("--step-timeout"),
	// named when a step runs out of it; empty means "StepTimeout".
	StepTimeoutName string
	// StartupTimeout bounds how long a launched integration (exec:, url:)
	// may take to answer its health check; zero means
	// sim.DefaultStartupTimeout. StartupTimeoutName is how people set it
	// ("--startup-timeout"), named when it runs out; empty means
	// "StartupTimeout".
	StartupTimeout     time.Duration
	StartupTimeoutName string
	// Progress, when set, is told every few seconds what a scenario's
	// integration is still waiting for as it starts ("Feature / Scenario:
	// waiting for http://127.0.0.1:8080/health (3s of 30s): connection
	// refused …"), so that a person knows why nothing happens.
	Progress func(line string)
}

// Result counts what a run did.
type Result struct {
	Scenarios, Passed, Failed, Undefined int
	// Seed is what the scenarios were shuffled with; 0 in file order.
	Seed int64
	// IntegrationErrors counts the operations the integration failed,
	// Refused the deliveries it answered with an error status, and
	// Undelivered those that got no answer at all, in every scenario.
	IntegrationErrors, Refused, Undelivered int
	// Failures are the explanations of the failed scenarios, in the order
	// they failed.
	Failures []string
	// Interrupted are the scenarios the context stopped midway, and
	// Skipped counts those it ended before they began.
	Interrupted []Interrupted
	Skipped     int
}

// OK reports whether no scenario failed or was interrupted (undefined
// ones fail unless the run was lax).
func (r Result) OK() bool { return r.Failed == 0 && len(r.Interrupted) == 0 && r.Skipped == 0 }

// Interrupted is a scenario the run's context ended midway (Ctrl-C): where
// it was and what had happened so far.
type Interrupted struct {
	// Scenario is "Feature / Scenario"; At is the step's "file:line".
	Scenario, At string
	// Number and Step are the step it was in (Mid) or was about to begin,
	// Step with its keyword.
	Number int
	Step   string
	Mid    bool
	// Pending is what the step was still waiting for.
	Pending []string
	// Conversation is the transcript so far ("ada  ▸ menu"), Journal the
	// whole journal so far, ids aliased as in a golden journal.
	Conversation []string
	Journal      string
}

// String renders where the scenario stopped and what had happened, one
// fact a line, as a StepFailure does.
func (in Interrupted) String() string {
	var b strings.Builder
	where := "at"
	if !in.Mid {
		where = "before"
	}
	fmt.Fprintf(&b, "%s: interrupted %s step %d: %s\n", in.At, where, in.Number, in.Step)
	if len(in.Pending) > 0 {
		fmt.Fprintf(&b, "  still waiting for: %s\n", strings.Join(in.Pending, ", "))
	}
	b.WriteString(sim.ConversationSoFar(in.Conversation, "  "))
	if j := strings.TrimRight(in.Journal, "\n"); j != "" {
		fmt.Fprintf(&b, "  journal so far:\n%s\n", indent(j, "    "))
	} else {
		b.WriteString("  journal so far: (empty)\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// Summary renders "N scenarios (N passed, N failed)" in one line, with the
// integration errors, refused and undelivered deliveries when there were
// any: "… · 1 integration error · 2 refused deliveries".
func (r Result) Summary() string {
	parts := []string{fmt.Sprintf("%d passed", r.Passed)}
	if r.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", r.Failed))
	}
	if r.Undefined > 0 {
		parts = append(parts, fmt.Sprintf("%d undefined", r.Undefined))
	}
	if len(r.Interrupted) > 0 {
		parts = append(parts, fmt.Sprintf("%d interrupted", len(r.Interrupted)))
	}
	if r.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", r.Skipped))
	}
	sum := fmt.Sprintf("%s (%s)", plural(r.Scenarios, "scenario", "scenarios"), strings.Join(parts, ", "))
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{r.IntegrationErrors, "integration error", "integration errors"},
		{r.Refused, "refused delivery", "refused deliveries"},
		{r.Undelivered, "missed delivery", "missed deliveries"},
	} {
		if c.n > 0 {
			sum += " · " + plural(c.n, c.one, c.many)
		}
	}
	return sum
}

// plural is "1 scenario", "2 scenarios", "0 scenarios".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Run runs the features as subtests of t: every scenario is a subtest with
// a World of its own, closed when it ends. A failing step fails its
// subtest with an explanation (StepFailure). Run fails t when the features
// cannot be parsed or there are none.
func Run(t *testing.T, opts Options) {
	t.Helper()
	res, err := execute(context.Background(), opts, t)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Randomize < 0 {
		t.Logf("scenarios in a random order, seed %d (Randomize: %d replays it)", res.Seed, res.Seed)
	}
	if res.Scenarios == 0 {
		t.Fatalf("no scenarios in %s", strings.Join(opts.paths(), ", "))
	}
	if !res.OK() && !t.Failed() {
		t.Errorf("%s", res.Summary())
	}
}

// Execute runs the features outside go test (chatsim test): the
// formatter's output goes to Options.Output; the summary and the failures
// are the Result's to tell. The error is ErrParse (a malformed feature
// file, named with its line) or another setup error; failed scenarios are
// in the Result. When ctx ends during the run (Ctrl-C), the scenarios
// running stop at once, their Worlds closed once what they did is in
// Result.Interrupted, the rest are skipped, and the error is
// ErrInterrupted.
func Execute(ctx context.Context, opts Options) (Result, error) {
	return execute(ctx, opts, nil)
}

// expandPaths lists the .feature files under each directory of paths, as
// go test does packages: directories named testdata, or starting with "."
// or "_", are skipped. Files are kept as given, if they are .feature files.
func expandPaths(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrParse, err)
		}
		if !st.IsDir() {
			if filepath.Ext(p) != ".feature" {
				return nil, fmt.Errorf("%w: %s: not a feature file (want .feature files or directories of them)", ErrParse, p)
			}
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() && path != p && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(name, ".feature") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrParse, err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s: no .feature files in it or below it (testdata, .* and _* are skipped)", ErrParse, strings.Join(paths, ", "))
	}
	return out, nil
}

func (o Options) paths() []string {
	if len(o.Paths) == 0 {
		return []string{"features"}
	}
	return o.Paths
}

// runState is what the scenarios of one run share: the options and the
// counts, behind a mutex.
type runState struct {
	opts Options
	t    *testing.T
	ctx  context.Context // ends the run early

	names     map[string]string // feature file → feature name; read-only once running
	locations locations         // read-only once running
	lib       *library

	mu     sync.Mutex
	res    Result
	worlds map[*Scenario]bool
}

func (r *runState) featureName(uri string) string { return r.names[uri] }

func (r *runState) finished(s *Scenario, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Scenarios++
	switch {
	case err == nil && !s.undefinedSeen:
		r.res.Passed++
	case err == nil, errors.Is(err, godog.ErrUndefined), errors.Is(err, godog.ErrPending):
		if r.opts.Lax {
			r.res.Undefined++
			break
		}
		// godog fails a pending step when not lax; an undefined one never
		// gets here (failUndefined).
		r.res.Failed++
		r.res.Failures = append(r.res.Failures, s.title()+"\n"+s.stepAt()+": pending step: "+s.stepText())
	default:
		r.res.Failed++
		r.res.Failures = append(r.res.Failures, err.Error())
	}
}

// skip counts a scenario the run's context ended before it began.
func (r *runState) skip() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Scenarios++
	r.res.Skipped++
}

// interrupt counts a scenario the run's context stopped midway.
func (r *runState) interrupt(in Interrupted) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.Scenarios++
	r.res.Interrupted = append(r.res.Interrupted, in)
}

// stepless counts a scenario with no steps, which is undefined: it fails
// unless the run is lax.
func (r *runState) stepless(uri string, p *messages.Pickle) {
	r.res.Scenarios++
	if r.opts.Lax {
		r.res.Undefined++
		return
	}
	title := p.Name
	if f := r.names[uri]; f != "" {
		title = f + " / " + p.Name
	}
	r.res.Failed++
	r.res.Failures = append(r.res.Failures, title+"\n"+r.locations.at(uri, p.AstNodeIds[0])+": the scenario has no steps")
}

// counted adds what w's journal counted to the run's totals.
func (r *runState) counted(w *sim.World) {
	errs, refused, missed := w.Journal.Count(fakes.IntegrationFailed), w.Journal.Count(fakes.Refused), w.Journal.Count(fakes.Undelivered)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.res.IntegrationErrors += errs
	r.res.Refused += refused
	r.res.Undelivered += missed
}

func (r *runState) track(s *Scenario, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if open {
		r.worlds[s] = true
	} else {
		delete(r.worlds, s)
	}
}

func execute(ctx context.Context, opts Options, t *testing.T) (Result, error) {
	out := opts.Output
	if out == nil {
		out = io.Discard
	}
	format := godogFormat(opts.Format)
	paths, err := expandPaths(opts.paths())
	if err != nil {
		return Result{}, err
	}
	if opts.Randomize < 0 {
		opts.Randomize = rand.Int64N(1<<53) + 1 // picked here, so that Run can tell it
	}
	run := &runState{opts: opts, t: t, ctx: ctx, worlds: map[*Scenario]bool{}, names: map[string]string{}, locations: locations{}, lib: newLibrary()}
	run.res.Seed = opts.Randomize
	gopts := &godog.Options{
		Format:         format,
		Output:         out,
		Paths:          paths,
		Randomize:      opts.Randomize,
		Strict:         !opts.Lax,
		Concurrency:    max(opts.Concurrency, 1),
		Tags:           opts.Tags,
		NoColors:       opts.NoColor || t != nil,
		TestingT:       t,
		DefaultContext: ctx,
	}
	suite := godog.TestSuite{
		Name:                "chatsim",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { newScenario(run).init(sc) },
		Options:             gopts,
	}
	feats, err := suite.RetrieveFeatures()
	if err != nil {
		return Result{}, parseError(err)
	}
	for _, ft := range feats {
		if ft.GherkinDocument != nil && ft.GherkinDocument.Feature != nil {
			run.names[ft.Uri] = ft.GherkinDocument.Feature.Name
		}
		run.locations.add(ft.Uri, ft.GherkinDocument)
	}
	for _, ft := range feats {
		for _, p := range ft.Pickles {
			if len(p.Steps) == 0 && len(p.AstNodeIds) > 0 {
				// godog runs no hook for it: it is counted here.
				run.stepless(ft.Uri, p)
			}
		}
	}
	if len(feats) == 0 {
		return Result{}, nothingToRun(paths, opts)
	}
	status := suite.Run()
	run.mu.Lock()
	left := make([]*Scenario, 0, len(run.worlds))
	for s := range run.worlds {
		left = append(left, s)
	}
	run.mu.Unlock()
	for _, s := range left {
		s.close()
	}
	run.mu.Lock()
	res := run.res
	run.mu.Unlock()
	if status == 2 {
		return res, fmt.Errorf("%w: godog refused the options (status 2)", ErrParse)
	}
	if len(res.Interrupted) > 0 || res.Skipped > 0 {
		return res, fmt.Errorf("%w: %w", ErrInterrupted, context.Cause(ctx))
	}
	if status != 0 && res.Failed == 0 {
		res.Failed++ // a failure godog saw that no scenario hook did
	}
	return res, nil
}

// nothingToRun says why feature files gave no scenario to run: a file with
// no Feature in it (empty, or only comments), or tags that match nothing.
func nothingToRun(paths []string, opts Options) error {
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrParse, err)
		}
		doc, err := gherkin.ParseGherkinDocument(f, (&messages.Incrementing{}).NewId)
		f.Close()
		if err == nil && doc.Feature == nil {
			return fmt.Errorf("%w: %s: no Feature in the file (it is empty or holds only comments)", ErrParse, p)
		}
	}
	if opts.Tags != "" {
		return fmt.Errorf("%w: no scenario in %s matches the tags %q", ErrParse, strings.Join(opts.paths(), ", "), opts.Tags)
	}
	return fmt.Errorf("%w: no scenarios in %s", ErrParse, strings.Join(opts.paths(), ", "))
}

// gherkinPos matches a gherkin parser position, "(3:5)".
var gherkinPos = regexp.MustCompile(`\((\d+):(\d+)\): `)

// maxParseErrors is how many of a file's parse errors are shown: past the
// first few, they are the same mistake again (a file that is not Gherkin).
const maxParseErrors = 5

// parseError rewrites godog's "path - Parser errors:\n(3:5): …" as
// "path:3:5: …", one line per error.
func parseError(err error) error {
	msg := err.Error()
	path, rest, ok := strings.Cut(msg, " - ")
	if !ok {
		return fmt.Errorf("%w: %s", ErrParse, msg)
	}
	var lines []string
	for _, l := range strings.Split(rest, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "Parser errors:" {
			continue
		}
		if m := gherkinPos.FindStringSubmatchIndex(l); m != nil && m[0] == 0 {
			l = fmt.Sprintf("%s:%s:%s: %s", path, l[m[2]:m[3]], l[m[4]:m[5]], l[m[1]:])
		} else {
			l = path + ": " + l
		}
		lines = append(lines, l)
	}
	if len(lines) == 0 {
		return fmt.Errorf("%w: %s", ErrParse, msg)
	}
	if len(lines) > maxParseErrors {
		more := len(lines) - maxParseErrors
		lines = append(lines[:maxParseErrors], fmt.Sprintf("%s: … and %d more", path, more))
	}
	return fmt.Errorf("%w:\n%s", ErrParse, strings.Join(lines, "\n"))
}
