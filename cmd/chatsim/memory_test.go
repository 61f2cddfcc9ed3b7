//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// memoryLimit is the most a 100,000-delivery replay may hold at its peak
// (resident set size).
const memoryLimit = 64 << 20

// TestReplayMemory checks that a replay's memory is flat in the length of
// its cassette, as DESIGN.md promises: `chatsim replay --quiet` of a
// 100,000-delivery Telegram cassette through the bundled examples/telegram
// stays under 64 MB resident at its peak, and within 10% of the same replay
// of 10,000 deliveries. Each size is replayed twice, in a child process
// whose peak RSS the kernel reports: once with --update, writing the golden
// journal beside the cassette, then checking the journal against it.
//
// It takes minutes, so it runs only on demand: CHATSIM_MEMORY=1 go test
// -run TestReplayMemory -v ./cmd/chatsim.
func TestReplayMemory(t *testing.T) {
	if os.Getenv("CHATSIM_MEMORY") == "" {
		t.Skip("set CHATSIM_MEMORY=1 to measure a long replay's memory (minutes)")
	}
	bin, err := exec.LookPath("chatsim") // this test binary, as TestMain installs it
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	peak := map[int]int64{}
	for _, n := range []int{10_000, 100_000} {
		path := filepath.Join(dir, fmt.Sprintf("text-%d.cassette", n))
		writeTextCassette(t, path, n)
		for _, mode := range []struct {
			name string
			args []string
		}{
			{"update", []string{"replay", "--quiet", "--update", path}},
			{"check", []string{"replay", "--quiet", path}},
		} {
			rss, took := childPeakRSS(t, bin, mode.args...)
			t.Logf("%7d deliveries, %-6s peak RSS %5.1f MB (%s)", n, mode.name, float64(rss)/(1<<20), took.Round(time.Second))
			peak[n] = max(peak[n], rss)
		}
	}
	small, large := peak[10_000], peak[100_000]
	if large > memoryLimit {
		t.Errorf("100,000 deliveries peaked at %.1f MB RSS, want under %d MB", float64(large)/(1<<20), memoryLimit>>20)
	}
	if float64(large) > 1.1*float64(small) {
		t.Errorf("100,000 deliveries peaked at %.1f MB RSS, 10,000 at %.1f MB: want within 10%%", float64(large)/(1<<20), float64(small)/(1<<20))
	}
}

// writeTextCassette writes a cassette of n text messages from Ada to the
// bot in one private chat, one second apart, as Telegram delivers them
// (examples/telegram/cassettes/text.cassette, longer).
func writeTextCassette(tb testing.TB, path string, n int) {
	tb.Helper()
	fw, err := cassette.Create(path, cassette.Header{
		Name: "memory", Description: fmt.Sprintf("%d text messages from Ada", n), Platform: "telegram",
		Integration: "examples/telegram", Configuration: json.RawMessage(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`),
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer fw.Abort()
	ada := `{"id":1001,"is_bot":false,"first_name":"Ada","last_name":"Lovelace","username":"ada"}`
	chat := `{"id":1001,"type":"private","first_name":"Ada","last_name":"Lovelace","username":"ada"}`
	for i := 1; i <= n; i++ {
		body, err := cassette.JSONBody(fmt.Appendf(nil, `{"update_id":%d,"message":{"message_id":%d,"from":%s,"chat":%s,"date":%d,"text":"message number %d"}}`,
			100000000+i, 2*i-1, ada, chat, fakes.EpochUnix+i, i))
		if err != nil {
			tb.Fatal(err)
		}
		err = fw.Write(cassette.Entry{
			At: cassette.Offset(time.Duration(i) * time.Second), Platform: "telegram", Direction: cassette.Inbound, Kind: "update",
			Request: cassette.Request{Method: http.MethodPost, URL: "/", Headers: http.Header{"Content-Type": {"application/json"}}, Body: body},
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := fw.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// childPeakRSS runs bin with args, demands that it succeed, and returns its
// peak resident set size in bytes, as the kernel counted it, and how long
// it ran.
func childPeakRSS(tb testing.TB, bin string, args ...string) (int64, time.Duration) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		tb.Fatalf("chatsim %s: %v\n%s", strings.Join(args, " "), err, tail(out.String(), 4000))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		tb.Fatalf("no resource usage for the child: %T", cmd.ProcessState.SysUsage())
	}
	return ru.Maxrss << 10, time.Since(start) // Linux counts Maxrss in KiB
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
