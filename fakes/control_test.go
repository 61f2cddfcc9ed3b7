package fakes_test

import (
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
