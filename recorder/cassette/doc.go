// Package cassette is the chatsim cassette file format, version 1: a
// recording of the HTTP exchanges between a chat platform and an integration,
// to replay later. It is the format only; recording, redaction and replay
// live in other packages (recorder, sim).
//
// A cassette is JSON Lines in UTF-8, in a file ending in .cassette (or
// .jsonl). Line 1 is the Header; every following line is one Entry: an
// inbound delivery (a webhook the platform sent to the integration) or an
// outbound call (an API call the integration made to the platform), with its
// request, its response and its time since the start of the recording. JSON
// bodies are stored as JSON, not as strings, and keys come in a fixed order,
// so a cassette reads well in a diff. FORMAT.md, next to this file, describes
// the format for people who write cassettes by hand.
//
// Reading streams: a Reader holds one line at a time, so a cassette of any
// length is read in bounded memory. Every error names the file and the line,
// and the field when it is about one:
//
//	demo.cassette:7: entry.request.method: required
//
// Writing is deterministic (the same entries give the same bytes) and, for
// files, atomic.
//
//	r, err := cassette.Open("demo.cassette")
//	if err != nil {
//		return err
//	}
//	defer r.Close()
//	fmt.Println(r.Header().Name)
//	for e, err := range r.All() {
//		if err != nil {
//			return err
//		}
//		fmt.Println(e.At, e.Direction, e.Kind, e.Request.Body.Bytes())
//	}
//
// and
//
//	fw, err := cassette.Create("demo.cassette", cassette.Header{Name: "demo", Platform: "telegram"})
//	if err != nil {
//		return err
//	}
//	defer fw.Abort()
//	body, err := cassette.JSONBody(update)
//	…
//	err = fw.Write(cassette.Entry{At: 0, Platform: "telegram", Direction: cassette.Inbound, Kind: "update",
//		Request: cassette.Request{Method: "POST", URL: "/webhook", Body: body}})
//	…
//	return fw.Commit()
//
// A cassette written by a newer chatsim fails to open with an error wrapping
// ErrUnsupportedVersion.
package cassette
