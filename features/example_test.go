package features_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/chatsim/chatsim/examples/bundled"
	"github.com/chatsim/chatsim/features"
)

// Execute runs feature files outside go test, as `chatsim test` does.
func ExampleExecute() {
	dir, err := os.MkdirTemp("", "features")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	scenario := `Feature: Echo
  Scenario: The bot repeats Ada
    Given the integration "examples/telegram" with its definition
    And a Telegram private chat with "ada" (Ada Lovelace)
    When "ada" sends "hello"
    Then "ada" sees:
      """
      ada  ▸ hello
      bot  ◂ hello
      """
`
	if err := os.WriteFile(filepath.Join(dir, "echo.feature"), []byte(scenario), 0o644); err != nil {
		fmt.Println(err)
		return
	}
	res, err := features.Execute(context.Background(), features.Options{Integrations: bundled.Catalog(), Paths: []string{dir}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Summary())
	// Output: 1 scenario (1 passed)
}
