package cassette

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// ErrClosed is returned by Write after Close, Commit or Abort.
var ErrClosed = errors.New("cassette writer is closed")

// Writer writes a cassette: the header line, then one line per entry. It
// validates everything it writes, so what it writes a Reader reads back.
// Output is deterministic: keys in a fixed order, header maps sorted, JSON
// compacted, no HTML escaping.
type Writer struct {
	turns  turns
	bw     *bufio.Writer
	enc    *json.Encoder
	n      int // entries written
	prev   Offset
	err    error // sticky
	closed bool
}

// NewWriter validates h and writes it as the first line of a cassette to w.
// A zero h.Version stands for Version. Close the Writer to flush it; it
// never closes w.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	if err := validateHeader(&h); err != nil {
		return nil, fmt.Errorf("write cassette header: %w", err)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(toWireHeader(h)); err != nil {
		return nil, fmt.Errorf("write cassette header: %w", err)
	}
	return &Writer{bw: bw, enc: enc}, nil
}

// Write validates e and writes it as the next line. Entries must come in
// order: e.At must not be before the previous entry's. An invalid entry is
// not written and the Writer stays usable; after an I/O error, Write keeps
// returning that error.
func (w *Writer) Write(e Entry) error {
	if w.closed {
		return fmt.Errorf("write entry: %w", ErrClosed)
	}
	if w.err != nil {
		return w.err
	}
	if ferr := validateEntry(&e); ferr != nil {
		return fmt.Errorf("write entry %d: %w", w.n+1, ferr)
	}
	if e.At < w.prev {
		return fmt.Errorf("write entry %d: %w", w.n+1,
			fieldError("entry.at", "%q goes back in time (previous entry at %q)", e.At.String(), w.prev.String()))
	}
	if ferr := w.turns.check(e); ferr != nil {
		return fmt.Errorf("write entry %d: %w", w.n+1, ferr)
	}
	if err := w.enc.Encode(toWireEntry(&e)); err != nil {
		w.err = fmt.Errorf("write entry %d: %w", w.n+1, err)
		return w.err
	}
	w.prev = e.At
	w.n++
	return nil
}

// Flush hands what is buffered to the io.Writer, so that a reader of it sees
// every entry written so far as a whole line.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("write cassette: %w", err)
		return w.err
	}
	return nil
}

// Len returns the number of entries written.
func (w *Writer) Len() int { return w.n }

// Close flushes what is buffered. It does not close the io.Writer given to
// NewWriter. Calling it again returns nil.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("flush cassette: %w", err)
		return w.err
	}
	return nil
}

// FileWriter writes a cassette file atomically: entries go to a temporary
// file in the same directory, and Commit renames it into place only when
// everything was written and synced. Until then an existing file at the path
// is untouched. Use it as
//
//	fw, err := cassette.Create(path, header)
//	if err != nil { … }
//	defer fw.Abort() // removes the temporary file unless committed
//	for … { if err := fw.Write(e); err != nil { return err } }
//	return fw.Commit()
type FileWriter struct {
	w    *Writer
	f    *os.File
	path string
	done bool
}

// Create starts writing the cassette file path (which must end in .cassette
// or .jsonl) with header h.
func Create(path string, h Header) (*FileWriter, error) {
	if !IsCassettePath(path) {
		return nil, fmt.Errorf("create %s: %w: want a %s or .jsonl file", path, ErrNotCassette, Ext)
	}
	if err := validateHeader(&h); err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	w, err := NewWriter(f, h)
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return &FileWriter{w: w, f: f, path: path}, nil
}

// Write writes the next entry, as Writer.Write does.
func (fw *FileWriter) Write(e Entry) error {
	if fw.done {
		return fmt.Errorf("write entry: %w", ErrClosed)
	}
	return fw.w.Write(e)
}

// Commit flushes and syncs the temporary file and renames it to the path,
// replacing any file there (keeping that file's permissions; a new file gets
// 0644). If anything failed, nothing is replaced and the temporary file is
// removed.
func (fw *FileWriter) Commit() error {
	if fw.done {
		return fmt.Errorf("commit %s: %w", fw.path, ErrClosed)
	}
	fw.done = true
	tmp := fw.f.Name()
	err := fw.w.Close()
	if err == nil {
		err = fw.f.Sync()
	}
	if cerr := fw.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		mode := os.FileMode(0o644)
		if fi, serr := os.Stat(fw.path); serr == nil {
			mode = fi.Mode().Perm()
		}
		err = os.Chmod(tmp, mode)
	}
	if err == nil {
		err = os.Rename(tmp, fw.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("commit %s: %w", fw.path, err)
	}
	if err := syncDir(filepath.Dir(fw.path)); err != nil {
		return fmt.Errorf("commit %s: %w", fw.path, err)
	}
	return nil
}

// Abort discards what was written and removes the temporary file. After
// Commit it does nothing, so it is safe to defer.
func (fw *FileWriter) Abort() error {
	if fw.done {
		return nil
	}
	fw.done = true
	fw.w.closed = true
	fw.f.Close()
	if err := os.Remove(fw.f.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("abort %s: %w", fw.path, err)
	}
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot sync a directory;
// there the rename is as durable as the system makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// WriteFile writes a whole cassette to path atomically (see Create).
func WriteFile(path string, h Header, entries []Entry) error {
	fw, err := Create(path, h)
	if err != nil {
		return err
	}
	defer fw.Abort()
	for _, e := range entries {
		if err := fw.Write(e); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return fw.Commit()
}
