package cassette

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// These tests use a small line limit; the real one, MaxLineSize, is 64 MiB.

func TestLineLimit(t *testing.T) {
	t.Parallel()
	header := `{"chatsim_cassette":1}`
	entry := `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body":"` +
		strings.Repeat("x", 100) + `"}}`
	tests := []struct {
		name    string
		input   string
		maxLine int
		want    string // "" when the cassette reads
	}{
		{"header too long", header + "\n", len(header) - 1, "demo.cassette:1: line is longer than the limit of 21 bytes"},
		{"header at the limit", header + "\n", len(header), ""},
		{"header at the limit with crlf", header + "\r\n", len(header), ""},
		{"entry too long", header + "\n" + entry + "\n", len(entry) - 1, fmt.Sprintf("demo.cassette:2: line is longer than the limit of %d bytes", len(entry)-1)},
		{"entry too long without newline", header + "\n" + entry, len(entry) - 1, fmt.Sprintf("demo.cassette:2: line is longer than the limit of %d bytes", len(entry)-1)},
		{"entry at the limit", header + "\n" + entry + "\n", len(entry), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := readWithLimit(strings.NewReader(tc.input), tc.maxLine)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Fatalf("error\n got  %v\n want %s", err, tc.want)
			}
		})
	}
}

func readWithLimit(src io.Reader, maxLine int) error {
	r, err := newReader(src, "demo.cassette", maxLine)
	if err != nil {
		return err
	}
	for {
		if _, err := r.Next(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// TestLongLineIsNotBuffered checks that a line over the limit is rejected
// while reading it, without holding it: the reader stops at the limit.
func TestLongLineIsNotBuffered(t *testing.T) {
	t.Parallel()
	src := &countingReader{r: io.MultiReader(strings.NewReader(`{"chatsim_cassette":1}`+"\n"), infiniteX{})}
	err := readWithLimit(src, 1<<20)
	if err == nil || !strings.Contains(err.Error(), "line is longer than the limit of 1 MiB") {
		t.Fatalf("error %v, want a line-too-long error", err)
	}
	if limit := int64(1<<20 + 2*readBufferSize); src.n > limit {
		t.Errorf("read %d bytes of an endless line, want at most %d", src.n, limit)
	}
}

// TestReaderHoldsOneLine checks by design that the reader keeps one line:
// after a huge line, its buffer is released.
func TestReaderHoldsOneLine(t *testing.T) {
	t.Parallel()
	big := `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body":"` +
		strings.Repeat("x", 2*keepLineCap) + `"}}`
	small := `{"at":"1s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/"}}`
	r, err := NewReader(strings.NewReader(`{"chatsim_cassette":1}`+"\n"+big+"\n"+small+"\n"), "demo.cassette")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if c := cap(r.line); c > keepLineCap {
		t.Errorf("after a small line the reader holds a %d-byte buffer, want at most %d", c, keepLineCap)
	}
}

type infiniteX struct{}

func (infiniteX) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
