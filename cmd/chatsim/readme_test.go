package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeDocumentsEveryFlag: every flag of every command is in the
// README, so that the README stays true as flags come.
func TestReadmeDocumentsEveryFlag(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z][a-z-]*)`)
	for _, cmd := range []string{"replay", "serve", "record", "test"} {
		var stdout, stderr strings.Builder
		if code := run(context.Background(), []string{cmd, "-h"}, strings.NewReader(""), &stdout, &stderr); code != exitOK {
			t.Fatalf("%s -h: exit %d: %s", cmd, code, stderr.String())
		}
		names := flagLine.FindAllStringSubmatch(stdout.String(), -1)
		if len(names) == 0 {
			t.Fatalf("%s -h lists no flags:\n%s", cmd, stdout.String())
		}
		for _, m := range names {
			dashes := "--"
			if len(m[1]) == 1 {
				dashes = "-"
			}
			if !strings.Contains(string(readme), "`"+dashes+m[1]) && !strings.Contains(string(readme), " "+dashes+m[1]+" ") &&
				!strings.Contains(string(readme), "["+dashes+m[1]) {
				t.Errorf("chatsim %s %s%s is not in the README", cmd, dashes, m[1])
			}
		}
	}
}
