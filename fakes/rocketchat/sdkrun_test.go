package rocketchat_test

import (
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// sdkTests are the tests that drive the fake with the real Rocket.Chat Go
// SDK's realtime client and its DDP layer (realtime_test.go, ddp_test.go).
// They build only without -race (the SDK has data races of its own), and
// the SDK needs a private IPv4 address on the machine to make ids.
const sdkTests = "^(TestSDKRealtimeLoginSubscribeSend|TestRealtimeLoginErrors|TestDDPLoginSubscribeSend|TestDDPLoginErrors)$"

// TestRealSDKClients makes sure the real clients run wherever the suite
// runs: under -race (what CI runs) it runs them in a child test binary
// built without -race, and on a machine with no private IPv4 address (this
// project's sandboxes) it runs that binary in a network namespace of its
// own whose loopback also carries 10.1.2.3, which no traffic is sent to:
// the SDK only reads it. A child that skips or fails fails this test.
//
// The binary is built here, outside the namespace, where the module proxy
// is reachable: the modules only those tests import (the SDK's realtime
// package, gopackage/ddp, sonyflake) are not in a -race build's module
// graph, so a clean module cache does not have them yet, and nothing inside
// the namespace can fetch them.
func TestRealSDKClients(t *testing.T) {
	private := hasPrivateIPv4()
	if !raceEnabled && private {
		t.Skip("the real-client tests run directly in this build")
	}
	if testing.Short() {
		t.Skip("-short: the real-client tests need a child test binary")
	}
	var wrap []string
	if !private {
		if runtime.GOOS != "linux" {
			t.Skip("no private IPv4 address, and no network namespaces off Linux: the SDK cannot make ids here")
		}
		unshare, err := exec.LookPath("unshare")
		if err != nil {
			t.Fatalf("no private IPv4 address and no unshare(1) to make a namespace with one: %v", err)
		}
		ip, err := exec.LookPath("ip")
		if err != nil {
			t.Fatalf("no private IPv4 address and no ip(8) (iproute2) to give a namespace one: %v", err)
		}
		script := ip + ` link set lo up && ` + ip + ` addr add 10.1.2.3/32 dev lo && exec "$@"`
		wrap = []string{unshare, "-rn", "sh", "-c", script, "sh"}
	}

	// The environment (GOFLAGS, GOPROXY, the caches) is this test's own;
	// -race=false wins over a -race in GOFLAGS, since the tests it runs
	// exist only without -race.
	bin := filepath.Join(t.TempDir(), "rocketchat.test")
	build := []string{filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-c", "-race=false", "-o", bin, "."}
	if out, err := exec.Command(build[0], build[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(build, " "), err, out)
	}

	// The child ends itself, with its goroutines printed, before this
	// test's own deadline would kill the parent and leave it running.
	timeout := 5 * time.Minute
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - 30*time.Second; left < timeout {
			timeout = max(left, time.Second)
		}
	}
	args := append(wrap, bin, "-test.count=1", "-test.v", "-test.run", sdkTests, "-test.timeout", timeout.String())
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if strings.Contains(string(out), "--- SKIP") || !strings.Contains(string(out), "--- PASS: TestSDKRealtimeLoginSubscribeSend") {
		t.Fatalf("the real-client tests did not all run:\n%s", out)
	}
}

// hasPrivateIPv4 reports whether an interface has an address in 10/8,
// 172.16/12 or 192.168/16, which sonyflake (under the SDK) needs.
func hasPrivateIPv4() bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && n.IP.IsPrivate() {
			return true
		}
	}
	return false
}
