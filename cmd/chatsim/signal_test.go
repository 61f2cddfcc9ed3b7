package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startHung starts the real chatsim (the test binary, on $PATH by
// TestMain) replaying the demo through an integration that never answers
// a webhook, and waits until that integration holds the first delivery.
// It returns the command, its stderr and the integration's pid.
func startHung(t *testing.T) (*exec.Cmd, *bytes.Buffer, int) {
	t.Helper()
	mark := filepath.Join(t.TempDir(), "webhook")
	cmd := exec.Command("chatsim", "replay", "--integration", "exec:hang-on-webhook", "--step-timeout", "5m")
	cmd.Env = append(os.Environ(), "HANG_MARK="+mark)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &bytes.Buffer{}, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	var pid int
	waitFor(t, 30*time.Second, "the integration to hold a webhook", func() bool {
		b, err := os.ReadFile(mark)
		if err != nil {
			return false
		}
		pid, err = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil
	})
	return cmd, &stderr, pid
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(limit)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		case <-tick.C:
		}
	}
}

// exited waits for cmd to end, at most limit, and returns its exit code.
func exited(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return -int(ws.Signal())
			}
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(limit):
		t.Fatalf("chatsim still running %s after the signal", limit)
		return 0
	}
}

// gone reports whether pid no longer runs (a zombie nobody reaped counts
// as gone: it neither runs nor listens).
func gone(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	// pid (comm) STATE ...
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z' || s[i+2] == 'X'
	}
	return false
}

// TestInterruptPrintsSoFar: Ctrl-C during a replay exits 130 quickly and
// prints the journal and the conversation so far; the integration is
// stopped.
func TestInterruptPrintsSoFar(t *testing.T) {
	t.Parallel()
	cmd, stderr, pid := startHung(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if code := exited(t, cmd, 15*time.Second); code != exitInterrupted {
		t.Fatalf("exit code %d after Ctrl-C, want %d; stderr:\n%s", code, exitInterrupted, stderr)
	}
	for _, want := range []string{"interrupted after 1 delivery", "conversation so far:", "journal so far:", "step 1  telegram → integration: update 1"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	waitFor(t, 10*time.Second, "the integration to stop", func() bool { return gone(pid) })
}

// TestKillNineKillsChildren: when chatsim itself is killed outright
// (SIGKILL, no cleanup of its own), the exec: child dies with it.
func TestKillNineKillsChildren(t *testing.T) {
	t.Parallel()
	cmd, _, pid := startHung(t)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	exited(t, cmd, 5*time.Second)
	waitFor(t, 10*time.Second, "the integration (pid "+strconv.Itoa(pid)+") to die with chatsim", func() bool { return gone(pid) })
}
