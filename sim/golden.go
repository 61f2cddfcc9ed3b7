package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// DiffGolden compares a rendered journal got with the golden journal want,
// read from the file name. It returns "" when they are the same bytes, else
// what every golden check in chatsim reports (`chatsim replay`, `chatsim
// test`, the tests of the bundled cassettes): a line naming the file, then
// a unified diff with three lines of context, - want, + got:
//
//	the journal differs from order.golden (- want, + got; `--update` rewrites it):
//	--- want
//	+++ got
//	@@ -1,3 +1,3 @@
//	 # step 1  telegram → integration: update 1
//	-telegram   sendMessage …
//	+telegram   sendPhoto …
//
// A journal too long to hold is compared as it is written with a
// GoldenCheck, which reports through the same diff.
func DiffGolden(name string, want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	return diffWindow(name, window{want: splitLines(want), got: splitLines(got), wantBytes: len(want), gotBytes: len(got)})
}

// window is the part of a golden journal and a journal that a diff shows:
// their lines from line from+1 on, to the end or, when cut, for as long
// as a GoldenCheck keeps them.
type window struct {
	from                int // the lines before the window, the same on both sides
	want, got           []string
	wantBytes, gotBytes int // of the whole files, for a difference in the final newline
	cut                 bool
	wantLines, gotLines int // of the whole files, when cut
}

// diffWindow renders the difference in w as DiffGolden does.
func diffWindow(name string, w window) string {
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: w.want, B: w.got, FromFile: "want", ToFile: "got", Context: 3,
	})
	if err != nil || diff == "" {
		// The lines are the same; only the final newline differs.
		diff = fmt.Sprintf("--- want\n+++ got\n(only the final newline differs: want %d bytes, got %d)\n", w.wantBytes, w.gotBytes)
	}
	if w.from > 0 {
		diff = hunkHeader.ReplaceAllStringFunc(diff, func(h string) string {
			m := hunkHeader.FindStringSubmatch(h)
			return "@@ -" + shift(m[1], w.from) + m[2] + " +" + shift(m[3], w.from) + m[4] + " @@"
		})
	}
	if w.cut {
		diff += fmt.Sprintf("(the journals differ past the %d lines the diff shows from the first difference: want has %d lines in all, got %d)\n",
			maxDiffLines, w.wantLines, w.gotLines)
	}
	return fmt.Sprintf("the journal differs from %s (- want, + got; `--update` rewrites it):\n%s", name, diff)
}

// hunkHeader is a unified diff's hunk header, its line numbers captured.
var hunkHeader = regexp.MustCompile(`(?m)^@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@`)

// shift adds by to the line number n.
func shift(n string, by int) string {
	v, _ := strconv.Atoi(n)
	return strconv.Itoa(v + by)
}

// splitLines splits b into lines that each end in "\n", the last one
// given its newline if it lacks one, and no empty line after it (which
// difflib.SplitLines would add).
func splitLines(b []byte) []string {
	lines := strings.SplitAfter(string(b), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	} else {
		lines[len(lines)-1] += "\n"
	}
	return lines
}

// maxDiffLines bounds the lines of each side a GoldenCheck keeps from the
// first difference on.
const maxDiffLines = 500

// GoldenCheck compares a journal written to it, a piece at a time (a
// replay's ReplayOptions.Journal), with a golden journal read as it goes,
// so that neither is ever held whole: it keeps the last three lines that
// matched and, from the first difference on, up to 500 lines of each side,
// which Diff shows through DiffGolden's diff; past them it compares line
// by line and notes whether the journals differ further.
type GoldenCheck struct {
	name    string
	want    *bufio.Reader
	pending []byte // the start of a line not yet written whole

	matched int      // lines the same on both sides
	before  []string // the last lines that matched, for context
	differs bool
	w       window
	wantEOF bool
	err     error // reading want
}

// NewGoldenCheck returns a check of what is written to it against the
// golden journal want, read from the file name.
func NewGoldenCheck(name string, want io.Reader) *GoldenCheck {
	return &GoldenCheck{name: name, want: bufio.NewReaderSize(want, 64<<10)}
}

// Write compares p, the journal's next bytes. It never fails: a golden
// journal that cannot be read is Diff's error.
func (c *GoldenCheck) Write(p []byte) (int, error) {
	c.pending = append(c.pending, p...)
	for {
		i := bytes.IndexByte(c.pending, '\n')
		if i < 0 {
			break
		}
		c.line(string(c.pending[:i+1]), true)
		c.pending = c.pending[i+1:]
	}
	if len(c.pending) == 0 {
		c.pending = nil // a long run does not pin a big buffer
	}
	return len(p), nil
}

// line compares one line of the journal: got ends in a newline, which nl
// says it had (the last line may lack one).
func (c *GoldenCheck) line(got string, nl bool) {
	c.w.gotLines++
	c.w.gotBytes += len(got)
	if !nl {
		c.w.gotBytes--
	}
	if c.differs {
		if len(c.w.got) < c.windowCap() {
			c.w.got = append(c.w.got, got)
			return
		}
		// Past the window, the journals are compared line by line: a
		// difference the window shows whole (lines changed, not added or
		// removed) leaves them the same from there on.
		c.fillWant()
		if want, wantNL, ok := c.nextWant(); !ok || want != got || wantNL != nl {
			c.w.cut = true
		}
		return
	}
	want, wantNL, ok := c.nextWant()
	if ok && want == got && wantNL == nl {
		c.matched++
		if len(c.before) == 3 {
			c.before = append(c.before[:0], c.before[1:]...)
		}
		c.before = append(c.before, got)
		return
	}
	c.differ()
	if ok {
		c.w.want = append(c.w.want, want)
	}
	c.w.got = append(c.w.got, got)
}

// windowCap is how many lines of each side the diff's window holds.
func (c *GoldenCheck) windowCap() int { return len(c.before) + maxDiffLines }

// fillWant reads the golden journal's lines into the diff's window until
// it is full.
func (c *GoldenCheck) fillWant() {
	for len(c.w.want) < c.windowCap() {
		want, _, ok := c.nextWant()
		if !ok {
			return
		}
		c.w.want = append(c.w.want, want)
	}
}

// differ starts the diff's window at the first difference, with the lines
// before it for context.
func (c *GoldenCheck) differ() {
	c.differs = true
	c.w.from = c.matched - len(c.before)
	c.w.want = append([]string(nil), c.before...)
	c.w.got = append([]string(nil), c.before...)
}

// nextWant reads the golden journal's next line, ending in a newline,
// which nl says it had; ok is false at its end.
func (c *GoldenCheck) nextWant() (line string, nl, ok bool) {
	if c.wantEOF || c.err != nil {
		return "", false, false
	}
	s, err := c.want.ReadString('\n')
	if err != nil {
		c.wantEOF = true
		if !errors.Is(err, io.EOF) {
			c.err = err
		}
	}
	if s == "" {
		return "", false, false
	}
	c.w.wantLines++
	c.w.wantBytes += len(s)
	if nl = strings.HasSuffix(s, "\n"); !nl {
		s += "\n"
	}
	return s, nl, true
}

// Diff finishes the check once the journal is written whole: "" when it
// is the golden journal, byte for byte, else the diff DiffGolden gives,
// from three lines before the first difference, and a note when that
// difference goes on past the 500 lines it keeps. The error is a golden
// journal that could not be read.
func (c *GoldenCheck) Diff() (string, error) {
	if len(c.pending) > 0 {
		c.line(string(c.pending)+"\n", false) // a last line with no newline
		c.pending = nil
	}
	if !c.differs {
		if want, _, ok := c.nextWant(); ok {
			c.differ()
			c.w.want = append(c.w.want, want)
		}
	}
	if c.differs {
		c.fillWant()
		for {
			if _, _, ok := c.nextWant(); !ok {
				break
			}
			c.w.cut = true // the golden journal goes on past the window and the journal's end
		}
	}
	if c.err != nil {
		return "", fmt.Errorf("read the golden journal %s: %w", c.name, c.err)
	}
	if !c.differs {
		return "", nil
	}
	return diffWindow(c.name, c.w), nil
}
