package cassette_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/chatsim/chatsim/recorder/cassette"
)

// streamEntry is entry i of a long synthetic cassette.
func streamEntry(tb testing.TB, i int) cassette.Entry {
	body, err := cassette.JSONBody(fmt.Appendf(nil,
		`{"update_id":%d,"message":{"message_id":%d,"from":{"id":1001,"first_name":"Ada"},"chat":{"id":1001,"type":"private"},"date":0,"text":"message number %d"}}`, i, i, i))
	if err != nil {
		tb.Fatal(err)
	}
	return cassette.Entry{
		At: cassette.Offset(time.Duration(i) * time.Millisecond), Platform: "telegram", Direction: cassette.Inbound, Kind: "update",
		Request: cassette.Request{Method: "POST", URL: "/webhook/telegram",
			Headers: http.Header{"Content-Type": {"application/json"}}, Body: body},
		Response: &cassette.Response{Status: 200},
	}
}

// TestStreamingMemory writes 100,000 entries through a pipe and reads them
// back, checking that the heap does not grow with the number of entries
// read: the cassette (about 30 MB) never sits in memory.
//
// It does not call t.Parallel: other tests allocating at the same time would
// make the heap measurement noisy.
func TestStreamingMemory(t *testing.T) {
	const n = 100_000
	pr, pw := io.Pipe()
	go func() {
		w, err := cassette.NewWriter(pw, cassette.Header{Name: "long", Platform: "telegram"})
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		for i := range n {
			if err := w.Write(streamEntry(t, i)); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(w.Close())
	}()
	r, err := cassette.NewReader(pr, "long.cassette")
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var before, after runtime.MemStats
	var total int
	for i := 0; ; i++ {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if want := cassette.Offset(time.Duration(i) * time.Millisecond); e.At != want {
			t.Fatalf("entry %d at %v, want %v", i, e.At, want)
		}
		total += e.Request.Body.Len()
		if i == n/10 {
			runtime.GC()
			runtime.ReadMemStats(&before)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if total < 10<<20 {
		t.Fatalf("read only %d bytes of bodies; the test is not measuring anything", total)
	}
	const bound = 8 << 20
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > bound {
		t.Errorf("heap in use grew by %d bytes while reading %d entries (%d bytes of bodies), want at most %d",
			grew, n-n/10, total, bound)
	}
}

func BenchmarkWrite(b *testing.B) {
	entries := make([]cassette.Entry, 1000)
	for i := range entries {
		entries[i] = streamEntry(b, i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w, err := cassette.NewWriter(io.Discard, cassette.Header{Name: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range entries {
			if err := w.Write(e); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(entries)), "ns/entry")
}

func BenchmarkRead(b *testing.B) {
	var buf bytes.Buffer
	w, err := cassette.NewWriter(&buf, cassette.Header{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	const n = 1000
	for i := range n {
		if err := w.Write(streamEntry(b, i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r, err := cassette.NewReader(bytes.NewReader(data), "bench.cassette")
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
}
