// Package atomicfile writes files so that a reader, or a crash, never sees
// half of one: the data goes to a temporary file in the same directory,
// is synced to disk, and is renamed over the file.
//
//	if err := atomicfile.Write("testdata/order.golden", []byte(journal)); err != nil {
//		return err
//	}
//
// Create does the same for content written piece by piece (a long
// replay's journal, streamed). A file written over keeps its mode; a new
// one gets 0644. When anything fails, the old file is untouched and no
// temporary file is left behind.
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
// that a test can make it fail midway.
func write(path string, data []byte, copyData func(w io.Writer, data []byte) error) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := copyData(f, data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// File is a file being written atomically, for content too long to hold
// in memory (a long replay's journal): it is written to a temporary file
// beside path, which Commit renames over path. Until then, and when
// anything fails, the file at path is as it was.
//
//	f, err := atomicfile.Create("testdata/order.golden")
//	if err != nil {
//		return err
//	}
//	defer f.Abort() // removes the temporary file unless committed
//	… write to f …
//	return f.Commit()
type File struct {
	path string
	f    *renameio.PendingFile
	done bool
}

// Create starts writing the file at path, creating its missing parent
// directories (0755). It keeps an existing file's permission bits; a new
// file gets 0644.
func Create(path string) (*File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir),
		renameio.WithPermissions(newMode), renameio.WithExistingPermissions())
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return &File{path: path, f: f}, nil
}

// Write writes p to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("write %s: %w", f.path, os.ErrClosed)
	}
	return f.f.Write(p)
}

// Commit syncs the temporary file and renames it over path. The temporary
// file, its sync, the rename and keeping the mode are
// github.com/google/renameio's.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("write %s: %w", f.path, os.ErrClosed)
	}
	f.done = true
	if err := f.f.CloseAtomicallyReplace(); err != nil {
		_ = f.f.Cleanup()
		return fmt.Errorf("write %s: %w", f.path, err)
	}
	// The rename is durable once the directory is synced too; a directory
	// that cannot be synced (some file systems) has still been renamed in.
	if d, err := os.Open(filepath.Dir(f.path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Abort removes the temporary file and leaves path as it was. After Commit
// it does nothing, so it is safe to defer.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	if err := f.f.Cleanup(); err != nil {
		return fmt.Errorf("abort %s: %w", f.path, err)
	}
	return nil
}
