package sim_test

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// TestReplayExec runs the Telegram example as a child process (built here)
// and demands the same journal as in process: the launcher hands it
// BP_API_URL, SECRET_*, PORT and TELEGRAM_API_URL like any other language.
func TestReplayExec(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "telegram-integration")
	if out, err := exec.Command("go", "build", "-o", bin, "../examples/telegram/cmd/telegram-integration").CombinedOutput(); err != nil {
		t.Fatalf("build the example: %v\n%s", err, out)
	}
	r, err := cassette.Open("../examples/telegram/cassettes/order.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := sim.ReplayCassette(context.Background(), r, sim.Options{Integration: sim.Integration{Launcher: sim.Exec(bin), Definition: telegramDefinition(t)}})
	if err != nil {
		t.Fatal(err)
	}
	want := replayCassette(t, "order.cassette").Journal
	if res.Journal != want {
		t.Fatalf("exec journal differs from in process:\n--- exec ---\n%s\n--- in process ---\n%s", res.Journal, want)
	}
}
