package openai

import (
	"errors"

	"kirodesk/internal/translate/jsontree"
)

// The request body tree is shared with the other client API's translator
// (internal/translate/jsontree); these names keep this package's code short.
type value = jsontree.Value

const (
	jsonNull   = jsontree.Null
	jsonBool   = jsontree.Bool
	jsonNumber = jsontree.Number
	jsonString = jsontree.String
	jsonArray  = jsontree.Array
	jsonObject = jsontree.Object
	maxDepth   = jsontree.MaxDepth
)

func present(v *value) bool { return jsontree.Present(v) }

func position(body []byte, off int) string { return jsontree.Position(body, off) }

// parseTree parses body, turning a JSON error into this package's RequestError.
func parseTree(body []byte) (*value, error) {
	v, err := jsontree.Parse(body)
	var je *jsontree.Error
	if errors.As(err, &je) {
		return nil, &RequestError{Message: je.Message}
	}
	return v, err
}
