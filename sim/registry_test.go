package sim_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// TestRegistry checks what every platform of the registry promises: a
// unique lower-case name and a title, a fake that starts on a World's
// wiring under that name, steps whose patterns compile and are anchored,
// and carriers that say where their secret is with expressions that
// compile (a Path with one group).
func TestRegistry(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, k := range sim.Registry() {
		t.Run(k.Name, func(t *testing.T) {
			if !regexp.MustCompile(`^[a-z][a-z0-9]*$`).MatchString(k.Name) || seen[k.Name] {
				t.Errorf("name %q: want a unique lower-case name", k.Name)
			}
			seen[k.Name] = true
			if k.Title == "" || k.Start == nil || k.Steps == nil || !strings.Contains(k.PersonStep, "%q") {
				t.Errorf("%s: want a title, Start, Steps and a PersonStep with %%q", k.Name)
			}
			f, err := k.Start(fakes.Wiring{Clock: fakes.NewVirtualClock(time.Time{}), Journal: fakes.NewJournal(), Activity: fakes.NewActivity()})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if f.Name() != k.Name {
				t.Errorf("its fake is called %q", f.Name())
			}
			if f.Has("nobody") {
				t.Error("its fake knows a person nobody set up")
			}
			if _, err := f.Do(context.Background(), fakes.Action{Kind: fakes.ActSend, Person: "nobody", Text: "hi"}); err == nil {
				t.Error("its fake acted for a person nobody set up")
			}
			for _, st := range k.Steps() {
				if !strings.HasPrefix(st.Pattern, "^") || !strings.HasSuffix(st.Pattern, "$") || st.Run == nil || st.Doc == "" || st.Example == "" {
					t.Errorf("step %q: want an anchored pattern, Run, Doc and Example", st.Pattern)
				}
				if _, err := regexp.Compile(st.Pattern); err != nil {
					t.Errorf("step %q: %v", st.Pattern, err)
				}
			}
			if len(k.Carriers) == 0 {
				t.Error("no secret carriers")
			}
			for _, c := range k.Carriers {
				places := 0
				for _, p := range []string{c.Header, c.Path, c.Field, c.Shape} {
					if p != "" {
						places++
					}
				}
				if places != 1 || !regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`).MatchString(c.Name) {
					t.Errorf("carrier %+v: want a NAME and exactly one of Header, Path, Field, Shape", c)
				}
				if c.Path != "" {
					if re, err := regexp.Compile(c.Path); err != nil || re.NumSubexp() != 1 {
						t.Errorf("carrier %s: Path %q: want one group (%v)", c.Name, c.Path, err)
					}
				}
				if c.Shape != "" {
					if _, err := regexp.Compile(c.Shape); err != nil {
						t.Errorf("carrier %s: Shape: %v", c.Name, err)
					}
				}
			}
		})
	}
}
