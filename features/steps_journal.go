package features

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	// goldie registers the -update flag that users' tests read and pass
	// as Options.Update (features/README.md); the diff is sim.DiffGolden's.
	_ "github.com/sebdah/goldie/v2"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/internal/atomicfile"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// GoldenPath returns where the golden journal of a scenario lives: next to
// the feature file, testdata/<feature file name>/<scenario name>.golden,
// the scenario's name lower-cased with its words joined by "-".
func GoldenPath(featureFile, scenario string) string {
	base := strings.TrimSuffix(filepath.Base(featureFile), filepath.Ext(featureFile))
	return filepath.Join(filepath.Dir(featureFile), "testdata", base, slug(scenario)+".golden")
}

// golden compares the journal with the scenario's golden file, or
// rewrites it when the run updates golden files: atomically, so that a run
// that dies midway leaves the old file whole, and keeping its mode.
func (s *Scenario) golden(journal string) error {
	path := GoldenPath(s.uri, s.name)
	if s.run.opts.Update {
		if err := atomicfile.Write(path, []byte(journal)); err != nil {
			return fmt.Errorf("update the golden file: %w", err)
		}
		return nil
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("the golden file %s does not exist: create it with `chatsim test --update` (or `go test -update`)", path)
	}
	if err != nil {
		return fmt.Errorf("read the golden file: %w", err)
	}
	if d := sim.DiffGolden(path, want, []byte(journal)); d != "" {
		return errors.New(strings.TrimRight(d, "\n"))
	}
	return nil
}

// openCassette finds a cassette by name: among the integration's bundled
// cassettes, then relative to the feature file, then to the working
// directory.
func (s *Scenario) openCassette(name string) (*cassette.Reader, error) {
	if s.cassettes != nil {
		if f, err := s.cassettes.Open(name); err == nil {
			r, err := cassette.NewReader(f, name)
			if err != nil {
				f.Close()
				return nil, err
			}
			return r, nil
		}
	}
	for _, p := range []string{s.path(name), name} {
		if _, err := os.Stat(p); err == nil {
			return cassette.Open(p)
		}
	}
	return nil, fmt.Errorf("cassette %q: %w among the integration's cassettes, next to %s or in the working directory", name, fakes.ErrNotFound, s.uri)
}

// fakeSources returns the journal sources of the chat platforms' fakes.
func fakeSources(w *sim.World) map[string]bool {
	out := map[string]bool{}
	for _, n := range w.FakeNames() {
		out[n] = true
	}
	return out
}

func journalSteps() []Step {
	return []Step{
		{
			Group: "journal", Pattern: `^the journal matches the golden file$`,
			Doc: "The whole journal, rendered with ids aliased in order of appearance, equals the scenario's golden file: " +
				"testdata/<feature file name>/<scenario name>.golden next to the feature file. --update (go test -update) rewrites it.",
			Example: `Then the journal matches the golden file`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := s.world(ctx)
				if err != nil {
					return err
				}
				return s.golden(w.Render())
			},
		},
		{
			Group: "journal", Pattern: `^the journal has (a|no) line containing "([^"]*)"$`,
			Doc:     "Some (or no) line of the rendered journal contains this text.",
			Example: `Then the journal has a line containing "telegram  answerCallbackQuery"`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := s.world(ctx)
				if err != nil {
					return err
				}
				journal := w.Render()
				has := false
				for _, l := range strings.Split(journal, "\n") {
					if strings.Contains(l, a.s[1]) || strings.Contains(normalizeSpaces(l), normalizeSpaces(a.s[1])) {
						has = true
						break
					}
				}
				switch {
				case a.s[0] == "a" && !has:
					return fmt.Errorf("no journal line contains %q; the journal:\n%s", a.s[1], indent(strings.TrimRight(journal, "\n"), "  "))
				case a.s[0] == "no" && has:
					return fmt.Errorf("a journal line contains %q, want none", a.s[1])
				}
				return nil
			},
		},
		{
			Group: "journal", Pattern: `^the integration called (\S+) ` + countRe + `$`,
			Doc:     "The integration made this many calls of this method to the chat platforms' fakes (failed ones included): sendMessage, chat.postMessage…",
			Example: `Then the integration called sendMessage 2 times`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				w, err := s.world(ctx)
				if err != nil {
					return err
				}
				src := fakeSources(w)
				n := 0
				var lines []string
				al := s.aliaser()
				for _, o := range w.Journal.Observations() {
					if src[o.Source] && strings.EqualFold(o.Kind, a.s[0]) {
						n++
						lines = append(lines, al.Alias(o.Source+"  "+o.Kind+"  "+o.Text))
					}
				}
				if want := fakes.ParseCount(a.s[1]); n != want {
					return fmt.Errorf("the integration called %s %s, want %s:%s", a.s[0], plural(n, "time", "times"), plural(want, "time", "times"), orNone(lines))
				}
				return nil
			},
		},
		{
			Group: "journal", Pattern: `^the integration refused (every delivery|\d+ deliver(?:y|ies))(?: with (\d{3}))?$`,
			Doc: "The integration answered this many of the chat platforms' deliveries (webhooks, events; each counted once, however " +
				"often it was retried) with an error status on the last attempt, with this status when given (`refused 1 delivery " +
				"with 401`): a signature or secret it cannot check. A scenario whose every delivery was refused fails unless it says " +
				"so with this step; under --strict (Options.Strict), so does any refused delivery it does not count here.",
			Example: `Then the integration refused every delivery`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.assertDeliveries(ctx, fakes.Refused, "refused", a.s[0], a.s[1])
			},
		},
		{
			Group: "journal", Pattern: `^the integration missed (every delivery|\d+ deliver(?:y|ies))$`,
			Doc: "This many of the chat platforms' deliveries got no answer at all on their last attempt (nothing listened, a " +
				"timeout) or had nowhere to go (no URL set). Under --strict (Options.Strict), a missed " +
				"delivery the scenario does not count here fails it.",
			Example: `Then the integration missed 1 delivery`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				return s.assertDeliveries(ctx, fakes.Undelivered, "missed", a.s[0], "")
			},
		},
		{
			Group: "journal", Pattern: `^the cassette "([^"]*)" is replayed$`,
			Doc: "Replays the inbound deliveries of a cassette (among the integration's bundled cassettes, next to the feature file, or in " +
				"the working directory), one World step each. Before the World starts, the cassette's configuration and bot rules apply " +
				"unless the scenario set its own.",
			Example: `When the cassette "order.cassette" is replayed`,
			run: func(ctx context.Context, s *Scenario, a args) error {
				r, err := s.openCassette(a.s[0])
				if err != nil {
					return err
				}
				defer r.Close()
				if s.world0() == nil {
					opts, err := sim.SetupFromHeader(r.Header(), sim.Options{Integration: sim.Integration{Configuration: s.opts.Integration.Configuration}})
					if err != nil {
						return err
					}
					s.opts.Integration.Configuration = opts.Integration.Configuration
					if !s.rulesSet && opts.Bot != nil {
						s.rules, s.rulesSet = opts.Bot, true
					}
				} else if !s.rulesSet {
					opts, err := sim.SetupFromHeader(r.Header(), sim.Options{})
					if err != nil {
						return err
					}
					if opts.Bot != nil {
						s.rules, s.rulesSet = opts.Bot, true
						_ = s.applyRules()
					}
				}
				w, err := s.world(ctx)
				if err != nil {
					return err
				}
				_, err = sim.Replay(ctx, w, r, sim.ReplayOptions{})
				s.catchUp(false)
				return err
			},
		},
	}
}

// assertDeliveries checks how many deliveries ended as kind (with status,
// when not ""): "every delivery" (at least one) or "N deliveries"; then it
// marks them expected, so that the scenario's end does not fail on them.
func (s *Scenario) assertDeliveries(ctx context.Context, kind fakes.OutcomeKind, verb, count, status string) error {
	w, err := s.world(ctx)
	if err != nil {
		return err
	}
	total := deliveries(w)
	all := s.outcomes(kind)
	var match []outcome
	for _, o := range all {
		if status == "" || fmt.Sprint(o.Status) == status {
			match = append(match, o)
		}
	}
	n := len(match)
	if status == "" {
		n = w.Journal.Count(kind) // past the outcomes the journal keeps one by one
	}
	var ok bool
	if count == "every delivery" {
		ok = total > 0 && n == total
	} else {
		want, _ := strconv.Atoi(strings.Fields(count)[0])
		ok = n == want
	}
	if !ok {
		with := ""
		if status != "" {
			with = " with " + status
		}
		var lines []string
		for _, o := range all {
			lines = append(lines, o.text)
		}
		return fmt.Errorf("the integration %s %s of %d%s, want %s:%s", verb, plural(n, "delivery", "deliveries"), total, with, count, orNone(lines))
	}
	for _, o := range match {
		s.acked[o.i] = true
	}
	return nil
}
