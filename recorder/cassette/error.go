package cassette

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrUnsupportedVersion is returned, wrapped, when a cassette's header names
// a format version this package does not read. The wrapping error names the
// file and the version found:
//
//	demo.cassette:1: unsupported cassette version 2 (this chatsim reads version 1)
var ErrUnsupportedVersion = errors.New("unsupported cassette version")

// ErrNotCassette is returned, wrapped, when a file is not a chatsim cassette
// at all: its first line is not a header, or its name does not end in
// .cassette or .jsonl.
var ErrNotCassette = errors.New("not a chatsim cassette")

// Error is a problem at one place of a cassette. Its text is
//
//	FILE:LINE[:COLUMN]: [FIELD: ]PROBLEM
//
// for example "demo.cassette:7: entry.request.method: required" or
// "demo.cassette:3:18: invalid character '}' looking for beginning of object
// key string". Errors about a value in memory (Writer.Write, Validate) have
// no file and no line and read "FIELD: PROBLEM".
type Error struct {
	// File is the name the cassette was opened under; empty for values in memory.
	File string
	// Line is the 1-based line number, 0 when unknown. Line 1 is the header.
	Line int
	// Column is the 1-based byte column for syntax errors, 0 otherwise.
	Column int
	// Field is the dotted path of the field at fault, such as
	// "entry.request.headers" or "header.redactions[1].kind"; empty when the
	// problem is not about one field.
	Field string
	// Err is the problem. It may wrap a sentinel such as ErrUnsupportedVersion.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	var b []byte
	if e.File != "" || e.Line > 0 {
		b = append(b, e.File...)
		if e.Line > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(e.Line), 10)
			if e.Column > 0 {
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(e.Column), 10)
			}
		}
		b = append(b, ": "...)
	}
	if e.Field != "" {
		b = append(b, e.Field...)
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the underlying problem, so errors.Is finds sentinels.
func (e *Error) Unwrap() error { return e.Err }

// fieldError is a shorthand for an Error about one field, without location.
func fieldError(field, format string, args ...any) *Error {
	return &Error{Field: field, Err: fmt.Errorf(format, args...)}
}

// versionError reports a cassette version this package does not read.
func versionError(v int) error {
	return fmt.Errorf("%w %d (this chatsim reads version %d)", ErrUnsupportedVersion, v, Version)
}
