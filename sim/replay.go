package sim

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// Result is what a replay produced.
type Result struct {
	// Deliveries is the number of inbound deliveries replayed.
	Deliveries int
	// Journal is the rendered golden journal (see RenderJournal).
	Journal string
	// Conversation is the conversation as a person reads it.
	Conversation []Line
	// Violations are the contract violations the captures produced.
	Violations []contracts.Violation
	// ViolationLines are the violations rendered with the journal's aliases
	// (msg#2 rather than msg_01J…), for people.
	ViolationLines []string
	// Failures are the integration's failed answers to the platform's
	// operations other than webhook_received (a message_created answered
	// 500, an action with no output), rendered with the journal's aliases.
	// A webhook's answer is the chat platform's business (a 401 to a bad
	// signature, a 500 that makes Shopify retry) and is only journaled.
	Failures []string
	// Captures counts the platform's captures (changes) and Calls the calls
	// the integration made to the chat platforms' fakes.
	Captures, Calls int
	// Elapsed is the wall-clock time the replay took, for people; it is
	// never part of the journal.
	Elapsed time.Duration
}

// Failed reports whether the replay broke the integration's contract or
// the integration failed an operation.
func (r *Result) Failed() bool { return len(r.Violations) > 0 || len(r.Failures) > 0 }

// ReplayOptions tune a replay.
type ReplayOptions struct {
	// OnStep, when set, is called after each delivery has settled.
	OnStep func(step int, title string)
}

// ReplayCassette is the whole job in one call, for a user's own go test:
// it starts a World with base as the cassette's header completes it
// (SetupFromHeader), replays r through it, and closes it. The error is a
// setup or step failure; contract violations and integration errors are in
// the Result (Failed). When a step fails, the error carries what the
// integration printed.
func ReplayCassette(ctx context.Context, r *cassette.Reader, base Options) (*Result, error) {
	opts, err := SetupFromHeader(r.Header(), base)
	if err != nil {
		return nil, err
	}
	w, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	res, err := Replay(ctx, w, r, ReplayOptions{})
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close world: %w", cerr)
	}
	return res, err
}

// SetupFromHeader returns the World options a cassette header asks for: the
// configuration, the scripted bot's rules and the chat platform to
// simulate. Fields already set in base win.
func SetupFromHeader(h cassette.Header, base Options) (Options, error) {
	if len(base.Platforms) == 0 && slices.Contains(PlatformNames(), h.Platform) {
		base.Platforms = []string{h.Platform}
	}
	if base.Configuration == nil && len(h.Configuration) > 0 {
		base.Configuration = h.Configuration
	}
	if base.Bot == nil && len(h.Bot) > 0 {
		var bot struct {
			Rules json.RawMessage `json:"rules"`
		}
		if err := json.Unmarshal(h.Bot, &bot); err != nil {
			return base, fmt.Errorf("read cassette header field bot: %w", err)
		}
		if len(bot.Rules) > 0 {
			rules, err := botpress.ParseBotRules(bot.Rules, "cassette header bot.rules")
			if err != nil {
				return base, err
			}
			base.Bot = rules
		}
	}
	return base, nil
}

// Replay feeds every inbound delivery of the cassette to the fake it came
// from, which delivers it (re-signed, with this World's secrets) to the
// platform's webhook for the integration. Each delivery is one step: it ends
// when the integration has answered and every call it started has finished.
// Outbound entries (calls the integration made when it was recorded) are not
// sent anywhere.
func Replay(ctx context.Context, w *World, r *cassette.Reader, opts ReplayOptions) (*Result, error) {
	start := time.Now()
	origin := w.Clock.Now()
	res := &Result{}
	var (
		pending  *cassette.Entry
		outbound []string // kinds of the calls recorded after the pending delivery
	)
	flush := func() error {
		if pending == nil {
			return nil
		}
		e := *pending
		pending = nil
		w.Clock.Set(origin.Add(e.At.Duration()))
		f := w.Fake(e.Platform)
		if f == nil {
			return fmt.Errorf("%s: platform %q is not simulated (have: %s)", e.Location(), e.Platform, strings.Join(w.FakeNames(), ", "))
		}
		d := fakes.Delivery{
			Kind: e.Kind, Method: e.Request.Method, URL: e.Request.URL, Header: e.Request.Headers,
			Body: e.Request.Body.Bytes(), Location: e.Location(),
		}
		title := e.Platform + " → integration: " + e.Kind
		deliver := func(ctx context.Context) (string, error) {
			before := int64(w.Journal.Len())
			named, err := f.Replay(ctx, d)
			if err != nil {
				return named, err
			}
			if w.Direct() && w.integration.URL() == "" {
				return named, waitCalls(ctx, w, before, outbound)
			}
			return named, nil
		}
		res.Deliveries++
		if err := w.StepTitled(ctx, title, deliver); err != nil {
			return err
		}
		if opts.OnStep != nil {
			opts.OnStep(res.Deliveries, title)
		}
		return nil
	}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch e.Direction {
		case cassette.Inbound:
			if err := flush(); err != nil {
				return nil, err
			}
			pending, outbound = &e, nil
		case cassette.Outbound:
			outbound = append(outbound, e.Kind)
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	aliases := NewAliaser(w.Literals())
	res.Journal = RenderJournal(w.Journal.Observations(), aliases)
	res.Conversation = w.Conversation()
	res.Violations = w.Violations()
	for _, v := range res.Violations {
		res.ViolationLines = append(res.ViolationLines, aliases.Alias(v.Error()))
	}
	for _, o := range w.Journal.Observations() {
		if o.Source == "platform" && o.Kind == "integration error" && !strings.HasPrefix(o.Text, "webhook_received ") {
			res.Failures = append(res.Failures, aliases.Alias("integration error: "+o.Text))
		}
		switch {
		case o.Source == "platform" && o.Kind != "→ integration":
			res.Captures++
		case isChatCall(o):
			res.Calls++
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// isChatCall reports whether o is an API call the integration made to a chat
// platform's fake (not a delivery, not an empty long poll).
func isChatCall(o fakes.Observation) bool {
	switch o.Source {
	case "platform", "bot", "contract", "step", "integration":
		return false
	}
	return o.Kind != "deliver" && o.Kind != "getUpdates"
}

// waitCalls waits until the fakes have observed, after journal position
// since, the calls the recording holds for this delivery (by kind, such as
// "sendMessage"). A bot that talks to the fakes directly confirms an update
// before it has handled it, so "nothing in flight" is not enough.
func waitCalls(ctx context.Context, w *World, since int64, kinds []string) error {
	for {
		changed := w.Journal.Changed()
		want := map[string]int{}
		for _, k := range kinds {
			want[k]++
		}
		for _, o := range w.Journal.Since(since) {
			if isChatCall(o) && want[o.Kind] > 0 {
				want[o.Kind]--
			}
		}
		missing := 0
		for _, n := range want {
			missing += n
		}
		if missing == 0 {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("wait for the bot's calls: %w (%d of the %d recorded calls not seen: %v)", ctx.Err(), missing, len(kinds), want)
		}
	}
}
