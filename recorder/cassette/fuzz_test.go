package cassette_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatsim/chatsim/recorder/cassette"
)

// FuzzReader feeds arbitrary bytes to the Reader. It must never panic, and a
// cassette it reads must write back and read again to the same entries.
func FuzzReader(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "golden.cassette"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add([]byte(hdr))
	f.Add([]byte(hdr + entryLine("0s") + entryLine("1s")))
	f.Add([]byte(`{"chatsim_cassette":1,"redactions":[{"placeholder":"${A}","kind":"body","pointer":"/a"}]}` + "\n" +
		`{"at":"1ms","platform":"slack","direction":"outbound","kind":"chat.postMessage","request":{"method":"POST","url":"/api/chat.postMessage?x=1","headers":{"Authorization":["Bearer ${A}"]},"body":"a=1&b=2"},"response":{"status":200,"body_base64":"AAEC"}}`))
	f.Add([]byte(`{"chatsim_cassette":2}`))
	f.Add([]byte("{\"chatsim_cassette\":1}\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := cassette.NewReader(bytes.NewReader(data), "fuzz.cassette")
		if err != nil {
			return
		}
		var entries []cassette.Entry
		for {
			e, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return
			}
			entries = append(entries, e)
		}
		// What was read writes back, and reads again the same.
		first := write(t, r.Header(), entries)
		h2, again := readAll(t, first, "again.cassette")
		assertSameEntries(t, again, entries)
		if second := write(t, h2, again); !bytes.Equal(first, second) {
			t.Fatalf("not stable:\n%s\n%s", first, second)
		}
	})
}
