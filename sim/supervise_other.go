//go:build !linux

package sim

import (
	"os/exec"
	"syscall"
)

// supervised returns the command that runs path with args in a process
// group of its own, stopped as one on Close. Only Linux can also make the
// group die with this process (see supervise_linux.go).
func supervised(path string, args []string) *exec.Cmd {
	cmd := exec.Command(path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// supervisedSignal is false: without a supervising shell an exit code is
// the command's own.
func supervisedSignal(int) (string, bool) { return "", false }
