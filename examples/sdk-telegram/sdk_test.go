// Package sdktelegram_test runs a Telegram integration written with the
// official @botpress/sdk (index.mjs, on Node) under chatsim unchanged: the
// exec launcher starts `node index.mjs` with BP_API_URL, BP_TOKEN, PORT,
// SECRET_* and TELEGRAM_API_URL, and the Telegram example's cassettes replay
// through it against golden journals in testdata/.
package sdktelegram_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sebdah/goldie/v2"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

var installOnce sync.Once
var installErr error

// install runs `npm ci` once when node_modules is missing, so a clean clone
// with Node 20 and npm passes; without them the test fails, naming what is
// missing.
func install(t *testing.T) {
	t.Helper()
	installOnce.Do(func() {
		if _, err := os.Stat("node_modules/@botpress/sdk/package.json"); err == nil {
			return
		}
		if _, err := exec.LookPath("npm"); err != nil {
			installErr = err
			return
		}
		out, err := exec.Command("npm", "ci", "--no-audit", "--no-fund").CombinedOutput()
		if err != nil {
			installErr = &installError{err: err, out: string(out)}
		}
	})
	if installErr != nil {
		t.Fatalf("install @botpress/sdk with npm ci (Node 20 and npm are needed): %v", installErr)
	}
}

type installError struct {
	err error
	out string
}

func (e *installError) Error() string { return e.err.Error() + "\n" + e.out }

func TestSDKIntegrationReplays(t *testing.T) {
	t.Parallel()
	install(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run @botpress/sdk: %v", err)
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	tg, err := bundled.Lookup("examples/telegram")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"text", "order", "edit"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := tg.Cassettes.Open(name + ".cassette")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, err := cassette.NewReader(f, name+".cassette")
			if err != nil {
				t.Fatal(err)
			}
			launcher := &sim.Command{Path: node, Args: []string{"index.mjs"}, Dir: dir}
			res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: sim.Integration{Launcher: launcher, Definition: tg.Definition}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed() {
				t.Errorf("the SDK integration broke the contract or failed:\n%s\n%s",
					strings.Join(res.ViolationLines, "\n"), strings.Join(res.Failures, "\n"))
			}
			g := goldie.New(t, goldie.WithFixtureDir("testdata"), goldie.WithNameSuffix(".golden"))
			g.Assert(t, name, []byte(res.Journal))
		})
	}
}
