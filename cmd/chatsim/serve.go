package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object keyed by service (platform, each chat platform fake, integration) with URLs and credentials")
	integration := fs.String("integration", "", "integration to run: a bundled name (examples/telegram), exec:COMMAND, url:URL or an http(s) URL; none by default")
	defPath := fs.String("definition", "", "integration definition (JSON or YAML, the shape `bp read` prints); bundled integrations bring their own")
	config := fs.String("config", "", "configuration JSON for the install; ${VAR} expands from the world's environment (default: the bundled integration's own, such as {\"botToken\":\"${TELEGRAM_BOT_TOKEN}\"} for examples/telegram)")
	startupTimeout := fs.Duration("startup-timeout", sim.DefaultStartupTimeout, "how long an exec: or url: integration may take to answer GET /health")
	platforms := fs.String("platforms", "", "comma-separated chat platforms to simulate ("+strings.Join(sim.PlatformNames(), ",")+"); default: all of them, or a bundled integration's own")
	fs.Usage = usageFunc(fs, "chatsim serve [--json] [--integration SPEC] [--definition FILE] [--config JSON] [--platforms LIST] [--startup-timeout D]",
		"Start the fakes and the mock platform on loopback and keep them running until interrupted (Ctrl-C).\nThe control API of each service lives under <url>/_chatsim/ (see the README).")
	pos, code, ok := parseInterleaved(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "chatsim serve: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	if *startupTimeout <= 0 {
		fmt.Fprintf(stderr, "chatsim serve: --startup-timeout %s: want a positive duration\n", *startupTimeout)
		return exitUsage
	}
	opts := sim.Options{}
	switch {
	case *integration != "":
		var err error
		if opts.Integration, err = resolveIntegration(*integration, *defPath); err != nil {
			fmt.Fprintln(stderr, "chatsim serve:", err)
			return exitUsage
		}
	case *defPath != "":
		// No integration yet (one may be set later through the platform's
		// control API): the definition still checks every capture.
		def, err := contracts.LoadFile(*defPath)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim serve:", err)
			return exitUsage
		}
		opts.Integration.Definition = def
	}
	// People drive a serve session in real time: its clock follows the
	// wall clock, so dates are current and rate-limit buckets drain.
	opts.Clock = fakes.RealClock{}
	opts.StartupTimeout, opts.StartupTimeoutName = *startupTimeout, "--startup-timeout"
	opts.Progress = func(line string) { fmt.Fprintln(stderr, "chatsim serve:", line) }
	if *platforms != "" {
		opts.Integration.Platforms = strings.Split(*platforms, ",")
		for _, p := range opts.Integration.Platforms {
			if !slices.Contains(sim.PlatformNames(), p) {
				fmt.Fprintf(stderr, "chatsim serve: --platforms: unknown platform %q (have: %s)\n", p, strings.Join(sim.PlatformNames(), ", "))
				return exitUsage
			}
		}
	}
	if *config != "" {
		if !json.Valid([]byte(*config)) {
			fmt.Fprintln(stderr, "chatsim serve: --config is not valid JSON")
			return exitUsage
		}
		opts.Integration.Configuration = json.RawMessage(*config)
	}
	w, err := sim.Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "chatsim serve:", err)
		return exitFailed
	}
	defer w.Close()
	info := map[string]map[string]any{
		"platform": {
			"url": w.Platform.URL(), "control": w.Platform.URL() + fakes.ControlPrefix,
			"botId": w.Platform.BotID(), "botUserId": w.Platform.BotUserID(),
			"integrationId": w.Platform.IntegrationID(), "integrationAlias": w.Platform.IntegrationAlias(),
			"webhookId": w.Platform.WebhookID(), "webhookUrl": w.Platform.WebhookURL(), "token": w.Env["BP_TOKEN"],
		},
	}
	names := []string{"platform"}
	for _, f := range w.Fakes {
		info[f.Name()] = f.Service()
		names = append(names, f.Name())
	}
	if r := w.Integration(); r != nil {
		info["integration"] = map[string]any{"url": r.URL()}
		names = append(names, "integration")
	}
	if *asJSON {
		b, err := json.Marshal(info)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim serve:", err)
			return exitFailed
		}
		fmt.Fprintln(stdout, string(b))
	} else {
		for _, name := range names {
			fmt.Fprintf(stdout, "%-12s %v\n", name, info[name]["url"])
			// A client library's base URL, when it is not the fake's own
			// (Telegram's holds the bot token, Slack's ends in a slash).
			if api, ok := info[name]["apiUrl"]; ok && api != info[name]["url"] {
				fmt.Fprintf(stdout, "%-12s %v\n", "  api", api)
			}
		}
		fmt.Fprintln(stdout, "control APIs under <url>/_chatsim/ · Ctrl-C to stop")
	}
	<-ctx.Done()
	return exitOK
}
