package features_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatsim/chatsim/examples/bundled"
	tgexample "github.com/chatsim/chatsim/examples/telegram"
	"github.com/chatsim/chatsim/features"
	"github.com/chatsim/chatsim/sim"
)

// holdBack is the Telegram example, but for the webhook that carries
// text: that one it never answers. arrived is closed when it comes.
func holdBack(text string, arrived chan<- struct{}) sim.Launcher {
	var once sync.Once
	return sim.InProcess("held back", func(getenv func(string) string) (http.Handler, error) {
		h, err := tgexample.New(getenv)
		if err != nil {
			return nil, err
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if r.Header.Get("x-bp-operation") == "webhook_received" && bytes.Contains(body, []byte(text)) {
				once.Do(func() { close(arrived) })
				<-r.Context().Done()
				return
			}
			h.ServeHTTP(w, r)
		}), nil
	})
}

const heldBack = `Feature: Interrupted

  Background:
    Given the integration "held back" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    And the bot answers "menu" with "What would you like?"

  Scenario: The integration never answers
    When "ada" sends "menu"
    And "ada" sends "tea"
    Then "ada" sees "tea"

  Scenario: Never begun
    When "ada" sends "menu"
`

// TestInterrupt ends the run's context while a scenario waits for an
// integration that never answers: Execute returns at once with
// ErrInterrupted, the scenario's conversation and journal so far, what it
// was waiting for, and the scenario after it skipped.
func TestInterrupt(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "held.feature")
	if err := os.WriteFile(path, []byte(heldBack), 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := bundled.Lookup("examples/telegram")
	if err != nil {
		t.Fatal(err)
	}
	arrived := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		res features.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := features.Execute(ctx, features.Options{
			Paths: []string{path},
			Integrations: sim.CatalogOf(sim.Integration{
				Name: "held back", Launcher: holdBack("tea", arrived), Definition: tg.Definition, Configuration: tg.Configuration, Platforms: []string{"telegram"},
			}),
		})
		done <- result{res, err}
	}()
	// How soon the webhook comes depends on the machine (this package's
	// stress test runs 100 scenarios beside it under -race): wait until
	// shortly before the test's own deadline.
	limit := 5 * time.Minute
	if d, ok := t.Deadline(); ok {
		limit = time.Until(d) - 20*time.Second
	}
	select {
	case <-arrived:
	case r := <-done:
		t.Fatalf("the run ended before the held-back webhook came: %s, %v %q", r.res.Summary(), r.err, r.res.Failures)
	case <-time.After(limit):
		t.Fatalf("the held-back webhook did not come within %s", limit.Round(time.Second))
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		// Closing the World is bounded by each server's 5 s shutdown;
		// under -race on a loaded machine 10 s proved too tight.
		t.Fatal("Execute did not return within 30s of the interrupt")
	}
	if !errors.Is(r.err, features.ErrInterrupted) || !errors.Is(r.err, context.Canceled) {
		t.Errorf("Execute = %v, want ErrInterrupted for context.Canceled", r.err)
	}
	if got, want := r.res.Summary(), "2 scenarios (0 passed, 1 interrupted, 1 skipped)"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	if r.res.OK() || len(r.res.Failures) > 0 {
		t.Errorf("OK() = %v, failures %q; want not OK, none failed", r.res.OK(), r.res.Failures)
	}
	if len(r.res.Interrupted) != 1 {
		t.Fatalf("%d interrupted, want 1", len(r.res.Interrupted))
	}
	in := r.res.Interrupted[0]
	text := in.String()
	for _, w := range []string{
		path + `:10: interrupted at step 5: When "ada" sends "tea"`,
		"  still waiting for: platform POST /uuid#1, platform → integration webhook_received, telegram update 100000002 message\n",
		"  conversation so far:\n    ada  ▸ menu\n    bot  ◂ What would you like?\n    ada  ▸ tea\n",
		"  journal so far:\n    # setup  platform → integration: register\n",
		"    # step 2  \"ada\" sends \"tea\"\n" +
			"    telegram   deliver                     update 100000002 message \"tea\" from @ada in chat 1001\n" +
			"    platform   → integration               webhook_received POST /",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("the interruption lacks %q:\n%s", w, text)
		}
	}
	if in.Scenario != "Interrupted / The integration never answers" {
		t.Errorf("interrupted %q, want the first scenario", in.Scenario)
	}
}
