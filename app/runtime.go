package app

// Runtime is the part of the Wails runtime the app uses. Only run.go talks
// to the real one; tests use a recorder, so the bound methods run without a
// window.
type Runtime interface {
	EventsEmit(name string, data ...any)
	ClipboardSetText(text string) error
	ShowWindow()
	HideWindow()
	Quit()
	ErrorDialog(title, message string)
	// BrowserOpenURL opens a page in the person's browser (sign-in pages).
	BrowserOpenURL(url string)
	// SaveFileDialog asks where to save a file; "" when the person cancels.
	SaveFileDialog(title, defaultName string) (string, error)
}
