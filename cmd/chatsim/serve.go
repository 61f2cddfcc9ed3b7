package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/sim"
)

// serviceInfo is what `chatsim serve --json` prints for each service.
type serviceInfo struct {
	URL         string `json:"url"`
	Control     string `json:"control,omitempty"`
	APIURL      string `json:"apiUrl,omitempty"`
	BotToken    string `json:"botToken,omitempty"`
	BotID       string `json:"botId,omitempty"`
	BotUserID   string `json:"botUserId,omitempty"`
	BotUsername string `json:"botUsername,omitempty"`

	IntegrationID    string `json:"integrationId,omitempty"`
	IntegrationAlias string `json:"integrationAlias,omitempty"`
	WebhookID        string `json:"webhookId,omitempty"`
	WebhookURL       string `json:"webhookUrl,omitempty"`
	Token            string `json:"token,omitempty"`
	WebhookSecret    string `json:"webhookSecret,omitempty"`
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON object keyed by service (platform, telegram, integration) with URLs and credentials")
	integration := fs.String("integration", "", "integration to run: a bundled name (examples/telegram), exec:COMMAND, url:URL or an http(s) URL; none by default")
	defPath := fs.String("definition", "", "integration definition (JSON or YAML, the shape `bp read` prints); bundled integrations bring their own")
	config := fs.String("config", "", "configuration JSON for the install; ${VAR} expands from the world's environment (default: the bundled integration's own, such as {\"botToken\":\"${TELEGRAM_BOT_TOKEN}\"} for examples/telegram)")
	fs.Usage = usageFunc(fs, "chatsim serve [--json] [--integration SPEC] [--definition FILE] [--config JSON]",
		"Start the fakes and the mock platform on loopback and keep them running until interrupted (Ctrl-C).\nThe control API of each service lives under <url>/_chatsim/ (see the README).")
	pos, code, ok := parseInterleaved(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		fmt.Fprintf(stderr, "chatsim serve: unexpected argument %q\n", pos[0])
		return exitUsage
	}
	opts := sim.Options{}
	if *integration != "" {
		l, def, err := resolveIntegration(*integration, *defPath)
		if err != nil {
			fmt.Fprintln(stderr, "chatsim serve:", err)
			return exitUsage
		}
		opts.Integration, opts.Definition = l, def
		if b, ok := bundled.Lookup(*integration); ok && *config == "" {
			*config = string(b.Configuration)
		}
	}
	if *config != "" {
		if !json.Valid([]byte(*config)) {
			fmt.Fprintln(stderr, "chatsim serve: --config is not valid JSON")
			return exitUsage
		}
		opts.Configuration = json.RawMessage(*config)
	}
	w, err := sim.Start(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "chatsim serve:", err)
		return exitFailed
	}
	defer w.Close()
	info := map[string]serviceInfo{
		"platform": {
			URL: w.Platform.URL(), Control: w.Platform.URL() + fakes.ControlPrefix,
			BotID: w.Platform.BotID(), BotUserID: w.Platform.BotUserID(),
			IntegrationID: w.Platform.IntegrationID(), IntegrationAlias: w.Platform.IntegrationAlias(),
			WebhookID: w.Platform.WebhookID(), WebhookURL: w.Platform.WebhookURL(), Token: w.Env["BP_TOKEN"],
		},
		"telegram": {
			URL: w.Telegram.URL(), Control: w.Telegram.URL() + fakes.ControlPrefix,
			APIURL: w.Telegram.URL() + "/bot" + w.Telegram.Token(), BotToken: w.Telegram.Token(),
			BotUsername: w.Telegram.BotUser().Username, WebhookSecret: w.Env["SECRET_WEBHOOK_SECRET"],
		},
	}
	if r := w.Integration(); r != nil {
		info["integration"] = serviceInfo{URL: r.URL()}
	}
	if *asJSON {
		b, _ := json.Marshal(info)
		fmt.Fprintln(stdout, string(b))
	} else {
		for _, name := range []string{"platform", "telegram", "integration"} {
			s, ok := info[name]
			if !ok {
				continue
			}
			fmt.Fprintf(stdout, "%-12s %s\n", name, s.URL)
		}
		fmt.Fprintf(stdout, "telegram bot token %s\n", w.Telegram.Token())
		fmt.Fprintln(stdout, "control APIs under <url>/_chatsim/ · Ctrl-C to stop")
	}
	<-ctx.Done()
	return exitOK
}
