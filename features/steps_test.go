package features

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestStepsAreDocumented(t *testing.T) {
	t.Parallel()
	steps := Steps()
	if len(steps) < 60 {
		t.Fatalf("%d steps, want the whole vocabulary", len(steps))
	}
	groups := map[string]bool{}
	for _, g := range Groups() {
		groups[g] = true
	}
	res := make([]*regexp.Regexp, len(steps))
	for i, st := range steps {
		res[i] = regexp.MustCompile(st.Pattern)
	}
	for i, st := range steps {
		t.Run(st.Pattern, func(t *testing.T) {
			t.Parallel()
			if !groups[st.Group] || st.Doc == "" || st.Example == "" || st.run == nil {
				t.Fatalf("step %q lacks a group, doc, example or body", st.Pattern)
			}
			if !strings.HasPrefix(st.Pattern, "^") || !strings.HasSuffix(st.Pattern, "$") {
				t.Errorf("pattern %q is not anchored", st.Pattern)
			}
			text := exampleText(st.Example)
			if !res[i].MatchString(text) {
				t.Errorf("the example %q does not match its own pattern %q", text, st.Pattern)
			}
			for j, other := range res {
				if j != i && other.MatchString(text) {
					t.Errorf("the example %q also matches %q: the steps are ambiguous", text, steps[j].Pattern)
				}
			}
			hasArg := strings.Contains(st.Example, "\n")
			if hasArg != (st.arg != argNone) {
				t.Errorf("the example's doc string or table (%v) disagrees with the step's argument (%v)", hasArg, st.arg != argNone)
			}
		})
	}
}

func TestJSONDiff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, want, got string
		subset          bool
		ptr             string // "" when equal
		what            string
	}{
		{name: "equal with other key order", want: `{"a":1,"b":[1,2]}`, got: `{"b":[1,2],"a":1.0}`},
		{name: "a value differs", want: `{"drink":"coffee"}`, got: `{"drink":"Coffee"}`, ptr: "/drink", what: `want "coffee", got "Coffee"`},
		{name: "a key is missing", want: `{"a":1,"b":2}`, got: `{"a":1}`, ptr: "/b", what: "missing, want 2"},
		{name: "an extra key", want: `{"a":1}`, got: `{"a":1,"z":true}`, ptr: "/z", what: "not wanted, got true"},
		{name: "an extra key in a subset", want: `{"a":1}`, got: `{"a":1,"z":true}`, subset: true},
		{name: "deep in an array", want: `{"o":[{"v":"x"}]}`, got: `{"o":[{"v":"y"}]}`, ptr: "/o/0/v", what: `want "x", got "y"`},
		{name: "array too long", want: `[1]`, got: `[1,2]`, ptr: "/1", what: "not wanted, got 2"},
		{name: "type differs at the root", want: `{}`, got: `[]`, ptr: "/", what: "want an object, got []"},
		{name: "pointer escapes", want: `{"a/b":1}`, got: `{"a/b":2}`, ptr: "/a~1b", what: "want 1, got 2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w, err := parseJSON(tc.want, "want")
			if err != nil {
				t.Fatal(err)
			}
			ptr, what, ok := jsonDiff(w, decodeRaw([]byte(tc.got)), tc.subset)
			if ok != (tc.ptr == "") || ptr != tc.ptr || what != tc.what {
				t.Errorf("jsonDiff = %q, %q, %v; want %q, %q", ptr, what, ok, tc.ptr, tc.what)
			}
		})
	}
}

func TestGoldenPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ feature, scenario, want string }{
		{"features/order.feature", "Ada picks from the menu", "features/testdata/order/ada-picks-from-the-menu.golden"},
		{"order.feature", "Telegram is rate limiting (429)!", "testdata/order/telegram-is-rate-limiting-429.golden"},
		{"x.feature", "☕", "testdata/x/scenario.golden"},
	}
	for _, tc := range cases {
		if got := GoldenPath(tc.feature, tc.scenario); got != tc.want {
			t.Errorf("GoldenPath(%q, %q) = %q, want %q", tc.feature, tc.scenario, got, tc.want)
		}
	}
}

func TestParseErrorNamesFileAndLine(t *testing.T) {
	t.Parallel()
	err := parseError(errors.New("a.feature - Parser errors:\n(4:3): expected: #EOF, got 'oops'\n(6:1): unexpected end of file"))
	if !errors.Is(err, ErrParse) {
		t.Fatalf("%v does not wrap ErrParse", err)
	}
	for _, want := range []string{"a.feature:4:3: expected: #EOF, got 'oops'", "a.feature:6:1: unexpected end of file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}

// TestClosestSteps ranks the library's examples against mistyped steps:
// the intended step comes first, with the step's own quoted strings.
func TestClosestSteps(t *testing.T) {
	t.Parallel()
	lib := newLibrary()
	cases := []struct {
		keyword, kind, text string
		want                string // the first suggestion
	}{
		{"When", "When", `"ada" snds "hi"`, `When "ada" sends "hi"`},
		{"When", "When", `ada sends "menu"`, `When "ada" sends "menu"`},
		{"And", "When", `"ada" tap "Coffee"`, `And "ada" taps "Coffee"`},
		{"Then", "Then", `"ada" see "What would you like?" with the buttons "Tea" and "Coffee"`, `Then "ada" sees "What would you like?" with the buttons "Tea" and "Coffee"`},
		{"Then", "Then", `the platform has a user taged id="1001" named "Ada Lovelace"`, `Then the platform has a user tagged id="1001" named "Ada Lovelace"`},
		{"Then", "Then", `the journal matches the golden files`, `Then the journal matches the golden file`},
		{"Given", "Given", `a telegram privat chat with "bob" (Bob)`, `Given a Telegram private chat with "bob" (Ada Lovelace)`},
	}
	for _, tc := range cases {
		got := lib.closest(tc.keyword, tc.kind, tc.text, maxClosest)
		if len(got) != maxClosest {
			t.Errorf("%q: %d suggestions, want %d", tc.text, len(got), maxClosest)
		}
		if len(got) == 0 || got[0] != tc.want {
			t.Errorf("%q: closest %q, want %q first", tc.text, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "ab", 2}, {"sends", "snds", 1}, {"kitten", "sitting", 3}, {"☕x", "☕y", 1},
	}
	for _, tc := range cases {
		if got := editDistance(strings.Split(tc.a, ""), strings.Split(tc.b, "")); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
