package features

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/colors"
	messages "github.com/cucumber/messages/go/v21"
)

// The godog formatters Options.Format "progress" and "pretty" stand for.
// They print what happens as it happens and nothing at the end: the summary
// and the explained failures are the Result's, said once by the caller
// (Result.Summary, Result.Failures), not a second time by godog.
const (
	progressFormat = "chatsim-progress"
	prettyFormat   = "chatsim-pretty"
)

// godog finds formatters by name in a registry of its own; these are added
// to it once, when the package is loaded.
func init() {
	godog.Format(progressFormat, "A character per step: . passed, F failed, U undefined, P pending, A ambiguous, - skipped; no summary.", newProgress)
	godog.Format(prettyFormat, "godog's pretty output with a failure's cause on one line and no summary.", newPretty)
}

// godogFormat is the godog formatter for Options.Format.
func godogFormat(format string) string {
	switch format {
	case "", "progress":
		return progressFormat
	case "pretty":
		return prettyFormat
	}
	return format
}

// stepsPerRow is how many step characters progress prints on a line before
// it ends the line with the count so far, as godog's progress does.
const stepsPerRow = 70

// progress prints a character per step.
type progress struct {
	out   io.Writer
	mu    sync.Mutex // godog calls a formatter from every running scenario
	steps int
}

func newProgress(_ string, out io.Writer) godog.Formatter { return &progress{out: out} }

func (p *progress) step(mark string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.out, mark)
	p.steps++
	if p.steps%stepsPerRow == 0 {
		fmt.Fprintf(p.out, " %d\n", p.steps)
	}
}

// TestRunStarted implements godog.Formatter.
func (p *progress) TestRunStarted() {}

// Feature implements godog.Formatter.
func (p *progress) Feature(*messages.GherkinDocument, string, []byte) {}

// Pickle implements godog.Formatter.
func (p *progress) Pickle(*messages.Pickle) {}

// Defined implements godog.Formatter.
func (p *progress) Defined(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition) {}

// Passed prints a dot.
func (p *progress) Passed(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition) {
	p.step(colors.Green("."))
}

// Skipped prints a dash.
func (p *progress) Skipped(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition) {
	p.step(colors.Cyan("-"))
}

// Undefined prints a U.
func (p *progress) Undefined(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition) {
	p.step(colors.Yellow("U"))
}

// Failed prints an F, or a U for an undefined step (which fails).
func (p *progress) Failed(_ *messages.Pickle, _ *messages.PickleStep, _ *godog.StepDefinition, err error) {
	if errors.Is(err, ErrUndefinedStep) {
		p.step(colors.Yellow("U"))
		return
	}
	p.step(colors.Red("F"))
}

// Pending prints a P.
func (p *progress) Pending(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition) {
	p.step(colors.Yellow("P"))
}

// Ambiguous prints an A.
func (p *progress) Ambiguous(*messages.Pickle, *messages.PickleStep, *godog.StepDefinition, error) {
	p.step(colors.Yellow("A"))
}

// Summary ends the line of characters with the count of steps.
func (p *progress) Summary() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.steps%stepsPerRow != 0 {
		fmt.Fprintf(p.out, " %d\n", p.steps)
	}
}

// pretty is godog's pretty formatter, with a failed step's cause on one
// line under it (the whole explanation is Result.Failures') and no summary.
type pretty struct {
	*godog.PrettyFmt
}

func newPretty(suite string, out io.Writer) godog.Formatter {
	return &pretty{PrettyFmt: godog.NewPrettyFmt(suite, out)}
}

// Failed prints the step with the first line of its cause.
func (p *pretty) Failed(pickle *messages.Pickle, step *messages.PickleStep, def *godog.StepDefinition, err error) {
	// godog's pretty prints the error it stored for the step, whole; the
	// stored result gets the short form, which still wraps the error.
	p.Lock.Lock()
	r := p.Storage.MustGetPickleStepResult(step.Id)
	if r.Err != nil {
		r.Err = shortError{r.Err}
		p.Storage.MustInsertPickleStepResult(r)
	}
	p.Lock.Unlock()
	p.PrettyFmt.Failed(pickle, step, def, err)
}

// Summary prints nothing: the caller prints the Result's.
func (p *pretty) Summary() {}

// shortError is an error said in one line: its cause, without the
// conversation and journal a StepFailure adds.
type shortError struct{ err error }

func (e shortError) Error() string {
	msg := e.err.Error()
	var f *StepFailure
	if errors.As(e.err, &f) && f.Err != nil {
		msg = f.Err.Error()
	}
	first, rest, _ := strings.Cut(msg, "\n")
	if strings.HasSuffix(first, ":") && rest != "" {
		// "…problems it did not expect:" says nothing without its first item.
		next, more, _ := strings.Cut(rest, "\n")
		first += " " + strings.TrimSpace(next)
		if more != "" {
			first += " …"
		}
	}
	return first
}

func (e shortError) Unwrap() error { return e.err }
