// Package docs checks that README.md says what is there. Its test (run by
// `make test`) compares the README with the Makefile's targets, the
// commands and flags internal/cli accepts, config.json's keys and defaults
// (internal/store.Config) and go.mod's direct requires. This file holds the
// checking functions; they take text and plain lists, so each can be shown
// to fail on a small fake README.
package docs

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Section returns the text under the heading that is exactly heading (e.g.
// "## Commands"), up to the next heading of the same or a higher level.
func Section(md, heading string) (string, error) {
	level := strings.IndexFunc(heading, func(r rune) bool { return r != '#' })
	lines := strings.Split(md, "\n")
	start := slices.Index(lines, heading)
	if level < 1 || start < 0 {
		return "", fmt.Errorf("the README has no heading %q", heading)
	}
	var out []string
	fenced := false
	for _, l := range lines[start+1:] {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
		}
		if !fenced && strings.HasPrefix(l, "#") {
			if n := strings.IndexFunc(l, func(r rune) bool { return r != '#' }); n <= level && strings.HasPrefix(l[n:], " ") {
				break
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n"), nil
}

var (
	fenceRE = regexp.MustCompile("(?ms)^```[a-z]*\n(.*?)^```")
	spanRE  = regexp.MustCompile("`([^`]+)`")
)

// Code returns the fenced blocks and the inline code spans of md, in order
// of kind (blocks first). A span may wrap across a line.
func Code(md string) []string {
	var out []string
	for _, m := range fenceRE.FindAllStringSubmatch(md, -1) {
		out = append(out, m[1])
	}
	for _, m := range spanRE.FindAllStringSubmatch(fenceRE.ReplaceAllString(md, ""), -1) {
		out = append(out, m[1])
	}
	return out
}

// Table returns the rows of the first Markdown table in md, header and
// separator left out, each row's cells trimmed. A "|" inside a code span
// does not split a cell.
func Table(md string) [][]string {
	var rows [][]string
	in := false
	for _, l := range strings.Split(md, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "|") {
			if in {
				break
			}
			continue
		}
		if !in {
			in = true // the header
			continue
		}
		cells := splitRow(l)
		if len(cells) > 0 && strings.Trim(strings.Join(cells, ""), "-: ") == "" {
			continue // the separator
		}
		rows = append(rows, cells)
	}
	return rows
}

func splitRow(l string) []string {
	l = strings.TrimSuffix(strings.TrimPrefix(l, "|"), "|")
	var cells []string
	var cur strings.Builder
	code := false
	for _, r := range l {
		switch {
		case r == '`':
			code = !code
		case r == '|' && !code:
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func spans(s string) []string {
	var out []string
	for _, m := range spanRE.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}

var (
	makeUseRE  = regexp.MustCompile(`(?:^|[\s(])make\s+([a-z][a-z0-9_-]*)`)
	makeRuleRE = regexp.MustCompile(`(?m)^([A-Za-z0-9_-]+(?:[ \t]+[A-Za-z0-9_-]+)*)[ \t]*:(?:[^=]|$)`)
)

// MakeTargets returns the targets the Makefile has a rule for.
func MakeTargets(makefile string) []string {
	var out []string
	for _, m := range makeRuleRE.FindAllStringSubmatch(makefile, -1) {
		out = append(out, strings.Fields(m[1])...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckMakeTargets reports every `make X` in the README's code (inline or
// fenced) whose X the Makefile has no rule for.
func CheckMakeTargets(readme, makefile string) []string {
	have := MakeTargets(makefile)
	var problems []string
	seen := map[string]bool{}
	for _, c := range Code(readme) {
		for _, m := range makeUseRE.FindAllStringSubmatch(c, -1) {
			if t := m[1]; !seen[t] && !slices.Contains(have, t) {
				seen[t] = true
				problems = append(problems, fmt.Sprintf("the README names `make %s`, but the Makefile has no target %s", t, t))
			}
		}
	}
	return problems
}

var (
	wordsRE = regexp.MustCompile(`^\[?([a-z][a-z0-9-]*(?:\|[a-z][a-z0-9-]*)*)\]?$`)
	flagRE  = regexp.MustCompile(`--([a-z][a-z0-9-]*)`)
)

// Commands reads a command list: the lines of section's fenced blocks that
// start with "kirodesk". A line's synopsis ends at the first two spaces in a
// row (the description follows). The word after "kirodesk" is the command,
// unless it is an option; the next, if it is lowercase words joined by "|"
// (optionally in brackets), are its subcommands. It returns each form
// ("" for bare kirodesk, "serve", "login google") with the flags its
// lines name.
func Commands(section string) map[string][]string {
	forms := map[string][]string{}
	for _, block := range fenceRE.FindAllStringSubmatch(section, -1) {
		for _, l := range strings.Split(block[1], "\n") {
			if !strings.HasPrefix(l, "kirodesk") {
				continue
			}
			synopsis, _, _ := strings.Cut(l, "  ")
			tok := strings.Fields(synopsis)
			var names []string
			if len(tok) > 1 && wordsRE.MatchString(tok[1]) && !strings.HasPrefix(tok[1], "[") {
				names = []string{tok[1]}
				if len(tok) > 2 {
					if m := wordsRE.FindStringSubmatch(tok[2]); m != nil {
						names = nil
						for _, s := range strings.Split(m[1], "|") {
							names = append(names, tok[1]+" "+s)
						}
					}
				}
			} else {
				names = []string{""}
			}
			var flags []string
			for _, m := range flagRE.FindAllStringSubmatch(synopsis, -1) {
				flags = append(flags, m[1])
			}
			for _, n := range names {
				forms[n] = append(forms[n], flags...)
			}
		}
	}
	for n, f := range forms {
		slices.Sort(f)
		forms[n] = slices.Compact(f)
	}
	return forms
}

// CheckCommands compares the README's command list with the CLI: forms
// are what it accepts and flags(form) the flags of each. Both ways: a form
// or flag the README names must exist, and each one that exists must be in
// the README.
func CheckCommands(section string, forms []string, flags func(form string) []string) []string {
	readme := Commands(section)
	var problems []string
	for _, form := range sortedKeys(readme) {
		if !slices.Contains(forms, form) {
			problems = append(problems, fmt.Sprintf("the README lists `%s`, which the CLI does not accept", strings.TrimSpace("kirodesk "+form)))
			continue
		}
		for _, f := range readme[form] {
			if !slices.Contains(flags(form), f) {
				problems = append(problems, fmt.Sprintf("the README gives `%s` the flag --%s, which it does not accept", strings.TrimSpace("kirodesk "+form), f))
			}
		}
	}
	for _, form := range forms {
		got, ok := readme[form]
		if !ok {
			problems = append(problems, fmt.Sprintf("the CLI accepts `%s`, which the README's command list does not show", strings.TrimSpace("kirodesk "+form)))
			continue
		}
		for _, f := range flags(form) {
			if !slices.Contains(got, f) {
				problems = append(problems, fmt.Sprintf("`%s` accepts --%s, which the README's command list does not show", strings.TrimSpace("kirodesk "+form), f))
			}
		}
	}
	return problems
}

// JSONKeys returns the keys v's type encodes to, nested structs as dotted
// paths ("upstream.apiBase"), each with v's value rendered as the README
// writes a default: a string as is ("" when empty), a number or bool in
// Go's format, an empty map as {}. Fields tagged "-" are left out; an untagged exported field
// counts under its Go name, as encoding/json would write it.
func JSONKeys(v any) map[string]string {
	out := map[string]string{}
	jsonKeys(reflect.ValueOf(v), "", out)
	return out
}

func jsonKeys(v reflect.Value, prefix string, out map[string]string) {
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct {
			jsonKeys(fv, prefix+name+".", out)
			continue
		}
		out[prefix+name] = render(fv)
	}
}

func render(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Map:
		if v.Len() == 0 {
			return "{}" // as config.json writes no entries
		}
	}
	return fmt.Sprint(v.Interface())
}

// CheckSettings compares the settings table (columns: key, meaning,
// default, valid values) with keys, config.json's keys and their defaults
// (JSONKeys of the defaults). Both ways; a row's key is its first cell's
// one code span, its default cell must hold the default as a code span,
// and no cell may be empty.
func CheckSettings(section string, keys map[string]string) []string {
	var problems []string
	listed := map[string]bool{}
	for _, row := range Table(section) {
		k := spans(row[0])
		if len(k) != 1 || len(row) != 4 {
			problems = append(problems, fmt.Sprintf("settings row %q: want one `key` and four cells (key, meaning, default, valid values)", strings.Join(row, " | ")))
			continue
		}
		key := k[0]
		listed[key] = true
		def, ok := keys[key]
		if !ok {
			problems = append(problems, fmt.Sprintf("the README's settings name `%s`, which config.json does not have", key))
			continue
		}
		if row[1] == "" || row[3] == "" {
			problems = append(problems, fmt.Sprintf("setting `%s`: its meaning and valid values must be said", key))
		}
		if !slices.Contains(spans(row[2]), def) {
			problems = append(problems, fmt.Sprintf("setting `%s`: the default is `%s`, the README says %q", key, def, row[2]))
		}
	}
	for _, key := range sortedKeys(keys) {
		if !listed[key] {
			problems = append(problems, fmt.Sprintf("config.json has `%s`, which the README's settings table does not list", key))
		}
	}
	return problems
}

// GoModRequires returns the modules go.mod requires directly (those not
// marked "// indirect").
func GoModRequires(gomod string) []string {
	var out []string
	block := false
	for _, l := range strings.Split(gomod, "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "require (":
			block = true
			continue
		case block && l == ")":
			block = false
			continue
		case strings.HasPrefix(l, "require "):
			l = strings.TrimSpace(strings.TrimPrefix(l, "require "))
		case !block:
			continue
		}
		if f := strings.Fields(l); len(f) >= 2 && !strings.Contains(l, "// indirect") {
			out = append(out, f[0])
		}
	}
	return out
}

// goModuleRE is a Go module path: a first element with a dot, then more.
var goModuleRE = regexp.MustCompile(`^[a-z0-9-]+(\.[a-z0-9-]+)+/[A-Za-z0-9._/-]+$`)

// CheckDependencies compares the dependency table (columns: what, why)
// with go.mod's direct requires, both ways. The Go modules of a row are the
// code spans of its first cell that are module paths; its why must be said.
func CheckDependencies(section, gomod string) []string {
	var problems []string
	listed := map[string]bool{}
	for _, row := range Table(section) {
		for _, s := range spans(row[0]) {
			if !goModuleRE.MatchString(s) {
				continue
			}
			listed[s] = true
			if len(row) < 2 || row[1] == "" {
				problems = append(problems, fmt.Sprintf("dependency `%s`: the README does not say why", s))
			}
		}
	}
	requires := GoModRequires(gomod)
	for _, m := range sortedKeys(listed) {
		if !slices.Contains(requires, m) {
			problems = append(problems, fmt.Sprintf("the README lists `%s`, which go.mod does not require directly", m))
		}
	}
	for _, m := range requires {
		if !listed[m] {
			problems = append(problems, fmt.Sprintf("go.mod requires `%s`, which the README's dependency table does not list with why", m))
		}
	}
	return problems
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
