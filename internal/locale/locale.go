// Package locale owns Kirodesk's language: the person's preference as it is
// written in config.json (Preference), the system's language (System), and
// the match of either against the languages Kirodesk has catalogs for
// (Effective), done by golang.org/x/text/language's Matcher rather than by
// comparing strings, so "zh_CN.UTF-8", "zh-Hans" and "zh-SG" all land on
// zh-CN and an English variant on en.
//
// Everything here is safe for concurrent use. System reads the process
// environment (Linux) or asks the OS (Windows, macOS) on every call: the
// answer is cheap and a person may change it while Kirodesk runs.
package locale

import (
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"kirodesk/internal/uitext"
)

// msgPreference refuses a language setting; the window shows it in its
// language (frontend/src/i18n, "gotext.config").
var msgPreference = uitext.Define("config.language", "language {{value}} is not system, en or zh-CN")

// Preference is the validated value of config.json's "language".
type Preference string

// The preferences a person can choose.
const (
	// PreferSystem follows the system's language; it is also what an absent
	// or empty "language" means.
	PreferSystem  Preference = "system"
	PreferEnglish Preference = "en"
	PreferChinese Preference = "zh-CN"
)

// Preferences lists the valid preferences, in the order a setting offers them.
var Preferences = []Preference{PreferSystem, PreferEnglish, PreferChinese}

// Lang is a language Kirodesk has catalogs for: what a preference resolves
// to. Its value is a BCP 47 tag, the catalogs' file names and the frontend's
// i18next language use the same spelling.
type Lang string

// The languages with catalogs; English is the fallback.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Langs lists the languages with catalogs, the fallback first.
var Langs = []Lang{English, Chinese}

// Tag returns l as a language.Tag (English for an unknown value).
func (l Lang) Tag() language.Tag {
	if l == Chinese {
		return zhCN
	}
	return language.English
}

var (
	zhCN    = language.MustParse("zh-CN")
	matcher = language.NewMatcher([]language.Tag{language.English, zhCN})
)

// ParsePreference checks a config value: "" means PreferSystem; anything
// outside Preferences is refused with a message naming the valid ones.
func ParsePreference(s string) (Preference, error) {
	if s == "" {
		return PreferSystem, nil
	}
	for _, p := range Preferences {
		if string(p) == s {
			return p, nil
		}
	}
	return "", msgPreference.Err("value", strconv.Quote(s))
}

// Match returns the language with catalogs that best serves a person whose
// languages are tags, most wanted first (BCP 47 tags or POSIX locale names
// such as "zh_CN.UTF-8"). Values that do not parse are skipped; nothing that
// matches means English.
//
// Traditional Chinese (zh-TW, zh-HK, zh-Hant) gets Simplified Chinese: the
// Matcher rates that pair "Low" rather than "No", because CLDR's language
// matching data holds Simplified Chinese an acceptable fallback for a
// Traditional reader, and such a reader reads it more readily than English.
// Anyone who prefers English sets it.
func Match(tags ...string) Lang {
	var want []language.Tag
	for _, s := range tags {
		if t, ok := parseTag(s); ok {
			want = append(want, t)
		}
	}
	if len(want) == 0 {
		return English
	}
	_, i, conf := matcher.Match(want...)
	if conf == language.No {
		return English
	}
	return Langs[i]
}

// Effective is the language shown for a preference: the preference itself
// when it names one, else the system's languages matched.
func Effective(p Preference, system []string) Lang {
	switch p {
	case PreferEnglish:
		return English
	case PreferChinese:
		return Chinese
	}
	return Match(system...)
}

// parseTag reads a BCP 47 tag or a POSIX locale name (language[_TERRITORY]
// [.codeset][@modifier]). The C and POSIX locales name no language.
func parseTag(s string) (language.Tag, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, ".@"); i >= 0 {
		s = s[:i]
	}
	if s == "" || s == "C" || s == "POSIX" {
		return language.Und, false
	}
	t, err := language.Parse(strings.ReplaceAll(s, "_", "-"))
	if err != nil || t == language.Und {
		return language.Und, false
	}
	return t, true
}
