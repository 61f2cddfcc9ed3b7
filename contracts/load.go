package contracts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/chatsim/chatsim/internal/textdist"
)

// ErrDefinition is wrapped by every error about a malformed definition, from
// Parse, LoadFile and Definition.Validator: a syntax error, a field of the
// wrong type, an unknown or missing field, a JSON Schema that does not
// compile. errors.Is(err, ErrDefinition) tells bad input (the CLI exits 2)
// from a failure to read the file, which wraps the fs error instead.
var ErrDefinition = errors.New("invalid integration definition")

// ErrInvalidDefinition is ErrDefinition under its former name.
//
// Deprecated: use ErrDefinition.
var ErrInvalidDefinition = ErrDefinition

// DefinitionError is a malformed definition: where it is and what is wrong.
// It wraps ErrDefinition and renders as
//
//	definition.json:14:5: channels.channel.messages.text.schema: want an object or a boolean, got a string
type DefinitionError struct {
	// Source names the input, as given to Parse.
	Source string
	// Line and Column are 1-based; 0 when unknown.
	Line, Column int
	// Field is the dotted field path ("channels.channel.messages"), or the
	// JSON pointer of a schema that does not compile
	// ("/channels/channel/messages/text/schema"); empty for syntax errors.
	Field string
	// Msg says what is wrong.
	Msg string
}

// Error renders the error as source:line:col: field: message.
func (e *DefinitionError) Error() string {
	var b strings.Builder
	b.WriteString(e.Source)
	if e.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns ErrDefinition.
func (e *DefinitionError) Unwrap() error { return ErrDefinition }

// Parse reads a definition from JSON (the shape `bp read` prints) or YAML with
// the same fields. source names the input in errors ("definition.json"); its
// extension picks the format (.yaml/.yml for YAML, .json for JSON), anything
// else is sniffed. Both formats are decoded the same way. Errors are
// *DefinitionError values wrapping ErrDefinition and name the source,
// the line and the field.
//
// A field the definition cannot have is an error at every level, with a
// "did you mean" when an allowed name is close. The allowed fields are
// Definition's and those of the types it holds; below the members kept as
// raw JSON (identifier, creation, entities, interfaces) and the two that are
// checked, then dropped (extraOperations, __advanced), they are the fields
// of @botpress/client's createIntegration body and @botpress/sdk's
// definition types. Only embedded JSON Schemas, which may use any keyword,
// and __advanced.esbuild (esbuild's own options) are not checked. name and version are required,
// every channel needs messages, and every schema present must be a JSON
// object or boolean that compiles as a JSON Schema (see
// Definition.Validator): a schema that does not is reported here, by the
// JSON pointer of the schema or of the keyword in it that is wrong.
func Parse(data []byte, source string) (*Definition, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var (
		root *node
		err  error
	)
	if isYAML(data, source) {
		root, err = parseYAML(data)
	} else {
		root, err = parseJSON(data)
	}
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, &DefinitionError{Source: source, Line: se.pos.Line, Column: se.pos.Col, Msg: se.msg}
		}
		return nil, &DefinitionError{Source: source, Msg: err.Error()}
	}
	d := &Definition{Source: source, compiled: &compiledValidator{}}
	dec := &decoder{source: source, fields: map[reflect.Type]map[string]fieldInfo{}}
	if err := dec.decode(root, reflect.ValueOf(d).Elem(), nil); err != nil {
		return nil, err
	}
	// Compile every schema now, while the lines are known, so that a schema
	// that does not compile is a load error and not a surprise at the first
	// capture; Validator hands out the result.
	d.compiled.once.Do(func() { d.compiled.v, d.compiled.err = d.compile(root) })
	if d.compiled.err != nil {
		return nil, d.compiled.err
	}
	return d, nil
}

// isYAML picks the format from the source's extension, else sniffs: JSON
// starts with '{'.
func isYAML(data []byte, source string) bool {
	switch strings.ToLower(filepath.Ext(source)) {
	case ".yaml", ".yml":
		return true
	case ".json":
		return false
	}
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) == 0 || t[0] != '{'
}

// LoadFile reads and parses the definition at path (JSON, or YAML for
// .yaml/.yml).
func LoadFile(path string) (*Definition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load definition: %w", err)
	}
	return Parse(data, path)
}

// validStateTypes are the scopes a definition may declare a state in.
func validStateType(t string) bool {
	switch t {
	case "conversation", "user", "integration":
		return true
	}
	return false
}

// decoder turns a node tree into a Definition, checking types as it goes.
type decoder struct {
	source string
	fields map[reflect.Type]map[string]fieldInfo // by json name
}

// fieldInfo is how the decoder treats one member of an object.
type fieldInfo struct {
	index int          // of the struct field it goes to; -1: checked, then dropped
	shape reflect.Type // checked against this first; nil: the field's own type is enough
}

func (dc *decoder) fail(p position, path []string, format string, args ...any) error {
	return &DefinitionError{Source: dc.source, Line: p.Line, Column: p.Col, Field: strings.Join(path, "."), Msg: fmt.Sprintf(format, args...)}
}

func (dc *decoder) want(n *node, path []string, what string) error {
	return dc.fail(n.pos, path, "want %s, got %s", what, n.kind.article())
}

func (dc *decoder) decode(n *node, v reflect.Value, path []string) error {
	if n.kind == kindNull {
		return nil // absent
	}
	if v.Type() == reflect.TypeFor[json.RawMessage]() {
		if len(path) > 0 && path[len(path)-1] == "schema" {
			if n.kind != kindObject && n.kind != kindBool {
				return dc.want(n, path, "an object or a boolean (a JSON Schema)")
			}
		}
		v.SetBytes(appendJSON(nil, n))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		if n.kind != kindString {
			return dc.want(n, path, "a string")
		}
		v.SetString(n.str)
	case reflect.Bool:
		if n.kind != kindBool {
			return dc.want(n, path, "a boolean")
		}
		v.SetBool(n.boolean)
	case reflect.Slice:
		if n.kind != kindArray {
			return dc.want(n, path, "an array")
		}
		s := reflect.MakeSlice(v.Type(), len(n.items), len(n.items))
		for i, it := range n.items {
			if err := dc.decode(it, s.Index(i), appendPath(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		v.Set(s)
	case reflect.Map:
		if n.kind != kindObject {
			return dc.want(n, path, "an object")
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.members))
		for _, mem := range n.members {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := dc.decode(mem.val, ev, appendPath(path, mem.key)); err != nil {
				return err
			}
			m.SetMapIndex(reflect.ValueOf(mem.key).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Struct:
		if n.kind != kindObject {
			return dc.want(n, path, "an object")
		}
		return dc.decodeStruct(n, v, path)
	default:
		return fmt.Errorf("decode %s: unsupported field type %s", strings.Join(path, "."), v.Type())
	}
	return nil
}

func (dc *decoder) decodeStruct(n *node, v reflect.Value, path []string) error {
	fields := dc.fieldsOf(v.Type())
	for _, mem := range n.members {
		p := appendPath(path, mem.key)
		f, ok := fields[mem.key]
		if !ok {
			return dc.fail(mem.keyPos, p, "unknown field%s", suggest(mem.key, fields))
		}
		if f.shape != nil {
			if err := dc.decode(mem.val, reflect.New(f.shape).Elem(), p); err != nil {
				return err
			}
		}
		if f.index < 0 {
			continue
		}
		if err := dc.decode(mem.val, v.Field(f.index), p); err != nil {
			return err
		}
	}
	for _, req := range requiredFields(v.Type()) {
		if f := n.get(req); f == nil || f.kind == kindNull {
			return dc.fail(n.pos, appendPath(path, req), "missing required field")
		}
	}
	switch x := v.Addr().Interface().(type) {
	case *Definition:
		if x.Name == "" {
			return dc.fail(n.get("name").pos, []string{"name"}, "must not be empty")
		}
		if x.Version == "" {
			return dc.fail(n.get("version").pos, []string{"version"}, "must not be empty")
		}
	case *StateDef:
		if !validStateType(x.Type) {
			return dc.fail(n.get("type").pos, appendPath(path, "type"), "want \"conversation\", \"user\" or \"integration\", got %q", x.Type)
		}
	}
	return nil
}

// requiredFields lists the members an object of type t must have.
func requiredFields(t reflect.Type) []string {
	switch t {
	case reflect.TypeFor[Definition]():
		return []string{"name", "version"}
	case reflect.TypeFor[ChannelDef]():
		return []string{"messages"}
	case reflect.TypeFor[StateDef]():
		return []string{"type"}
	}
	return nil
}

// fieldsOf lists the members an object of type t may have: its fields by
// their json names, and the members shapesOf adds or refines.
func (dc *decoder) fieldsOf(t reflect.Type) map[string]fieldInfo {
	if f, ok := dc.fields[t]; ok {
		return f
	}
	f := map[string]fieldInfo{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f[name] = fieldInfo{index: i}
	}
	for name, shape := range shapesOf(t) {
		fi, ok := f[name]
		if !ok {
			fi.index = -1
		}
		fi.shape = shape
		f[name] = fi
	}
	dc.fields[t] = f
	return f
}

// appendPath returns path+key without sharing path's backing array.
func appendPath(path []string, key string) []string {
	p := make([]string, len(path)+1)
	copy(p, path)
	p[len(path)] = key
	return p
}

// pointerOf renders path as a JSON pointer ("/channels/channel").
func pointerOf(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(escapePointer(p))
	}
	return b.String()
}

// splitPointer splits a JSON pointer ("/a/b~1c") into its unescaped tokens.
func splitPointer(ptr string) []string {
	if ptr == "" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		if strings.Contains(t, "~") {
			toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
		}
	}
	return toks
}

// escapePointer escapes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// suggest names the closest allowed field to a misspelt one: at most two
// edits away, ignoring case and underscores, and not so short that two
// edits make it another word.
func suggest(key string, fields map[string]fieldInfo) string {
	best, bestD := "", 3
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names)
	fold := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", "") }
	for _, name := range names {
		if d := editDistance(fold(key), fold(name)); d < bestD && 2*d <= len(name) {
			best, bestD = name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int { return textdist.Levenshtein([]byte(a), []byte(b)) }
