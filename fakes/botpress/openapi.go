package botpress

import (
	"bytes"
	_ "embed" // the Runtime API's OpenAPI document
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
)

// openapiJSON is botpress-runtime-api.openapi.json, exported from the npm
// package @botpress/api@1.70.2. Request bodies are checked against it and the
// tests check every response against it.
//
//go:embed openapi.json
var openapiJSON string

// apiSpec is the parsed OpenAPI document: the operations by method and path
// template, and the schemas they use. It is immutable once built.
type apiSpec struct {
	doc map[string]any
	ops map[string]*specOp // "POST /v1/chat/users/get-or-create"
}

// specOp is one operation of the spec.
type specOp struct {
	ID     string
	Method string
	Path   string         // template, "/v1/chat/users/{id}"
	Body   map[string]any // request body schema, nil when the operation takes none
	Resp   map[string]any // the 2xx response schema
	Status int            // the 2xx status the spec declares (200 or 201)
}

// embeddedSpec is the embedded spec, parsed at init. It is never
// modified, so sharing it between servers shares no mutable state.
var embeddedSpec = mustParseSpec()

// mustParseSpec parses the embedded spec; one that does not parse is a
// programming error, which every test shows.
func mustParseSpec() *apiSpec {
	sp, err := parseSpec()
	if err != nil {
		panic("botpress: " + err.Error())
	}
	return sp
}

// parseSpec parses the embedded spec.
func parseSpec() (*apiSpec, error) {
	dec := json.NewDecoder(strings.NewReader(openapiJSON))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse embedded openapi.json: %w", err)
	}
	sp := &apiSpec{doc: doc, ops: map[string]*specOp{}}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		methods, _ := item.(map[string]any)
		for method, o := range methods {
			op, _ := o.(map[string]any)
			so := &specOp{Method: strings.ToUpper(method), Path: path}
			so.ID, _ = op["operationId"].(string)
			if rb, ok := op["requestBody"].(map[string]any); ok {
				rb = sp.deref(rb)
				so.Body = jsonSchemaOf(rb)
			}
			if rs, ok := op["responses"].(map[string]any); ok {
				for code, r := range rs {
					n, err := strconv.Atoi(code)
					if err != nil || n < 200 || n > 299 {
						continue
					}
					rm, _ := r.(map[string]any)
					so.Resp = jsonSchemaOf(sp.deref(rm))
					so.Status = n
				}
			}
			sp.ops[so.Method+" "+path] = so
		}
	}
	sp.addUndocumented()
	return sp, nil
}

// addUndocumented adds to the request bodies the fields the exported spec
// leaves out (it holds only the "documented" surface) but the real API
// accepts and @botpress/client sends: properties and the deprecated
// attributes of users and conversations, string maps whose null values
// remove a key. The mock accepts them and keeps nothing of them.
func (sp *apiSpec) addUndocumented() {
	stringMap := func() map[string]any {
		return map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string", "nullable": true}}
	}
	for _, op := range sp.ops {
		switch op.ID {
		case "createUser", "getOrCreateUser", "updateUser", "createConversation", "getOrCreateConversation", "updateConversation":
			if props, ok := op.Body["properties"].(map[string]any); ok {
				props["properties"] = stringMap()
				props["attributes"] = stringMap()
			}
		}
	}
}

// jsonSchemaOf returns content["application/json"].schema of a request body
// or response object.
func jsonSchemaOf(o map[string]any) map[string]any {
	c, _ := o["content"].(map[string]any)
	j, _ := c["application/json"].(map[string]any)
	s, _ := j["schema"].(map[string]any)
	return s
}

// deref follows a local $ref ("#/components/schemas/User").
func (sp *apiSpec) deref(s map[string]any) map[string]any {
	for i := 0; i < 8; i++ {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		var cur any = sp.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(map[string]any)
			cur = m[part]
		}
		next, ok := cur.(map[string]any)
		if !ok {
			return map[string]any{}
		}
		s = next
	}
	return s
}

// op returns the operation for a method and path template.
func (sp *apiSpec) op(method, path string) *specOp { return sp.ops[method+" "+path] }

// schemaError is the first place where a value breaks a schema.
type schemaError struct {
	Path    string // dotted location: "tags.id", "payload"
	Message string
}

// Error names the location and the problem.
func (e *schemaError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return fmt.Sprintf("%q %s", e.Path, e.Message)
}

// check validates v (decoded with UseNumber) against the OpenAPI 3.0 schema
// s. It supports the keywords the Runtime API spec uses: type, properties,
// required, additionalProperties, nullable, enum, minLength, maxLength,
// minimum, maximum, items, maxItems and local $ref.
func (sp *apiSpec) check(s map[string]any, v any, at string) error {
	s = sp.deref(s)
	if v == nil {
		if b, _ := s["nullable"].(bool); b {
			return nil
		}
		if _, typed := s["type"]; !typed {
			return nil
		}
		return &schemaError{at, "must not be null, want " + describeType(s)}
	}
	switch s["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return &schemaError{at, "must be an object, got " + jsonKind(v)}
		}
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				name, _ := r.(string)
				if _, present := obj[name]; !present {
					return &schemaError{join(at, name), "is required"}
				}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k].(map[string]any); ok {
				if err := sp.check(ps, obj[k], join(at, k)); err != nil {
					return err
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					return &schemaError{join(at, k), "is not a recognized property"}
				}
			case map[string]any:
				if err := sp.check(ap, obj[k], join(at, k)); err != nil {
					return err
				}
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return &schemaError{at, "must be an array, got " + jsonKind(v)}
		}
		if n, ok := number(s["maxItems"]); ok && float64(len(arr)) > n {
			return &schemaError{at, fmt.Sprintf("must have at most %v items", n)}
		}
		if items, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				if err := sp.check(items, e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return &schemaError{at, "must be a string, got " + jsonKind(v)}
		}
		n := float64(len(utf16.Encode([]rune(str)))) // JavaScript's length
		if m, ok := number(s["minLength"]); ok && n < m {
			return &schemaError{at, fmt.Sprintf("must be at least %v characters long", m)}
		}
		if m, ok := number(s["maxLength"]); ok && n > m {
			return &schemaError{at, fmt.Sprintf("must be at most %v characters long", m)}
		}
	case "number", "integer":
		num, ok := v.(json.Number)
		if !ok {
			return &schemaError{at, "must be a number, got " + jsonKind(v)}
		}
		f, err := num.Float64()
		if err != nil {
			return &schemaError{at, "must be a finite number"}
		}
		if s["type"] == "integer" && f != math.Trunc(f) {
			return &schemaError{at, "must be an integer"}
		}
		if m, ok := number(s["minimum"]); ok && f < m {
			return &schemaError{at, fmt.Sprintf("must be at least %v", m)}
		}
		if m, ok := number(s["maximum"]); ok && f > m {
			return &schemaError{at, fmt.Sprintf("must be at most %v", m)}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return &schemaError{at, "must be a boolean, got " + jsonKind(v)}
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		for _, e := range enum {
			if e == v {
				return nil
			}
		}
		vals := make([]string, len(enum))
		for i, e := range enum {
			vals[i] = fmt.Sprint(e)
		}
		return &schemaError{at, "must be one of " + strings.Join(vals, ", ")}
	}
	return nil
}

func join(at, k string) string {
	if at == "" {
		return k
	}
	return at + "." + k
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func describeType(s map[string]any) string {
	t, _ := s["type"].(string)
	if t == "" {
		return "a value"
	}
	if t == "object" || t == "array" || t == "integer" {
		return "an " + t
	}
	return "a " + t
}

// jsonKind names the JSON type of a decoded value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// decodeAny decodes one JSON value with UseNumber, refusing trailing data.
func decodeAny(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	return v, nil
}
