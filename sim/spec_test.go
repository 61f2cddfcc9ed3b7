package sim_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/sim"
)

// TestParseSpec: exec: and url: specs are checked at once; a spec that is
// neither, and no name the catalog knows, is ErrUnknownIntegration.
func TestParseSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec, want string // want: "" for a good spec, else part of the error
		unknown    bool
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
		{spec: "examples/telegram", want: "not a known integration (have: none), nor exec:COMMAND, url:URL or an http(s) URL", unknown: true},
	} {
		in, err := sim.ParseSpec(tc.spec, nil)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ParseSpec(%q): %v", tc.spec, err)
		case tc.want == "" && (in.Launcher == nil || in.Name != tc.spec):
			t.Errorf("ParseSpec(%q) = %+v, want a launcher named by the spec", tc.spec, in)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("ParseSpec(%q) = %v, want an error containing %q", tc.spec, err, tc.want)
		case tc.want != "" && errors.Is(err, sim.ErrSpec) == tc.unknown:
			t.Errorf("ParseSpec(%q): %v: wraps ErrSpec %v, want %v", tc.spec, err, !tc.unknown, tc.unknown)
		case tc.want != "" && errors.Is(err, sim.ErrUnknownIntegration) != tc.unknown:
			t.Errorf("ParseSpec(%q): ErrUnknownIntegration is %v, want %v", tc.spec, !tc.unknown, tc.unknown)
		}
	}
}

// TestParseSpecCatalog: a catalog's names come first and bring what their
// entry makes; a broken entry and an unknown name are errors that say so.
func TestParseSpecCatalog(t *testing.T) {
	t.Parallel()
	mine := sim.Integration{Launcher: sim.URL("http://127.0.0.1:8080"), Platforms: []string{"slack"}}
	cat := sim.Catalog{
		"mine":   func() (sim.Integration, error) { return mine, nil },
		"broken": func() (sim.Integration, error) { return sim.Integration{}, errors.New("its definition does not parse") },
		"empty":  func() (sim.Integration, error) { return sim.Integration{}, nil },
		// A name that looks like a spec is still the catalog's.
		"exec:bot": func() (sim.Integration, error) { return mine, nil },
	}
	in, err := sim.ParseSpec("mine", cat)
	if err != nil || in.Name != "mine" || in.Launcher != mine.Launcher || len(in.Platforms) != 1 {
		t.Errorf("ParseSpec(mine) = %+v, %v", in, err)
	}
	if in, err := sim.ParseSpec("exec:bot", cat); err != nil || in.Launcher != mine.Launcher {
		t.Errorf("ParseSpec(exec:bot) = %+v, %v, want the catalog's entry", in, err)
	}
	for spec, want := range map[string]string{
		"broken": `integration "broken": its definition does not parse`,
		"empty":  `integration "empty": bad integration spec: it has no launcher`,
		"other":  `not a known integration (have: broken, empty, exec:bot, mine)`,
	} {
		if _, err := sim.ParseSpec(spec, cat); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseSpec(%q) = %v, want %q", spec, err, want)
		}
	}
	if got := sim.CatalogOf(sim.Integration{Name: "b"}, sim.Integration{Name: "a"}).Names(); strings.Join(got, ",") != "a,b" {
		t.Errorf("CatalogOf names = %q", got)
	}
}
