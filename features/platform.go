package features

import (
	"context"
	"fmt"
	"strings"

	"github.com/cucumber/godog"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// platform is one chat platform of a scenario's World: its kind (names,
// own steps) and its fake, which acts for people and says what they see
// (fakes.People).
type platform struct {
	kind fakes.Kind
	fake fakes.Platform
}

// newPlatforms pairs each fake of the World with its kind from the
// registry.
func newPlatforms(w *sim.World) []platform {
	var out []platform
	for _, k := range sim.Registry() {
		if f := w.Fake(k.Name); f != nil {
			out = append(out, platform{kind: k, fake: f})
		}
	}
	return out
}

// platformScene is the scenario as a platform's own steps see it
// (fakes.Scene): the platform's fake in the World, and a way to act.
type platformScene struct {
	s    *Scenario
	kind fakes.Kind
}

// Fake starts the World if need be and returns the platform's fake.
func (ps platformScene) Fake(ctx context.Context) (fakes.Platform, error) {
	w, err := ps.s.world(ctx)
	if err != nil {
		return nil, err
	}
	if f := w.Fake(ps.kind.Name); f != nil {
		return f, nil
	}
	return nil, fmt.Errorf("%s is not simulated in this world (it simulates %s): choose an integration that serves %s, or add: And the chat platform is %s",
		ps.kind.Title, strings.Join(w.FakeNames(), ", "), ps.kind.Title, ps.kind.Title)
}

// Act runs do as one numbered World step titled with the step's text.
func (ps platformScene) Act(ctx context.Context, do func(ctx context.Context) (string, error)) error {
	return ps.s.act(ctx, func(ctx context.Context, _ *sim.World) (string, error) { return do(ctx) })
}

// Setup runs do as a setup step of the World.
func (ps platformScene) Setup(ctx context.Context, title string, do func(ctx context.Context) error) error {
	w, err := ps.s.world(ctx)
	if err != nil {
		return err
	}
	return w.Step(ctx, "setup  "+title, do)
}

// ownSteps binds each registered platform's own steps (fakes.Step) as
// steps of the library, grouped under the platform's name.
func ownSteps() []Step {
	var out []Step
	for _, k := range sim.Registry() {
		if k.Steps == nil {
			continue
		}
		for _, st := range k.Steps() {
			arg := argNone
			switch st.Arg {
			case fakes.DocArg:
				arg = argDoc
			case fakes.TableArg:
				arg = argTable
			}
			out = append(out, Step{Group: k.Name, Pattern: st.Pattern, Doc: st.Doc, Example: st.Example, arg: arg,
				run: func(ctx context.Context, s *Scenario, a args) error {
					return st.Run(ctx, platformScene{s: s, kind: k}, fakes.StepArgs{Groups: a.s, Doc: a.doc, Table: tableRows(a.table)})
				}})
		}
	}
	return out
}

// tableRows reads a step's table as rows of cells.
func tableRows(t *godog.Table) [][]string {
	if t == nil {
		return nil
	}
	rows := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		for _, c := range r.Cells {
			rows[i] = append(rows[i], c.Value)
		}
	}
	return rows
}

// adapter returns the scenario's chat platform called title ("Slack"), or
// nil before the World starts or when it is not simulated.
func (s *Scenario) adapter(title string) *platform {
	for i := range s.platforms {
		if s.platforms[i].kind.Title == title {
			return &s.platforms[i]
		}
	}
	return nil
}
