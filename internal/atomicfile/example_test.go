package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/chatsim/chatsim/internal/atomicfile"
)

// Write replaces a file whole, keeping its mode.
func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "testdata", "order.golden")
	for _, journal := range []string{"# step 1\n", "# step 1\n# step 2\n"} {
		if err := atomicfile.Write(path, []byte(journal)); err != nil {
			fmt.Println(err)
			return
		}
	}
	b, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	fmt.Printf("%s%v\n", b, st.Mode().Perm())
	// Output:
	// # step 1
	// # step 2
	// -rw-r--r--
}
