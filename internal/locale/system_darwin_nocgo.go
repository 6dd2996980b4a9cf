//go:build darwin && !cgo

package locale

// A macOS build without cgo (the command-line kirodesk cross-compiled) cannot
// ask CoreFoundation; it reads the environment like Linux does, which
// Terminal sets (LANG) and Finder does not, and else shows English. The
// desktop app and the tray are cgo builds on macOS and use
// system_darwin.go.
func systemLanguages(getenv func(string) string) []string { return envLanguage(getenv) }
