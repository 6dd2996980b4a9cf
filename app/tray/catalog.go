package main

import (
	"embed"
	"io/fs"

	"kirodesk/app/i18n"
)

// The tray's own catalog (design.md: the tray gets its strings from its own
// catalog): one go-i18n file per language in i18n/, embedded. The app sends
// the language in each State; the tray translates, so the app never needs
// to know a menu label.
//
//go:embed i18n/active.*.json
var catalogFiles embed.FS

// catalogFS is the folder of message files, as i18n.Load and i18n.Check read it.
func catalogFS() fs.FS {
	sub, err := fs.Sub(catalogFiles, "i18n")
	if err != nil {
		panic(err) // a constant path in an embedded FS
	}
	return sub
}

var catalog = i18n.MustLoad(catalogFS())
