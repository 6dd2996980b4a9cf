package i18n

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"

	"kirodesk/internal/locale"
)

// pluralKeys are the CLDR plural forms a message object may have; the other
// keys (description, hash) are for translators.
var pluralKeys = []string{"zero", "one", "two", "few", "many", "other"}

var templateVar = regexp.MustCompile(`\{\{-?\s*\.(\w+)`)

// Check reads every active.*.json at the root of fsys and returns what is
// wrong, one line each, or nothing: a language of locale.Langs without its
// file, a file of a language Kirodesk does not have, a message ID missing
// from a language or present only in one, a message without its "other"
// form, and a form whose template variables differ from the English
// message's.
func Check(fsys fs.FS) []string {
	var problems []string
	files := map[string]map[string]map[string]string{} // lang -> id -> form -> text
	seen := map[string]bool{}                          // a file was there, readable or not
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return []string{err.Error()}
	}
	for _, e := range entries {
		tag, ok := languageOfFile(e.Name())
		if !ok {
			continue
		}
		if !slices.Contains(locale.Langs, locale.Lang(tag)) {
			problems = append(problems, fmt.Sprintf("%s: %s is not one of Kirodesk's languages", e.Name(), tag))
			continue
		}
		seen[tag] = true
		msgs, err := readMessages(fsys, e.Name())
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", e.Name(), err))
			continue
		}
		files[tag] = msgs
	}
	for _, l := range locale.Langs {
		if !seen[string(l)] {
			problems = append(problems, fmt.Sprintf("%s is missing", FileName(l)))
		}
	}
	en := files[string(locale.English)]
	for _, l := range locale.Langs {
		msgs, ok := files[string(l)]
		if !ok {
			continue
		}
		for _, id := range sortedKeys(msgs) {
			forms := msgs[id]
			if _, ok := forms["other"]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %s has no \"other\" form", FileName(l), id))
			}
			ref, inEnglish := en[id]
			if !inEnglish {
				if l != locale.English {
					problems = append(problems, fmt.Sprintf("%s: %s is not in %s", FileName(l), id, FileName(locale.English)))
				}
				continue
			}
			want := vars(ref["other"])
			for _, form := range sortedKeys(forms) {
				if got := vars(forms[form]); !slices.Equal(got, want) {
					problems = append(problems, fmt.Sprintf("%s: %s (%s) uses %v, English uses %v", FileName(l), id, form, got, want))
				}
			}
		}
		if l == locale.English {
			continue
		}
		for _, id := range sortedKeys(en) {
			if _, ok := msgs[id]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %s is missing", FileName(l), id))
			}
		}
	}
	return problems
}

// readMessages reads a flat go-i18n JSON file: each ID maps to a string
// (the "other" form) or to an object of plural forms.
func readMessages(fsys fs.FS, name string) (map[string]map[string]string, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = map[string]string{"other": s}
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal(v, &obj); err != nil {
			return nil, fmt.Errorf("%s: neither a string nor an object of strings", id)
		}
		forms := map[string]string{}
		for k, text := range obj {
			switch {
			case slices.Contains(pluralKeys, k):
				forms[k] = text
			case k == "description" || k == "hash":
			default:
				return nil, fmt.Errorf("%s: unknown member %q", id, k)
			}
		}
		out[id] = forms
	}
	return out, nil
}

// vars lists a template's {{.Name}} variables, sorted, each once.
func vars(text string) []string {
	set := map[string]bool{}
	for _, m := range templateVar.FindAllStringSubmatch(text, -1) {
		set[m[1]] = true
	}
	out := slices.Collect(maps.Keys(set))
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return keys
}

// IDs lists the message IDs of a language's file, sorted; tests use it to
// find an ID the code never asks for.
func IDs(fsys fs.FS, l locale.Lang) ([]string, error) {
	msgs, err := readMessages(fsys, FileName(l))
	if err != nil {
		return nil, err
	}
	return sortedKeys(msgs), nil
}
