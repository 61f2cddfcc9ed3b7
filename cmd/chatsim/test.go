package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
	"github.com/chatsim/chatsim/sim"
)

func runTest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("test", flag.ContinueOnError)
	update := fset.Bool("update", false, "rewrite the golden journals instead of comparing them")
	random := fset.Bool("random", false, "run each feature's scenarios in a random order (the seed is printed)")
	seed := fset.Int64("seed", 0, "run each feature's scenarios in the order this seed gives (implies --random)")
	concurrency := fset.Int("concurrency", 1, "how many scenarios run at once")
	lax := fset.Bool("lax", false, "let scenarios with undefined or pending steps pass as undefined (by default they fail, naming the step's file:line and the closest steps)")
	strict := fset.Bool("strict", false, "also fail a scenario on any delivery the integration refused or missed that it does not assert (Then the integration refused 1 delivery); without it only a scenario whose every delivery was refused fails")
	format := fset.String("format", "progress", "output: progress, pretty, cucumber or junit")
	tags := fset.String("tags", "", `run only the scenarios these godog tags select ("@slack && ~@slow")`)
	timeout := fset.Duration("step-timeout", 0, "bound on each step's wait for the integration to settle (default 30s)")
	startupTimeout := fset.Duration("startup-timeout", sim.DefaultStartupTimeout, "how long an exec: or url: integration may take to answer GET /health")
	fset.Usage = usageFunc(fset, "chatsim test [PATHS] [--update] [--random] [--seed N] [--concurrency N] [--lax] [--strict] [--format F] [--tags EXPR] [--step-timeout D] [--startup-timeout D]",
		`Run Gherkin scenarios (.feature files) against the fakes, the mock platform and an integration, each
scenario in a World of its own. PATHS are .feature files or directories, searched recursively
(testdata, .* and _* are skipped); none means ./features.
Ctrl-C stops the run at once: each running scenario's conversation and journal so far are printed,
the scenarios not begun are skipped.
Exit codes: 0 every scenario passed, 1 a scenario failed, 2 usage, a path that is not a
feature file or holds none, or a malformed feature file, 130 interrupted.`)
	paths, code, ok := parseInterleaved(fset, args, stdout, stderr)
	if !ok {
		return code
	}
	if !slices.Contains([]string{"progress", "pretty", "cucumber", "junit"}, *format) {
		fmt.Fprintf(stderr, "chatsim test: --format %q: want progress, pretty, cucumber or junit\n", *format)
		return exitUsage
	}
	if *concurrency < 1 {
		fmt.Fprintf(stderr, "chatsim test: --concurrency %d: want 1 or more\n", *concurrency)
		return exitUsage
	}
	if *startupTimeout <= 0 {
		fmt.Fprintf(stderr, "chatsim test: --startup-timeout %s: want a positive duration\n", *startupTimeout)
		return exitUsage
	}
	opts := features.Options{Integrations: bundled.Catalog(),
		Paths: paths, Update: *update, Lax: *lax, Strict: *strict, Concurrency: *concurrency, Tags: *tags,
		Format: *format, Output: stdout, StepTimeout: *timeout, StepTimeoutName: "--step-timeout",
		StartupTimeout: *startupTimeout, StartupTimeoutName: "--startup-timeout",
		Progress: func(line string) { fmt.Fprintln(stderr, "chatsim test:", line) },
		NoColor:  os.Getenv("NO_COLOR") != "" || !isTerminal(stdout),
	}
	switch {
	case *seed != 0:
		opts.Randomize = *seed
	case *random:
		opts.Randomize = time.Now().UnixNano() & (1<<53 - 1)
	}
	if opts.Randomize != 0 && *format != "cucumber" && *format != "junit" {
		fmt.Fprintf(stdout, "random order, seed %d (replay it with --seed %d)\n", opts.Randomize, opts.Randomize)
	}
	res, err := features.Execute(ctx, opts)
	if errors.Is(err, features.ErrInterrupted) {
		printFailures(stderr, res.Failures)
		for _, in := range res.Interrupted {
			fmt.Fprintf(stderr, "\n--- INTERRUPTED: %s\n%s\n", in.Scenario, indent(in.String()+"\n", "  "))
		}
		if *format == "progress" || *format == "pretty" {
			fmt.Fprintln(stdout)
			fmt.Fprintln(stdout, "INTERRUPTED "+res.Summary())
		}
		return exitInterrupted
	}
	if err != nil {
		fmt.Fprintln(stderr, "chatsim test:", err)
		if errors.Is(err, features.ErrParse) {
			return exitUsage
		}
		return exitFailed
	}
	printFailures(stderr, res.Failures)
	if *format == "progress" || *format == "pretty" {
		fmt.Fprintln(stdout)
		if res.OK() {
			fmt.Fprintln(stdout, "ok  "+res.Summary())
		} else {
			fmt.Fprintln(stdout, "FAIL "+res.Summary())
		}
	}
	if res.Scenarios == 0 {
		hint := ""
		if *tags != "" {
			hint = " (--tags selected none)"
		}
		fmt.Fprintf(stderr, "chatsim test: no scenario ran%s\n", hint)
		return exitFailed
	}
	if !res.OK() {
		return exitFailed
	}
	return exitOK
}

func runSteps(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("steps", flag.ContinueOnError)
	fset.Usage = usageFunc(fset, "chatsim steps [GROUP]",
		"List the steps scenarios can use: each one's pattern, what it does and an example.\nGroups: "+strings.Join(features.Groups(), ", ")+".")
	pos, code, ok := parseInterleaved(fset, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "chatsim steps: want at most one group, got %d arguments\n", len(pos))
		return exitUsage
	}
	if len(pos) == 1 && !slices.Contains(features.Groups(), pos[0]) {
		fmt.Fprintf(stderr, "chatsim steps: unknown group %q (have: %s)\n", pos[0], strings.Join(features.Groups(), ", "))
		return exitUsage
	}
	group := ""
	for _, st := range features.Steps() {
		if len(pos) == 1 && st.Group != pos[0] {
			continue
		}
		if st.Group != group {
			if group != "" {
				fmt.Fprintln(stdout)
			}
			group = st.Group
			fmt.Fprintf(stdout, "## %s\n", group)
		}
		fmt.Fprintf(stdout, "\n%s\n  %s\n  example:\n%s", st.Pattern, st.Doc, indent(st.Example+"\n", "    "))
	}
	return exitOK
}

// printFailures explains each failed scenario, once.
func printFailures(w io.Writer, failures []string) {
	if len(failures) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%d failed:\n", len(failures))
	for _, f := range failures {
		fmt.Fprintf(w, "\n--- FAIL: %s\n", indentRest(f, "  "))
	}
}

// indentRest indents every line of s but the first.
func indentRest(s, prefix string) string {
	first, rest, ok := strings.Cut(s, "\n")
	if !ok {
		return s
	}
	return first + "\n" + strings.TrimRight(indent(rest+"\n", prefix), "\n")
}

// isTerminal reports whether w is a character device (a terminal), where
// colors help; pipes and files get none.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
