package contracts

import (
	"encoding/json"
	"errors"
)

// ErrInvalidDefinition is wrapped by every error about a malformed definition.
var ErrInvalidDefinition = errors.New("invalid integration definition")

// Parse reads a definition from JSON (the shape `bp read` prints) or YAML with
// the same fields. source names the input in errors ("definition.json"); its
// extension (.yaml/.yml) picks YAML, anything else is sniffed. Errors name the
// source, the line and the field.
func Parse(data []byte, source string) (*Definition, error) {
	// STUB: replaced by the contracts implementation.
	var d Definition
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	d.Source = source
	return &d, nil
}

// LoadFile reads and parses the definition at path.
func LoadFile(path string) (*Definition, error) {
	// STUB: replaced by the contracts implementation.
	return nil, errors.New("not implemented")
}
