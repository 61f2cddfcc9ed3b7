package fakes_test

import (
	"encoding/json"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/fakes/botpress"
	"github.com/chatsim/chatsim/fakes/rocketchat"
	"github.com/chatsim/chatsim/fakes/shopify"
	"github.com/chatsim/chatsim/fakes/slack"
	"github.com/chatsim/chatsim/fakes/telegram"
)

// controlled is a running service with a control API.
type controlled interface {
	URL() string
	ControlRoutes() []fakes.ControlRoute
}

// services starts every service, keyed as README.md's headings name them
// (`telegram.url`) and by package directory.
func services(t *testing.T) []struct {
	key, dir string
	srv      controlled
} {
	return []struct {
		key, dir string
		srv      controlled
	}{
		{"telegram", "telegram", telegram.New(t)},
		{"slack", "slack", slack.New(t)},
		{"shopify", "shopify", shopify.New(t)},
		{"rocketchat", "rocketchat", rocketchat.New(t)},
		{"platform", "botpress", botpress.New(t)},
	}
}

var routeLine = regexp.MustCompile(`^([A-Z]+(?:\|[A-Z]+)*)\s+(/_chatsim/\S*)`)

// parseRoutes reads the "METHOD[|METHOD] /_chatsim/path …" lines of text,
// a query string left out; with strict, every non-blank line must be one.
func parseRoutes(t *testing.T, where, text string, strict bool) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		m := routeLine.FindStringSubmatch(line)
		if m == nil {
			if strict && line != "" {
				t.Errorf("%s: %q is not a route line (METHOD /_chatsim/path …)", where, line)
			}
			continue
		}
		path, _, _ := strings.Cut(m[2], "?")
		for _, method := range strings.Split(m[1], "|") {
			r := method + " " + path
			if slices.Contains(out, r) {
				t.Errorf("%s: %s documented twice", where, r)
			}
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return out
}

// readmeRoutes returns the routes README.md's control-API section
// documents, by the key in each heading ("### Slack (`slack.url` + …)").
func readmeRoutes(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	start := strings.Index(s, "\n## Control APIs\n")
	if start < 0 {
		t.Fatal("README.md has no \"## Control APIs\" section")
	}
	s = s[start+1:]
	if end := strings.Index(s[3:], "\n## "); end >= 0 {
		s = s[:end+3]
	}
	heading := regexp.MustCompile("(?m)^### .*\\(`([a-z]+)\\.url` \\+ …\\)$")
	out := map[string][]string{}
	locs := heading.FindAllStringSubmatchIndex(s, -1)
	for i, loc := range locs {
		key := s[loc[2]:loc[3]]
		end := len(s)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		sub := s[loc[1]:end]
		parts := strings.Split(sub, "```")
		for j := 1; j < len(parts); j += 2 { // inside the fences
			out[key] = append(out[key], parseRoutes(t, "README.md "+key, parts[j], true)...)
		}
		slices.Sort(out[key])
	}
	return out
}

// docRoutes returns the routes listed in a package's doc comment, if any.
func docRoutes(t *testing.T, dir string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, "doc.go"), nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	var code []string // a doc comment's code lines are indented
	for _, line := range strings.Split(f.Doc.Text(), "\n") {
		if strings.HasPrefix(line, "\t") {
			code = append(code, line)
		}
	}
	return parseRoutes(t, dir+"/doc.go", strings.Join(code, "\n"), false)
}

func registered(srv controlled) []string {
	var out []string
	for _, rt := range srv.ControlRoutes() {
		out = append(out, rt.Method+" "+rt.Path)
	}
	slices.Sort(out)
	return out
}

// TestControlRoutesAreDocumented keeps README.md (and the package docs that
// list routes) equal to the routes each service registers.
func TestControlRoutesAreDocumented(t *testing.T) {
	t.Parallel()
	readme := readmeRoutes(t)
	for _, svc := range services(t) {
		t.Run(svc.key, func(t *testing.T) {
			t.Parallel()
			want := registered(svc.srv)
			diff := func(where string, got []string) {
				for _, r := range want {
					if !slices.Contains(got, r) {
						t.Errorf("%s does not document %s", where, r)
					}
				}
				for _, r := range got {
					if !slices.Contains(want, r) {
						t.Errorf("%s documents %s, which is not a route", where, r)
					}
				}
			}
			diff("README.md", readme[svc.key])
			if doc := docRoutes(t, svc.dir); len(doc) > 0 {
				diff(svc.dir+"/doc.go", doc)
			}
		})
	}
}

// TestControlAPIAnswersAsListed checks over HTTP that GET /_chatsim/ lists
// ControlRoutes and that every listed path called with a method it does
// not take is a 405 naming the ones it does.
func TestControlAPIAnswersAsListed(t *testing.T) {
	t.Parallel()
	fill := regexp.MustCompile(`\{[a-z]+\}`)
	for _, svc := range services(t) {
		t.Run(svc.key, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(svc.srv.URL() + fakes.ControlPrefix)
			if err != nil {
				t.Fatal(err)
			}
			var index struct {
				Routes []fakes.ControlRoute `json:"routes"`
			}
			err = json.NewDecoder(resp.Body).Decode(&index)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK || !slices.Equal(index.Routes, svc.srv.ControlRoutes()) {
				t.Fatalf("GET %s = %d %v (%v), want ControlRoutes", fakes.ControlPrefix, resp.StatusCode, index.Routes, err)
			}
			methods := map[string][]string{}
			for _, rt := range index.Routes {
				methods[rt.Path] = append(methods[rt.Path], rt.Method)
			}
			for path, ms := range methods {
				if slices.Contains(ms, "GET") {
					ms = append(ms, "HEAD")
				}
				slices.Sort(ms)
				url := svc.srv.URL() + fill.ReplaceAllString(path, "1")
				req, _ := http.NewRequest("PATCH", url, nil)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var body map[string]string
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != strings.Join(ms, ", ") ||
					err != nil || !strings.Contains(body["error"], "PATCH") {
					t.Errorf("PATCH %s = %d Allow %q %v (%v), want 405 Allow %q and an error naming PATCH",
						path, resp.StatusCode, resp.Header.Get("Allow"), body, err, strings.Join(ms, ", "))
				}
			}
		})
	}
}
