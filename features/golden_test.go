package features_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
)

// echoFeature is a one-scenario feature that ends on its golden journal.
const echoFeature = `Feature: Echo
  Scenario: The bot repeats Ada
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    When "ada" sends "hello"
    Then the journal matches the golden file
`

// TestUpdateReplacesTheGoldenWhole runs --update over an old golden file
// of mode 0600: the new journal replaces it by a rename (another file, not
// the old one written in place), the mode stays 0600 and nothing else is
// left in the directory.
func TestUpdateReplacesTheGoldenWhole(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	feature := filepath.Join(dir, "echo.feature")
	if err := os.WriteFile(feature, []byte(echoFeature), 0o644); err != nil {
		t.Fatal(err)
	}
	golden := features.GoldenPath(feature, "The bot repeats Ada")
	if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(golden, []byte("# an old journal\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before, err := os.Stat(golden)
	if err != nil {
		t.Fatal(err)
	}
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{feature}, Update: true})
	if err != nil || !res.OK() {
		t.Fatalf("%s, %v: %q", res.Summary(), err, res.Failures)
	}
	after, err := os.Stat(golden)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Error("the golden file was written in place: a run that dies midway leaves half a journal")
	}
	if after.Mode().Perm() != 0o600 {
		t.Errorf("the golden file's mode is %v, want 0600 as before", after.Mode().Perm())
	}
	if b, _ := os.ReadFile(golden); len(b) == 0 || string(b) == "# an old journal\n" {
		t.Errorf("the golden file holds %q, want the new journal", b)
	}
	des, _ := os.ReadDir(filepath.Dir(golden))
	if len(des) != 1 {
		t.Errorf("the golden directory holds %d entries, want only the golden file", len(des))
	}
	res, err = features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{feature}})
	if err != nil || !res.OK() {
		t.Errorf("the updated golden does not match a second run: %s, %v: %q", res.Summary(), err, res.Failures)
	}
}
