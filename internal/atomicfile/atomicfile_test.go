package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// errDisk is the failure a test's writer injects.
var errDisk = errors.New("disk full")

// halfThenFail writes half of data, then fails, as a full disk would.
func halfThenFail(w io.Writer, data []byte) error {
	if _, err := w.Write(data[:len(data)/2]); err != nil {
		return err
	}
	return errDisk
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWrite(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		old      string      // "" when there is no file yet
		mode     os.FileMode // the old file's mode
		path     string      // relative to the test's directory
		wantMode os.FileMode
	}{
		{name: "new file", path: "a.golden", wantMode: 0o644},
		{name: "new file in a new directory", path: "testdata/x/a.golden", wantMode: 0o644},
		{name: "over a file keeps its mode 0600", old: "old\n", mode: 0o600, path: "a.golden", wantMode: 0o600},
		{name: "over a file keeps its mode 0640", old: "old\n", mode: 0o640, path: "a.golden", wantMode: 0o640},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), tc.path)
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), tc.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.mode); err != nil { // past the umask
					t.Fatal(err)
				}
			}
			if err := Write(path, []byte("new\n")); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil || string(got) != "new\n" {
				t.Fatalf("read %q, %v; want %q", got, err, "new\n")
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if st.Mode().Perm() != tc.wantMode {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), tc.wantMode)
			}
			if names := entries(t, filepath.Dir(path)); len(names) != 1 {
				t.Errorf("the directory holds %q, want only %s", names, filepath.Base(path))
			}
		})
	}
}

// TestFailedWriteKeepsTheOldFile fails the write midway: the old content
// and mode survive and no temporary file is left beside it.
func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if err := os.WriteFile(path, []byte("the old journal\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := write(path, []byte("a new journal, cut short\n"), halfThenFail)
	if !errors.Is(err, errDisk) {
		t.Fatalf("write = %v, want %v", err, errDisk)
	}
	if got, _ := os.ReadFile(path); string(got) != "the old journal\n" {
		t.Errorf("the file holds %q after a failed write, want the old content", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after a failed write, want 0600", st.Mode().Perm())
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("the directory holds %q after a failed write, want only a.golden", names)
	}
}

// TestFailedRenameLeavesNothing writes over a directory, which no rename
// can replace: the error names the path and no temporary file is left.
func TestFailedRenameLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.golden")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	err := Write(path, []byte("x"))
	if err == nil {
		t.Fatal("Write over a directory succeeded")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("the directory holds %q after a failed write, want only a.golden", names)
	}
}

// TestCreate writes a file piece by piece: nothing shows at path until
// Commit, and Abort leaves the old file and no temporary one.
func TestCreate(t *testing.T) {
	t.Parallel()
	for _, commit := range []bool{true, false} {
		t.Run(map[bool]string{true: "commit", false: "abort"}[commit], func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "a.golden")
			if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Abort()
			for _, piece := range []string{"# step 1\n", "# step 2\n"} {
				if _, err := f.Write([]byte(piece)); err != nil {
					t.Fatal(err)
				}
			}
			if got, _ := os.ReadFile(path); string(got) != "old\n" {
				t.Errorf("the file holds %q before Commit, want the old content", got)
			}
			want := "old\n"
			if commit {
				if err := f.Commit(); err != nil {
					t.Fatal(err)
				}
				want = "# step 1\n# step 2\n"
				if _, err := f.Write([]byte("late")); err == nil {
					t.Error("Write after Commit succeeded")
				}
			} else if err := f.Abort(); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(path); string(got) != want {
				t.Errorf("the file holds %q, want %q", got, want)
			}
			if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
				t.Errorf("mode %v, want 0600", st.Mode().Perm())
			}
			if names := entries(t, dir); len(names) != 1 {
				t.Errorf("the directory holds %q, want only a.golden", names)
			}
		})
	}
}
