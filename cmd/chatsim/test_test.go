package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// write creates a file under dir and returns its path.
func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTestBadInput gives `chatsim test` what is not a feature suite: each
// is one message that names the file or directory, and exit 2.
func TestTestBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	readme := write(t, dir, "README.md", "# chatsim\n\nTest chat integrations.\n\n- one\n- two\n- three\n")
	jsonFile := write(t, dir, "order.json", `{"drink": "coffee"}`+"\n")
	noFeatures := filepath.Join(dir, "nothing")
	write(t, noFeatures, "notes.txt", "no scenarios here\n")
	prose := write(t, dir, "prose.feature", strings.Repeat("This is not Gherkin at all.\n", 40))
	cases := []struct {
		name  string
		args  []string
		want  []string // on stderr
		lines int      // at most this many lines on stderr
	}{
		{name: "a markdown file", args: []string{readme}, want: []string{readme, "not a feature file"}, lines: 1},
		{name: "a JSON file", args: []string{jsonFile}, want: []string{jsonFile, "not a feature file"}, lines: 1},
		{name: "a directory with no feature files", args: []string{noFeatures}, want: []string{noFeatures, "no .feature files"}, lines: 1},
		{name: "a feature file that is prose", args: []string{prose}, want: []string{prose + ":1:1: expected", "more"}, lines: 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"test"}, tc.args...), strings.NewReader(""), &out, &errb)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if n := strings.Count(strings.TrimRight(errb.String(), "\n"), "\n") + 1; n > tc.lines {
				t.Errorf("stderr has %d lines, want at most %d:\n%s", n, tc.lines, errb.String())
			}
			if out.Len() > 0 {
				t.Errorf("stdout is not empty:\n%s", out.String())
			}
		})
	}
}

// TestTestSaysEachThingOnce runs failing scenarios with each output for
// people: every failure is explained once (on stderr), the summary is one
// line (ours, on stdout), and godog's own summary, failed-steps list and
// step counts are not there.
func TestTestSaysEachThingOnce(t *testing.T) {
	t.Parallel()
	const failing = "../../features/testdata/failing/wrong_word.feature"
	cases := []struct {
		format  string
		feature string
		code    int
		summary string // stdout's last line
		inline  int    // how many times the first failure's cause is on stdout
	}{
		{format: "progress", feature: failing, code: exitFailed, summary: "FAIL 4 scenarios (0 passed, 4 failed) · 1 integration error"},
		{format: "pretty", feature: failing, code: exitFailed, summary: "FAIL 4 scenarios (0 passed, 4 failed) · 1 integration error", inline: 1},
		{format: "progress", feature: "../../features/telegram_groups.feature", code: exitOK, summary: "ok  8 scenarios (8 passed)"},
		{format: "pretty", feature: "../../features/shopify_app.feature", code: exitOK, summary: "ok  5 scenarios (5 passed) · 2 integration errors"},
	}
	for _, tc := range cases {
		t.Run(tc.format+" "+filepath.Base(tc.feature), func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"test", tc.feature, "--format", tc.format, "--concurrency", "2"}, strings.NewReader(""), &out, &errb)
			all := out.String() + errb.String()
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if last := lines[len(lines)-1]; last != tc.summary {
				t.Errorf("stdout ends with %q, want %q", last, tc.summary)
			}
			if n := strings.Count(all, "scenarios ("); n != 1 {
				t.Errorf("%d summaries, want 1", n)
			}
			for _, godogs := range []string{"steps (", "Failed steps", "No scenarios", "You can implement"} {
				if strings.Contains(all, godogs) {
					t.Errorf("the output holds godog's %q", godogs)
				}
			}
			if tc.code == exitOK {
				if errb.Len() > 0 {
					t.Errorf("stderr is not empty:\n%s", errb.String())
				}
			} else {
				if n := strings.Count(all, "conversation so far:"); n != 4 {
					t.Errorf("%d explanations, want one per failed scenario (4)", n)
				}
				if n := strings.Count(out.String(), `the conversation state "order" differs at /drink`); n != tc.inline {
					t.Errorf("stdout names the first failure's cause %d times, want %d", n, tc.inline)
				}
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
			}
		})
	}
}

// whispers is a feature with a mistyped step, in a scenario and in an
// outline's row.
const whispers = `Feature: Whispers

  Background:
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)

  Scenario: Ada whispers
    When "ada" whispers "hi"
    Then "ada" sees "hi"

  Scenario Outline: Someone murmurs
    When "<who>" murmurs "hi"

    Examples:
      | who |
      | ada |
`

// TestTestUndefinedStepsFail runs a mistyped step: by default it fails,
// named by file:line with the closest steps of the library, and never with
// godog's code snippet; --lax lets it pass as undefined.
func TestTestUndefinedStepsFail(t *testing.T) {
	t.Parallel()
	feature := write(t, t.TempDir(), "whispers.feature", whispers)
	cases := []struct {
		name    string
		args    []string
		code    int
		summary string
		stderr  []string
	}{
		{name: "default", args: nil, code: exitFailed, summary: "FAIL 2 scenarios (0 passed, 2 failed)", stderr: []string{
			"--- FAIL: Whispers / Ada whispers\n  " + feature + `:8: undefined step: When "ada" whispers "hi"` + "\n    closest: When \"ada\" ",
			"--- FAIL: Whispers / Someone murmurs #", feature + `:12: undefined step: When "ada" murmurs "hi"`,
		}},
		{name: "pretty", args: []string{"--format", "pretty"}, code: exitFailed, summary: "FAIL 2 scenarios (0 passed, 2 failed)", stderr: []string{
			feature + `:8: undefined step: When "ada" whispers "hi"`,
		}},
		{name: "strict", args: []string{"--strict"}, code: exitFailed, summary: "FAIL 2 scenarios (0 passed, 2 failed)"},
		{name: "lax", args: []string{"--lax"}, code: exitOK, summary: "ok  2 scenarios (0 passed, 2 undefined)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"test", feature}, tc.args...), strings.NewReader(""), &out, &errb)
			all := out.String() + errb.String()
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if last := lines[len(lines)-1]; last != tc.summary {
				t.Errorf("stdout ends with %q, want %q", last, tc.summary)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			for _, godogs := range []string{"You can implement", "func ", "godog.", "scenarios (0 passed, 2 undefined)\n"} {
				if strings.Contains(all, godogs) && !(tc.name == "lax" && strings.HasPrefix(godogs, "scenarios")) {
					t.Errorf("the output holds godog's %q", godogs)
				}
			}
			if n := strings.Count(all, "scenarios ("); n != 1 {
				t.Errorf("%d summaries, want 1", n)
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
			}
		})
	}
}

// TestTestStrictDeliveries runs a scenario one of whose two deliveries the
// integration refuses: it passes, unless --strict, which fails it for the
// refusal it does not assert.
func TestTestStrictDeliveries(t *testing.T) {
	t.Parallel()
	const feature = "../../features/testdata/strict/deliveries.feature"
	cases := []struct {
		name    string
		args    []string
		code    int
		summary string
		stderr  []string
	}{
		{name: "default", code: exitOK, summary: "ok  2 scenarios (2 passed) · 2 refused deliveries"},
		{name: "strict", args: []string{"--strict"}, code: exitFailed, summary: "FAIL 2 scenarios (1 passed, 1 failed) · 2 refused deliveries", stderr: []string{
			"--- FAIL: Deliveries under --strict / One of two deliveries refused, unasserted\n",
			"the scenario ended with problems it did not expect:",
			"refused by the integration: telegram update 100000002 message: 400 Bad Request",
			"(--strict: assert it with: Then the integration refused 1 delivery)",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string{"test", feature, "--concurrency", "2"}, tc.args...), strings.NewReader(""), &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if last := lines[len(lines)-1]; last != tc.summary {
				t.Errorf("stdout ends with %q, want %q", last, tc.summary)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
			}
		})
	}
}

// syncBuffer is a buffer the run writes from its goroutines while a test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// interrupted is a feature whose first scenario waits for ever: its
// integration (hang-on-webhook, from TestMain) never answers a webhook,
// and writes its pid to the file %[1]s names once it holds one.
const interrupted = `Feature: Interrupted

  Scenario: The integration never answers
    Given the integration "exec:env HANG_MARK=%[1]s hang-on-webhook"
    And the chat platform is Telegram
    And a Telegram private chat with "ada" (Ada Lovelace)
    When "ada" sends "menu"
    Then "ada" sees "menu"

  Scenario: Never reached
    Given the integration "examples/telegram" with its definition
    When "ada" sends "menu"
`

// TestTestInterrupted cancels the run's context (what Ctrl-C does) while a
// scenario waits for an integration that never answers: the run ends at
// once with exit 130, the waiting scenario's step, conversation and
// journal so far on stderr, the scenario after it skipped, and the
// integration stopped.
func TestTestInterrupted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mark := filepath.Join(dir, "webhook")
	feature := write(t, dir, "interrupted.feature", fmt.Sprintf(interrupted, mark))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errb := newSyncBuffer(), newSyncBuffer()
	code := make(chan int, 1)
	go func() { code <- run(ctx, []string{"test", feature}, strings.NewReader(""), out, errb) }()
	// The fourth step waits on the integration, which holds the webhook.
	var pid int
	waitFor(t, 60*time.Second, "the integration to hold the webhook", func() bool {
		b, err := os.ReadFile(mark)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	cancel()
	select {
	case c := <-code:
		if c != exitInterrupted {
			t.Errorf("exit %d, want %d", c, exitInterrupted)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the run did not end within 30s of the interrupt; stdout:\n%s\nstderr:\n%s", out, errb)
	}
	for _, w := range []string{
		"--- INTERRUPTED: Interrupted / The integration never answers\n",
		feature + `:7: interrupted at step 4: When "ada" sends "menu"`,
		"still waiting for: ",
		"    conversation so far:\n      ada  ▸ menu\n",
		"    journal so far:\n",
		`telegram   deliver                     update 100000001 message "menu" from @ada in chat 1001`,
	} {
		if !strings.Contains(errb.String(), w) {
			t.Errorf("stderr lacks %q", w)
		}
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if want := "INTERRUPTED 2 scenarios (0 passed, 1 interrupted, 1 skipped)"; lines[len(lines)-1] != want {
		t.Errorf("stdout ends with %q, want %q", lines[len(lines)-1], want)
	}
	if strings.Contains(errb.String(), "Never reached") {
		t.Error("a scenario after the interrupt ran")
	}
	waitFor(t, 10*time.Second, "the integration (pid "+strconv.Itoa(pid)+") to stop", func() bool { return gone(pid) })
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", out, errb)
	}
}
