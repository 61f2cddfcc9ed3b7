package sim_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/sim"
)

// TestParseSpec: exec: and url: specs are checked at once; a spec that is
// neither is ErrUnsupported, for a caller that knows names to try next.
func TestParseSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec, want  string // want: "" for a good spec, else part of the error
		unsupported bool
	}{
		{spec: "exec:node dist/index.js"},
		{spec: "url:http://127.0.0.1:8080"},
		{spec: "https://bot.example:8443/base/"},
		{spec: "exec:", want: "exec: needs a command line"},
		{spec: "exec:   ", want: "exec: needs a command line"},
		{spec: "url:notaurl", want: `"notaurl" is not an absolute URL`},
		{spec: "url:", want: "empty URL"},
		{spec: "url:ftp://x", want: `scheme "ftp" is not http or https`},
		{spec: "url:http://", want: "has no host"},
		{spec: "url:http://:8080", want: "has no host"},
		{spec: "url:http://127.0.0.1:0", want: "port 0 is not a port number (1–65535)"},
		{spec: "url:http://127.0.0.1:65536", want: "port 65536 is not a port number"},
		{spec: "url:http://127.0.0.1:8080/?x=1", want: "no user, query or fragment"},
		{spec: "url:http://a@127.0.0.1:8080", want: "no user, query or fragment"},
		{spec: "http://127.0.0.1:8080#top", want: "no user, query or fragment"},
		{spec: "url:http://bad host", want: "is not a URL"},
		{spec: "examples/telegram", want: "not exec:COMMAND, url:URL or an http(s) URL", unsupported: true},
	} {
		l, err := sim.ParseSpec(tc.spec)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ParseSpec(%q): %v", tc.spec, err)
		case tc.want == "" && l == nil:
			t.Errorf("ParseSpec(%q): no launcher", tc.spec)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("ParseSpec(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		case tc.want != "" && !errors.Is(err, sim.ErrSpec):
			t.Errorf("ParseSpec(%q): %v does not wrap ErrSpec", tc.spec, err)
		case tc.want != "" && errors.Is(err, errors.ErrUnsupported) != tc.unsupported:
			t.Errorf("ParseSpec(%q): ErrUnsupported is %v, want %v", tc.spec, !tc.unsupported, tc.unsupported)
		}
	}
}
