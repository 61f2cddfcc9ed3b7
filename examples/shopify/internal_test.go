package shopify

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"string", 404, `{"errors":"Not Found"}`, "Not Found"},
		{"fields, sorted", 422, `{"errors":{"topic":["is invalid"],"address":["can't be blank","is invalid"]}}`, "address can't be blank, is invalid; topic is invalid"},
		{"list", 400, `{"errors":["one","two"]}`, "one; two"},
		{"error", 400, `{"error":"invalid_request"}`, "invalid_request"},
		{"not JSON", 502, `<html>Bad Gateway</html>`, "Bad Gateway"},
		{"empty object", 500, `{}`, "Internal Server Error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := errorMessage(tt.status, []byte(tt.body)); got != tt.want {
				t.Errorf("errorMessage(%d, %s) = %q, want %q", tt.status, tt.body, got, tt.want)
			}
		})
	}
}

func TestBucketWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit string
		want  time.Duration
	}{
		{"", 0},
		{"1/40", 0},
		{"38/40", 0},
		{"39/40", 500 * time.Millisecond},
		{"40/40", 500 * time.Millisecond},
		{"399/400", 50 * time.Millisecond},
		{"junk", 0},
		{"3/0", 0},
	}
	for _, tt := range tests {
		t.Run(tt.limit, func(t *testing.T) {
			t.Parallel()
			if got := bucketWait(tt.limit); got != tt.want {
				t.Errorf("bucketWait(%q) = %v, want %v", tt.limit, got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"2.0", 2 * time.Second},
		{"0.5", 500 * time.Millisecond},
		{"3", 3 * time.Second},
		{"", 2 * time.Second},
		{"soon", 2 * time.Second},
		{"-1", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			t.Parallel()
			if got := retryAfter(http.Header{"Retry-After": {tt.header}}); got != tt.want {
				t.Errorf("retryAfter(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestProcessedAdd(t *testing.T) {
	t.Parallel()
	var p processed
	for i := range maxProcessed + 2 {
		p = p.add(fmt.Sprint(i))
	}
	if len(p.IDs) != maxProcessed || p.IDs[0] != "2" || p.IDs[maxProcessed-1] != fmt.Sprint(maxProcessed+1) {
		t.Errorf("ids = %d, first %s, last %s", len(p.IDs), p.IDs[0], p.IDs[len(p.IDs)-1])
	}
	if !p.has("2") || p.has("1") {
		t.Error("has is wrong about the oldest ids")
	}
	// add does not write into the list it was given.
	q := processed{IDs: make([]string, 1, 10)}
	q.IDs[0] = "a"
	_ = q.add("b")
	if got := q.IDs[:2][1]; got != "" {
		t.Errorf("add wrote %q into the caller's array", got)
	}
}

func TestIDString(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`820982911946154508`, `"820982911946154508"`},
		{`9223372036854775807`, `"9223372036854775807"`},
		{`1.5`, `1.5`},
		{`"gid://shopify/Order/1"`, `"gid://shopify/Order/1"`},
		{`null`, `null`},
		{`18446744073709551616`, `18446744073709551616`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := string(idString(json.RawMessage(tt.in))); got != tt.want {
				t.Errorf("idString(%s) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

// The reference signature is openssl's:
//
//	printf '{"id":1}' | openssl dgst -sha256 -hmac secret -binary | base64
func TestValidHMAC(t *testing.T) {
	t.Parallel()
	const good = "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc="
	tests := []struct {
		name, secret, body, header string
		want                       bool
	}{
		{"reference", "secret", `{"id":1}`, good, true},
		{"other secret", "Secret", `{"id":1}`, good, false},
		{"other body", "secret", `{"id": 1}`, good, false},
		{"URL-safe alphabet", "secret", `{"id":1}`, "A971iWIMgT8Zj9A9eWfikrFj7wQ16_Qwcc4OlRl2PLc=", false},
		{"no padding", "secret", `{"id":1}`, "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc", false},
		{"empty", "secret", `{"id":1}`, "", false},
		{"16 bytes", "secret", `{"id":1}`, "A971iWIMgT8Zj9A9eWfikg==", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := validHMAC(tt.secret, []byte(tt.body), tt.header); got != tt.want {
				t.Errorf("validHMAC = %v, want %v", got, tt.want)
			}
		})
	}
}
