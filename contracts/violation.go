package contracts

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// flatten turns a jsonschema error tree into one violation per leaf cause.
// Errors about a missing or forbidden property point at that property
// ("/payload/options/0/value"), one violation per property.
func flatten(out []Violation, capture, root string, e *jsonschema.ValidationError) []Violation {
	if len(e.Causes) > 0 && !isLeaf(e.ErrorKind) {
		for _, c := range e.Causes {
			out = flatten(out, capture, root, c)
		}
		return out
	}
	at := root + pointerOf(e.InstanceLocation)
	add := func(ptr, format string, args ...any) {
		out = append(out, Violation{Capture: capture, Pointer: ptr, Message: fmt.Sprintf(format, args...)})
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, p := range k.Missing {
			add(at+"/"+escapePointer(p), "missing property %q", p)
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			add(at+"/"+escapePointer(p), "property %q is not allowed", p)
		}
	case *kind.Dependency:
		for _, p := range k.Missing {
			add(at+"/"+escapePointer(p), "missing property %q (required when %q is present)", p, k.Prop)
		}
	case *kind.DependentRequired:
		for _, p := range k.Missing {
			add(at+"/"+escapePointer(p), "missing property %q (required when %q is present)", p, k.Prop)
		}
	case *kind.PropertyNames:
		add(at+"/"+escapePointer(k.Property), "property name %q is not allowed", k.Property)
	default:
		add(at, "%s", describe(e.ErrorKind))
	}
	return out
}

// isLeaf reports kinds whose causes only explain them further.
func isLeaf(k jsonschema.ErrorKind) bool {
	switch k.(type) {
	case *kind.PropertyNames, *kind.Contains, *kind.MinContains, *kind.MaxContains, *kind.Not:
		return true
	}
	return false
}

// describe says in English what a leaf error kind means.
func describe(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("want %s, got %s", strings.Join(k.Want, " or "), k.Got)
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = display(w)
		}
		return fmt.Sprintf("value %s is not one of %s", display(k.Got), strings.Join(want, ", "))
	case *kind.Const:
		return fmt.Sprintf("value %s is not %s", display(k.Got), display(k.Want))
	case *kind.Format:
		return fmt.Sprintf("%s is not a valid %s", display(k.Got), k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("length %d is below minLength %d", k.Got, k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("length %d exceeds maxLength %d", k.Got, k.Want)
	case *kind.Pattern:
		return fmt.Sprintf("%q does not match pattern %q", k.Got, k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("%s is less than minimum %s", rat(k.Got), rat(k.Want))
	case *kind.Maximum:
		return fmt.Sprintf("%s is greater than maximum %s", rat(k.Got), rat(k.Want))
	case *kind.ExclusiveMinimum:
		return fmt.Sprintf("%s is not greater than exclusiveMinimum %s", rat(k.Got), rat(k.Want))
	case *kind.ExclusiveMaximum:
		return fmt.Sprintf("%s is not less than exclusiveMaximum %s", rat(k.Got), rat(k.Want))
	case *kind.MultipleOf:
		return fmt.Sprintf("%s is not a multiple of %s", rat(k.Got), rat(k.Want))
	case *kind.MinItems:
		return fmt.Sprintf("%d items, want at least %d", k.Got, k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("%d items, want at most %d", k.Got, k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("%d properties, want at least %d", k.Got, k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("%d properties, want at most %d", k.Got, k.Want)
	case *kind.AdditionalItems:
		return fmt.Sprintf("%d additional items are not allowed", k.Count)
	case *kind.UniqueItems:
		return fmt.Sprintf("items %d and %d are equal, want unique items", k.Duplicates[0], k.Duplicates[1])
	case *kind.Contains:
		return "no item matches the contains schema"
	case *kind.FalseSchema:
		return "no value is allowed here"
	case *kind.Not:
		return `value matches the "not" schema`
	case *kind.OneOf:
		if len(k.Subschemas) >= 2 {
			return fmt.Sprintf("value matches more than one oneOf alternative (%d and %d)", k.Subschemas[0], k.Subschemas[1])
		}
		return "value matches no oneOf alternative"
	case *kind.AnyOf:
		return "value matches no anyOf alternative"
	}
	// Anything rarer: the library's own English.
	if u := (&jsonschema.ValidationError{ErrorKind: k}).BasicOutput(); u != nil && u.Error != nil {
		return u.Error.String()
	}
	return fmt.Sprintf("%T", k)
}

// display renders a JSON value for a message, shortened if long.
func display(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	const limit = 60
	if s := []rune(string(b)); len(s) > limit {
		return string(s[:limit]) + "…"
	}
	return string(b)
}

func rat(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	f, _ := r.Float64()
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonType names the JSON type of a value decoded by jsonschema.UnmarshalJSON.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number, float64, int, int64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}
