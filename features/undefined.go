package features

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/chatsim/chatsim/internal/textdist"
)

// ErrUndefinedStep is a step that no step of the library matches: a typo,
// or a step of another suite. It fails its scenario unless Options.Lax; the
// error names the step's file:line and the library's closest steps.
var ErrUndefinedStep = errors.New("undefined step")

// maxClosest is how many of the library's steps an undefined step is shown
// next to.
const maxClosest = 3

// undefinedStep is one step no pattern matches, where it is written and
// what the library has that is nearest to it.
type undefinedStep struct {
	at      string // "features/x.feature:7"
	step    string // with its keyword: `When "ada" whispers "hi"`
	closest []string
}

// undefinedSteps are the undefined steps of one scenario, said together
// when the first of them is reached: the scenario goes no further.
type undefinedSteps []undefinedStep

func (u undefinedSteps) Error() string {
	var b strings.Builder
	for i, st := range u {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s: undefined step: %s", st.at, st.step)
		for j, c := range st.closest {
			label := "  closest: "
			if j > 0 {
				label = "       or: "
			}
			b.WriteString("\n" + label + c)
		}
	}
	b.WriteString("\n  (`chatsim steps` lists every step)")
	return b.String()
}

// Is makes undefinedSteps an ErrUndefinedStep.
func (u undefinedSteps) Is(target error) bool { return target == ErrUndefinedStep }

// library is the step library compiled once for a run: the patterns godog
// matches, and the examples an undefined step is compared with.
type library struct {
	patterns []*regexp.Regexp
	examples []example
}

type example struct {
	keyword string   // the example's keyword: Given, When or Then
	text    string   // the example's text without its keyword
	tokens  []string // its words, quoted strings as one placeholder
}

func newLibrary() *library {
	l := &library{}
	seen := map[string]bool{}
	for _, st := range Steps() {
		l.patterns = append(l.patterns, regexp.MustCompile(st.Pattern))
		text := exampleText(st.Example)
		if !seen[text] {
			seen[text] = true
			kw, _, _ := strings.Cut(st.Example, " ")
			l.examples = append(l.examples, example{keyword: kw, text: text, tokens: stepTokens(text)})
		}
	}
	return l
}

// defined reports whether a step of the library matches text.
func (l *library) defined(text string) bool {
	for _, re := range l.patterns {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// closest returns up to n examples of the library nearest to text, each
// with keyword before it and, when it quotes as many strings as text
// does, text's strings in place of its own: `When "ada" sends "hi"` for
// `When "ada" whispers "hi"`. Nearest is fewest words apart (quoted
// strings count as one word, whatever they say), then, among as near,
// an example of the same kind (kind is Given, When or Then, as the step
// stands), then fewest characters apart.
func (l *library) closest(keyword, kind, text string, n int) []string {
	toks := stepTokens(text)
	norm := strings.Split(strings.Join(toks, " "), "")
	type scored struct {
		ex           example
		words, runes int
		otherKind    bool
	}
	all := make([]scored, len(l.examples))
	for i, ex := range l.examples {
		all[i] = scored{
			ex:        ex,
			words:     editDistance(toks, ex.tokens),
			otherKind: ex.keyword != kind,
			runes:     editDistance(norm, strings.Split(strings.Join(ex.tokens, " "), "")),
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		switch {
		case a.words != b.words:
			return a.words < b.words
		case a.otherKind != b.otherKind:
			return !a.otherKind
		}
		return a.runes < b.runes
	})
	quotes := quotedRe.FindAllString(text, -1)
	var out []string
	seen := map[string]bool{}
	for _, sc := range all {
		if len(out) == n {
			break
		}
		s := sc.ex.text
		if ex := quotedRe.FindAllString(s, -1); len(ex) == len(quotes) && len(ex) > 0 {
			i := 0
			s = quotedRe.ReplaceAllStringFunc(s, func(string) string { i++; return quotes[i-1] })
		}
		s = strings.TrimSpace(keyword) + " " + s
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// tokenRe splits a step's text into what it says: a tag (id="1001"), a
// quoted string, a JSON object, or a word.
var tokenRe = regexp.MustCompile(`\w+="[^"]*"|"[^"]*"|\{.*\}|\S+`)

// stepTokens are the words of a step's text for comparing it with the
// library's: quoted strings, tag values, JSON and numbers as placeholders,
// since the words around them are what a pattern fixes.
func stepTokens(text string) []string {
	var out []string
	for _, t := range tokenRe.FindAllString(text, -1) {
		switch {
		case strings.HasPrefix(t, `"`):
			t = `"…"`
		case strings.HasSuffix(t, `"`):
			k, _, _ := strings.Cut(t, "=")
			t = k + `="…"`
		case strings.HasPrefix(t, "{"):
			t = "{…}"
		case strings.Trim(t, "0123456789") == "":
			t = "0"
		default:
			t = strings.ToLower(t)
		}
		out = append(out, t)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b []string) int { return textdist.Levenshtein(a, b) }

// exampleText strips the keyword and the doc string or table lines from a
// step's example, leaving the text its pattern must match.
func exampleText(ex string) string {
	first, _, _ := strings.Cut(ex, "\n")
	for _, kw := range []string{"Given ", "When ", "Then ", "And ", "But "} {
		if strings.HasPrefix(first, kw) {
			return strings.TrimPrefix(first, kw)
		}
	}
	return first
}

// locations is where the parsed feature files have their steps and
// scenarios, by file and AST node id, which godog's pickles point to.
type locations map[string]map[string]location

type location struct {
	keyword string
	line    int64
}

// add indexes a parsed feature file.
func (g locations) add(uri string, doc *messages.GherkinDocument) {
	if doc == nil || doc.Feature == nil {
		return
	}
	nodes := map[string]location{}
	g[uri] = nodes
	steps := func(sts []*messages.Step) {
		for _, st := range sts {
			nodes[st.Id] = location{keyword: strings.TrimSpace(st.Keyword), line: st.Location.Line}
		}
	}
	scenario := func(sc *messages.Scenario) {
		nodes[sc.Id] = location{keyword: sc.Keyword, line: sc.Location.Line}
		steps(sc.Steps)
	}
	for _, c := range doc.Feature.Children {
		switch {
		case c.Background != nil:
			steps(c.Background.Steps)
		case c.Scenario != nil:
			scenario(c.Scenario)
		case c.Rule != nil:
			for _, rc := range c.Rule.Children {
				switch {
				case rc.Background != nil:
					steps(rc.Background.Steps)
				case rc.Scenario != nil:
					scenario(rc.Scenario)
				}
			}
		}
	}
}

// at is "file:line" of the node id points to in uri, or the file alone.
func (g locations) at(uri, id string) string {
	if n, ok := g[uri][id]; ok {
		return fmt.Sprintf("%s:%d", uri, n.line)
	}
	return uri
}

// keyword is the keyword the step id points to is written with ("When",
// "And"), or "*" when it is not known.
func (g locations) keyword(uri, id string) string {
	if n, ok := g[uri][id]; ok && n.keyword != "" {
		return n.keyword
	}
	return "*"
}

// undefined lists the steps of pickle that no step of the library matches.
func (r *runState) undefined(p *godog.Scenario) undefinedSteps {
	var out undefinedSteps
	for _, st := range p.Steps {
		if r.lib.defined(st.Text) || len(st.AstNodeIds) == 0 {
			continue
		}
		kw := r.locations.keyword(p.Uri, st.AstNodeIds[0])
		out = append(out, undefinedStep{
			at:      r.locations.at(p.Uri, st.AstNodeIds[0]),
			step:    kw + " " + st.Text,
			closest: r.lib.closest(kw, stepKind(st.Type), st.Text, maxClosest),
		})
	}
	return out
}

// failUndefined makes each undefined step of pickle a step that fails with
// err, so that the scenario fails there, saying why, instead of godog
// reporting a step to implement. Steps are bound by their exact text.
func failUndefined(sc *godog.ScenarioContext, p *godog.Scenario, lib *library, err error) {
	bound := map[string]bool{}
	for _, st := range p.Steps {
		if bound[st.Text] || lib.defined(st.Text) {
			continue
		}
		bound[st.Text] = true
		var h any = func(context.Context) error { return err }
		switch {
		case st.Argument != nil && st.Argument.DocString != nil:
			h = func(context.Context, *godog.DocString) error { return err }
		case st.Argument != nil && st.Argument.DataTable != nil:
			h = func(context.Context, *godog.Table) error { return err }
		}
		sc.Step("^"+regexp.QuoteMeta(st.Text)+"$", h)
	}
}

// stepKind is Given, When or Then for a pickle step's type (an And or But
// has the type of the step it follows), or "" when it has none.
func stepKind(t messages.PickleStepType) string {
	return map[messages.PickleStepType]string{
		messages.PickleStepType_CONTEXT: "Given", messages.PickleStepType_ACTION: "When", messages.PickleStepType_OUTCOME: "Then",
	}[t]
}
