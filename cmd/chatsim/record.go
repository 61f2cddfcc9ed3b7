package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runRecord(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("record", flag.ContinueOnError)
	platform := fs.String("platform", "", "the chat platform to record: "+strings.Join(recordable(), ", ")+" (required)")
	out := fs.String("o", "", "the cassette to write, FILE.cassette (required; an existing one is not overwritten)")
	integration := fs.String("integration", "", "integration to record: a bundled name, exec:COMMAND, url:URL or an http(s) URL (default: the platform's bundled example)")
	defPath := fs.String("definition", "", "integration definition (JSON or YAML); bundled integrations bring their own")
	config := fs.String("config", "", "configuration JSON for the install; ${VAR} expands from the integration's environment")
	botPath := fs.String("bot", "", "a JSON file with the scripted bot's rules, as a cassette header holds them (default: echo); they go into the cassette's header")
	upstream := fs.String("upstream", "", "the platform's API base URL the integration's calls are forwarded to (default: the real one, such as https://api.telegram.org; required for Shopify and Rocket.Chat)")
	listen := fs.String("listen", "127.0.0.1:8080", "where chatsim receives the platform's deliveries (point a tunnel here)")
	public := fs.String("public-url", "", "the URL the platform delivers to, when it is not the listener's own (a tunnel's https URL)")
	insecure := fs.Bool("insecure", false, "record deliveries whose signature cannot be checked (no secret given); a wrong signature is refused either way")
	allowReal := fs.Bool("allow-real-host", false, "with CI=true, let the recording reach a host that is not on loopback")
	name := fs.String("name", "", "the cassette's name (default: the file's base name)")
	mode := fs.String("mode", "new", "new: record into a new cassette; append: add new turns to an existing one, with its own configuration and bot rules")
	var secrets, redact, redactPointer listFlag
	fs.Var(&secrets, "secret", "NAME=VALUE: a credential the integration is given and deliveries are verified with (TELEGRAM_BOT_TOKEN=…, SLACK_SIGNING_SECRET=…); repeat it. The platform's own variables are also read from the environment")
	fs.Var(&redact, "redact", "a regular expression: what it matches (or its first group) is a secret wherever it appears; repeat it")
	fs.Var(&redactPointer, "redact-pointer", "a JSON pointer (/customer/email): the string there in any JSON body is a secret; repeat it")
	fs.Usage = usageFunc(fs, "chatsim record --platform P -o FILE.cassette [--integration SPEC] [--upstream URL] [--listen ADDR] [--public-url URL] [--secret NAME=VALUE]... [flags]",
		`Record a conversation with the real chat platform into a cassette: chatsim stands between the platform
and the integration, forwards the platform's deliveries (verified with the secrets given) to the integration
and the integration's API calls to the platform, and writes every exchange with its secrets replaced by
placeholders. Act on the real platform; Ctrl-C ends the recording and writes the cassette.`)
	pos, code, ok := parseInterleaved(fs, args, stdout, stderr)
	if !ok {
		return code
	}
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "chatsim record:", err)
		return code
	}
	if len(pos) > 0 {
		return fail(exitUsage, fmt.Errorf("unexpected argument %q", pos[0]))
	}
	kind, ok := sim.KindOf(*platform)
	switch {
	case *platform == "":
		return fail(exitUsage, errors.New("--platform is required ("+strings.Join(recordable(), ", ")+")"))
	case !ok || kind.Wire.Delivery == nil:
		return fail(exitUsage, fmt.Errorf("--platform %q: chatsim can record %s", *platform, strings.Join(recordable(), ", ")))
	case *out == "":
		return fail(exitUsage, errors.New("-o FILE.cassette is required"))
	case !cassette.IsCassettePath(*out):
		return fail(exitUsage, fmt.Errorf("-o %s: a cassette's name ends in .cassette", *out))
	}
	_, statErr := os.Stat(*out)
	switch {
	case *mode != "new" && *mode != "append":
		return fail(exitUsage, fmt.Errorf("--mode %q: want new or append", *mode))
	case *mode == "new" && statErr == nil:
		return fail(exitUsage, fmt.Errorf("-o %s exists: record into a new file, or --mode append to add turns to it", *out))
	case *mode == "append" && statErr != nil:
		return fail(exitUsage, fmt.Errorf("--mode append: %w", statErr))
	case *mode == "append" && (*botPath != "" || *config != "" || *name != ""):
		return fail(exitUsage, errors.New("--mode append keeps the cassette's own configuration, bot rules and name: drop --bot, --config and --name"))
	}
	given, err := parseSecrets(secrets)
	if err != nil {
		return fail(exitUsage, err)
	}
	env := splitEnv(kind, platformEnv(kind), os.Getenv, given)
	up := *upstream
	if up == "" {
		up = kind.Wire.APIURL
	}
	if up == "" {
		return fail(exitUsage, fmt.Errorf("--upstream is required for %s: its API has no one address", kind.Title))
	}
	if err := fakes.CheckURL(up); err != nil {
		return fail(exitUsage, fmt.Errorf("--upstream: %w", err))
	}
	if os.Getenv("CI") == "true" && !*allowReal && !loopback(up) {
		return fail(exitUsage, fmt.Errorf("CI=true: refusing to reach %s, which is not on loopback (--allow-real-host to record from CI anyway)", up))
	}
	spec := *integration
	if spec == "" {
		spec = "examples/" + kind.Name
	}
	in, err := resolveIntegration(spec, *defPath)
	if err != nil {
		return fail(exitUsage, err)
	}
	in.Platforms = []string{kind.Name}
	if *config != "" {
		if err := checkJSONObject(*config); err != nil {
			return fail(exitUsage, fmt.Errorf("--config: %w", err))
		}
		in.Configuration = json.RawMessage(*config)
	}
	var bot json.RawMessage
	var rules []botpress.BotRule
	if *botPath != "" {
		raw, err := os.ReadFile(*botPath)
		if err != nil {
			return fail(exitUsage, fmt.Errorf("--bot: %w", err))
		}
		if rules, err = botpress.ParseBotRules(raw, *botPath); err != nil {
			return fail(exitUsage, fmt.Errorf("--bot: %w", err))
		}
		bot = json.RawMessage(`{"rules":` + strings.TrimSpace(string(raw)) + `}`)
	}
	title := *name
	if title == "" {
		title = strings.TrimSuffix(baseName(*out), ".cassette")
	}
	hint := ""
	if _, isBundled := bundled.Catalog()[spec]; isBundled {
		hint = spec
	}
	var f *recorder.File
	var after recorder.Position
	if *mode == "append" {
		if f, after, err = recorder.AppendFile(*out); err != nil {
			return fail(exitUsage, err)
		}
		h := f.Header()
		if h.Platform != kind.Name {
			f.Abort()
			return fail(exitUsage, fmt.Errorf("--mode append: %s is a %s cassette, not %s", *out, h.Platform, kind.Name))
		}
		// The World runs with the cassette's own configuration and
		// bot rules, as a replay of it would.
		so, err := sim.SetupFromHeader(h, sim.Options{})
		if err != nil {
			f.Abort()
			return fail(exitUsage, err)
		}
		if so.Integration.Configuration != nil {
			in.Configuration = so.Integration.Configuration
		}
		rules = so.Bot
	} else if f, err = recorder.CreateFile(*out, cassette.Header{Name: title, Platform: kind.Name, Integration: hint, Configuration: in.Configuration, Bot: bot}); err != nil {
		return fail(exitUsage, err)
	}
	defer f.Abort()

	var logMu sync.Mutex
	proxy, err := recorder.NewProxy(recorder.Options{
		Kind: kind, Upstream: up, Listen: *listen, PublicURL: *public, Secrets: given, Env: env, Insecure: *insecure,
		Rules: recorder.Rules{Patterns: redact, Pointers: redactPointer}, Sink: f.Write, After: after,
		Log: func(e recorder.Event) {
			logMu.Lock()
			defer logMu.Unlock()
			fmt.Fprintln(stdout, "  "+eventLine(kind, e))
		},
	})
	if err != nil {
		return fail(exitUsage, err)
	}
	opts := sim.Options{Integration: in, Clock: fakes.RealClock{}, Bot: rules,
		Starters:    map[string]func(fakes.Wiring) (fakes.Platform, error){kind.Name: proxy.Start},
		Progress:    func(line string) { fmt.Fprintln(stderr, "chatsim record:", line) },
		StepTimeout: recordStepTimeout, StepTimeoutName: "the setup timeout"}
	fmt.Fprintf(stdout, "recording %s ⇄ %s\n", kind.Name, in)
	w, err := sim.Start(ctx, opts)
	if err != nil {
		return fail(exitFailed, err)
	}
	fmt.Fprintf(stdout, "  deliveries: the platform delivers to  %s\n", proxy.InboundURL())
	fmt.Fprintf(stdout, "  the integration's API calls go through chatsim → %s\n", up)
	fmt.Fprintln(stdout, "  act on the real platform now · Ctrl-C ends the recording")
	<-ctx.Done()
	// Ctrl-C ends the recording cleanly: the exchanges under way (a reply
	// the integration is sending) end and are written first, for a while.
	settle, cancel := context.WithTimeout(context.Background(), recordDrain)
	_ = w.Settle(settle)
	cancel()
	conversation := w.Conversation()
	cerr := w.Close()
	if err := f.SetSeed(kind.Name, proxy.Seed()); err != nil {
		return fail(exitFailed, err)
	}
	if err := f.Commit(proxy.Redactor().Redactions()); err != nil {
		return fail(exitFailed, err)
	}
	if len(conversation) > 0 {
		fmt.Fprint(stdout, sim.Transcript(sim.Turns(conversation), "  "))
	}
	c := proxy.Counts()
	phs := proxy.Redactor().Placeholders()
	fmt.Fprintf(stdout, "wrote %s: %s · %s · %s", *out, count(c.Deliveries, "delivery", "deliveries"), count(c.Calls, "API call", "API calls"),
		count(len(phs), "secret redacted", "secrets redacted"))
	if len(phs) > 0 {
		fmt.Fprintf(stdout, " (%s)", strings.Join(phs, ", "))
	}
	if c.Refused > 0 {
		fmt.Fprintf(stdout, " · %s", count(c.Refused, "delivery refused", "deliveries refused"))
	}
	fmt.Fprintln(stdout)
	if c.Deliveries == 0 {
		fmt.Fprintln(stderr, "chatsim record: warning: 0 deliveries: nothing reached the integration from the platform")
	}
	if cerr != nil {
		fmt.Fprintln(stderr, "chatsim record:", cerr)
	}
	return exitOK
}

// recordStepTimeout bounds the setup (register) while recording: the real
// platform answers over the internet.
const recordStepTimeout = 60 * time.Second

// recordDrain bounds how long a recording ended by Ctrl-C waits for the
// exchanges under way.
const recordDrain = 5 * time.Second

// recordable lists the platforms chatsim can record.
func recordable() []string {
	var out []string
	for _, k := range sim.Registry() {
		if k.Wire.Delivery != nil {
			out = append(out, k.Name)
		}
	}
	return out
}

// platformEnv lists the variables a platform's fake gives an integration
// (credentials and ids), but the API URL, which the recorder sets.
func platformEnv(k fakes.Kind) []string {
	f, err := k.Start(fakes.Wiring{})
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	for name := range f.Env() {
		if name != k.Wire.APIURLEnv {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// splitEnv reads the platform's variables names from the environment: the
// ones that name a secret carrier go into secrets (unless --secret gave
// them), the others (ids, usernames) are returned, given to the
// integration as they are and never redacted.
func splitEnv(k fakes.Kind, names []string, getenv func(string) string, secrets map[string]string) map[string]string {
	env := map[string]string{}
	for _, name := range names {
		v := getenv(name)
		switch {
		case v == "" || secrets[name] != "":
		case isCarrier(k, name):
			secrets[name] = v
		default:
			env[name] = v
		}
	}
	return env
}

// isCarrier reports whether name is a secret carrier of the platform's.
func isCarrier(k fakes.Kind, name string) bool {
	for _, c := range k.Carriers {
		if c.Name == name {
			return true
		}
	}
	return false
}

// parseSecrets reads --secret NAME=VALUE flags.
func parseSecrets(list []string) (map[string]string, error) {
	out := map[string]string{}
	for _, s := range list {
		name, value, ok := strings.Cut(s, "=")
		if !ok || name == "" || value == "" {
			return nil, fmt.Errorf("--secret %q: want NAME=VALUE", s)
		}
		out[name] = value
	}
	return out, nil
}

// loopback reports whether u's host is on loopback.
func loopback(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	if p.Hostname() == "localhost" {
		return true
	}
	ip := net.ParseIP(p.Hostname())
	return ip != nil && ip.IsLoopback()
}

// eventLine renders one recorded exchange for the person watching.
func eventLine(k fakes.Kind, e recorder.Event) string {
	who, arrow := k.Name, "▸"
	if !e.Delivery {
		who, arrow = "integration", "◂"
	}
	kind := e.Kind
	if kind == "" {
		kind = "delivery"
	}
	line := fmt.Sprintf("%-11s %s %s", who, arrow, kind)
	if e.Note != "" {
		line += "  (" + e.Note + ")"
	}
	switch {
	case e.Err != nil:
		line += "  " + e.Err.Error()
	case e.Status != 0:
		line += fmt.Sprintf("  %d", e.Status)
	}
	return line
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
