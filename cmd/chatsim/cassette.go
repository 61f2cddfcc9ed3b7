package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/sim"
)

// runCassette runs `chatsim cassette SUBCOMMAND`.
func runCassette(args []string, stdout, stderr io.Writer) int {
	const usage = "Usage: chatsim cassette lint FILE...\n\n" +
		"lint checks cassettes: that every line is a valid entry, that no string has a secret's shape\n" +
		"(a token, a JWT, a Bearer value) unless it is a placeholder, that no signature is stored, and that\n" +
		"every inbound entry is one its platform's fake can replay. Each finding is a file:line line.\n" +
		"Exit codes: 0 clean, 1 findings, 2 usage or a file that cannot be read.\n"
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) == 0 {
			fmt.Fprint(stderr, usage)
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	switch args[0] {
	case "lint", "verify":
		return runLint(args[1:], stdout, stderr, usage)
	}
	fmt.Fprintf(stderr, "chatsim cassette: unknown subcommand %q\n\n%s", args[0], usage)
	return exitUsage
}

func runLint(args []string, stdout, stderr io.Writer, usage string) int {
	fs := flag.NewFlagSet("cassette lint", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usage) }
	pos, code, ok := parseInterleaved(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		fmt.Fprintln(stderr, "chatsim cassette lint: name one or more cassettes")
		return exitUsage
	}
	findings := 0
	for _, path := range pos {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim cassette lint:", err)
			return exitUsage
		}
		out, err := recorder.Lint(f, path, sim.Registry())
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "chatsim cassette lint: %s: %v\n", path, err)
			return exitUsage
		}
		for _, fd := range out {
			fmt.Fprintln(stdout, fd)
		}
		findings += len(out)
	}
	if findings > 0 {
		fmt.Fprintf(stdout, "%s\n", count(findings, "finding", "findings"))
		return exitFailed
	}
	fmt.Fprintf(stdout, "ok  %s\n", count(len(pos), "cassette", "cassettes"))
	return exitOK
}
