//go:build windows

package locale

import "golang.org/x/sys/windows"

// On Windows the language is the user's display language list
// (GetUserPreferredUILanguages: the Settings app's "Windows display
// language" first, then the languages added after it), not the environment:
// GUI programs get no LANG. A variable set anyway (a person running the
// command line from an MSYS shell) is not asked for: the window and the tray
// would disagree with the rest of the desktop.
func systemLanguages(func(string) string) []string {
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil {
		return nil
	}
	return langs
}
