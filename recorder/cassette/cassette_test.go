package cassette_test

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chatsim/chatsim/recorder/cassette"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.cassette")

// mustJSON returns a JSON body or fails the test.
func mustJSON(tb testing.TB, s string) cassette.Body {
	tb.Helper()
	b, err := cassette.JSONBody([]byte(s))
	if err != nil {
		tb.Fatalf("JSONBody(%s): %v", s, err)
	}
	return b
}

// sample returns a small cassette exercising every kind of body.
func sample(tb testing.TB) (cassette.Header, []cassette.Entry) {
	tb.Helper()
	h := cassette.Header{
		Name:          "telegram-order",
		Description:   "Ada orders a coffee <fast> & hot",
		Platform:      "telegram",
		Integration:   "examples/telegram",
		Configuration: []byte(`{"botToken": "${TELEGRAM_BOT_TOKEN}"}`),
		Bot:           []byte(`{"rules":[{"when":"menu","reply":{"type":"text","text":"What would you like?"}}]}`),
		Redactions: []cassette.Redaction{
			{Placeholder: "${TELEGRAM_WEBHOOK_SECRET}", Kind: cassette.RedactHeader, Name: "X-Telegram-Bot-Api-Secret-Token"},
			{Placeholder: "${TELEGRAM_BOT_TOKEN}", Kind: cassette.RedactPath},
		},
	}
	jsonHeaders := http.Header{"Content-Type": {"application/json"}}
	entries := []cassette.Entry{
		{
			At: 0, Platform: "telegram", Direction: cassette.Inbound, Kind: "update", Turn: 1, Verified: true,
			Request: cassette.Request{
				Method: "POST", URL: "/webhook/telegram",
				Headers: http.Header{
					"X-Telegram-Bot-Api-Secret-Token": {"${TELEGRAM_WEBHOOK_SECRET}"},
					"Content-Type":                    {"application/json"},
				},
				Body: mustJSON(tb, `{"update_id": 1, "message": {"message_id": 1, "from": {"id": 1001, "first_name": "Ada ☕"}, "chat": {"id": 1001, "type": "private"}, "text": "menu <b>&</b>"}}`),
			},
			Response: &cassette.Response{Status: 200},
		},
		{
			At: cassette.Offset(120 * time.Millisecond), Platform: "telegram", Direction: cassette.Outbound, Kind: "sendMessage", Turn: 1,
			Request: cassette.Request{
				Method: "POST", URL: "/bot${TELEGRAM_BOT_TOKEN}/sendMessage",
				Headers: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
				Body:    cassette.BodyFromBytes([]byte("chat_id=1001&text=What+would+you+like%3F"), "application/x-www-form-urlencoded"),
			},
			Response: &cassette.Response{
				Status: 200, Headers: jsonHeaders,
				Body: mustJSON(tb, `{"ok":true,"result":{"message_id":2,"chat":{"id":1001,"type":"private"},"date":0,"text":"What would you like?"}}`),
			},
		},
		{
			At: cassette.Offset(1500 * time.Millisecond), Platform: "telegram", Direction: cassette.Outbound, Kind: "sendPhoto",
			Request: cassette.Request{
				Method: "POST", URL: "/bot${TELEGRAM_BOT_TOKEN}/sendPhoto?chat_id=1001",
				Headers: http.Header{"Content-Type": {"image/png"}},
				Body:    cassette.BodyFromBytes([]byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"),
			},
			Response: &cassette.Response{
				Status: 429, Headers: jsonHeaders,
				Body: mustJSON(tb, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}`),
			},
		},
		{
			At: cassette.Offset(1500 * time.Millisecond), Platform: "telegram", Direction: cassette.Inbound, Kind: "update",
			Request: cassette.Request{
				Method: "POST", URL: "/webhook/telegram", Headers: jsonHeaders,
				Body: mustJSON(tb, `[{"update_id":2}]`),
			},
			Response: &cassette.Response{Status: 200, Headers: jsonHeaders, Body: cassette.TextBody(`"quoted" text`)},
		},
	}
	return h, entries
}

// write returns the bytes a Writer produces for h and entries.
func write(tb testing.TB, h cassette.Header, entries []cassette.Entry) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := cassette.NewWriter(&buf, h)
	if err != nil {
		tb.Fatalf("NewWriter: %v", err)
	}
	for _, e := range entries {
		if err := w.Write(e); err != nil {
			tb.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatalf("Close: %v", err)
	}
	return buf.Bytes()
}

// readAll reads a whole cassette from data.
func readAll(tb testing.TB, data []byte, name string) (cassette.Header, []cassette.Entry) {
	tb.Helper()
	r, err := cassette.NewReader(bytes.NewReader(data), name)
	if err != nil {
		tb.Fatalf("NewReader: %v", err)
	}
	var entries []cassette.Entry
	for {
		e, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("Next: %v", err)
		}
		entries = append(entries, e)
	}
	return r.Header(), entries
}

// assertSameEntries compares entries field by field (Location differs
// between built and read entries by design).
func assertSameEntries(tb testing.TB, got, want []cassette.Entry) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("got %d entries, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.At != w.At || g.Platform != w.Platform || g.Direction != w.Direction || g.Kind != w.Kind {
			tb.Errorf("entry %d: got %v %s %s %s, want %v %s %s %s", i, g.At, g.Platform, g.Direction, g.Kind, w.At, w.Platform, w.Direction, w.Kind)
		}
		if g.Request.Method != w.Request.Method || g.Request.URL != w.Request.URL ||
			!reflect.DeepEqual(g.Request.Headers, w.Request.Headers) || !g.Request.Body.Equal(w.Request.Body) {
			tb.Errorf("entry %d request:\n got  %+v\n want %+v", i, g.Request, w.Request)
		}
		if (g.Response == nil) != (w.Response == nil) {
			tb.Fatalf("entry %d response: got %v, want %v", i, g.Response, w.Response)
		}
		if w.Response != nil && (g.Response.Status != w.Response.Status ||
			!reflect.DeepEqual(g.Response.Headers, w.Response.Headers) || !g.Response.Body.Equal(w.Response.Body)) {
			tb.Errorf("entry %d response:\n got  %+v\n want %+v", i, *g.Response, *w.Response)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	h, entries := sample(t)
	data := write(t, h, entries)
	gotH, got := readAll(t, data, "demo.cassette")
	wantH := h
	wantH.Version = cassette.Version
	wantH.Configuration = []byte(`{"botToken":"${TELEGRAM_BOT_TOKEN}"}`) // compacted
	if !reflect.DeepEqual(gotH, wantH) {
		t.Errorf("header:\n got  %+v\n want %+v", gotH, wantH)
	}
	assertSameEntries(t, got, entries)
	for i, e := range got {
		if want := "demo.cassette:" + string(rune('2'+i)); e.Location() != want {
			t.Errorf("entry %d Location() = %q, want %q", i, e.Location(), want)
		}
	}
	// Writing what was read gives the same bytes.
	if again := write(t, gotH, got); !bytes.Equal(again, data) {
		t.Errorf("rewrite differs:\n%s\nvs\n%s", again, data)
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	h, entries := sample(t)
	got := write(t, h, entries)
	path := filepath.Join("testdata", "golden.cassette")
	if *update {
		if err := cassette.WriteFile(path, h, entries); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("written cassette differs from %s (run go test -update if the change is intended):\n got:\n%s\nwant:\n%s", path, got, want)
	}
	gotH, gotEntries, err := cassette.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if gotH.Name != h.Name {
		t.Errorf("header name %q, want %q", gotH.Name, h.Name)
	}
	assertSameEntries(t, gotEntries, entries)
}

func TestBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          string
		contentType string
		kind        cassette.BodyKind
		bytes       string
	}{
		{name: "empty", in: "", kind: cassette.BodyNone},
		{name: "json object compacted", in: "{ \"a\" : [1, 2.50, \"<&>\"] }\n", contentType: "application/json; charset=utf-8", kind: cassette.BodyJSON, bytes: `{"a":[1,2.50,"<&>"]}`},
		{name: "json array without content type", in: `[1,2]`, kind: cassette.BodyJSON, bytes: `[1,2]`},
		{name: "vendor json", in: `{"a":1}`, contentType: "application/vnd.api+json", kind: cassette.BodyJSON, bytes: `{"a":1}`},
		{name: "json scalar is text", in: `true`, contentType: "application/json", kind: cassette.BodyText, bytes: `true`},
		{name: "invalid json is text", in: `{"a":`, contentType: "application/json", kind: cassette.BodyText, bytes: `{"a":`},
		{name: "form", in: "a=1&b=%3C", contentType: "application/x-www-form-urlencoded", kind: cassette.BodyText, bytes: "a=1&b=%3C"},
		{name: "json-looking form stays exact", in: `{ "a": 1 }`, contentType: "text/plain", kind: cassette.BodyText, bytes: `{ "a": 1 }`},
		{name: "control characters are binary", in: "a\x00b", contentType: "text/plain", kind: cassette.BodyBinary, bytes: "a\x00b"},
		{name: "invalid utf-8 is binary", in: "\xff\xfe", kind: cassette.BodyBinary, bytes: "\xff\xfe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := cassette.BodyFromBytes([]byte(tc.in), tc.contentType)
			if b.Kind() != tc.kind || string(b.Bytes()) != tc.bytes {
				t.Fatalf("BodyFromBytes = %s %q, want %s %q", b.Kind(), b.Bytes(), tc.kind, tc.bytes)
			}
			// Through a cassette and back, the body is the same.
			e := cassette.Entry{Platform: "telegram", Direction: cassette.Inbound,
				Request: cassette.Request{Method: "POST", URL: "/", Body: b}}
			_, got := readAll(t, write(t, cassette.Header{}, []cassette.Entry{e}), "b.cassette")
			if !got[0].Request.Body.Equal(b) {
				t.Errorf("after a round trip: %s %q, want %s %q", got[0].Request.Body.Kind(), got[0].Request.Body.Bytes(), b.Kind(), b.Bytes())
			}
		})
	}
}

func TestBodyConstructors(t *testing.T) {
	t.Parallel()
	if _, err := cassette.JSONBody([]byte(`"str"`)); !errors.Is(err, cassette.ErrNotJSONBody) {
		t.Errorf("JSONBody(string) error = %v, want ErrNotJSONBody", err)
	}
	if _, err := cassette.JSONBody([]byte(`{"a":1} x`)); !errors.Is(err, cassette.ErrNotJSONBody) {
		t.Errorf("JSONBody(trailing data) error = %v, want ErrNotJSONBody", err)
	}
	if b := cassette.TextBody("\xff"); b.Kind() != cassette.BodyBinary {
		t.Errorf("TextBody(invalid UTF-8) kind %s, want binary", b.Kind())
	}
	if b := cassette.TextBody("a\x00"); b.Kind() != cassette.BodyText {
		t.Errorf("TextBody(NUL) kind %s, want text", b.Kind())
	}
	src := []byte("abc")
	b := cassette.BinaryBody(src)
	src[0] = 'x'
	if b.String() != "abc" {
		t.Errorf("BinaryBody kept a reference to its input: %q", b.String())
	}
}

// TestTextIsNotHTMLEscaped keeps forms and JSON readable in diffs.
func TestTextIsNotHTMLEscaped(t *testing.T) {
	t.Parallel()
	h, entries := sample(t)
	data := string(write(t, h, entries))
	for _, want := range []string{`chat_id=1001&text=What+would+you+like%3F`, `"text":"menu <b>&</b>"`, `<fast> & hot`} {
		if !strings.Contains(data, want) {
			t.Errorf("cassette lacks %s:\n%s", want, data)
		}
	}
}

func TestEntryJSON(t *testing.T) {
	t.Parallel()
	h, entries := sample(t)
	lines := strings.Split(strings.TrimSuffix(string(write(t, h, entries)), "\n"), "\n")
	for i, e := range entries {
		got, err := e.MarshalJSON()
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if string(got) != lines[i+1] {
			t.Errorf("entry %d MarshalJSON:\n got  %s\n want %s", i, got, lines[i+1])
		}
		var back cassette.Entry
		if err := back.UnmarshalJSON(got); err != nil {
			t.Fatalf("entry %d UnmarshalJSON: %v", i, err)
		}
		assertSameEntries(t, []cassette.Entry{back}, []cassette.Entry{e})
	}
	var hh cassette.Header
	if err := hh.UnmarshalJSON([]byte(lines[0])); err != nil || hh.Name != h.Name {
		t.Errorf("Header.UnmarshalJSON = %+v, %v", hh, err)
	}
	var bad cassette.Entry
	err := bad.UnmarshalJSON([]byte(`{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST"}}`))
	if want := "entry.request.url: required"; err == nil || err.Error() != want {
		t.Errorf("UnmarshalJSON error %v, want %s", err, want)
	}
	if err := (cassette.Entry{}).Validate(); err == nil || err.Error() != "entry.platform: required" {
		t.Errorf("Validate(zero entry) = %v", err)
	}
}

func TestOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{in: "0s", want: 0},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "2m3.25s", want: 2*time.Minute + 3250*time.Millisecond},
		{in: "0", want: 0},
		{in: "-1s", err: `"-1s" is negative`},
		{in: "1 s", err: `"1 s" is not a duration such as "1.5s"`},
	}
	for _, tc := range tests {
		got, err := cassette.ParseOffset(tc.in)
		switch {
		case tc.err != "" && (err == nil || err.Error() != tc.err):
			t.Errorf("ParseOffset(%q) error %v, want %s", tc.in, err, tc.err)
		case tc.err == "" && (err != nil || got.Duration() != tc.want):
			t.Errorf("ParseOffset(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	b, err := cassette.Offset(1500 * time.Millisecond).MarshalJSON()
	if err != nil || string(b) != `"1.5s"` {
		t.Errorf("MarshalJSON = %s, %v", b, err)
	}
}
