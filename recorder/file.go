package recorder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/chatsim/chatsim/recorder/cassette"
)

// File is a cassette being recorded. Each exchange is appended as a line
// to PATH.recording (mode 0600, beside PATH) as soon as it is written, so
// a recorder that dies leaves a valid cassette prefix there; Commit writes
// PATH at once, with the final header (the redactions made), synced and
// renamed into place, and removes the .recording file.
type File struct {
	path, tmp string
	header    cassette.Header
	f         *os.File
	w         *cassette.Writer
	n         int
	done      bool
}

// RecordingSuffix is added to a cassette's path for the file it is
// recorded into until Commit.
const RecordingSuffix = ".recording"

// CreateFile starts recording the cassette path, which must end in
// .cassette. It fails when path's .recording file exists: another
// recording is under way there, or one died and left what it recorded.
func CreateFile(path string, h cassette.Header) (*File, error) {
	if !cassette.IsCassettePath(path) {
		return nil, fmt.Errorf("record %s: a cassette's name ends in .cassette", path)
	}
	tmp := path + RecordingSuffix
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("record %s: %s exists: another recording is under way, or one was cut off (its exchanges are in it); move it away first", path, tmp)
		}
		return nil, fmt.Errorf("record %s: %w", path, err)
	}
	w, err := cassette.NewWriter(f, h)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		f.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("record %s: %w", path, err)
	}
	return &File{path: path, tmp: tmp, header: h, f: f, w: w}, nil
}

// AppendFile continues recording the existing cassette path: its entries
// are copied into path's .recording file first, and what is recorded next
// comes after them. It returns where the cassette stands (its last turn
// and time), for Options.After. The cassette's own redactions are kept in
// the header Commit writes.
func AppendFile(path string) (f *File, last Position, err error) {
	r, err := cassette.Open(path)
	if err != nil {
		return nil, last, fmt.Errorf("append to %s: %w", path, err)
	}
	defer r.Close()
	f, err = CreateFile(path, r.Header())
	if err != nil {
		return nil, last, err
	}
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err == nil {
			err = f.Write(e)
		}
		if err != nil {
			f.Abort()
			return nil, last, fmt.Errorf("append to %s: %w", path, err)
		}
		last = Position{Turn: max(last.Turn, e.Turn), At: e.At}
	}
	return f, last, nil
}

// SetSeed puts the platform's part of the seed (Proxy.Seed) into the
// header Commit writes; nil leaves it as it is.
func (f *File) SetSeed(platform string, part json.RawMessage) error {
	if len(part) == 0 {
		return nil
	}
	seed := map[string]json.RawMessage{}
	if len(f.header.Seed) > 0 {
		if err := json.Unmarshal(f.header.Seed, &seed); err != nil {
			return fmt.Errorf("record %s: the header's seed: %w", f.path, err)
		}
	}
	seed[platform] = part
	raw, err := json.Marshal(seed)
	if err != nil {
		return fmt.Errorf("record %s: the header's seed: %w", f.path, err)
	}
	f.header.Seed = raw
	return nil
}

// Header returns the header the cassette is recorded with.
func (f *File) Header() cassette.Header { return f.header }

// Path returns the cassette's path.
func (f *File) Path() string { return f.path }

// Len returns how many entries were written.
func (f *File) Len() int { return f.n }

// Write appends e as a line and hands it to the file at once.
func (f *File) Write(e cassette.Entry) error {
	if f.done {
		return fmt.Errorf("record %s: %w", f.path, cassette.ErrClosed)
	}
	if err := f.w.Write(e); err != nil {
		return fmt.Errorf("record %s: %w", f.path, err)
	}
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("record %s: %w", f.path, err)
	}
	f.n++
	return nil
}

// Commit writes the cassette: the header with redactions, then every
// entry written, atomically at its path; the .recording file is removed.
func (f *File) Commit(redactions []cassette.Redaction) error {
	if f.done {
		return nil
	}
	f.done = true
	if err := f.f.Close(); err != nil {
		return fmt.Errorf("record %s: %w", f.path, err)
	}
	in, err := os.Open(f.tmp)
	if err != nil {
		return fmt.Errorf("record %s: read back what was recorded: %w", f.path, err)
	}
	defer in.Close()
	r, err := cassette.NewReader(in, f.tmp)
	if err != nil {
		return fmt.Errorf("record %s: read back what was recorded: %w", f.path, err)
	}
	h := f.header
	for _, red := range redactions {
		if !slices.Contains(h.Redactions, red) {
			h.Redactions = append(h.Redactions, red)
		}
	}
	out, err := cassette.Create(f.path, h)
	if err != nil {
		return fmt.Errorf("record %s: %w", f.path, err)
	}
	defer out.Abort()
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("record %s: read back what was recorded: %w", f.path, err)
		}
		if err := out.Write(e); err != nil {
			return fmt.Errorf("record %s: %w", f.path, err)
		}
	}
	if err := out.Commit(); err != nil {
		return fmt.Errorf("record %s: %w", f.path, err)
	}
	if err := os.Remove(f.tmp); err != nil {
		return fmt.Errorf("record %s: remove %s: %w", f.path, filepath.Base(f.tmp), err)
	}
	return nil
}

// Abort stops recording and removes the .recording file; after Commit it
// does nothing.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	f.f.Close()
	return os.Remove(f.tmp)
}
