//go:build unix

package fakes

import (
	"fmt"
	"syscall"
	"testing"
)

// RefusedURL returns an http:// loopback URL where every connection is
// refused for as long as the test runs: a TCP socket is bound to the port
// but never listens, so the kernel answers each connection with a reset and
// no other listener, in this test binary or another, can take the port. A
// server listened on and closed gives no such promise: a test running beside
// it may be handed the same port.
func RefusedURL(tb testing.TB) string {
	tb.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		tb.Fatalf("refused URL: socket: %v", err)
	}
	tb.Cleanup(func() { _ = syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		tb.Fatalf("refused URL: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		tb.Fatalf("refused URL: getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		tb.Fatalf("refused URL: bound to %T, want an IPv4 address", sa)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", in4.Port)
}
