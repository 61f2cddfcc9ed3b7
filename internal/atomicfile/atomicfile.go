// Package atomicfile writes files so that a reader, or a crash, never sees
// half of one: the data goes to a temporary file in the same directory,
// is synced to disk, and is renamed over the file.
//
//	if err := atomicfile.Write("testdata/order.golden", []byte(journal)); err != nil {
//		return err
//	}
//
// A file written over keeps its mode; a new one gets 0644. When anything
// fails, the old file is untouched and no temporary file is left behind.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// newMode is the mode of a file that did not exist before.
const newMode fs.FileMode = 0o644

// Write replaces the file at path with data, atomically: readers see the
// old content or the new, never a mix. Missing parent directories are
// created (0755). An existing file keeps its permission bits. On error
// the file at path is as it was.
func Write(path string, data []byte) error {
	return write(path, data, func(w io.Writer, data []byte) error {
		_, err := w.Write(data)
		return err
	})
}

// write is Write with the copy of data into the temporary file given, so
// that a test can make it fail midway.
func write(path string, data []byte, copyData func(w io.Writer, data []byte) error) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	mode := newMode
	switch st, err := os.Stat(path); {
	case err == nil:
		mode = st.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := copyData(f, data); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; Chmod sets the bits exactly, past
	// the umask, as the old file had them.
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced too; a directory
	// that cannot be synced (some file systems) has still been renamed in.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
