package transtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"kirodesk/internal/canon"
)

// InPlace checks a front end's in-place parse (the caller owns the body)
// against its ordinary one: a copy of body parsed in place gives the same
// refusal, word for word (positions included), or the same result,
// compared as JSON values (a value rewritten in place is written out again
// from the tree, with other escapes than the client's).
func InPlace[R any](t *testing.T, body []byte, parse func(body []byte, inPlace bool) (R, error)) {
	t.Helper()
	want, wantErr := parse(body, false)
	owned := bytes.Clone(body)
	got, gotErr := parse(owned, true)
	if wantErr != nil || gotErr != nil {
		if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
			t.Fatalf("parsed in place: error %v, want %v", gotErr, wantErr)
		}
		return
	}
	if a, b := asJSONValue(t, want), asJSONValue(t, got); !reflect.DeepEqual(a, b) {
		t.Fatalf("parsed in place:\n%s\nwant\n%s", DumpJSON(t, got), DumpJSON(t, want))
	}
}

// Accepted is what a fuzz target asks of a front end for one input:
// parsed in place, it gives what the ordinary parse gives (InPlace), and a
// refusal is a *RequestError with a message and no request (Refusal). It
// returns the request the ordinary parse accepted, or nil. parse returns
// what the two parses must agree on, and the request.
func Accepted[R any](t *testing.T, body []byte, parse func(body []byte, inPlace bool) (R, *canon.Request, error)) *canon.Request {
	t.Helper()
	var req *canon.Request
	var err error
	InPlace(t, body, func(b []byte, inPlace bool) (R, error) {
		v, r, e := parse(b, inPlace)
		if !inPlace {
			req, err = r, e
		}
		return v, e
	})
	if err != nil {
		Refusal(t, err, req != nil)
		return nil
	}
	return req
}

func asJSONValue(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// LongEscaped is string contents long enough to be parsed in place, with
// every kind of escape JSON has: seeds for the in-place comparisons.
var LongEscaped = strings.Repeat(`Run the tests.\n\t\"go test\" \u00e9 \ud83d\ude00 \ud83d \/ \\ \b\f\r\n`, 4)
