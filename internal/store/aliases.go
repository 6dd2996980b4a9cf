package store

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"kirodesk/internal/kiro/payload"
)

// Limits of the model aliases (config.json "modelAliases").
const (
	MaxAliasName = 128 // characters of a client's model name
	MaxAliases   = 200 // entries; a person's table, not a catalogue
)

// What is wrong with an alias, as AliasError.Code: a UI says it in its
// own language from these.
const (
	AliasEmpty     = "empty"     // no name
	AliasTooLong   = "tooLong"   // more than MaxAliasName characters
	AliasSpace     = "space"     // space before or after
	AliasControl   = "control"   // a control character, or not UTF-8
	AliasShadows   = "shadows"   // already a Kiro model's name (Model says which)
	AliasNoTarget  = "noTarget"  // no Kiro model chosen
	AliasBadTarget = "badTarget" // not a Kiro model id
	AliasTooMany   = "tooMany"   // more than MaxAliases entries
)

// AliasError is a refused alias name or target.
type AliasError struct {
	Code  string
	Model string // for AliasShadows: the Kiro model the name already is
	msg   string
}

func (e *AliasError) Error() string { return e.msg }

func aliasErr(code, format string, args ...any) *AliasError {
	return &AliasError{Code: code, msg: fmt.Sprintf(format, args...)}
}

// AliasTargets are the Kiro models an alias may point at: the ids of the
// built-in catalogue ("auto" among them). An account's own catalogue may
// list more, but config.json is checked on load, before any account is
// asked, so the check knows what the code knows.
func AliasTargets() []string {
	cat := payload.BuiltinModels()
	out := make([]string, len(cat))
	for i, m := range cat {
		out[i] = m.ID
	}
	return out
}

// checkAliases validates modelAliases and unknownModelAlias; each refusal
// names its entry.
func checkAliases(aliases map[string]string, unknown string) []error {
	var errs []error
	if len(aliases) > MaxAliases {
		errs = append(errs, fmt.Errorf("modelAliases has %d entries, at most %d are allowed", len(aliases), MaxAliases))
	}
	folded := map[string]string{} // lower-cased name -> the name as written
	for _, name := range slices.Sorted(maps.Keys(aliases)) {
		if err := CheckAliasName(name); err != nil {
			errs = append(errs, fmt.Errorf("modelAliases[%s]: %w", quoteShort(name), err))
			continue
		}
		if other, dup := folded[strings.ToLower(name)]; dup {
			errs = append(errs, fmt.Errorf("modelAliases[%s]: the same name as %q apart from case; model names match whatever their case", quoteShort(name), other))
			continue
		}
		folded[strings.ToLower(name)] = name
		if err := CheckAliasTarget(aliases[name]); err != nil {
			errs = append(errs, fmt.Errorf("modelAliases[%s]: %w", quoteShort(name), err))
		}
	}
	if unknown != "" {
		if err := CheckAliasTarget(unknown); err != nil {
			errs = append(errs, fmt.Errorf("unknownModelAlias: %w (or \"\" to refuse unknown names)", err))
		}
	}
	return errs
}

// CheckAliasName accepts a client's model name as an alias: not empty, at
// most MaxAliasName characters, no surrounding space, no control
// characters, and not a name Kiro's catalogue already answers to (an alias
// must never hide a real model).
func CheckAliasName(name string) error {
	switch {
	case name == "":
		return aliasErr(AliasEmpty, "the alias name is empty")
	case !utf8.ValidString(name):
		return aliasErr(AliasControl, "the alias name is not valid UTF-8")
	case utf8.RuneCountInString(name) > MaxAliasName:
		return aliasErr(AliasTooLong, "the alias name is %d characters long, at most %d are allowed", utf8.RuneCountInString(name), MaxAliasName)
	case strings.TrimSpace(name) != name:
		return aliasErr(AliasSpace, "the alias name starts or ends with a space")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return aliasErr(AliasControl, "the alias name holds a control character")
	}
	if id, ok := ShadowedModel(name); ok {
		e := aliasErr(AliasShadows, "%q is already Kiro's model %q; an alias cannot hide a real model", name, id)
		e.Model = id
		return e
	}
	return nil
}

// ShadowedModel reports the Kiro model a name already reaches without an
// alias (exactly, or as the builder normalises it: "claude-sonnet-4-5",
// "Claude Sonnet 4.5"), if any.
func ShadowedModel(name string) (string, bool) {
	cat := payload.BuiltinModels()
	m, ok := cat.Lookup(payload.NormalizeModel(name, cat))
	return m.ID, ok
}

// CheckAliasTarget accepts a Kiro model id from AliasTargets, spelled as
// the catalogue spells it.
func CheckAliasTarget(target string) error {
	if slices.Contains(AliasTargets(), target) {
		return nil
	}
	if target == "" {
		return aliasErr(AliasNoTarget, "no Kiro model chosen; one of %s", strings.Join(AliasTargets(), ", "))
	}
	return aliasErr(AliasBadTarget, "%s is not a Kiro model; one of %s", quoteShort(target), strings.Join(AliasTargets(), ", "))
}

// quoteShort quotes a name for a message, cut to a readable length: a
// hostile file may hold a megabyte-long key.
func quoteShort(s string) string {
	const most = 80
	if utf8.RuneCountInString(s) > most {
		r := []rune(strings.ToValidUTF8(s, "\uFFFD"))
		return fmt.Sprintf("%q…", string(r[:most]))
	}
	return fmt.Sprintf("%q", s)
}

// Alias returns the Kiro model the aliases send name to: the entry whose
// name equals it, else the one equal apart from case (checkAliases
// refuses two of those), else the unknown-name alias when known(name) is
// false. ok is false when no alias applies: the name goes on as it is.
func (c *Config) Alias(name string, known func(string) bool) (target string, ok bool) {
	if t, ok := c.ModelAliases[name]; ok {
		return t, true
	}
	for n, t := range c.ModelAliases {
		if strings.EqualFold(n, name) {
			return t, true
		}
	}
	if c.UnknownModelAlias != "" && known != nil && !known(name) {
		return c.UnknownModelAlias, true
	}
	return "", false
}
