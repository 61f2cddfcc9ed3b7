package fakes_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

func TestCheckURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want: a part of the error; "" for none
	}{
		{"http://127.0.0.1:8080/hook", ""},
		{"https://example.com", ""},
		{"http://[::1]:80/x?a=b", ""},
		{"notaurl", "not an absolute URL"},
		{"/relative/path", "not an absolute URL"},
		{"localhost:8080", "not an absolute URL"},
		{"ftp://x", `scheme "ftp" is not http or https`},
		{"http://", "has no host"},
		{"http:///path", "has no host"},
		{"http://:8080/x", "has no host"},
		{"http://127.0.0.1:99999", "port 99999 is not a port number"},
		{"http://127.0.0.1:0", "port 0 is not a port number"},
		{"http://127.0.0.1:abc", `invalid port ":abc"`},
		{"", "not an absolute URL"},
	}
	for _, tt := range tests {
		err := fakes.CheckURL(tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckURL(%q) = %v, want an error saying %q", tt.in, err, tt.want)
		case err != nil && !strings.Contains(err.Error(), `"`+tt.in+`"`):
			t.Errorf("CheckURL(%q) = %v, want it to quote the input", tt.in, err)
		}
	}
}

func TestDecodeStrictSpeaksJSON(t *testing.T) {
	t.Parallel()
	type inner struct {
		B string `json:"b"`
	}
	type body struct {
		Limit int64    `json:"limit"`
		Count uint     `json:"count"`
		Tags  []string `json:"tags"`
		Photo []byte   `json:"photo"`
		Inner inner    `json:"inner"`
		On    bool     `json:"on"`
		Ratio float64  `json:"ratio"`
		Small int8     `json:"small"`
	}
	tests := []struct{ in, want string }{
		{`{"limit":"10"}`, `decode body: field "limit": want an integer, got a string`},
		{`{"limit":1.5}`, `decode body: field "limit": want an integer, got 1.5`},
		{`{"small":300}`, `decode body: field "small": want an integer, got 300, out of range`},
		{`{"count":-1}`, `decode body: field "count": want a non-negative integer, got -1`},
		{`{"tags":true}`, `decode body: field "tags": want an array, got a boolean`},
		{`{"tags":[1]}`, `decode body: field "tags": want a string, got a number`},
		{`{"photo":{}}`, `decode body: field "photo": want a base64 string, got an object`},
		{`{"inner":{"b":2}}`, `decode body: field "inner.b": want a string, got a number`},
		{`{"inner":[]}`, `decode body: field "inner": want an object, got an array`},
		{`{"on":"yes"}`, `decode body: field "on": want a boolean, got a string`},
		{`{"ratio":"x"}`, `decode body: field "ratio": want a number, got a string`},
		{`[1,2]`, `decode body: body: want an object, got an array`},
		{`"x"`, `decode body: body: want an object, got a string`},
		{`{"colour":"red"}`, `decode body: unknown field "colour"`},
		{`{"limit":`, `decode body: the JSON value ends too early`},
		{`{"limit" 1}`, `decode body: invalid character '1' after object key (at byte 10)`},
		{``, `decode body: empty body, want a JSON object`},
		{`{} {}`, `decode body: trailing data after the JSON value`},
	}
	for _, tt := range tests {
		var v body
		err := fakes.DecodeStrict([]byte(tt.in), &v)
		if err == nil || err.Error() != tt.want {
			t.Errorf("DecodeStrict(%s) = %v, want %s", tt.in, err, tt.want)
			continue
		}
		for _, goism := range []string{"Go ", "int64", "uint", "struct", "json:", "[]", "fakes_test", "interface"} {
			if strings.Contains(err.Error(), goism) {
				t.Errorf("DecodeStrict(%s) = %v: names Go (%q)", tt.in, err, goism)
			}
		}
	}
}

func TestJSONErrorKeepsTheOriginal(t *testing.T) {
	t.Parallel()
	var n int
	err := fakes.JSONError(json.Unmarshal([]byte(`"x"`), &n))
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || err.Error() != "body: want an integer, got a string" {
		t.Errorf("JSONError = %v (%T)", err, err)
	}
	if fakes.JSONError(nil) != nil {
		t.Error("JSONError(nil) != nil")
	}
}
