package openai

import "kirodesk/internal/translate/jsontree"

// RequestError is a client mistake in a request body (see
// jsontree.FieldError): the same type for both client APIs.
type RequestError = jsontree.FieldError

// doc reads one request body's fields (jsontree.Doc); this package's
// parsing steps are its methods.
type doc struct {
	jsontree.Doc
}
