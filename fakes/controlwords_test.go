package fakes_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

// TestControlErrorsNameNoGoTypes sends control bodies of the wrong JSON
// type and wants errors that name the field and the JSON types only.
func TestControlErrorsNameNoGoTypes(t *testing.T) {
	t.Parallel()
	srv := map[string]controlled{}
	var all []string
	for _, svc := range services(t) {
		srv[svc.key] = svc.srv
		all = append(all, svc.key)
	}
	type tc struct {
		svc, method, path, body, says string
	}
	var tests []tc
	for _, key := range all {
		tests = append(tests,
			tc{key, "POST", "faults", `{"op":"x","status":"429"}`, `add fault: decode body: field "status": want an integer, got a string`},
			tc{key, "POST", "faults", `{"op":"x","times":1.5}`, `field "times": want an integer, got 1.5`},
			tc{key, "POST", "faults", `{"op":"x","delay":"soon"}`, `duration "soon": want a duration such as "1.5s"`},
			tc{key, "POST", "faults", `["x"]`, `body: want an object, got an array`},
		)
	}
	tests = append(tests,
		tc{"telegram", "POST", "users", `{"id":"1001","first_name":"Ada"}`, `field "id": want an integer, got a string`},
		tc{"telegram", "POST", "chats/1001/messages", `{"from":1001,"photo":5}`, `field "photo": want a base64 string, got a number`},
		tc{"slack", "POST", "channels/general/messages", `{"user":"ada","text":["menu"]}`, `field "text": want a string, got an array`},
		tc{"shopify", "POST", "orders", `{"line_items":"tea"}`, `field "line_items": want an array, got a string`},
		tc{"rocketchat", "POST", "users", `{"username":5}`, `field "username": want a string, got a number`},
		tc{"platform", "PUT", "integration", `{"url":1}`, `field "url": want a string, got a number`},
		tc{"platform", "PUT", "bot/rules", `[{"when":{"text":5},"reply":[]}]`, `want a string, got a number`},
	)
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv[tt.svc].URL()+fakes.ControlPrefix+tt.path, bytes.NewReader([]byte(tt.body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Error string `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusBadRequest || !strings.Contains(out.Error, tt.says) {
			t.Errorf("%s %s %s %s = %d %q (%v), want 400 saying %q", tt.svc, tt.method, tt.path, tt.body, resp.StatusCode, out.Error, err, tt.says)
		}
		for _, goism := range []string{"Go ", "json:", "int64", "struct", "time:", "map[", "interface"} {
			if strings.Contains(out.Error, goism) {
				t.Errorf("%s %s %s: %q names Go (%q)", tt.svc, tt.method, tt.path, out.Error, goism)
			}
		}
	}
}
