package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	wrong := filepath.Join(dir, "wrong.golden")
	if err := os.WriteFile(wrong, []byte("# not the journal\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	malformed := filepath.Join(dir, "bad.feature")
	if err := os.WriteFile(malformed, []byte("Feature: broken\n  Scenario: one\n    Given a thing\nFeature: again\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.feature")
	if err := os.WriteFile(empty, []byte("# only a comment\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cassettes := "../../examples/telegram/cassettes/"
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // must contain
		stderr string
		quiet  bool // nothing on stderr
	}{
		{name: "demo", args: []string{"replay"}, code: 0, stdout: "bot  ◂ One coffee coming up."},
		{name: "golden matches", args: []string{"replay", cassettes + "order.cassette", "--golden", "../../examples/telegram/cassettes/order.golden"}, code: 0, stdout: "journal matches"},
		{name: "golden differs", args: []string{"replay", cassettes + "text.cassette", "--golden", wrong}, code: 1, stdout: "+# step 1"},
		{name: "violation fails", args: []string{"replay", cassettes + "violation.cassette", "--quiet"}, code: 1, stdout: "contract violation in bot.reply msg#2 at /payload/options/0/value"},
		{name: "missing cassette", args: []string{"replay", filepath.Join(dir, "nope.cassette")}, code: 2, stderr: "no such file"},
		{name: "bad flag", args: []string{"replay", "--nope"}, code: 2, stderr: "flag provided but not defined"},
		{name: "update needs golden", args: []string{"replay", "--update"}, code: 2, stderr: "--update needs --golden"},
		{name: "unknown integration", args: []string{"replay", "--integration", "examples/nope"}, code: 2, stderr: "not a known integration"},
		{name: "help", args: []string{"replay", "-h"}, code: 0, stdout: "Usage: chatsim replay", quiet: true},
		{name: "help command", args: []string{"help", "serve"}, code: 0, stdout: "Usage: chatsim serve", quiet: true},
		{name: "bad flag shows usage", args: []string{"serve", "--nope"}, code: 2, stderr: "flag provided but not defined: -nope\nUsage: chatsim serve"},
		{name: "no command", args: nil, code: 2, stderr: "Usage:"},
		{name: "test passes", args: []string{"test", "../../features/telegram_order.feature"}, code: 0, stdout: "ok  5 scenarios (5 passed)"},
		{name: "test fails and explains", args: []string{"test", "../../features/testdata/failing/wrong_word.feature", "--concurrency", "2"}, code: 1,
			stdout: "FAIL 4 scenarios (0 passed, 4 failed)", stderr: `the conversation state "order" differs at /drink: want "Coffee", got "coffee"`},
		{name: "test random order", args: []string{"test", "../../features/telegram_order.feature", "--seed", "7"}, code: 0, stdout: "seed 7"},
		{name: "test malformed feature", args: []string{"test", malformed}, code: 2, stderr: "bad.feature:4:1: expected"},
		{name: "test empty feature", args: []string{"test", empty}, code: 2, stderr: "empty.feature: no Feature in the file"},
		{name: "test tags match nothing", args: []string{"test", "../../features/telegram_order.feature", "--tags", "@nope"}, code: 2, stderr: `matches the tags "@nope"`},
		{name: "test no such path", args: []string{"test", filepath.Join(dir, "nope")}, code: 2, stderr: "no such file"},
		{name: "test bad format", args: []string{"test", "--format", "xml"}, code: 2, stderr: "--format"},
		{name: "steps", args: []string{"steps", "telegram"}, code: 0, stdout: `Given a Telegram private chat with "ada" (Ada Lovelace)`},
		{name: "steps unknown group", args: []string{"steps", "nope"}, code: 2, stderr: "unknown group"},
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, stderr: "unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, strings.NewReader(""), &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errb.String())
			}
			if tc.quiet && errb.Len() > 0 {
				t.Errorf("stderr is not empty:\n%s", errb.String())
			}
			if n := strings.Count(out.String()+errb.String(), "Usage: "); n > 1 {
				t.Errorf("the usage is printed %d times", n)
			}
		})
	}
}

func TestBadCassetteNamesTheLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.cassette")
	body := `{"chatsim_cassette":1,"name":"bad","configuration":{"botToken":"${TELEGRAM_BOT_TOKEN}"}}` + "\n" + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"url":"/"}}` + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"replay", path}, strings.NewReader(""), &out, &errb)
	if code != exitUsage || !strings.Contains(errb.String(), "bad.cassette:2") {
		t.Fatalf("exit %d, stderr %q: want 2 and the file:line", code, errb.String())
	}
}
