package fakes_test

import (
	"testing"

	"github.com/chatsim/chatsim/fakes"
)

func TestSwapJSONStrings(t *testing.T) {
	t.Parallel()
	const u = "wss://x.example/link/?ticket=a&app_id=b"
	for _, tc := range []struct {
		name, doc, want string
		calls           int
	}{
		{"as Go writes it", `{"ok":true,"url":"wss://x.example/link/?ticket=a\u0026app_id=b"}`, `{"ok":true,"url":"NEW"}`, 1},
		{"& as it is", `{"ok":true,"url":"` + u + `"}`, `{"ok":true,"url":"NEW"}`, 1},
		{"slashes escaped", `{"url":"wss:\/\/x.example\/link\/?ticket=a&app_id=b","n":1}`, `{"url":"NEW","n":1}`, 1},
		{"nested, twice", `{"a":[{"url":"` + u + `"},{"url":"` + u + `"}]}`, `{"a":[{"url":"NEW"},{"url":"NEW"}]}`, 1},
		{"another key", `{"link":"` + u + `"}`, `{"link":"` + u + `"}`, 0},
		{"not JSON", `url=` + u, `url=` + u, 0},
	} {
		calls := 0
		got, changed := fakes.SwapJSONStrings([]byte(tc.doc), "url", func(s string) string {
			calls++
			if s != u {
				t.Errorf("%s: fn(%q), want %q", tc.name, s, u)
			}
			return "NEW"
		})
		if string(got) != tc.want || changed != (tc.calls > 0) || calls != tc.calls {
			t.Errorf("%s: %s (changed %v, %d calls), want %s (%d calls)", tc.name, got, changed, calls, tc.want, tc.calls)
		}
	}
}
