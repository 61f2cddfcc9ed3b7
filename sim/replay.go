package sim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatsim/chatsim/contracts"
	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// MaxListed bounds each list of a Result (ViolationLines, Failures,
// Unanswered): past it, the list ends with one line counting the rest,
// "… and 99,950 more integration errors".
const MaxListed = 50

// MaxTurns bounds Result.Conversation: a replay reports the last MaxTurns
// turns of the conversation, and how many came before them.
const MaxTurns = 1_000

// Result is what a replay produced. Its counts cover the whole replay; its
// lists are bounded (MaxListed, MaxTurns), so that a long replay's memory
// stays flat.
type Result struct {
	// Deliveries is the number of inbound deliveries replayed.
	Deliveries int
	// Journal is the rendered golden journal (see RenderJournal) when
	// ReplayOptions.Journal is nil: all of it, in memory, for small
	// replays and tests. With a writer there, the journal went to it
	// instead and Journal is empty.
	Journal string
	// Conversation is the conversation as a person reads it: its last
	// MaxTurns turns of those the platform still holds (botpress keeps the
	// last messages of each conversation), and EarlierTurns counts the
	// turns before them.
	Conversation []Line
	EarlierTurns int
	// Violations are the contract violations the captures produced, the
	// first ones (the platform keeps botpress.MaxViolations), and
	// ViolationCount all of them.
	Violations     []contracts.Violation
	ViolationCount int
	// ViolationLines are the first MaxListed violations rendered with the
	// journal's aliases (msg#2 rather than msg_01J…), for people, and a
	// line counting the rest.
	ViolationLines []string
	// IntegrationErrors counts the integration's failed answers to the
	// platform's operations other than webhook_received (a message_created
	// answered 500, an action with no output), and Failures lists the
	// first MaxListed, rendered with the journal's aliases, and a line
	// counting the rest. A webhook's answer is the chat platform's
	// business (a 401 to a bad signature, a 500 that makes Shopify retry)
	// and is only journaled.
	IntegrationErrors int
	Failures          []string
	// Refused counts the deliveries the integration side answered with an
	// error status on the platform's last attempt (a 401 to a signature it
	// cannot check), and Undelivered those that got no answer at all or had
	// nowhere to go; Unanswered lists the first MaxListed of them, rendered
	// with the journal's aliases, and a line counting the rest. A
	// webhook's answer is the platform's business, so they fail a replay
	// only under ReplayOptions.Strict, or when every delivery was refused.
	Refused, Undelivered int
	Unanswered           []string
	// Strict is ReplayOptions.Strict: Failed counts refused and undelivered
	// deliveries too.
	Strict bool
	// OutboundMismatches are, under ReplayOptions.StrictOutbound, the first
	// MaxListed turns whose calls differed from the recording's, and
	// OutboundMismatchCount all of them; Failed counts them.
	OutboundMismatches    []OutboundMismatch
	OutboundMismatchCount int
	// Captures counts the platform's captures (changes) and Calls the calls
	// the integration made to the chat platforms' fakes, as the fakes
	// classed them when they happened (fakes.ClassCapture, ClassCall).
	Captures, Calls int
	// Elapsed is the wall-clock time the replay took, for people; it is
	// never part of the journal.
	Elapsed time.Duration
}

// Failed reports whether the replay broke the integration's contract, the
// integration failed an operation or could not be reached, or, under
// Strict, refused or missed a delivery.
func (r *Result) Failed() bool {
	return r.ViolationCount > 0 || r.IntegrationErrors > 0 || (r.Strict && r.Refused+r.Undelivered > 0) || r.OutboundMismatchCount > 0
}

// Turns returns the conversation as Transcript takes it (see Turns), after
// a line counting the earlier turns it leaves out, when it leaves some:
// "… 198,000 earlier turns".
func (r *Result) Turns() []string {
	turns := Turns(r.Conversation)
	if r.EarlierTurns > 0 {
		noun := "turns"
		if r.EarlierTurns == 1 {
			noun = "turn"
		}
		turns = append([]string{fmt.Sprintf("… %s earlier %s", thousands(r.EarlierTurns), noun)}, turns...)
	}
	return turns
}

// ReplayOptions tune a replay.
type ReplayOptions struct {
	// OnStep, when set, is called after each delivery has settled.
	OnStep func(step int, title string)
	// Strict fails the replay on any delivery the integration refused or
	// did not answer.
	Strict bool
	// StrictOutbound compares, turn by turn, the calls the integration
	// makes to the cassette's platform with the calls the cassette
	// recorded for that turn (method, target and body, where the
	// recording's placeholders and the platform's volatile fields match
	// anything; identical calls matched in recorded order), and fails the
	// replay on a difference (Result.OutboundMismatches). The setup's calls
	// (register) are not compared.
	StrictOutbound bool
	// Journal, when set, receives the golden journal as the replay goes,
	// each step once it is over, so that a replay of any length holds only
	// its running step: first what the World rendered before the replay
	// (from its start, for a World fresh from Start), then each delivery,
	// and the last one when the replay ends. A write error stops the
	// replay. Nil renders the journal into Result.Journal instead.
	Journal io.Writer
}

// ReplayCassette is the whole job in one call, for a user's own go test:
// it starts a World with base as the cassette's header completes it
// (SetupFromHeader), replays r through it, and closes it. The error is a
// setup or step failure; contract violations and integration errors are in
// the Result (Failed). When a step fails, the error carries what the
// integration printed.
func ReplayCassette(ctx context.Context, r *cassette.Reader, base Options) (*Result, error) {
	return ReplayCassetteWith(ctx, r, base, ReplayOptions{})
}

// ReplayCassetteWith is ReplayCassette with replay options (Strict, OnStep).
func ReplayCassetteWith(ctx context.Context, r *cassette.Reader, base Options, ropts ReplayOptions) (*Result, error) {
	opts, err := SetupFromHeader(r.Header(), base)
	if err != nil {
		return nil, err
	}
	w, err := Start(ctx, opts)
	if err != nil {
		return nil, err
	}
	res, err := Replay(ctx, w, r, ropts)
	if cerr := w.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close world: %w", cerr)
	}
	return res, err
}

// SetupFromHeader returns the World options a cassette header asks for: the
// configuration, the scripted bot's rules and the chat platform to
// simulate. Fields already set in base win.
//
// A header naming a platform chatsim cannot simulate is an error wrapping
// ErrCassette and ErrUnknownPlatform.
func SetupFromHeader(h cassette.Header, base Options) (Options, error) {
	if h.Platform != "" && !slices.Contains(PlatformNames(), h.Platform) {
		return base, fmt.Errorf("%w: its header names platform %q: %w (have: %s)", ErrCassette, h.Platform, ErrUnknownPlatform, strings.Join(PlatformNames(), ", "))
	}
	if len(base.Integration.Platforms) == 0 && h.Platform != "" {
		base.Integration.Platforms = []string{h.Platform}
	}
	if base.Seeds == nil && len(h.Seed) > 0 {
		if err := json.Unmarshal(h.Seed, &base.Seeds); err != nil {
			return base, fmt.Errorf("read cassette header field seed: %w", err)
		}
	}
	if base.Integration.Configuration == nil && len(h.Configuration) > 0 {
		base.Integration.Configuration = h.Configuration
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

// ErrCassette is wrapped by the errors of a cassette that cannot be
// replayed as it is: its header names a platform chatsim cannot simulate,
// or an entry names another platform than the header or one that is not
// simulated. A malformed cassette is a *cassette.Error instead.
var ErrCassette = errors.New("cassette cannot be replayed")

// Replay feeds every inbound delivery of the cassette to the fake it came
// from, which delivers it (re-signed, with this World's secrets) to the
// platform's webhook for the integration. Each delivery is one step: it ends
// when the integration has answered and every call it started has finished.
// Outbound entries (calls the integration made when it was recorded) are not
// sent anywhere.
//
// The Result is filled in even when the error is not nil, with what the
// replay produced up to the failure (or the cancellation of ctx), so that
// a person sees the journal and the conversation so far. A launched
// integration that exits fails the replay with an error wrapping
// ErrExited.
func Replay(ctx context.Context, w *World, r *cassette.Reader, opts ReplayOptions) (res *Result, err error) {
	start := time.Now()
	origin := w.Clock.Now()
	res = &Result{Strict: opts.Strict}
	// Each delivery happens at its recorded time on the World's clock, so
	// the clock must be one a replay can set (a fakes.VirtualClock).
	clock, ok := w.Clock.(interface{ Set(time.Time) time.Time })
	if !ok {
		return res, fmt.Errorf("%w: replay needs a virtual clock, not %T", ErrConfig, w.Clock)
	}
	if opts.Journal != nil {
		if err := w.golden.attach(opts.Journal); err != nil {
			return res, fmt.Errorf("write the journal: %w", err)
		}
	}
	defer func() {
		w.Journal.Flush() // the last step's lines
		if opts.Journal != nil {
			if jerr := w.golden.detach(); jerr != nil && err == nil {
				err = fmt.Errorf("write the journal: %w", jerr)
			}
		} else {
			res.Journal = w.golden.text()
		}
		w.summarize(res)
		res.Elapsed = time.Since(start)
		if err == nil {
			if xerr := w.Err(); xerr != nil {
				err = fmt.Errorf("after %d deliveries: %w", res.Deliveries, xerr)
			}
		}
	}()
	var (
		pending  *cassette.Entry
		outbound []string         // kinds of the calls recorded after the pending delivery
		calls    []cassette.Entry // and the calls themselves, under StrictOutbound
		strict   *outboundCheck
		setup    []string // kinds of the calls recorded before the first delivery
		started  bool     // the first delivery was reached
	)
	if opts.StrictOutbound {
		platform := r.Header().Platform
		k, ok := KindOf(platform)
		if !ok {
			return res, fmt.Errorf("%w: --strict-outbound needs the cassette's header to name its platform (it names %q)", ErrCassette, platform)
		}
		strict = newOutbound(w, k)
		defer w.Activity.Tap(nil)
		strict.take() // what the setup called is not compared
	}
	flush := func() error {
		if pending == nil {
			return nil
		}
		e := *pending
		want := calls
		pending, calls = nil, nil
		clock.Set(origin.Add(e.At.Duration()))
		if hp := r.Header().Platform; hp != "" && e.Platform != hp {
			return fmt.Errorf("%s: %w: the entry's platform is %q, but the header says %q", e.Location(), ErrCassette, e.Platform, hp)
		}
		f := w.Fake(e.Platform)
		if f == nil {
			return fmt.Errorf("%s: %w: platform %q is not simulated (have: %s)", e.Location(), ErrCassette, e.Platform, strings.Join(w.FakeNames(), ", "))
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
		if err := w.Err(); err != nil {
			return fmt.Errorf("%s: before the delivery: %w", e.Location(), err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		res.Deliveries++
		var named string
		step := func(ctx context.Context) (string, error) {
			n, err := deliver(ctx)
			named = n
			return n, err
		}
		if err := w.StepTitled(ctx, title, step); err != nil {
			return err
		}
		if strict != nil {
			turn := e.Turn
			if turn == 0 {
				turn = res.Deliveries
			}
			rec := make([]call, len(want))
			for i, c := range want {
				rec[i] = recorded(c)
			}
			if named == "" {
				named = title
			}
			if m := strict.compare(turn, named, rec, strict.take()); m != nil {
				res.OutboundMismatchCount++
				if len(res.OutboundMismatches) < MaxListed {
					res.OutboundMismatches = append(res.OutboundMismatches, *m)
				}
			}
		}
		if err := w.golden.failed(); err != nil {
			return fmt.Errorf("write the journal: %w", err)
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
			return res, err
		}
		switch e.Direction {
		case cassette.Inbound:
			if !started {
				started = true
				// A bot that talks to the platform itself makes its
				// first calls (getMe) on its own time: they, and the
				// work they began (a Socket Mode connection), are
				// waited for before the first delivery, so that they
				// come before it in the journal on every run.
				if w.Direct() && w.integration.URL() == "" && len(setup) > 0 {
					sctx, cancel := context.WithTimeout(ctx, w.opts.StepTimeout)
					err := waitCalls(sctx, w, 0, setup)
					if err == nil {
						err = w.Settle(sctx)
					}
					cancel()
					if err != nil {
						return res, fmt.Errorf("%s: before the first delivery: %w", e.Location(), err)
					}
				}
			}
			if err := flush(); err != nil {
				return res, err
			}
			pending, outbound = &e, nil
		case cassette.Outbound:
			if !started {
				setup = append(setup, e.Kind)
			}
			outbound = append(outbound, e.Kind)
			if strict != nil && pending != nil {
				calls = append(calls, e)
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	return res, nil
}

// summarize fills in res from what the World has recorded so far: its
// counts as the journal and the platform kept them, its lists bounded.
func (w *World) summarize(res *Result) {
	aliases := w.golden.aliases()
	res.Conversation, res.EarlierTurns = w.conversationTail(MaxTurns)
	res.Violations = w.Violations()
	res.ViolationCount = w.Platform.ViolationCount()
	res.ViolationLines = nil
	for _, v := range res.Violations[:min(len(res.Violations), MaxListed)] {
		res.ViolationLines = append(res.ViolationLines, aliases.Alias(v.Error()))
	}
	res.ViolationLines = andMore(res.ViolationLines, res.ViolationCount, "contract violation", "contract violations")
	res.IntegrationErrors = w.Journal.Count(fakes.IntegrationFailed)
	res.Refused, res.Undelivered = w.Journal.Count(fakes.Refused), w.Journal.Count(fakes.Undelivered)
	res.Failures, res.Unanswered = nil, nil
	for _, o := range w.Journal.Outcomes() {
		switch o.Kind {
		case fakes.IntegrationFailed:
			if len(res.Failures) < MaxListed {
				res.Failures = append(res.Failures, aliases.Alias("integration error: "+o.What+": "+o.Detail))
			}
		case fakes.Refused:
			if len(res.Unanswered) < MaxListed {
				res.Unanswered = append(res.Unanswered, aliases.Alias("refused by the integration: "+o.String()))
			}
		case fakes.Undelivered:
			if len(res.Unanswered) < MaxListed {
				res.Unanswered = append(res.Unanswered, aliases.Alias("not delivered: "+o.String()))
			}
		}
	}
	res.Failures = andMore(res.Failures, res.IntegrationErrors, "integration error", "integration errors")
	res.Unanswered = andMore(res.Unanswered, res.Refused+res.Undelivered, "refused or missed delivery", "refused or missed deliveries")
	res.Captures, res.Calls = w.Journal.Tally(fakes.ClassCapture), w.Journal.Tally(fakes.ClassCall)
}

// andMore ends a list of the first of total things with a line counting
// the rest, when there are any: "… and 99,950 more integration errors".
func andMore(list []string, total int, one, many string) []string {
	rest := total - len(list)
	if rest <= 0 {
		return list
	}
	noun := many
	if rest == 1 {
		noun = one
	}
	return append(list, fmt.Sprintf("… and %s more %s", thousands(rest), noun))
}

// thousands renders n with a comma every three digits: 99,950.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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
			if o.Class == fakes.ClassCall && want[o.Kind] > 0 {
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
