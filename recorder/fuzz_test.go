package recorder_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder"
	"github.com/chatsim/chatsim/recorder/cassette"
	"github.com/chatsim/chatsim/sim"
)

// FuzzRedact feeds arbitrary traffic to a Redactor with every platform's
// carriers: it never panics, what it leaves is still a valid cassette entry
// (a JSON body stays JSON), and a planted bot token never survives.
func FuzzRedact(f *testing.F) {
	f.Add("/bot123:x/sendMessage", "application/json", []byte(`{"text":"hi","token":"abcdefgh"}`), []byte(`{"ok":true}`))
	f.Add("/api/chat.postMessage?token=xoxb-1-2-abc", "application/x-www-form-urlencoded", []byte("token=xoxb-1-2-abcdef&payload=%7B%22response_url%22%3A%22https%3A%5C%2F%5C%2Fhooks.slack.com%5C%2Factions%5C%2FT1%5C%2F2%5C%2F3%22%7D"), []byte(`{"ok":true}`))
	f.Add("/hooks/id/tokentokentoken", "", []byte("\x00\xff binary"), []byte(nil))
	var carriers []fakes.Carrier
	for _, k := range sim.Registry() {
		carriers = append(carriers, k.Carriers...)
	}
	const planted = "987654321:AAHcanaryCANARYcanaryCANARYcanary_-9"
	f.Fuzz(func(t *testing.T, url, ct string, body, answer []byte) {
		if !strings.HasPrefix(url, "/") || strings.ContainsAny(url, " \x00#") {
			url = "/x"
		}
		red, err := recorder.NewRedactor(carriers, recorder.Rules{})
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{"Authorization": {"Bearer " + planted}}
		if ct != "" && !strings.ContainsAny(ct, "\r\n\x00") {
			h.Set("Content-Type", ct)
		}
		e := cassette.Entry{Platform: "x", Direction: cassette.Outbound, Kind: "call",
			Request:  cassette.Request{Method: "POST", URL: url, Headers: h, Body: cassette.BodyFromBytes(append(body, []byte(" "+planted)...), ct)},
			Response: &cassette.Response{Status: 200, Body: cassette.BodyFromBytes(answer, "application/json")}}
		wasJSON := e.Request.Body.Kind() == cassette.BodyJSON
		red.Redact(&e, fakes.Calls)
		if wasJSON && e.Request.Body.Kind() != cassette.BodyJSON {
			t.Fatalf("a JSON body is no longer JSON: %q", e.Request.Body.Bytes())
		}
		var buf bytes.Buffer
		w, err := cassette.NewWriter(&buf, cassette.Header{})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(e); err != nil {
			if strings.Contains(err.Error(), "entry.request.url") {
				return // a URL the format refuses before any redaction
			}
			t.Fatalf("the redacted entry is not a valid entry: %v", err)
		}
		w.Close()
		if strings.Contains(buf.String(), planted) {
			t.Fatalf("the planted token survived: %s", buf.String())
		}
	})
}
