package sim

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"github.com/chatsim/chatsim/fakes"
	"github.com/chatsim/chatsim/recorder/cassette"
)

// placeholder is a recorder's ${NAME}: in a recorded call it stands for any
// value.
var placeholder = regexp.MustCompile(`\$\{[A-Z][A-Z0-9_]*\}`)

// call is one API call, as recorded or as made, for comparing.
type call struct {
	kind   string
	method string
	target string // path and query
	body   any    // decoded: a JSON value, a form as an object, or the text
}

// String renders the call for a diff: "sendMessage {"chat_id":1001,…}".
func (c call) String() string {
	s := c.kind
	if s == "" {
		s = c.method + " " + c.target
	}
	if c.body != nil {
		b, _ := json.Marshal(c.body)
		s += " " + string(b)
	}
	return s
}

// decodeBody reads a call's body as JSON, as a form (each field that
// holds JSON decoded), or as text.
func decodeBody(b []byte, contentType string) any {
	if len(b) == 0 {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		return v
	}
	ct, _, _ := mime.ParseMediaType(contentType)
	if ct == "application/x-www-form-urlencoded" || ct == "" {
		if vs, err := url.ParseQuery(string(b)); err == nil && len(vs) > 0 && !strings.ContainsAny(string(b), " \n") {
			m := map[string]any{}
			for k, list := range vs {
				var jv any
				if len(list) > 0 && json.Unmarshal([]byte(list[0]), &jv) == nil {
					if _, isObj := jv.(map[string]any); isObj {
						m[k] = jv
						continue
					}
					if _, isArr := jv.([]any); isArr {
						m[k] = jv
						continue
					}
				}
				if len(list) > 0 {
					m[k] = list[0]
				}
			}
			return m
		}
	}
	return string(b)
}

// matches reports whether a call made (got) is the recorded one (want): the
// same method, a target and a body equal but where the recording holds a
// placeholder or a key the platform's Wire calls volatile.
func matches(want, got call, volatile map[string]bool) bool {
	if want.method != got.method || !matchString(want.target, got.target) {
		return false
	}
	return matchValue(want.body, got.body, volatile)
}

// matchString compares a recorded string, whose placeholders match any
// text, with a string made.
func matchString(want, got string) bool {
	if !placeholder.MatchString(want) {
		return want == got
	}
	parts := placeholder.Split(want, -1)
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("^" + strings.Join(parts, ".*?") + "$")
	return err == nil && re.MatchString(got)
}

func matchValue(want, got any, volatile map[string]bool) bool {
	switch w := want.(type) {
	case string:
		g, ok := got.(string)
		return ok && matchString(w, g)
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		for k := range keys {
			if volatile[k] {
				continue
			}
			if !matchValue(w[k], g[k], volatile) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !matchValue(w[i], g[i], volatile) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// outboundCheck compares, turn by turn, the calls the integration makes to a
// platform during a replay with the ones its recording holds.
type outboundCheck struct {
	wire     fakes.Wire
	platform string
	volatile map[string]bool

	mu   sync.Mutex
	made []call // calls made in the running step
}

// newOutbound taps w's fakes for the calls made to platform.
func newOutbound(w *World, k fakes.Kind) *outboundCheck {
	o := &outboundCheck{wire: k.Wire, platform: k.Name, volatile: map[string]bool{}}
	for _, v := range k.Wire.Volatile {
		o.volatile[v] = true
	}
	w.Activity.Tap(o.tap)
	return o
}

func (o *outboundCheck) tap(x fakes.Exchange) {
	if x.Service != o.platform || strings.HasPrefix(x.Target, fakes.ControlPrefix) {
		return
	}
	u, err := url.Parse(x.Target)
	if err != nil {
		return
	}
	kind := ""
	if o.wire.Call != nil {
		kind = o.wire.Call(x.Method, u.Path, x.Body)
	}
	if kind != "" && kind == o.wire.Poll {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.made = append(o.made, call{kind: kind, method: x.Method, target: x.Target, body: decodeBody(x.Body, x.Header.Get("Content-Type"))})
}

// take returns the calls made since the last take.
func (o *outboundCheck) take() []call {
	o.mu.Lock()
	defer o.mu.Unlock()
	made := o.made
	o.made = nil
	return made
}

// recorded turns a cassette's outbound entry into a call.
func recorded(e cassette.Entry) call {
	return call{kind: e.Kind, method: e.Request.Method, target: e.Request.URL,
		body: decodeBody(e.Request.Body.Bytes(), e.Request.Headers.Get("Content-Type"))}
}

// OutboundMismatch is a turn of a replay in which the integration's calls
// to the platform differed from the recording's: calls recorded that it
// did not make, and calls it made that the recording does not hold.
type OutboundMismatch struct {
	// Turn is the delivery's turn; Step its step's title.
	Turn    int
	Step    string
	Missing []string
	Extra   []string
}

// String renders the mismatch as a diff: "- " a recorded call not made,
// "+ " a call made and not recorded.
func (m OutboundMismatch) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "turn %d (%s): the integration's calls differ from the recording (- recorded, + made):", m.Turn, m.Step)
	for _, c := range m.Missing {
		b.WriteString("\n  - " + c)
	}
	for _, c := range m.Extra {
		b.WriteString("\n  + " + c)
	}
	return b.String()
}

// compare matches the calls made in a turn with the recorded ones: each
// recorded call takes the first unmatched call made that matches it, so
// identical calls are matched in recorded order and others in any order.
func (o *outboundCheck) compare(turn int, step string, want []call, got []call) *OutboundMismatch {
	used := make([]bool, len(got))
	var missing []string
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && matches(w, g, o.volatile) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w.String())
		}
	}
	var extra []string
	for i, g := range got {
		if !used[i] {
			extra = append(extra, g.String())
		}
	}
	if len(missing) == 0 && len(extra) == 0 {
		return nil
	}
	return &OutboundMismatch{Turn: turn, Step: step, Missing: missing, Extra: extra}
}
