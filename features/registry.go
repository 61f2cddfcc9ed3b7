package features

import (
	"context"
	"reflect"
	"regexp"
	"sort"

	"github.com/cucumber/godog"

	"github.com/chatsim/chatsim/sim"
)

// Step documents one step of the library: what `chatsim steps` prints.
type Step struct {
	// Group is the part of the vocabulary it belongs to: "setup", "bot",
	// "faults", "act", "platform", "chat", "journal", or a chat platform's
	// own: "telegram", "slack", "shopify", "rocketchat".
	Group string
	// Pattern is the regular expression the step's text must match.
	Pattern string
	// Doc says what the step does.
	Doc string
	// Example is the step as a scenario writes it (a doc string or table,
	// when the step takes one, on the lines that follow).
	Example string

	arg argKind
	run func(ctx context.Context, s *Scenario, a args) error
}

type argKind int

const (
	argNone argKind = iota
	argDoc
	argTable
)

// args are what a step's text and argument carried.
type args struct {
	s     []string
	doc   string
	table *godog.Table
}

// Groups lists the step groups in the order `chatsim steps` prints them.
func Groups() []string {
	groups := []string{"setup", "bot", "faults", "act", "chat", "platform", "journal"}
	return append(groups, sim.PlatformNames()...)
}

// Steps returns every step of the library, grouped in the order of Groups
// and, within a group, in the order they were written. It builds the list
// anew on each call.
func Steps() []Step {
	var all []Step
	for _, f := range []func() []Step{setupSteps, botSteps, faultSteps, actSteps, chatSteps, platformSteps, journalSteps, ownSteps} {
		all = append(all, f()...)
	}
	order := map[string]int{}
	for i, g := range Groups() {
		order[g] = i
	}
	sort.SliceStable(all, func(i, j int) bool { return order[all[i].Group] < order[all[j].Group] })
	return all
}

var (
	typeContext = reflect.TypeOf((*context.Context)(nil)).Elem()
	typeString  = reflect.TypeOf("")
	typeDoc     = reflect.TypeOf((*godog.DocString)(nil))
	typeTable   = reflect.TypeOf((*godog.Table)(nil))
	typeError   = reflect.TypeOf((*error)(nil)).Elem()
)

// handler builds the function godog calls for st in scenario s: a context,
// one string per group of the pattern, then the doc string or table.
func (st Step) handler(s *Scenario) any {
	n := regexp.MustCompile(st.Pattern).NumSubexp()
	in := []reflect.Type{typeContext}
	for i := 0; i < n; i++ {
		in = append(in, typeString)
	}
	switch st.arg {
	case argDoc:
		in = append(in, typeDoc)
	case argTable:
		in = append(in, typeTable)
	}
	ft := reflect.FuncOf(in, []reflect.Type{typeError}, false)
	return reflect.MakeFunc(ft, func(vals []reflect.Value) []reflect.Value {
		ctx := vals[0].Interface().(context.Context)
		var a args
		for i := 1; i <= n; i++ {
			a.s = append(a.s, vals[i].String())
		}
		switch st.arg {
		case argDoc:
			if d, _ := vals[n+1].Interface().(*godog.DocString); d != nil {
				a.doc = d.Content
			}
		case argTable:
			a.table, _ = vals[n+1].Interface().(*godog.Table)
		}
		err := s.runStep(ctx, st, a)
		out := reflect.New(typeError).Elem()
		if err != nil {
			out.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{out}
	}).Interface()
}
