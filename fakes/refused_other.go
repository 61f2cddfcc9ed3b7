//go:build !unix

package fakes

import (
	"net"
	"testing"
)

// RefusedURL returns an http:// loopback URL where connections are
// refused: a port listened on and closed. Unlike the Unix version, which
// keeps the port bound, a test running beside it may be handed the same
// port.
func RefusedURL(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("refused URL: %v", err)
	}
	url := "http://" + l.Addr().String()
	_ = l.Close()
	return url
}
