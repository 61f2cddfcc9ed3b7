package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// demoCassette is the bundled conversation `chatsim replay` plays with no arguments.
const demoCassette = "order.cassette"

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("replay", flag.ContinueOnError)
	integration := fset.String("integration", "", "integration to run: a bundled name (examples/telegram), exec:COMMAND, url:URL or an http(s) URL (default: the cassette's hint, else examples/telegram)")
	defPath := fset.String("definition", "", "integration definition (JSON or YAML, the shape `bp read` prints); bundled integrations bring their own")
	golden := fset.String("golden", "", "compare the rendered journal with this golden file; a mismatch shows a diff and exits 1")
	update := fset.Bool("update", false, "write the rendered journal to the --golden file instead of comparing")
	config := fset.String("config", "", "configuration JSON for the install, overriding the cassette's; ${VAR} expands from the world's environment")
	quiet := fset.Bool("quiet", false, "print only the summary line (and a diff on mismatch)")
	fset.Usage = usageFunc(fset, "chatsim replay [CASSETTE] [--integration SPEC] [--definition FILE] [--golden FILE] [--update]",
		`Replay the inbound deliveries of a cassette through an integration and render the journal: the platform's
captures and the calls the integration made to the fakes, with ids aliased and virtual time.
With no CASSETTE it replays the bundled demo conversation through the bundled Telegram example.`)
	pos, code, ok := parseInterleaved(fset, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 1 {
		fmt.Fprintf(stderr, "chatsim replay: want at most one cassette, got %d arguments\n", len(pos))
		return exitUsage
	}
	if *update && *golden == "" {
		fmt.Fprintln(stderr, "chatsim replay: --update needs --golden FILE")
		return exitUsage
	}

	// Open the cassette: a file, or the bundled demo.
	var (
		name string
		src  io.ReadCloser
	)
	if len(pos) == 1 {
		name = pos[0]
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim replay:", err)
			return exitUsage
		}
		src = f
	} else {
		name = "examples/telegram/cassettes/" + demoCassette
		f, err := tgexample.Cassettes().Open(demoCassette)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim replay: open the bundled demo:", err)
			return exitFailed
		}
		src = f
	}
	defer src.Close()
	r, err := cassette.NewReader(src, name)
	if err != nil {
		fmt.Fprintln(stderr, "chatsim replay:", err)
		return exitFailed
	}
	h := r.Header()

	spec := *integration
	if spec == "" {
		spec = h.Integration
	}
	if spec == "" {
		spec = "examples/telegram"
	}
	opts, err := resolveIntegration(spec, *defPath)
	if err != nil {
		fmt.Fprintln(stderr, "chatsim replay:", err)
		return exitUsage
	}
	if *config != "" {
		if !json.Valid([]byte(*config)) {
			fmt.Fprintln(stderr, "chatsim replay: --config is not valid JSON")
			return exitUsage
		}
		opts.Configuration = json.RawMessage(*config)
	}
	opts, err = sim.SetupFromHeader(h, opts)
	if err != nil {
		fmt.Fprintf(stderr, "chatsim replay: %s: %v\n", name, err)
		return exitFailed
	}

	if !*quiet {
		fmt.Fprintf(stdout, "replaying %s through %s\n", name, opts.Integration)
	}
	w, err := sim.Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "chatsim replay:", err)
		return exitFailed
	}
	defer w.Close()
	res, err := sim.Replay(ctx, w, r, sim.ReplayOptions{})
	if err != nil {
		fmt.Fprintln(stderr, "chatsim replay:", err)
		printConversation(stderr, w.Conversation())
		return exitFailed
	}
	if !*quiet {
		printConversation(stdout, res.Conversation)
	}

	failed := false
	switch {
	case *golden != "" && *update:
		if err := writeFileAtomic(*golden, []byte(res.Journal)); err != nil {
			fmt.Fprintln(stderr, "chatsim replay:", err)
			return exitFailed
		}
		fmt.Fprintf(stdout, "wrote %s\n", *golden)
	case *golden != "":
		want, err := os.ReadFile(*golden)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				fmt.Fprintf(stderr, "chatsim replay: golden file %s does not exist; create it with --update\n", *golden)
			} else {
				fmt.Fprintln(stderr, "chatsim replay:", err)
			}
			return exitFailed
		}
		if string(want) != res.Journal {
			failed = true
			if *quiet {
				printConversation(stdout, res.Conversation)
			}
			diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
				A: difflib.SplitLines(string(want)), B: difflib.SplitLines(res.Journal),
				FromFile: *golden + " (golden)", ToFile: "replay (got)", Context: 3,
			})
			fmt.Fprintf(stdout, "journal differs from %s:\n%s", *golden, diff)
		} else if !*quiet {
			fmt.Fprintf(stdout, "journal matches %s\n", *golden)
		}
	default:
		if !*quiet {
			fmt.Fprintln(stdout, "journal:")
			fmt.Fprint(stdout, indent(res.Journal, "  "))
		}
	}
	for _, v := range res.ViolationLines {
		fmt.Fprintln(stdout, v)
	}
	for _, f := range res.Failures {
		fmt.Fprintln(stdout, f)
	}
	summary := fmt.Sprintf("%d deliveries · %d platform captures · %d chat platform calls · %d contract violations", res.Deliveries, res.Captures, res.Calls, len(res.Violations))
	if len(res.Failures) > 0 {
		summary += fmt.Sprintf(" · %d integration errors", len(res.Failures))
	}
	fmt.Fprintf(stdout, "%s · %s\n", summary, res.Elapsed.Round(100_000))
	if failed || res.Failed() {
		return exitFailed
	}
	return exitOK
}

func printConversation(w io.Writer, lines []sim.Line) {
	for _, l := range lines {
		fmt.Fprintln(w, "  "+l.String())
	}
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

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so a crash never leaves half a golden file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
