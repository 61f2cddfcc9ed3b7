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
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
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
// that a test can make it fail midway. The temporary file, its sync, the
// rename and keeping the mode are github.com/google/renameio's.
func write(path string, data []byte, copyData func(w io.Writer, data []byte) error) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write %s: %w", path, err)
		}
	}()
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir),
		renameio.WithPermissions(newMode), renameio.WithExistingPermissions())
	if err != nil {
		return err
	}
	defer f.Cleanup() // removes the temporary file unless it was renamed in
	if err := copyData(f, data); err != nil {
		return err
	}
	if err := f.CloseAtomicallyReplace(); err != nil {
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
