package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// position is a 1-based line and column in a source file. The zero value
// means unknown.
type position struct {
	Line, Col int
}

// jsonKind is the JSON type of a node.
type jsonKind int

const (
	kindNull jsonKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// article names a kind for error messages ("an object").
func (k jsonKind) article() string {
	switch k {
	case kindNull:
		return "null"
	case kindBool:
		return "a boolean"
	case kindNumber:
		return "a number"
	case kindString:
		return "a string"
	case kindArray:
		return "an array"
	default:
		return "an object"
	}
}

// member is one key of an object node, in document order.
type member struct {
	key    string
	keyPos position
	val    *node
}

// node is a JSON-compatible value with the position it came from. JSON and
// YAML input both become a tree of nodes, which is then decoded the same way.
type node struct {
	kind    jsonKind
	pos     position
	str     string // string value, or the literal of a number
	boolean bool
	items   []*node
	members []member
}

// get returns the value of key in an object node, or nil.
func (n *node) get(key string) *node {
	for i := range n.members {
		if n.members[i].key == key {
			return n.members[i].val
		}
	}
	return nil
}

// at returns the node at path below n, following object keys and array
// indices, or nil when there is none (or n is nil).
func (n *node) at(path []string) *node {
	for _, tok := range path {
		switch {
		case n == nil:
			return nil
		case n.kind == kindObject:
			n = n.get(tok)
		case n.kind == kindArray:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.items) {
				return nil
			}
			n = n.items[i]
		default:
			return nil
		}
	}
	return n
}

// appendJSON appends n as compact JSON, keeping object keys in document
// order and leaving HTML characters unescaped.
func appendJSON(b []byte, n *node) []byte {
	switch n.kind {
	case kindNull:
		return append(b, "null"...)
	case kindBool:
		return strconv.AppendBool(b, n.boolean)
	case kindNumber:
		return append(b, n.str...)
	case kindString:
		return appendString(b, n.str)
	case kindArray:
		b = append(b, '[')
		for i, it := range n.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, it)
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i, m := range n.members {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendJSON(b, m.val)
		}
		return append(b, '}')
	}
}

// appendString appends s as a JSON string literal.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// lineIndex turns byte offsets into line and column positions.
type lineIndex []int // offsets at which lines start

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) pos(off int) position {
	line := sort.Search(len(idx), func(i int) bool { return idx[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return position{Line: line + 1, Col: off - idx[line] + 1}
}

// syntaxError is a parse failure at a position, before any field is known.
type syntaxError struct {
	pos position
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 10000

// maxNodes bounds the values a YAML document may expand to through aliases
// ("billion laughs").
const maxNodes = 250_000

// jsonParser builds a node tree from JSON with positions, using the
// standard library's tokenizer.
type jsonParser struct {
	data  []byte
	dec   *json.Decoder
	lines lineIndex
}

// parseJSON parses exactly one JSON value.
func parseJSON(data []byte) (*node, error) {
	p := &jsonParser{data: data, dec: json.NewDecoder(bytes.NewReader(data)), lines: newLineIndex(data)}
	p.dec.UseNumber()
	n, err := p.value(0)
	if err != nil {
		return nil, err
	}
	off := p.skip(int(p.dec.InputOffset()))
	if _, err := p.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, p.tokenError(err)
		}
		return nil, &syntaxError{pos: p.lines.pos(off), msg: "invalid JSON: unexpected data after the top-level value"}
	}
	return n, nil
}

// skip returns the offset of the next token at or after off.
func (p *jsonParser) skip(off int) int {
	for off < len(p.data) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ':', ',':
			off++
		default:
			return off
		}
	}
	return off
}

func (p *jsonParser) tokenError(err error) error {
	// The Decoder's offsets are relative to its buffer; a full check of the
	// input gives the absolute offset of the offending byte.
	var raw json.RawMessage
	var se *json.SyntaxError
	if uerr := json.Unmarshal(p.data, &raw); errors.As(uerr, &se) {
		if se.Error() == "unexpected end of JSON input" {
			return &syntaxError{pos: p.lines.pos(len(p.data)), msg: "invalid JSON: unexpected end of input"}
		}
		return &syntaxError{pos: p.lines.pos(max(int(se.Offset)-1, 0)), msg: "invalid JSON: " + se.Error()}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &syntaxError{pos: p.lines.pos(len(p.data)), msg: "invalid JSON: unexpected end of input"}
	}
	return &syntaxError{pos: p.lines.pos(p.skip(int(p.dec.InputOffset()))), msg: "invalid JSON: " + err.Error()}
}

func (p *jsonParser) value(depth int) (*node, error) {
	start := p.skip(int(p.dec.InputOffset()))
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.tokenError(err)
	}
	n := &node{pos: p.lines.pos(start)}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
	case bool:
		n.kind, n.boolean = kindBool, t
	case json.Number:
		n.kind, n.str = kindNumber, string(t)
	case string:
		n.kind, n.str = kindString, t
	case json.Delim:
		if depth >= maxDepth {
			return nil, &syntaxError{pos: n.pos, msg: "invalid JSON: nested too deeply"}
		}
		if t == '[' {
			n.kind = kindArray
			for p.dec.More() {
				it, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, it)
			}
		} else {
			n.kind = kindObject
			for p.dec.More() {
				kstart := p.skip(int(p.dec.InputOffset()))
				ktok, err := p.dec.Token()
				if err != nil {
					return nil, p.tokenError(err)
				}
				key, _ := ktok.(string)
				kpos := p.lines.pos(kstart)
				if n.get(key) != nil {
					return nil, &syntaxError{pos: kpos, msg: fmt.Sprintf("duplicate key %q", key)}
				}
				val, err := p.value(depth + 1)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, member{key: key, keyPos: kpos, val: val})
			}
		}
		if _, err := p.dec.Token(); err != nil { // the closing delimiter
			return nil, p.tokenError(err)
		}
	}
	return n, nil
}

// parseYAML parses one YAML document into a JSON-compatible node tree.
func parseYAML(data []byte) (*node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &syntaxError{pos: position{1, 1}, msg: "empty document"}
		}
		return nil, yamlSyntaxError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, yamlSyntaxError(err)
		}
		return nil, &syntaxError{pos: position{extra.Line, extra.Column}, msg: "invalid YAML: more than one document"}
	}
	budget := maxNodes
	return fromYAML(&doc, 0, &budget)
}

// yamlSyntaxError extracts the line yaml.v3 puts in its messages
// ("yaml: line 3: mapping values are not allowed in this context").
func yamlSyntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, tail, ok := strings.Cut(rest, ": ")
		if line, err := strconv.Atoi(num); ok && err == nil {
			return &syntaxError{pos: position{Line: line}, msg: "invalid YAML: " + tail}
		}
	}
	return &syntaxError{msg: "invalid YAML: " + msg}
}

func fromYAML(y *yaml.Node, depth int, budget *int) (*node, error) {
	if depth >= maxDepth {
		return nil, &syntaxError{pos: position{y.Line, y.Column}, msg: "invalid YAML: nested too deeply"}
	}
	if *budget--; *budget < 0 {
		return nil, &syntaxError{pos: position{y.Line, y.Column}, msg: fmt.Sprintf("invalid YAML: more than %d values once aliases are expanded", maxNodes)}
	}
	n := &node{pos: position{y.Line, y.Column}}
	switch y.Kind {
	case yaml.DocumentNode:
		if len(y.Content) == 0 {
			return nil, &syntaxError{pos: n.pos, msg: "empty document"}
		}
		return fromYAML(y.Content[0], depth+1, budget)
	case yaml.AliasNode:
		if y.Alias == nil {
			return nil, &syntaxError{pos: n.pos, msg: "invalid YAML: unknown alias"}
		}
		a, err := fromYAML(y.Alias, depth+1, budget)
		if err != nil {
			return nil, err
		}
		c := *a
		c.pos = n.pos
		return &c, nil
	case yaml.SequenceNode:
		n.kind = kindArray
		for _, c := range y.Content {
			it, err := fromYAML(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, it)
		}
		return n, nil
	case yaml.MappingNode:
		n.kind = kindObject
		var merges []*node
		for i := 0; i+1 < len(y.Content); i += 2 {
			k, v := y.Content[i], y.Content[i+1]
			kpos := position{k.Line, k.Column}
			if k.Kind != yaml.ScalarNode {
				return nil, &syntaxError{pos: kpos, msg: "invalid YAML: a mapping key must be a scalar"}
			}
			val, err := fromYAML(v, depth+1, budget)
			if err != nil {
				return nil, err
			}
			if k.ShortTag() == "!!merge" {
				merges = append(merges, val)
				continue
			}
			if n.get(k.Value) != nil {
				return nil, &syntaxError{pos: kpos, msg: fmt.Sprintf("duplicate key %q", k.Value)}
			}
			n.members = append(n.members, member{key: k.Value, keyPos: kpos, val: val})
		}
		for _, m := range merges { // "<<: *base" adds the keys not set here
			srcs := []*node{m}
			if m.kind == kindArray {
				srcs = m.items
			}
			for _, src := range srcs {
				if src.kind != kindObject {
					return nil, &syntaxError{pos: src.pos, msg: "invalid YAML: a merge (<<) needs a mapping"}
				}
				for _, sm := range src.members {
					if n.get(sm.key) == nil {
						n.members = append(n.members, sm)
					}
				}
			}
		}
		return n, nil
	case yaml.ScalarNode:
		return scalarFromYAML(y, n)
	default:
		return nil, &syntaxError{pos: n.pos, msg: "invalid YAML: unsupported node"}
	}
}

func scalarFromYAML(y *yaml.Node, n *node) (*node, error) {
	switch y.ShortTag() {
	case "!!null":
		n.kind = kindNull
	case "!!bool":
		var b bool
		if err := y.Decode(&b); err != nil {
			return nil, &syntaxError{pos: n.pos, msg: "invalid YAML: " + err.Error()}
		}
		n.kind, n.boolean = kindBool, b
	case "!!int":
		var i int64
		if err := y.Decode(&i); err != nil {
			var u uint64
			if err := y.Decode(&u); err != nil {
				return nil, &syntaxError{pos: n.pos, msg: fmt.Sprintf("invalid YAML: integer %s out of range", y.Value)}
			}
			n.kind, n.str = kindNumber, strconv.FormatUint(u, 10)
			return n, nil
		}
		n.kind, n.str = kindNumber, strconv.FormatInt(i, 10)
	case "!!float":
		var f float64
		if err := y.Decode(&f); err != nil {
			return nil, &syntaxError{pos: n.pos, msg: "invalid YAML: " + err.Error()}
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, &syntaxError{pos: n.pos, msg: fmt.Sprintf("invalid YAML: %s has no JSON equivalent", y.Value)}
		}
		n.kind, n.str = kindNumber, strconv.FormatFloat(f, 'g', -1, 64)
	default: // !!str, !!timestamp, !!binary and custom tags keep their text
		n.kind, n.str = kindString, y.Value
	}
	return n, nil
}
