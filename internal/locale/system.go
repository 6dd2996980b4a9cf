package locale

import "os"

// System returns the system's languages, most wanted first, as the OS spells
// them (Effective and Match read both POSIX names and BCP 47 tags). It may be
// empty: then English is shown.
func System() []string { return systemLanguages(os.Getenv) }

// envLanguage is the Unix rule: the first of LC_ALL, LC_MESSAGES and LANG that
// names a language. Unlike setlocale, a variable set to C or POSIX is passed
// over rather than obeyed: it usually means "plain bytes" (a service unit, a
// build script), not "show me English", and a later variable may still say
// what the person reads. LANGUAGE, gettext's own list, is not read: it is
// gettext's, and Kirodesk's rule is the one above.
func envLanguage(getenv func(string) string) []string {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if _, ok := parseTag(v); ok {
				return []string{v}
			}
		}
	}
	return nil
}
