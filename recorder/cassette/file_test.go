package cassette_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/recorder/cassette"
)

func TestWriteFileAndLoad(t *testing.T) {
	t.Parallel()
	h, entries := sample(t)
	path := filepath.Join(t.TempDir(), "demo.cassette")
	if err := cassette.WriteFile(path, h, entries); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("new cassette has mode %v, want 0644", fi.Mode().Perm())
	}
	gotH, got, err := cassette.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if gotH.Name != h.Name {
		t.Errorf("header name %q, want %q", gotH.Name, h.Name)
	}
	assertSameEntries(t, got, entries)
	if want := path + ":2"; got[0].Location() != want {
		t.Errorf("Location() = %q, want %q", got[0].Location(), want)
	}
	assertOnlyFiles(t, filepath.Dir(path), "demo.cassette")
}

// TestFailedWriteKeepsTheOldFile checks that a cassette is replaced only by
// a complete one.
func TestFailedWriteKeepsTheOldFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "demo.cassette")
	h, entries := sample(t)
	if err := cassette.WriteFile(path, h, entries); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	bad := append(entries[:1:1], cassette.Entry{Platform: "telegram"}) // invalid second entry
	err = cassette.WriteFile(path, cassette.Header{Name: "new"}, bad)
	if want := "write " + path + ": write entry 2: entry.direction: required"; err == nil || err.Error() != want {
		t.Fatalf("WriteFile error\n got  %v\n want %s", err, want)
	}
	if now, _ := os.ReadFile(path); string(now) != string(old) {
		t.Errorf("a failed write changed the file:\n%s", now)
	}
	assertOnlyFiles(t, dir, "demo.cassette")

	// An aborted streaming write leaves it alone too.
	fw, err := cassette.Create(path, cassette.Header{Name: "new"})
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(entries[0]); err != nil {
		t.Fatal(err)
	}
	if err := fw.Abort(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(entries[0]); !errors.Is(err, cassette.ErrClosed) {
		t.Errorf("Write after Abort: %v, want ErrClosed", err)
	}
	if now, _ := os.ReadFile(path); string(now) != string(old) {
		t.Errorf("an aborted write changed the file:\n%s", now)
	}
	assertOnlyFiles(t, dir, "demo.cassette")

	// A committed one replaces it, keeping its permissions.
	fw, err = cassette.Create(path, cassette.Header{Name: "new"})
	if err != nil {
		t.Fatal(err)
	}
	defer fw.Abort() // a no-op after Commit
	if err := fw.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := fw.Commit(); !errors.Is(err, cassette.ErrClosed) {
		t.Errorf("second Commit: %v, want ErrClosed", err)
	}
	gotH, got, err := cassette.Load(path)
	if err != nil || gotH.Name != "new" || len(got) != 0 {
		t.Errorf("Load after commit = %q, %d entries, %v; want \"new\", 0 entries", gotH.Name, len(got), err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced cassette mode %v (%v), want 0600 kept", fi.Mode().Perm(), err)
	}
	assertOnlyFiles(t, dir, "demo.cassette")
}

func TestFileNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.cassette", "b.jsonl"} {
		path := filepath.Join(dir, name)
		if err := cassette.WriteFile(path, cassette.Header{}, nil); err != nil {
			t.Errorf("WriteFile(%s): %v", name, err)
			continue
		}
		r, err := cassette.Open(path)
		if err != nil {
			t.Errorf("Open(%s): %v", name, err)
			continue
		}
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	for _, name := range []string{"c.json", "cassette"} {
		path := filepath.Join(dir, name)
		if err := cassette.WriteFile(path, cassette.Header{}, nil); !errors.Is(err, cassette.ErrNotCassette) {
			t.Errorf("WriteFile(%s): %v, want ErrNotCassette", name, err)
		}
		if _, err := cassette.Open(path); !errors.Is(err, cassette.ErrNotCassette) {
			t.Errorf("Open(%s): %v, want ErrNotCassette", name, err)
		}
	}
	if _, err := cassette.Open(filepath.Join(dir, "missing.cassette")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing): %v, want ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.cassette")
	if err := os.WriteFile(bad, []byte(hdr+"{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := cassette.Load(bad)
	if want := bad + ":2: entry.at: required"; err == nil || err.Error() != want {
		t.Errorf("Load error\n got  %v\n want %s", err, want)
	}
}

func assertOnlyFiles(tb testing.TB, dir string, want ...string) {
	tb.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var got []string
	for _, de := range des {
		got = append(got, de.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		tb.Errorf("files in %s: %v, want %v (a temporary file left behind?)", dir, got, want)
	}
}
