// Package uitext gives every text Go writes for the window (store notices,
// diagnostics, account reasons, import notes, ...) a stable code and named
// arguments beside its English. The window renders the code through its
// catalogs (frontend/src/i18n, namespace "gotext") in the person's language
// and falls back to the English for a code it does not know; logs, the CLI
// and API error bodies keep the English.
//
// A message is defined once, as a package-level value, with its English
// template:
//
//	var msgFree = uitext.Define("doctor.port.free", "{{addr}} is free")
//	c.DetailText = msgFree.With("addr", addr)
//
// Placeholders are i18next's {{name}}, so the English template is the
// en.json entry verbatim; a test in app/ checks both catalogs have every
// defined code with the same placeholders.
package uitext

import (
	"errors"
	"regexp"
	"slices"
	"strings"
)

// Text is one text for the window: Code and Args for the catalogs, Text the
// English (what logs and the CLI show, and the window's fallback). A Text
// with no Code is shown as is.
type Text struct {
	Code string            `json:"code,omitempty"`
	Args map[string]string `json:"args,omitempty"`
	Text string            `json:"text"`
}

// String is the English.
func (t Text) String() string { return t.Text }

// Plain is a text with no code: Go's own words (an error from the OS or the
// network), shown as is in every language.
func Plain(english string) Text { return Text{Text: english} }

// Msg is a defined message: a code and its English template.
type Msg struct{ code, english string }

var (
	codeRE        = regexp.MustCompile(`^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$`)
	placeholderRE = regexp.MustCompile(`\{\{\s*([a-zA-Z0-9_]+)[^}]*\}\}`)
)

// Define makes a message from its code and English template. Codes are
// dotted lowerCamel words ("doctor.port.free") and one code has one
// template: TestEveryGoTextCodeIsInTheWindowCatalogs (app/) reads every
// Define call in the source, so a malformed or doubled code, or one
// missing from a catalog, fails there rather than at run time. Nothing is
// registered: a Msg is a plain value.
func Define(code, english string) Msg {
	return Msg{code: code, english: english}
}

// ValidCode reports whether code is dotted lowerCamel words, the form
// Define's codes take.
func ValidCode(code string) bool { return codeRE.MatchString(code) }

// Code is the message's code.
func (m Msg) Code() string { return m.code }

// With fills the message: kv are name, value pairs for the placeholders.
// A placeholder with no value is left as written, so a missing argument is
// visible rather than silently empty.
func (m Msg) With(kv ...string) Text {
	t := Text{Code: m.code, Text: m.english}
	if len(kv) == 0 {
		return t
	}
	t.Args = make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		t.Args[kv[i]] = kv[i+1]
	}
	t.Text = placeholderRE.ReplaceAllStringFunc(m.english, func(p string) string {
		name := placeholderRE.FindStringSubmatch(p)[1]
		if v, ok := t.Args[name]; ok {
			return v
		}
		return p
	})
	return t
}

// Placeholders returns the sorted, distinct placeholder names of a template.
func Placeholders(template string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(template, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Join is the English of several texts, joined by sep (for logs and the
// CLI).
func Join(ts []Text, sep string) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Text
	}
	return strings.Join(s, sep)
}

// Strings is the English of each text.
func Strings(ts []Text) []string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = t.Text
	}
	return s
}

// Error is an error whose message the window can translate: Error() is
// the English (logs, the CLI, API bodies), Text the code and values.
type Error struct{ Text Text }

func (e *Error) Error() string { return e.Text.Text }

// Err is the message as an error.
func (m Msg) Err(kv ...string) error { return &Error{Text: m.With(kv...)} }

// Texts are the texts of err for the window: one per error joined in it
// (errors.Join), each the coded text found inside it (through %w
// wrappers, whose own words are dropped: they are context for logs), or
// the error's English when it has none. An error with no coded text at
// all gives nil: show its English.
func Texts(err error) []Text {
	if err == nil {
		return nil
	}
	var out []Text
	coded := false
	for _, e := range leaves(err) {
		var ue *Error
		if errors.As(e, &ue) {
			out, coded = append(out, ue.Text), true
		} else {
			out = append(out, Plain(e.Error()))
		}
	}
	if !coded {
		return nil
	}
	return out
}

// leaves are the errors joined in err, looking through single wrappers.
func leaves(err error) []error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if _, ok := e.(*Error); ok {
			return []error{e}
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			var out []error
			for _, c := range j.Unwrap() {
				out = append(out, leaves(c)...)
			}
			return out
		}
	}
	return []error{err}
}

// ForWindow is a bound method's error as the window receives it (Wails'
// ErrorFormatter, and the web bridge of the browser tests): Go's English
// as before, or {message, texts} when Go wrote it with codes.
func ForWindow(err error) any {
	texts := Texts(err)
	if texts == nil {
		return err.Error()
	}
	return map[string]any{"message": err.Error(), "texts": texts}
}
