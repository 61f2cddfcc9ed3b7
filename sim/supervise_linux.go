package sim

import (
	"os/exec"
	"syscall"
)

// supervisor is the shell that runs a Command on Linux. The kernel sends it
// SIGHUP when chatsim dies, however it dies (Pdeathsig, even on SIGKILL);
// it then stops the whole process group — the command and whatever it
// started, such as the program `go run` builds — with SIGTERM, and with
// SIGKILL five seconds later. Its exit status is the command's. A SIGTERM
// to the group (Close) ends the shell and the command together.
//
// The shell and the watcher that sends the SIGKILL ignore the SIGTERM they
// send to their own group, or the watcher would die before it is needed.
const supervisor = `trap 'trap "" HUP TERM; (trap "" TERM; sleep 5; kill -KILL 0) </dev/null >/dev/null 2>&1 & kill -TERM 0 2>/dev/null; wait "$child"' HUP
"$0" "$@" &
child=$!
while :; do
	wait "$child"
	status=$?
	kill -0 "$child" 2>/dev/null || exit "$status"
done`

// supervised returns the command that runs path with args in a process
// group of its own that dies with this process.
func supervised(path string, args []string) *exec.Cmd {
	cmd := exec.Command("/bin/sh", append([]string{"-c", supervisor, path}, args...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGHUP}
	return cmd
}

// supervisedSignal reads the supervisor's exit status: a shell reports a
// command that a signal ended as 128 + the signal's number.
func supervisedSignal(code int) (string, bool) {
	if code <= 128 || code > 128+64 {
		return "", false
	}
	return syscall.Signal(code - 128).String(), true
}
