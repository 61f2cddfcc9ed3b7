package cassette_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/recorder/cassette"
)

const hdr = `{"chatsim_cassette":1,"name":"demo"}` + "\n"

// entryLine is a valid inbound entry at the given offset.
func entryLine(at string) string {
	return `{"at":"` + at + `","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/webhook","body":{"update_id":1}}}` + "\n"
}

func turnLine(dir string, turn int) string {
	return `{"at":"0s","platform":"telegram","direction":"` + dir + `","turn":` + strconv.Itoa(turn) +
		`,"request":{"method":"POST","url":"/"},"response":{"status":200}}` + "\n"
}

// readErr reads the cassette in input to its end and returns the first
// error other than io.EOF.
func readErr(tb testing.TB, input string) error {
	tb.Helper()
	r, err := cassette.NewReader(strings.NewReader(input), "demo.cassette")
	if err != nil {
		return err
	}
	for {
		_, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// Errors are sticky.
			if _, again := r.Next(); again == nil || again.Error() != err.Error() {
				tb.Errorf("Next after error %q returned %v", err, again)
			}
			return err
		}
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  string
	}{
		// The header.
		{"empty file", "", `demo.cassette:1: not a chatsim cassette: the file is empty`},
		{"header is an array", "[1]\n", `demo.cassette:1: not a chatsim cassette: line 1 is an array, not the header object`},
		{"header without version", `{"name":"x"}` + "\n", `demo.cassette:1: not a chatsim cassette: the header has no "chatsim_cassette" version field`},
		{"version is a string", `{"chatsim_cassette":"1"}`, `demo.cassette:1: header.chatsim_cassette: want an integer version, got "1"`},
		{"header syntax", `{"chatsim_cassette":1,}`, `demo.cassette:1:23: invalid character '}' looking for beginning of object key string`},
		{"header trailing data", `{"chatsim_cassette":1} {}`, `demo.cassette:1:24: invalid character '{' after top-level value`},
		{"header unknown field", `{"chatsim_cassette":1,"nmae":"demo"}`, `demo.cassette:1: header: unknown field "nmae"`},
		{"header field type", `{"chatsim_cassette":1,"name":7}`, `demo.cassette:1: header.name: want a string, got number`},
		{"header byte order mark", "\xef\xbb\xbf" + hdr, `demo.cassette:1:1: byte order mark: save the cassette as UTF-8 without a BOM`},
		{"header platform", `{"chatsim_cassette":1,"platform":"Telegram"}`, `demo.cassette:1: header.platform: "Telegram" is not a platform name (lower-case letters, digits, '-' and '_', starting with a letter)`},
		{"configuration not an object", `{"chatsim_cassette":1,"configuration":[1]}`, `demo.cassette:1: header.configuration: want an object`},
		{"bot not an object", `{"chatsim_cassette":1,"bot":"echo"}`, `demo.cassette:1: header.bot: want an object`},
		{"redaction unknown field", `{"chatsim_cassette":1,"redactions":[{"placeholder":"${A}","kind":"path"},{"placholder":"${B}"}]}`, `demo.cassette:1: header.redactions[1]: unknown field "placholder"`},
		{"redaction placeholder", `{"chatsim_cassette":1,"redactions":[{"placeholder":"$TOKEN","kind":"path"}]}`, `demo.cassette:1: header.redactions[0].placeholder: "$TOKEN" is not of the form ${NAME} (NAME in upper-case letters, digits and '_')`},
		{"redaction kind", `{"chatsim_cassette":1,"redactions":[{"placeholder":"${TOKEN}","kind":"cookie"}]}`, `demo.cassette:1: header.redactions[0].kind: "cookie" is not one of header, query, path, body`},
		{"redaction header without name", `{"chatsim_cassette":1,"redactions":[{"placeholder":"${TOKEN}","kind":"header"}]}`, `demo.cassette:1: header.redactions[0].name: required for kind "header"`},
		{"redaction pointer", `{"chatsim_cassette":1,"redactions":[{"placeholder":"${TOKEN}","kind":"body","pointer":"token"}]}`, `demo.cassette:1: header.redactions[0].pointer: "token" is not a JSON pointer (it starts with '/')`},

		// Lines.
		{"syntax error", hdr + entryLine("0s") + `{"at":"1s" "platform":"telegram"}` + "\n", `demo.cassette:3:12: invalid character '"' after object key:value pair`},
		{"truncated line", hdr + `{"at":"1s","platform":`, `demo.cassette:2:23: unexpected end of line`},
		{"trailing data", hdr + `{"at":"1s"} x`, `demo.cassette:2:13: invalid character 'x' after top-level value`},
		{"empty line", hdr + entryLine("0s") + "\n" + entryLine("1s"), `demo.cassette:3: empty line: a cassette holds one JSON object per line`},
		{"blank last line", hdr + entryLine("0s") + "\n", `demo.cassette:3: empty line: a cassette holds one JSON object per line`},
		{"invalid utf-8", hdr + `{"at":"1s","kind":"caf` + "\xe9" + `"}`, `demo.cassette:2:23: invalid UTF-8`},
		{"entry is an array", hdr + "[]\n", `demo.cassette:2: entry: want an object, got array`},

		// Entry fields.
		{"unknown field", hdr + `{"at":"0s","platfrom":"telegram"}`, `demo.cassette:2: entry: unknown field "platfrom"`},
		{"unknown request field", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","header":{}}}`, `demo.cassette:2: entry.request: unknown field "header"`},
		{"at required", hdr + `{"platform":"telegram"}`, `demo.cassette:2: entry.at: required`},
		{"at not a duration", hdr + `{"at":"soon"}`, `demo.cassette:2: entry.at: "soon" is not a duration such as "1.5s"`},
		{"at negative", hdr + `{"at":"-1s"}`, `demo.cassette:2: entry.at: "-1s" is negative`},
		{"at a number", hdr + `{"at":1.5}`, `demo.cassette:2: entry.at: want a string, got number`},
		{"at goes back", hdr + entryLine("1s") + entryLine("2s") + entryLine("1s"), `demo.cassette:4: entry.at: "1s" goes back in time (previous entry at "2s")`},
		{"turn negative", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","turn":-1,"request":{"method":"POST","url":"/"}}`, `demo.cassette:2: entry.turn: -1 is negative`},
		{"turn not new", hdr + turnLine("inbound", 2) + turnLine("inbound", 2), `demo.cassette:3: entry.turn: 2 does not open a new turn (the last one opened is 2)`},
		{"turn not opened", hdr + turnLine("inbound", 1) + turnLine("outbound", 2), `demo.cassette:3: entry.turn: 2 is not a turn an inbound entry before it opened (the last one is 1)`},
		{"platform required", hdr + `{"at":"0s","direction":"inbound"}`, `demo.cassette:2: entry.platform: required`},
		{"direction", hdr + `{"at":"0s","platform":"telegram","direction":"in"}`, `demo.cassette:2: entry.direction: "in" is not "inbound" or "outbound"`},
		{"request required", hdr + `{"at":"0s","platform":"telegram","direction":"inbound"}`, `demo.cassette:2: entry.request: required`},
		{"method required", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"url":"/"}}`, `demo.cassette:2: entry.request.method: required`},
		{"method lower case", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"post","url":"/"}}`, `demo.cassette:2: entry.request.method: "post" is not an HTTP method in upper case, such as "POST"`},
		{"method a number", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":1}}`, `demo.cassette:2: entry.request.method: want a string, got number`},
		{"url required", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST"}}`, `demo.cassette:2: entry.request.url: required`},
		{"url absolute", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"https://api.telegram.org/x"}}`, `demo.cassette:2: entry.request.url: "https://api.telegram.org/x" is not a path and query such as "/webhook?x=1"`},
		{"url escape", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/a%zz"}}`, `demo.cassette:2: entry.request.url: "/a%zz": invalid URL escape "%zz"`},
		{"headers not arrays", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","headers":{"Content-Type":"application/json"}}}`, `demo.cassette:2: entry.request.headers: want an object of string arrays, got string`},
		{"header not canonical", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","headers":{"content-type":["application/json"]}}}`, `demo.cassette:2: entry.request.headers: "content-type" is not in canonical form (want "Content-Type")`},
		{"header without values", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","headers":{"Accept":[]}}}`, `demo.cassette:2: entry.request.headers: "Accept" has no values`},
		{"header value newline", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","headers":{"Accept":["a\nb"]}}}`, `demo.cassette:2: entry.request.headers: "Accept" value 0 holds a CR, LF or NUL`},
		{"body a number", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body":5}}`, `demo.cassette:2: entry.request.body: want an object, an array or a string, got 5`},
		{"body twice", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body":"a","body_base64":"YQ=="}}`, `demo.cassette:2: entry.request: body and body_base64 are both set`},
		{"bad base64", hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/","body_base64":"!!"}}`, `demo.cassette:2: entry.request.body_base64: invalid base64: illegal base64 data at input byte 0`},
		{"outbound without response", hdr + `{"at":"0s","platform":"telegram","direction":"outbound","request":{"method":"POST","url":"/botX/getMe"}}`, `demo.cassette:2: entry.response: required for an outbound entry`},
		{"status required", hdr + `{"at":"0s","platform":"telegram","direction":"outbound","request":{"method":"POST","url":"/botX/getMe"},"response":{}}`, `demo.cassette:2: entry.response.status: required`},
		{"status out of range", hdr + `{"at":"0s","platform":"telegram","direction":"outbound","request":{"method":"POST","url":"/botX/getMe"},"response":{"status":1000}}`, `demo.cassette:2: entry.response.status: 1000 is not an HTTP status (100 to 599)`},
		{"status a float", hdr + `{"at":"0s","platform":"telegram","direction":"outbound","request":{"method":"POST","url":"/botX/getMe"},"response":{"status":200.5}}`, `demo.cassette:2: entry.response.status: want an integer, got number 200.5`},
		{"unknown response field", hdr + `{"at":"0s","platform":"telegram","direction":"outbound","request":{"method":"POST","url":"/botX/getMe"},"response":{"status":200,"method":"POST"}}`, `demo.cassette:2: entry.response: unknown field "method"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := readErr(t, tc.input)
			if err == nil {
				t.Fatalf("no error, want %s", tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got  %s\n want %s", err, tc.want)
			}
			var ce *cassette.Error
			if !errors.As(err, &ce) {
				t.Errorf("error %T is not a *cassette.Error", err)
			}
		})
	}
}

func TestWellFormedVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		entries int
	}{
		{"header only", hdr, 0},
		{"header only without newline", strings.TrimSuffix(hdr, "\n"), 0},
		{"no final newline", hdr + strings.TrimSuffix(entryLine("0s"), "\n"), 1},
		{"crlf line endings", strings.ReplaceAll(hdr+entryLine("0s")+entryLine("0s"), "\n", "\r\n"), 2},
		{"spaces inside lines", `{ "chatsim_cassette" : 1 }` + "\n" + `{"at": "1m", "platform": "telegram", "direction": "inbound", "request": {"method": "GET", "url": "/x?y=1", "body": { "a" : 1 }}}` + "\n", 1},
		{"null optional fields", `{"chatsim_cassette":1,"configuration":null,"bot":null,"redactions":null}` + "\n" + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"GET","url":"/","headers":null,"body":null},"response":null}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, entries := readAll(t, []byte(tc.input), "demo.cassette")
			if len(entries) != tc.entries {
				t.Errorf("read %d entries, want %d", len(entries), tc.entries)
			}
		})
	}
}

func TestUnsupportedVersion(t *testing.T) {
	t.Parallel()
	// A newer cassette may have fields this version does not know: the
	// version is what gets reported.
	_, err := cassette.NewReader(strings.NewReader(`{"chatsim_cassette":2,"future":true}`+"\n"), "new.cassette")
	if !errors.Is(err, cassette.ErrUnsupportedVersion) {
		t.Fatalf("error %v does not wrap ErrUnsupportedVersion", err)
	}
	if want := "new.cassette:1: unsupported cassette version 2 (this chatsim reads version 1)"; err.Error() != want {
		t.Errorf("error\n got  %s\n want %s", err, want)
	}
	if _, err := cassette.NewWriter(io.Discard, cassette.Header{Version: 3}); !errors.Is(err, cassette.ErrUnsupportedVersion) {
		t.Errorf("NewWriter(version 3) error %v does not wrap ErrUnsupportedVersion", err)
	}
}

func TestNotCassette(t *testing.T) {
	t.Parallel()
	for _, input := range []string{"", "[]", `{"name":"x"}`, `"chatsim"`} {
		_, err := cassette.NewReader(strings.NewReader(input), "x.cassette")
		if !errors.Is(err, cassette.ErrNotCassette) {
			t.Errorf("NewReader(%q) error %v does not wrap ErrNotCassette", input, err)
		}
	}
}

func TestWriterRejects(t *testing.T) {
	t.Parallel()
	valid := cassette.Entry{At: cassette.Offset(2e9), Platform: "telegram", Direction: cassette.Inbound,
		Request: cassette.Request{Method: "POST", URL: "/webhook"}}
	tests := []struct {
		name string
		edit func(e *cassette.Entry)
		want string
	}{
		{"goes back in time", func(e *cassette.Entry) { e.At = cassette.Offset(1e9) }, `write entry 2: entry.at: "1s" goes back in time (previous entry at "2s")`},
		{"no method", func(e *cassette.Entry) { e.Request.Method = "" }, `write entry 2: entry.request.method: required`},
		{"lower-case header", func(e *cassette.Entry) { e.Request.Headers = http.Header{"x-token": {"a"}} }, `write entry 2: entry.request.headers: "x-token" is not in canonical form (want "X-Token")`},
		{"header name with space", func(e *cassette.Entry) { e.Request.Headers = http.Header{"X Token": {"a"}} }, `write entry 2: entry.request.headers: "X Token" is not a valid header name`},
		{"outbound without response", func(e *cassette.Entry) { e.Direction = cassette.Outbound }, `write entry 2: entry.response: required for an outbound entry`},
		{"negative offset", func(e *cassette.Entry) { e.At = -1 }, `write entry 2: entry.at: "-1ns" is negative`},
		{"verified outbound", func(e *cassette.Entry) {
			e.Direction, e.Verified, e.Response = cassette.Outbound, true, &cassette.Response{Status: 200}
		}, `write entry 2: entry.verified: only an inbound entry is verified`},
		{"outbound of a turn not opened", func(e *cassette.Entry) {
			e.Direction, e.Turn, e.Response = cassette.Outbound, 1, &cassette.Response{Status: 200}
		}, `write entry 2: entry.turn: 1 is not a turn an inbound entry before it opened (the last one is 0)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			w, err := cassette.NewWriter(&buf, cassette.Header{})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(valid); err != nil {
				t.Fatal(err)
			}
			bad := valid
			tc.edit(&bad)
			err = w.Write(bad)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("Write error\n got  %v\n want %s", err, tc.want)
			}
			// The bad entry was not written and the writer is still usable.
			if err := w.Write(valid); err != nil {
				t.Fatalf("Write after a rejected entry: %v", err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			_, entries := readAll(t, buf.Bytes(), "w.cassette")
			if len(entries) != 2 {
				t.Errorf("read back %d entries, want 2", len(entries))
			}
			if err := w.Write(valid); !errors.Is(err, cassette.ErrClosed) {
				t.Errorf("Write after Close: %v, want ErrClosed", err)
			}
		})
	}
}

func TestHeaderRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    cassette.Header
		want string
	}{
		{"configuration not JSON", cassette.Header{Configuration: []byte(`{`)}, `write cassette header: header.configuration: want an object`},
		{"redaction with both name and pointer", cassette.Header{Redactions: []cassette.Redaction{{Placeholder: "${A}", Kind: cassette.RedactBody, Name: "a", Pointer: "/a"}}}, `write cassette header: header.redactions[0]: name (a form field) and pointer (a JSON pointer) are both set`},
		{"redaction without kind", cassette.Header{Redactions: []cassette.Redaction{{Placeholder: "${A}"}}}, `write cassette header: header.redactions[0].kind: required`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := cassette.NewWriter(io.Discard, tc.h)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("NewWriter error\n got  %v\n want %s", err, tc.want)
			}
		})
	}
}

func TestReadBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string // the request's body fields as written in the file
		kind  cassette.BodyKind
		bytes string
	}{
		{"compact json kept", `"body":{"a":"x \" y","b":[1,2]}`, cassette.BodyJSON, `{"a":"x \" y","b":[1,2]}`},
		{"spaced json compacted", `"body":{ "a" : "x \\" , "b" : [ 1 , 2 ] }`, cassette.BodyJSON, `{"a":"x \\","b":[1,2]}`},
		{"escapes kept as written", `"body":{"a":"\u003c\u00e9"}`, cassette.BodyJSON, `{"a":"\u003c\u00e9"}`},
		{"text", `"body":"a=1&b=\u00e9"`, cassette.BodyText, "a=1&b=é"},
		{"empty text", `"body":""`, cassette.BodyNone, ""},
		{"binary", `"body_base64":"AP8="`, cassette.BodyBinary, "\x00\xff"},
		{"none", `"body":null`, cassette.BodyNone, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			input := hdr + `{"at":"0s","platform":"telegram","direction":"inbound","request":{"method":"POST","url":"/",` + tc.body + `}}` + "\n"
			_, entries := readAll(t, []byte(input), "demo.cassette")
			b := entries[0].Request.Body
			if b.Kind() != tc.kind || string(b.Bytes()) != tc.bytes {
				t.Errorf("body = %s %q, want %s %q", b.Kind(), b.Bytes(), tc.kind, tc.bytes)
			}
		})
	}
}
