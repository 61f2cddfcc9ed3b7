package cassette

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"unicode/utf8"
)

// Reader reads a cassette one entry at a time. It holds one line in memory,
// never the whole cassette, so memory stays flat however long the cassette.
type Reader struct {
	br      *bufio.Reader
	name    string
	maxLine int
	line    []byte // the current line, reused
	lineNo  int
	header  Header
	prev    Offset
	turns   turns
	err     error // sticky: io.EOF or the first error
	closer  io.Closer
	dec     lineDecoder
}

// readBufferSize is the bufio buffer size; lines longer than it are
// assembled in Reader.line. Under 32 KiB it stays a small allocation: a
// reader is opened for every replay, and most lines are a few KiB.
const readBufferSize = 16 << 10

// keepLineCap bounds the line buffer a Reader keeps between lines, so that
// one huge line does not pin its memory for the rest of the cassette.
const keepLineCap = 1 << 20

// NewReader reads and validates the header of the cassette r. name is used in
// error messages only ("demo.cassette:7: entry.request.method: required").
// A header with another format version gives an error wrapping
// ErrUnsupportedVersion; input that is not a cassette at all, one wrapping
// ErrNotCassette.
func NewReader(r io.Reader, name string) (*Reader, error) {
	return newReader(r, name, MaxLineSize)
}

func newReader(r io.Reader, name string, maxLine int) (*Reader, error) {
	rd := &Reader{br: bufio.NewReaderSize(r, readBufferSize), name: name, maxLine: maxLine}
	line, err := rd.readLine()
	if err == io.EOF {
		return nil, &Error{File: name, Line: 1, Err: fmt.Errorf("%w: the file is empty", ErrNotCassette)}
	}
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(line, []byte("\xef\xbb\xbf")) {
		return nil, &Error{File: name, Line: 1, Column: 1, Err: errors.New("byte order mark: save the cassette as UTF-8 without a BOM")}
	}
	if err := rd.checkLine(line); err != nil {
		return nil, err
	}
	h, ferr := decodeHeaderLine(line)
	if ferr != nil {
		return nil, rd.locate(ferr)
	}
	rd.header = h
	return rd, nil
}

// Header returns the cassette's header.
func (r *Reader) Header() Header { return r.header }

// Name returns the name the cassette was opened under.
func (r *Reader) Name() string { return r.name }

// Next returns the next entry, or io.EOF after the last one. Any other error
// is an *Error naming the file and the line (or an I/O error); after an error
// Next keeps returning it.
func (r *Reader) Next() (Entry, error) {
	if r.err != nil {
		return Entry{}, r.err
	}
	line, err := r.readLine()
	if err != nil {
		r.err = err
		return Entry{}, err
	}
	if err := r.checkLine(line); err != nil {
		r.err = err
		return Entry{}, err
	}
	if len(bytes.TrimSpace(line)) == 0 {
		r.err = &Error{File: r.name, Line: r.lineNo, Err: errors.New("empty line: a cassette holds one JSON object per line")}
		return Entry{}, r.err
	}
	e, ferr := r.dec.decodeEntry(line)
	if ferr != nil {
		r.err = r.locate(ferr)
		return Entry{}, r.err
	}
	if e.At < r.prev {
		r.err = r.locate(fieldError("entry.at", "%q goes back in time (previous entry at %q)", e.At.String(), r.prev.String()))
		return Entry{}, r.err
	}
	r.prev = e.At
	if ferr := r.turns.check(e); ferr != nil {
		r.err = r.locate(ferr)
		return Entry{}, r.err
	}
	e.file, e.line = r.name, r.lineNo
	return e, nil
}

// All returns an iterator over the remaining entries. It stops after the
// last entry, or after yielding the first error (never io.EOF).
func (r *Reader) All() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for {
			e, err := r.Next()
			if err == io.EOF {
				return
			}
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// Close closes the file a Reader from Open reads. It does nothing for a
// Reader from NewReader: the caller owns that io.Reader.
func (r *Reader) Close() error {
	if r == nil || r.closer == nil {
		return nil
	}
	c := r.closer
	r.closer = nil
	if r.err == nil {
		r.err = fmt.Errorf("read %s: %w", r.name, os.ErrClosed)
	}
	return c.Close()
}

// locate places a field or syntax error at the current line.
func (r *Reader) locate(e *Error) *Error {
	e.File, e.Line = r.name, r.lineNo
	return e
}

// checkLine rejects a line that is not UTF-8.
func (r *Reader) checkLine(line []byte) error {
	if utf8.Valid(line) {
		return nil
	}
	col := 1
	for len(line) > 0 {
		c, size := utf8.DecodeRune(line)
		if c == utf8.RuneError && size <= 1 {
			break
		}
		line = line[size:]
		col += size
	}
	return &Error{File: r.name, Line: r.lineNo, Column: col, Err: errors.New("invalid UTF-8")}
}

// readLine returns the next line without its line ending ("\n" or "\r\n"),
// or io.EOF when there is none. The returned slice is valid until the next
// call.
func (r *Reader) readLine() ([]byte, error) {
	if cap(r.line) > keepLineCap {
		r.line = nil
	}
	r.line = r.line[:0]
	for {
		frag, err := r.br.ReadSlice('\n')
		if len(r.line)+len(frag) > r.maxLine+len("\r\n") {
			return nil, r.tooLong()
		}
		r.line = append(r.line, frag...)
		switch err {
		case nil:
		case bufio.ErrBufferFull:
			continue
		case io.EOF:
			if len(r.line) == 0 {
				return nil, io.EOF
			}
		default:
			return nil, fmt.Errorf("read %s: %w", r.name, err)
		}
		line := trimEOL(r.line)
		if len(line) > r.maxLine {
			return nil, r.tooLong()
		}
		r.lineNo++
		return line, nil
	}
}

func (r *Reader) tooLong() error {
	r.line = nil
	return &Error{File: r.name, Line: r.lineNo + 1, Err: fmt.Errorf("line is longer than the limit of %s", sizeString(r.maxLine))}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

func sizeString(n int) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Open opens the cassette file at path (ending in .cassette or .jsonl) and
// reads its header. Close the Reader when done.
func Open(path string) (*Reader, error) {
	if !IsCassettePath(path) {
		return nil, fmt.Errorf("open %s: %w: want a %s or .jsonl file", path, ErrNotCassette, Ext)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open cassette: %w", err)
	}
	r, err := NewReader(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// Load reads a whole cassette file into memory: for small cassettes and
// tests. Use Open to stream a long one.
func Load(path string) (Header, []Entry, error) {
	r, err := Open(path)
	if err != nil {
		return Header{}, nil, err
	}
	defer r.Close()
	var entries []Entry
	for e, err := range r.All() {
		if err != nil {
			return Header{}, nil, err
		}
		entries = append(entries, e)
	}
	return r.Header(), entries, nil
}

// turns checks entries' turns in order: an inbound entry opens a turn
// after every turn before it, and an outbound entry belongs to a turn
// already opened. The zero value is ready.
type turns struct{ last int }

func (t *turns) check(e Entry) *Error {
	if e.Turn == 0 {
		return nil
	}
	switch e.Direction {
	case Inbound:
		if e.Turn <= t.last {
			return fieldError("entry.turn", "%d does not open a new turn (the last one opened is %d)", e.Turn, t.last)
		}
		t.last = e.Turn
	case Outbound:
		if e.Turn > t.last {
			return fieldError("entry.turn", "%d is not a turn an inbound entry before it opened (the last one is %d)", e.Turn, t.last)
		}
	}
	return nil
}
