package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
