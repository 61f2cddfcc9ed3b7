package features_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
)

// neverTag makes a tag expression no scenario matches, so Execute stops
// after parsing: the stage chatsim test runs before any World starts.
const neverTag = "chatsimfuzznever"

var goWords = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)|uintptr)\b|interface \{\}|map\[[a-z]+\]|\[\][a-zA-Z.]+|struct \{|\bGo (struct|value)|\bjson: |\b(strconv|reflect)\.|\*?\b(godog|gherkin|messages|models|features)\.[A-Z]\w*`)

// FuzzFeatureParse hands arbitrary .feature files to Execute, as chatsim
// test does, with a tag expression that matches nothing, so only the parse
// runs. It must never panic; every error must wrap ErrParse and say where:
// a file that Gherkin refuses gets one "file:line:column: message" (or
// "file: message") per problem, a file without a Feature says so, and a
// file that parses says no scenario matches the tags. Nothing may name Go
// types.
func FuzzFeatureParse(f *testing.F) {
	seeds, _ := filepath.Glob("*.feature")
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("Feature: x\n  Scenario: y\n    Given a step\n      \"\"\"\n      unclosed doc string\n"))
	f.Add([]byte("Feature: x\n  Scenario Outline: y\n    Given <a>\n    Examples:\n      | a |\n      | 1 | 2 |\n"))
	f.Add([]byte("# language: fr\nFonctionnalité: x\n  Scénario: y\n    Soit z\n"))
	f.Add([]byte("# only a comment\n"))
	f.Add([]byte("Scenario: no feature\n"))
	f.Add([]byte("Feature: a\nFeature: b\n"))
	f.Add([]byte("@tag\nFeature: x\n  Rule: r\n    Background:\n      Given b\n    Example: e\n      * step | with | pipes\n"))
	f.Add([]byte("\xef\xbb\xbfFeature: BOM\n\tScenario: tab\n\t\tGiven x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if bytes.Contains(data, []byte(neverTag)) {
			return // its tag could match, and a World would start
		}
		path := filepath.Join(t.TempDir(), "fuzz.feature")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{path}, Tags: "@" + neverTag + " && ~@" + neverTag})
		if err == nil {
			t.Fatal("a run with a tag that matches nothing did not say so")
		}
		msg := err.Error()
		if !errors.Is(err, features.ErrParse) {
			t.Fatalf("error %q does not wrap ErrParse", msg)
		}
		for _, w := range goWords.FindAllString(msg, -1) {
			if !bytes.Contains(data, []byte(w)) {
				t.Fatalf("error %q names Go internals (%q)", msg, w)
			}
		}
		doc, perr := gherkin.ParseGherkinDocument(bytes.NewReader(data), (&messages.Incrementing{}).NewId)
		switch {
		case perr != nil:
			lines := strings.Split(strings.TrimPrefix(msg, features.ErrParse.Error()+":"), "\n")
			for _, l := range lines {
				l = strings.TrimSpace(l)
				if l == "" {
					continue
				}
				if !strings.HasPrefix(l, path+":") {
					t.Fatalf("parse error line %q does not start with the file (%s)", l, msg)
				}
			}
		case doc.Feature == nil:
			if !strings.Contains(msg, "no Feature in the file") {
				t.Fatalf("a file without a Feature is refused with %q", msg)
			}
		default:
			if !strings.Contains(msg, "matches the tags") {
				t.Fatalf("a file that parses is refused with %q", msg)
			}
		}
	})
}
