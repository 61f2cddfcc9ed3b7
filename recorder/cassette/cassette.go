package cassette

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"time"
)

// Version is the cassette format version this package reads and writes. It is
// the value of the header's "chatsim_cassette" field.
const Version = 1

// Ext is the file name extension of a cassette. Files ending in ".jsonl" are
// accepted too.
const Ext = ".cassette"

// MaxLineSize is the longest line, in bytes without the newline, a Reader
// accepts. A longer line is an error, never an out-of-memory crash.
const MaxLineSize = 64 << 20

// IsCassettePath reports whether path names a cassette: it ends in .cassette
// or .jsonl.
func IsCassettePath(path string) bool {
	ext := filepath.Ext(path)
	return ext == Ext || ext == ".jsonl"
}

// Header is the first line of a cassette: what it is and how to replay it.
type Header struct {
	// Version is the format version; Writer fills in Version when it is zero.
	Version int
	// Name is a short title, such as "telegram-order".
	Name string
	// Description says what the conversation shows.
	Description string
	// Platform is the chat platform the conversation happens on, such as
	// "telegram". Entries name their own platform; this is for people and
	// tools that list cassettes.
	Platform string
	// Integration is a hint at the integration the cassette was recorded
	// with, such as "examples/telegram"; replayers may use it as a default.
	Integration string
	// Configuration is the install's configuration object. Its string values
	// may hold ${VAR} placeholders that the replayer expands. When set it must
	// be a JSON object; it is stored compacted.
	Configuration json.RawMessage
	// Bot is opaque to this package (a JSON object, stored compacted); the
	// replayer reads it as the scripted bot's rules.
	Bot json.RawMessage
	// Redactions list the secrets the recorder replaced with placeholders, so
	// the replayer knows what to re-create.
	Redactions []Redaction
	// Seed is the world the recording met, as the platform's API answers
	// showed it, by platform ({"telegram":{"bot":{…}}}): a replayer's fakes
	// start from it, so that they answer as the real platform did. It is an
	// object, stored compacted; its parts are each platform's business.
	Seed json.RawMessage
}

// RedactionKind says where a redacted secret was.
type RedactionKind string

// Where a redacted secret can be.
const (
	// RedactHeader: the value of the request or response header Name.
	RedactHeader RedactionKind = "header"
	// RedactQuery: the value of the query parameter Name in the request URL.
	RedactQuery RedactionKind = "query"
	// RedactPath: a segment of the request URL's path, such as the bot token
	// in Telegram's /bot<token>/sendMessage.
	RedactPath RedactionKind = "path"
	// RedactBody: a value in a body: at the JSON pointer Pointer of a JSON
	// body, in the form field Name of a form body, or anywhere when neither
	// is set.
	RedactBody RedactionKind = "body"
)

// Redaction records that a secret was replaced with a stable placeholder.
type Redaction struct {
	// Placeholder replaced the secret everywhere it occurred, such as
	// "${TELEGRAM_WEBHOOK_SECRET}". It has the form ${NAME}, NAME in
	// upper-case letters, digits and underscores.
	Placeholder string
	// Kind says where the secret was.
	Kind RedactionKind
	// Name is the header name (canonical form) for RedactHeader, the
	// parameter for RedactQuery, or the form field for RedactBody.
	Name string
	// Pointer is the JSON pointer (RFC 6901) of the value in a JSON body,
	// for RedactBody only.
	Pointer string
}

// Direction says who sent an entry's request.
type Direction string

// The two directions of an exchange.
const (
	// Inbound is a delivery from the chat platform to the integration, such
	// as a webhook POST carrying a Telegram update.
	Inbound Direction = "inbound"
	// Outbound is a call the integration made to the chat platform's API,
	// such as sendMessage.
	Outbound Direction = "outbound"
)

// Offset is the time since the start of the recording. It is written as a Go
// duration string such as "1.5s" or "2m3.25s".
type Offset time.Duration

// Duration returns o as a time.Duration.
func (o Offset) Duration() time.Duration { return time.Duration(o) }

// String returns o as a Go duration string, the form a cassette stores.
func (o Offset) String() string { return time.Duration(o).String() }

// MarshalJSON encodes o as a duration string.
func (o Offset) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(o.String())), nil }

// UnmarshalJSON decodes a non-negative duration string.
func (o *Offset) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("want a duration string such as \"1.5s\"")
	}
	v, err := ParseOffset(s)
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// ParseOffset parses a non-negative Go duration string such as "1.5s".
func ParseOffset(s string) (Offset, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as \"1.5s\"", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return Offset(d), nil
}

// Entry is one exchange: an inbound delivery or an outbound API call.
type Entry struct {
	// At is when the request was made, since the start of the recording.
	// Entries are in order: At never decreases along a cassette.
	At Offset
	// Platform names the chat platform, such as "telegram" or "slack":
	// lower-case letters, digits, '-' and '_', starting with a letter.
	Platform string
	// Direction says who sent the request.
	Direction Direction
	// Kind is a free label for people and tools, such as "update" or
	// "sendMessage". It may be empty.
	Kind string
	// Turn ties calls to the delivery that caused them: an inbound entry
	// opens turn N (counting from 1), and the outbound entries it caused
	// carry the same N, even when they come after a later delivery began.
	// 0 means not known: a replayer takes an outbound entry to belong to the
	// last inbound entry before it. A recorder sets it; hand-written
	// cassettes may leave it out.
	Turn int
	// Verified says that the recorder checked an inbound entry's signature
	// with the platform's secret when it was recorded. The signature itself
	// is never stored: a replayer signs the delivery anew.
	Verified bool
	// Request is the HTTP request.
	Request Request
	// Response is the HTTP response. It is required for outbound entries
	// and optional for inbound ones (the integration's answer to a webhook).
	Response *Response

	file string // where a Reader read the entry
	line int
}

// Location returns where the entry was read, as "FILE:LINE", or a
// description such as "entry at 1.5s" for an entry that was not read from a
// cassette.
func (e Entry) Location() string {
	if e.line == 0 {
		return "entry at " + e.At.String()
	}
	return e.file + ":" + strconv.Itoa(e.line)
}

// Request is an HTTP request.
type Request struct {
	// Method is the HTTP method, in upper case: "POST".
	Method string
	// URL is the request target in origin form: the path and the query,
	// such as "/webhook/telegram?x=1". The scheme and host belong to
	// whoever replays the cassette.
	URL string
	// Headers are the request headers, with canonical keys
	// (http.CanonicalHeaderKey) and at least one value each. Content-Length
	// is informative only: a replayer sends Body and computes its length.
	Headers http.Header
	// Body is the request body.
	Body Body
}

// Response is an HTTP response.
type Response struct {
	// Status is the HTTP status code, 100 to 599.
	Status int
	// Headers are the response headers, as in Request.
	Headers http.Header
	// Body is the response body.
	Body Body
}
