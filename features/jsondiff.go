package features

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	messages "github.com/cucumber/messages/go/v21"

	"github.com/chatsim/chatsim/fakes"
)

// compactJSON renders JSON on one line with sorted keys.
func compactJSON(raw []byte) string { return fakes.CanonicalJSON(raw) }

// parseJSON decodes a JSON value a step was given, naming what it is in
// the error.
func parseJSON(raw, what string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("read %s as JSON: %w", what, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("read %s as JSON: trailing data after the value", what)
	}
	return v, nil
}

func decodeRaw(raw []byte) any {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return string(raw)
	}
	return v
}

// jsonDiff returns the JSON pointer of the first difference between want
// and got and what differs there, or ok. With subset, got may hold more
// object keys than want.
func jsonDiff(want, got any, subset bool) (ptr, what string, ok bool) {
	return diffAt("", want, got, subset)
}

func diffAt(at string, want, got any, subset bool) (string, string, bool) {
	switch w := want.(type) {
	case map[string]any:
		g, isObj := got.(map[string]any)
		if !isObj {
			return orRoot(at), fmt.Sprintf("want an object, got %s", show(got)), false
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			gv, has := g[k]
			p := at + "/" + escapePtr(k)
			if !has {
				return p, fmt.Sprintf("missing, want %s", show(w[k])), false
			}
			if ptr, what, ok := diffAt(p, w[k], gv, subset); !ok {
				return ptr, what, false
			}
		}
		if !subset {
			extra := make([]string, 0)
			for k := range g {
				if _, has := w[k]; !has {
					extra = append(extra, k)
				}
			}
			sort.Strings(extra)
			if len(extra) > 0 {
				return at + "/" + escapePtr(extra[0]), fmt.Sprintf("not wanted, got %s", show(g[extra[0]])), false
			}
		}
		return "", "", true
	case []any:
		g, isArr := got.([]any)
		if !isArr {
			return orRoot(at), fmt.Sprintf("want an array, got %s", show(got)), false
		}
		for i := range w {
			p := at + "/" + strconv.Itoa(i)
			if i >= len(g) {
				return p, fmt.Sprintf("missing, want %s", show(w[i])), false
			}
			if ptr, what, ok := diffAt(p, w[i], g[i], subset); !ok {
				return ptr, what, false
			}
		}
		if len(g) > len(w) {
			return at + "/" + strconv.Itoa(len(w)), fmt.Sprintf("not wanted, got %s", show(g[len(w)])), false
		}
		return "", "", true
	case json.Number:
		if gn, isNum := got.(json.Number); isNum {
			wf, _ := w.Float64()
			gf, _ := gn.Float64()
			if wf == gf {
				return "", "", true
			}
		}
	default:
		if fmt.Sprintf("%T|%v", want, want) == fmt.Sprintf("%T|%v", got, got) {
			return "", "", true
		}
	}
	return orRoot(at), fmt.Sprintf("want %s, got %s", show(want), show(got)), false
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func escapePtr(k string) string {
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// compareJSON checks got against the JSON a step wants and explains a
// difference as want/got lines with the pointer of the first difference.
func compareJSON(what string, wantRaw string, got []byte, subset bool) error {
	want, err := parseJSON(wantRaw, "the expected "+what)
	if err != nil {
		return err
	}
	gotV := decodeRaw(got)
	ptr, diff, ok := jsonDiff(want, gotV, subset)
	if ok {
		return nil
	}
	wantLine := compactJSON([]byte(strings.TrimSpace(wantRaw)))
	verb := "want"
	if subset {
		verb = "want at least"
	}
	return fmt.Errorf("%s differs at %s: %s\n%s: %s\ngot:  %s", what, ptr, diff, verb, wantLine, compactJSON(got))
}

// outlineRow names a row of a Scenario Outline by a short hash of its
// steps' texts, stable whichever files are parsed with it.
func outlineRow(p *messages.Pickle) string {
	h := fnv.New32a()
	for _, st := range p.Steps {
		h.Write([]byte(st.Text))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("#%08x", h.Sum32())
}

// slug turns a scenario name into a file name: lower case, letters and
// digits, words joined by "-".
func slug(name string) string {
	if s := fakes.Slug(name); s != "" {
		return s
	}
	return "scenario"
}
