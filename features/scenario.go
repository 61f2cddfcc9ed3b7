package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/sim"
)

// Scenario is one running scenario: its World (started by the first step
// that needs it, closed when the scenario ends), the people and places its
// setup steps named, and what a failure needs to explain itself. Nothing in
// it is shared with another scenario.
type Scenario struct {
	run *runState

	mu      sync.Mutex // guards w against close from the run's clean-up
	uri     string     // the feature file, as given to godog
	feature string
	name    string
	steps   []*messages.PickleStep
	current int // 1-based number of the running step

	// undefinedSeen is set when godog found a step undefined or pending
	// (it then ends the scenario with no error when not strict).
	undefinedSeen bool
	// skipped is a scenario the run's context ended before it began;
	// stopped one it ended between two steps.
	skipped, stopped bool

	// World setup, until the World starts.
	opts        sim.Options
	integration string // the spec, for messages
	chosen      bool   // an integration (or none) was chosen
	cassettes   fs.FS
	rules       []botpress.BotRule
	rulesSet    bool
	w           *sim.World
	platforms   []platform

	// The explanation of a failure.
	transcript []string
	seenMsgs   int
	passSeq    int64 // journal length after the last step that passed
	passStep   int
	actSeq     int64 // journal length before the last step that acted
	actStep    int

	// Contract violations and integration failures the scenario asserted.
	violationsAcked int
	acked           map[int]bool // outcomes asserted, by index

	// The last action triggered by `When the bot triggers the action`.
	action *actionResult
}

type actionResult struct {
	name   string
	output json.RawMessage
	err    error
}

func newScenario(run *runState) *Scenario {
	return &Scenario{run: run, acked: map[int]bool{}}
}

// init binds the library's steps and hooks to this scenario.
func (s *Scenario) init(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		s.uri, s.name, s.steps = p.Uri, p.Name, p.Steps
		if s.run.ctx.Err() != nil {
			s.skipped = true
			return ctx, godog.ErrSkip
		}
		s.feature = s.run.featureName(p.Uri)
		if len(p.AstNodeIds) > 1 { // a row of a Scenario Outline
			s.name += " " + outlineRow(p)
		}
		if u := s.run.undefined(p); len(u) > 0 && !s.run.opts.Lax {
			failUndefined(sc, p, s.run.lib, u)
		}
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
		for i, x := range s.steps {
			if x.Id == st.Id {
				s.current = i + 1
			}
		}
		if !s.skipped && !s.stopped && s.run.ctx.Err() != nil {
			s.stopped = true // the steps left are skipped
			return ctx, godog.ErrSkip
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, _ *godog.Step, status godog.StepResultStatus, _ error) (context.Context, error) {
		if status == godog.StepUndefined || status == godog.StepPending {
			s.undefinedSeen = true
		}
		return ctx, nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		if s.skipped {
			s.run.skip()
			return ctx, nil
		}
		if s.stopped || err != nil && s.run.ctx.Err() != nil {
			// What it was doing is told before its World is closed.
			s.run.interrupt(s.interruption(!s.stopped))
			return ctx, s.close()
		}
		cerr := s.close()
		if err == nil && cerr != nil {
			err = cerr
		}
		var f *StepFailure
		if errors.As(err, &f) {
			s.run.finished(s, errors.New(s.title()+"\n"+f.Error()))
		} else if err != nil && !errors.Is(err, godog.ErrUndefined) && !errors.Is(err, godog.ErrPending) {
			s.run.finished(s, fmt.Errorf("%s\n%w", s.title(), err))
		} else {
			s.run.finished(s, err)
		}
		return ctx, cerr
	})
	for _, st := range Steps() {
		sc.Step(st.Pattern, st.handler(s))
	}
}

// interruption is where the scenario stood when the run's context ended:
// in a step (mid) or before it, and what had happened so far.
func (s *Scenario) interruption(mid bool) Interrupted {
	in := Interrupted{Scenario: s.title(), At: s.stepAt(), Step: s.stepText(), Number: s.current, Mid: mid}
	if w := s.world0(); w != nil {
		s.catchUp(false)
		in.Conversation = append([]string(nil), s.transcript...)
		in.Journal = w.Render()
		if mid {
			a := s.aliaser()
			for _, p := range w.Activity.Pending() {
				if p = a.Alias(p); !slices.Contains(in.Pending, p) {
					in.Pending = append(in.Pending, p)
				}
			}
		}
	}
	return in
}

// title is "Feature / Scenario".
func (s *Scenario) title() string {
	if s.feature == "" {
		return s.name
	}
	return s.feature + " / " + s.name
}

// stepAt is "file:line" of the running step.
func (s *Scenario) stepAt() string {
	if s.current < 1 || s.current > len(s.steps) || len(s.steps[s.current-1].AstNodeIds) == 0 {
		return s.uri
	}
	return s.run.locations.at(s.uri, s.steps[s.current-1].AstNodeIds[0])
}

// dir is the directory of the feature file: relative paths in steps are
// resolved from it.
func (s *Scenario) dir() string { return filepath.Dir(s.uri) }

// path resolves a path a step names, relative to the feature file.
func (s *Scenario) path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir(), p)
}

// stepText renders the running step as "Then the state "x" is {…}".
func (s *Scenario) stepText() string {
	if s.current < 1 || s.current > len(s.steps) {
		return ""
	}
	st := s.steps[s.current-1]
	kw := stepKind(st.Type)
	if kw == "" {
		kw = "*"
	}
	text := kw + " " + st.Text
	if arg := st.Argument; arg != nil && arg.DocString != nil {
		body := strings.TrimSpace(arg.DocString.Content)
		if json.Valid([]byte(body)) {
			text = strings.TrimSuffix(text, ":") + " " + compactJSON([]byte(body))
		} else {
			text += "\n" + indent(body, "    ")
		}
	}
	return text
}

// runStep runs one step: on success it moves the "last passing step" mark;
// on failure it returns a StepFailure that explains it. The last step also
// fails on contract violations, integration failures and refused
// deliveries the scenario did not assert (see unexpected).
func (s *Scenario) runStep(ctx context.Context, st Step, a args) error {
	err := st.run(ctx, s, a)
	if err == nil && s.current == len(s.steps) {
		err = s.unexpected()
	}
	if err != nil {
		return s.explain(err)
	}
	if w := s.world0(); w != nil {
		s.catchUp(true)
		s.passSeq = int64(w.Journal.Len())
	}
	s.passStep = s.current
	return nil
}

// unexpected reports contract violations, failed integration operations
// and refused or missed deliveries (unexpectedDeliveries) the scenario did
// not assert.
func (s *Scenario) unexpected() error {
	w := s.world0()
	if w == nil {
		return nil
	}
	var problems []string
	vs := w.Violations()
	if len(vs) > s.violationsAcked {
		a := s.aliaser()
		for _, v := range vs[s.violationsAcked:] {
			problems = append(problems, a.Alias(v.Error()))
		}
		problems = append(problems, `(assert an expected one with: Then the contract is violated at "/pointer")`)
	}
	var lines []string
	for _, f := range s.outcomes(fakes.IntegrationFailed) {
		if !s.acked[f.i] {
			lines = append(lines, "integration error: "+f.text)
		}
	}
	if len(lines) > 0 {
		problems = append(problems, lines...)
		problems = append(problems, `(assert an expected one with: Then the integration failed message_created)`)
	}
	problems = append(problems, s.unexpectedDeliveries(w)...)
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the scenario ended with problems it did not expect:\n%s", strings.Join(problems, "\n"))
}

// unexpectedDeliveries reports the deliveries the integration refused
// when it refused every one (at least one) and the scenario did not assert
// it: a secret or signature it cannot check, a URL that answers nothing
// but errors. Under Options.Strict it reports any refused or missed
// delivery the scenario did not assert.
func (s *Scenario) unexpectedDeliveries(w *sim.World) []string {
	refused, missed := w.Journal.Count(fakes.Refused), w.Journal.Count(fakes.Undelivered)
	every := refused > 0 && refused == deliveries(w)
	strict := s.run.opts.Strict
	if !every && !strict {
		return nil
	}
	var lines []string
	var unRefused, unMissed bool
	for _, o := range s.outcomes(fakes.Refused, fakes.Undelivered) {
		switch {
		case s.acked[o.i]:
		case o.Kind == fakes.Refused:
			lines = append(lines, "refused by the integration: "+o.text)
			unRefused = true
		case strict:
			lines = append(lines, "not delivered: "+o.text)
			unMissed = true
		}
	}
	switch {
	case unRefused && every:
		lines = append(lines, "(every delivery was refused; assert it with: Then the integration refused every delivery)")
	case unRefused:
		lines = append(lines, "(--strict: assert it with: Then the integration refused "+plural(refused, "delivery", "deliveries")+")")
	}
	if unMissed {
		lines = append(lines, "(--strict: assert it with: Then the integration missed "+plural(missed, "delivery", "deliveries")+")")
	}
	return lines
}

// deliveries counts the deliveries the chat platforms' fakes made, each
// once however often it was retried.
func deliveries(w *sim.World) int {
	return w.Journal.Count(fakes.Delivered) + w.Journal.Count(fakes.Refused) + w.Journal.Count(fakes.Undelivered)
}

// outcome is one of the World's typed outcomes, as a scenario shows and
// asserts it.
type outcome struct {
	fakes.Outcome
	i    int    // its index in the journal's Outcomes, to mark it asserted
	op   string // an operation's name: message_created, register…
	text string // what happened, ids aliased as in the golden journal
}

// outcomes lists the World's outcomes of these kinds, in order: the
// operations the integration failed ("message_created msg#2: 500 …"; a
// webhook's answer is the chat platform's business, so only a
// webhook_received with no answer at all), the deliveries it refused
// ("shopify customers/create uuid#1: 401 Unauthorized") or that got no
// answer.
func (s *Scenario) outcomes(kinds ...fakes.OutcomeKind) []outcome {
	w := s.world0()
	if w == nil {
		return nil
	}
	var a *sim.Aliaser
	var out []outcome
	for i, o := range w.Journal.Outcomes() {
		if !slices.Contains(kinds, o.Kind) {
			continue
		}
		if a == nil {
			a = s.aliaser()
		}
		op, _, _ := strings.Cut(o.What, " ")
		text := o.What + ": " + o.Detail
		if o.Kind != fakes.IntegrationFailed {
			text = o.String()
		}
		out = append(out, outcome{Outcome: o, i: i, op: op, text: a.Alias(text)})
	}
	return out
}

// aliaser returns an aliaser primed with the whole journal (which a
// scenario's World holds: see world), so that ids read as they do in the
// golden journal.
func (s *Scenario) aliaser() *sim.Aliaser {
	w := s.world0()
	if w == nil {
		return sim.NewAliaser(nil)
	}
	a := sim.NewAliaser(w.Literals())
	a.Observe(w.Journal.Observations()...)
	return a
}

// explain wraps a step's error with the conversation so far and the
// journal since the last step that passed.
func (s *Scenario) explain(err error) error {
	var already *StepFailure
	if errors.As(err, &already) {
		return err
	}
	f := &StepFailure{Number: s.current, Step: s.stepText(), Err: err, JournalSince: s.passStep}
	from := s.passSeq
	if s.actStep > 0 && s.actSeq < from {
		// The last passing step only looked: show the action before it.
		from, f.JournalSince = s.actSeq, s.actStep
	}
	if w := s.world0(); w != nil {
		s.catchUp(false)
		f.Conversation = append([]string(nil), s.transcript...)
		a := sim.NewAliaser(w.Literals())
		obs := w.Journal.Observations()
		from = min(from, int64(len(obs)))
		a.Observe(obs[:from]...)
		f.Journal = sim.RenderJournal(obs[from:], a)
		if r := w.Integration(); r != nil && !carriesOutput(err) {
			f.Output = r.Output()
		}
	}
	return f
}

// carriesOutput reports whether err already shows what the integration
// printed (a step error with its output, an exit with its last lines), so
// that a failure shows it once.
func carriesOutput(err error) bool {
	var se *sim.StepError
	if errors.As(err, &se) && strings.TrimSpace(se.Output) != "" {
		return true
	}
	var xe *sim.ExitError
	return errors.As(err, &xe) && strings.TrimSpace(xe.Output) != ""
}

// StepFailure is a failed step, explained: what the step wanted and what
// was found, the conversation so far as a chat transcript, and the journal
// since the last step that passed.
type StepFailure struct {
	// Number is the step's position in the scenario, from 1 (background
	// steps included); Step is its text with its keyword.
	Number int
	Step   string
	// Err says what went wrong.
	Err error
	// Conversation is the transcript so far: "ada  ▸ menu", "bot  ◂ …".
	Conversation []string
	// JournalSince is the step the journal is shown from: the last step
	// that acted (its own lines included) when every step after it only
	// looked, else the end of the last step that passed (0: the start).
	// Journal is the rendered journal since then.
	JournalSince int
	Journal      string
	// Output is what the integration printed, when it is a process.
	Output string
}

// Error renders the explanation, one fact per line.
func (f *StepFailure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "step %d: %s\n", f.Number, f.Step)
	b.WriteString(indent(f.Err.Error(), "  ") + "\n")
	b.WriteString(sim.ConversationSoFar(f.Conversation, "  "))
	since := "the start"
	switch {
	case f.JournalSince == f.Number:
		since = "this step began"
	case f.JournalSince > 0:
		since = fmt.Sprintf("step %d", f.JournalSince)
	}
	if j := strings.TrimSpace(f.Journal); j != "" {
		fmt.Fprintf(&b, "  journal since %s:\n%s\n", since, indent(strings.TrimRight(f.Journal, "\n"), "    "))
	} else {
		fmt.Fprintf(&b, "  journal since %s: (empty)\n", since)
	}
	if o := strings.TrimSpace(f.Output); o != "" {
		if len(o) > 4000 {
			o = "…" + o[len(o)-4000:]
		}
		fmt.Fprintf(&b, "  integration output:\n%s\n", indent(o, "    "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// Unwrap returns the step's own error.
func (f *StepFailure) Unwrap() error { return f.Err }

// catchUp adds to the transcript the messages the platform holds that it
// does not show yet: the bot's, and the people's when no action step
// logged them (a replayed cassette, an injected update).
func (s *Scenario) catchUp(logged bool) {
	w := s.world0()
	if w == nil || w.Platform == nil {
		return
	}
	lines := w.Conversation()
	if s.seenMsgs > len(lines) {
		s.seenMsgs = len(lines)
	}
	for _, l := range lines[s.seenMsgs:] {
		if l.Incoming && logged {
			continue
		}
		s.transcript = append(s.transcript, l.String())
	}
	s.seenMsgs = len(lines)
}

// world0 returns the World if it has started.
func (s *Scenario) world0() *sim.World {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w
}

// world returns the scenario's World, starting it on first use.
func (s *Scenario) world(ctx context.Context) (*sim.World, error) {
	if w := s.world0(); w != nil {
		return w, nil
	}
	if !s.chosen {
		return nil, errors.New(`no integration yet: begin with a step such as Given the integration "examples/telegram" with its definition (or Given no integration)`)
	}
	opts := s.opts
	if s.rulesSet {
		opts.Bot = s.rules
	}
	if opts.StepTimeout == 0 {
		opts.StepTimeout = s.run.opts.StepTimeout
	}
	if opts.StepTimeoutName == "" {
		opts.StepTimeoutName = s.run.opts.StepTimeoutName
		if opts.StepTimeoutName == "" {
			opts.StepTimeoutName = "StepTimeout"
		}
	}
	if opts.StartupTimeout == 0 {
		opts.StartupTimeout = s.run.opts.StartupTimeout
	}
	if opts.StartupTimeoutName == "" {
		opts.StartupTimeoutName = s.run.opts.StartupTimeoutName
		if opts.StartupTimeoutName == "" {
			opts.StartupTimeoutName = "StartupTimeout"
		}
	}
	if p := s.run.opts.Progress; p != nil && opts.Progress == nil {
		title := s.title()
		opts.Progress = func(line string) { p(title + ": " + line) }
	}
	w, err := sim.Start(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("start the world with %s: %w", s.integrationName(), err)
	}
	// A scenario is short, and its steps look back over the whole
	// journal: "the journal since step N", a failing step's journal since
	// the last one that passed, its golden file.
	w.Journal.Keep(0)
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
	s.run.track(s, true)
	s.platforms = newPlatforms(w)
	s.passSeq = int64(w.Journal.Len())
	return w, nil
}

func (s *Scenario) integrationName() string {
	if s.integration == "" {
		return "no integration"
	}
	return s.integration
}

// close closes the World, once.
func (s *Scenario) close() error {
	s.mu.Lock()
	w := s.w
	s.w = nil
	s.mu.Unlock()
	if w == nil {
		return nil
	}
	s.run.track(s, false)
	s.run.counted(w)
	if err := w.Close(); err != nil {
		return fmt.Errorf("close the world: %w", err)
	}
	return nil
}

// act runs one action as a numbered World step titled with the step's
// text; line, when do returns one, goes into the transcript.
func (s *Scenario) act(ctx context.Context, do func(ctx context.Context, w *sim.World) (line string, err error)) error {
	w, err := s.world(ctx)
	if err != nil {
		return err
	}
	title := ""
	if s.current >= 1 && s.current <= len(s.steps) {
		title = s.steps[s.current-1].Text
	}
	var line string
	s.actSeq, s.actStep = int64(w.Journal.Len()), s.current
	err = w.Step(ctx, title, func(ctx context.Context) error {
		l, err := do(ctx, w)
		line = l
		return err
	})
	if line != "" {
		s.transcript = append(s.transcript, line)
	}
	s.catchUp(line != "")
	return err
}

// platformFor returns the platform person was set up on.
func (s *Scenario) platformFor(person string) (*platform, error) {
	var names, hints []string
	for i, p := range s.platforms {
		if p.fake.Has(person) {
			return &s.platforms[i], nil
		}
		names = append(names, p.kind.Title)
		if p.kind.PersonStep != "" {
			hints = append(hints, fmt.Sprintf(p.kind.PersonStep, person))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("person %q: %w: no chat platform is simulated in this world", person, fakes.ErrNotFound)
	}
	return nil, fmt.Errorf("person %q: %w on %s (set them up first, e.g. %s)", person, fakes.ErrNotFound, strings.Join(names, ", "), strings.Join(hints, ", or "))
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
