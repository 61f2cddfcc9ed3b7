package sim_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/chatsim/chatsim/sim"
)

// TestDiffGolden pins the one golden-diff message every golden check
// prints: the file, then a unified diff, - want, + got.
func TestDiffGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		want, got string
		out       string
	}{
		{name: "equal", want: "a\nb\n", got: "a\nb\n", out: ""},
		{
			name: "a line changed", want: "# step 1\nbot  hi\n", got: "# step 1\nbot  ho\n",
			out: "the journal differs from x.golden (- want, + got; `--update` rewrites it):\n" +
				"--- want\n+++ got\n@@ -1,2 +1,2 @@\n # step 1\n-bot  hi\n+bot  ho\n",
		},
		{
			name: "empty golden", want: "", got: "# step 1\n",
			out: "the journal differs from x.golden (- want, + got; `--update` rewrites it):\n" +
				"--- want\n+++ got\n@@ -0,0 +1 @@\n+# step 1\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sim.DiffGolden("x.golden", []byte(tc.want), []byte(tc.got)); got != tc.out {
				t.Errorf("DiffGolden =\n%s\nwant\n%s", got, tc.out)
			}
		})
	}
	t.Run("only the final newline", func(t *testing.T) {
		t.Parallel()
		got := sim.DiffGolden("x.golden", []byte("a\n"), []byte("a"))
		if !strings.HasPrefix(got, "the journal differs from x.golden") || !strings.Contains(got, "\n") {
			t.Errorf("DiffGolden = %q, want a message naming the file", got)
		}
	})
}

// TestGoldenCheckIsDiffGolden: a journal written to a GoldenCheck in
// pieces of any size reports what DiffGolden reports for it whole, its
// line numbers counted from the start however far in the difference is.
func TestGoldenCheckIsDiffGolden(t *testing.T) {
	t.Parallel()
	long := func(n int, change map[int]string) string {
		var b strings.Builder
		for i := 1; i <= n; i++ {
			if c, ok := change[i]; ok {
				b.WriteString(c)
				continue
			}
			fmt.Fprintf(&b, "telegram   sendMessage                 chat=1001 %q\n", fmt.Sprint("message number ", i))
		}
		return b.String()
	}
	tests := []struct {
		name      string
		want, got string
		cut       bool // lines added or removed leave the journals apart past the window
	}{
		{"equal", "a\nb\n", "a\nb\n", false},
		{"empty both", "", "", false},
		{"a line changed", "# step 1\nbot  hi\n", "# step 1\nbot  ho\n", false},
		{"empty golden", "", "# step 1\n", false},
		{"empty journal", "# step 1\n", "", false},
		{"golden longer", "a\nb\nc\n", "a\nb\n", false},
		{"journal longer", "a\nb\n", "a\nb\nc\nd\n", false},
		{"only the final newline", "a\nb", "a\nb\n", false},
		{"journal without a final newline", "a\nb\n", "a\nb", false},
		{"far in", long(20_000, nil), long(20_000, map[int]string{12_345: "telegram   sendPhoto\n"}), false},
		{"a line inserted far in", long(2_000, nil), long(2_000, map[int]string{1_500: "extra\ntelegram   sendMessage                 chat=1001 \"message number 1500\"\n"}), true},
		{"two differences", long(300, map[int]string{10: "x\n"}), long(300, map[int]string{10: "y\n", 200: "z\n"}), false},
	}
	for _, tc := range tests {
		for _, piece := range []int{1, 7, 4096, 1 << 30} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, piece), func(t *testing.T) {
				t.Parallel()
				c := sim.NewGoldenCheck("x.golden", strings.NewReader(tc.want))
				for got := tc.got; got != ""; {
					n := min(piece, len(got))
					if _, err := c.Write([]byte(got[:n])); err != nil {
						t.Fatal(err)
					}
					got = got[n:]
				}
				d, err := c.Diff()
				if err != nil {
					t.Fatal(err)
				}
				want := sim.DiffGolden("x.golden", []byte(tc.want), []byte(tc.got))
				if tc.cut {
					// The first hunk is the same; the note says there is more.
					first := want[:strings.Index(want, "\n@@ ")+1]
					if i := strings.Index(want[len(first):], "\n@@ "); i >= 0 {
						first = want[:len(first)+i+1]
					}
					if !strings.HasPrefix(d, first) || !strings.Contains(d, "(the journals differ past the 500 lines") {
						t.Errorf("GoldenCheck.Diff =\n%s\nwant it to begin as DiffGolden's\n%s\nand say it stops", d, first)
					}
					return
				}
				if d != want {
					t.Errorf("GoldenCheck.Diff =\n%s\nDiffGolden =\n%s", d, want)
				}
			})
		}
	}
}

// TestGoldenCheckIsBounded: journals that part ways early and stay apart
// show a bounded diff, with a note of what it leaves out.
func TestGoldenCheckIsBounded(t *testing.T) {
	t.Parallel()
	var want, got strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&want, "want line %d\n", i)
		fmt.Fprintf(&got, "got line %d\n", i)
	}
	c := sim.NewGoldenCheck("x.golden", strings.NewReader(want.String()))
	if _, err := c.Write([]byte(got.String())); err != nil {
		t.Fatal(err)
	}
	d, err := c.Diff()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(d, "\n"); n > 1_100 {
		t.Errorf("the diff has %d lines", n)
	}
	if !strings.HasPrefix(d, "the journal differs from x.golden") || !strings.Contains(d, "(the journals differ past the 500 lines the diff shows from the first difference: want has 100000 lines in all, got 100000)") {
		t.Errorf("the diff does not say what it leaves out:\n%.300s…%s", d, d[len(d)-200:])
	}
}

// TestGoldenCheckReadError: a golden journal that cannot be read is an
// error, not a difference.
func TestGoldenCheckReadError(t *testing.T) {
	t.Parallel()
	c := sim.NewGoldenCheck("x.golden", iotest.ErrReader(errors.New("disk gone")))
	if _, err := c.Write([]byte("# step 1\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Diff(); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("Diff = %v, want the read error", err)
	}
}
