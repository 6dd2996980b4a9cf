//go:build !windows && !darwin

package locale

// On Linux and the BSDs the language is the environment's.
func systemLanguages(getenv func(string) string) []string { return envLanguage(getenv) }
