package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

const usage = `chatsim: test chat integrations locally, with fakes of the chat platforms and a Botpress-compatible platform.

Usage:
  chatsim replay [CASSETTE] [flags]   replay a recorded conversation through an integration
  chatsim serve [flags]               start the fakes and the platform until interrupted
  chatsim record --platform P -o F    record a conversation with the real platform into a cassette
  chatsim cassette lint FILE...       check cassettes for secrets left and entries that cannot be replayed
  chatsim test [PATHS] [flags]        run Gherkin scenarios (.feature files) against the fakes
  chatsim steps [GROUP]               list the steps scenarios can use, with examples
  chatsim version                     print the version
  chatsim help [COMMAND]              show help

Run "chatsim help COMMAND" for a command's flags.
`

// version is the CLI's version.
const version = "0.1.0-dev"

// exit codes
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
	// exitInterrupted is a run stopped by Ctrl-C (SIGINT), SIGTERM or
	// SIGHUP, as shells report a command killed by SIGINT: 128+2.
	exitInterrupted = 130
)

// run is the whole CLI: main only calls it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "replay":
		return runReplay(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "record":
		return runRecord(ctx, args[1:], stdout, stderr)
	case "cassette":
		return runCassette(args[1:], stdout, stderr)
	case "test":
		return runTest(ctx, args[1:], stdout, stderr)
	case "steps":
		return runSteps(args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "chatsim", version)
		return exitOK
	case "help", "-h", "--help", "-help":
		// "help COMMAND" is "COMMAND -h"; help about help (help help,
		// -h -h, help -h) is the usage.
		if len(args) > 1 && !isHelp(args[1]) {
			switch args[1] {
			case "replay", "serve", "record", "cassette", "test", "steps":
				return run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr)
			case "version":
				fmt.Fprintln(stdout, "Usage: chatsim version\n\nPrint the version.")
				return exitOK
			}
			fmt.Fprintf(stderr, "chatsim help: unknown command %q\n\n%s", args[1], usage)
			return exitUsage
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	default:
		fmt.Fprintf(stderr, "chatsim: unknown command %q\n\n%s", args[0], usage)
		return exitUsage
	}
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "--help", "-help":
		return true
	}
	return false
}

// parseInterleaved parses flags that may come before or after positional
// arguments ("replay demo.cassette --golden x"). It returns the positional
// arguments, or an exit code when parsing ended the command (-h or an error).
func parseInterleaved(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) ([]string, int, bool) {
	var pos []string
	fs.SetOutput(stderr)
	// Parse prints the usage itself on -h and on a bad flag; it is printed
	// here instead, once, to stdout for -h and after the error otherwise.
	usage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = usage }()
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fs.SetOutput(stdout)
				usage()
				return nil, exitOK, false
			}
			usage()
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usageFunc(fs *flag.FlagSet, synopsis, about string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n\nFlags:\n", synopsis, strings.TrimSpace(about))
		fs.PrintDefaults()
	}
}
