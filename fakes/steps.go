package fakes

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Step is one step of a platform's own vocabulary (Kind.Steps), written
// without the Gherkin runner: the step library (package features) binds it
// in every scenario and `chatsim steps` lists it under the platform's name.
type Step struct {
	// Pattern is the regular expression the step's text must match; each
	// group is one of StepArgs.Groups ("" for a group that did not take
	// part).
	Pattern string
	// Doc says what the step does.
	Doc string
	// Example is the step as a scenario writes it (its doc string or table
	// on the lines that follow).
	Example string
	// Arg is what follows the step's text.
	Arg StepArg
	// Run performs the step in a scenario.
	Run func(ctx context.Context, sc Scene, a StepArgs) error
}

// StepArg is what follows a step's text: nothing, a doc string or a table.
type StepArg int

// The arguments a step may take.
const (
	NoArg StepArg = iota
	DocArg
	TableArg
)

// StepArgs are what a step's text and argument carried.
type StepArgs struct {
	// Groups are the pattern's groups, in order.
	Groups []string
	// Doc is the doc string of a DocArg step.
	Doc string
	// Table is the table of a TableArg step, row by row, cell by cell.
	Table [][]string
}

// Scene is what a platform's step may ask of the scenario that runs it.
type Scene interface {
	// Fake returns the step's platform's fake in the scenario's World,
	// starting the World on first use; it fails when the World does not
	// simulate the platform.
	Fake(ctx context.Context) (Platform, error)
	// Act runs do as one numbered step of the World, titled with the
	// step's text, and adds the line do returns (if any) to the
	// conversation transcript. The step ends when the World has settled.
	Act(ctx context.Context, do func(ctx context.Context) (line string, err error)) error
	// Setup runs do as an unnumbered setup step of the World, headed
	// "setup  " and title in the journal (products a store sells before the
	// scenario acts), and waits for the World to settle.
	Setup(ctx context.Context, title string, do func(ctx context.Context) error) error
}

// Patterns the steps of every platform share.
const (
	// ListPattern is a list of quoted strings: "Tea", "Milk" and "Coffee".
	ListPattern = `("[^"]*"(?:(?:, | and | or )"[^"]*")*)`
	// InPattern is an optional place: in "Tea lovers".
	InPattern = `(?: in "([^"]*)")?`
	// PeoplePattern is a list of people, each with an optional full name:
	// "ada" (Ada Lovelace) and "grace".
	PeoplePattern = `("[^"]*"(?: \([^)]*\))?(?:(?:, | and )"[^"]*"(?: \([^)]*\))?)*)`
)

// quoted and person read ListPattern's and PeoplePattern's items; they
// are compiled once and never change.
var (
	quoted = regexp.MustCompile(`"([^"]*)"`)
	person = regexp.MustCompile(`"([^"]*)"(?: \(([^)]*)\))?`)
)

// ParseList reads a ListPattern: `"Tea" and "Coffee"` → [Tea Coffee].
func ParseList(s string) []string {
	var out []string
	for _, m := range quoted.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

// Person is a handle and an optional full name, as a step names them.
type Person struct{ Handle, Name string }

// ParsePeople reads a PeoplePattern: `"ada" (Ada Lovelace) and "grace"`.
func ParsePeople(s string) []Person {
	var out []Person
	for _, m := range person.FindAllStringSubmatch(s, -1) {
		out = append(out, Person{Handle: m[1], Name: m[2]})
	}
	return out
}

// ParseCount reads a number of times: once, twice, never, 3 times.
func ParseCount(s string) int {
	switch s {
	case "once":
		return 1
	case "twice":
		return 2
	case "never", "":
		return 0
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[0])
	return n
}

// QuoteAll renders names for an error: "a", "b", or none.
func QuoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) == 0 {
		return "none"
	}
	return strings.Join(q, ", ")
}

// Slug makes an id from a label: "Rating (1-5)" → "rating-1-5".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
	}
	return b.String()
}

// TableValues reads a two-column table (field | value) into a map.
func TableValues(rows [][]string) (map[string]string, error) {
	out := map[string]string{}
	for i, row := range rows {
		if len(row) != 2 {
			return nil, fmt.Errorf("table row %d: want 2 cells (name | value), got %d", i+1, len(row))
		}
		out[row[0]] = row[1]
	}
	return out, nil
}

// Bind returns a step's Run that finds the scenario's fake of the step's
// platform, of type P (the platform's own *Server), and hands it to run;
// a World whose fake is another type is an error that says so.
func Bind[P Platform](run func(ctx context.Context, sc Scene, f P, a StepArgs) error) func(ctx context.Context, sc Scene, a StepArgs) error {
	return func(ctx context.Context, sc Scene, a StepArgs) error {
		f, err := sc.Fake(ctx)
		if err != nil {
			return err
		}
		p, ok := f.(P)
		if !ok {
			var want P
			return fmt.Errorf("the world's %s fake is a %T, not a %T", f.Name(), f, want)
		}
		return run(ctx, sc, p, a)
	}
}
