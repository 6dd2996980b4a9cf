// Package i18n holds the Go side's message catalogs and the one way to read
// them: go-i18n (github.com/nicksnyder/go-i18n/v2) bundles loaded from
// embedded JSON files, one file per language and side ("active.en.json",
// "active.zh-CN.json"), looked up by message ID for a locale.Lang.
//
// Two catalogs exist: App, in this folder, for what the app process shows
// outside the window (desktop notifications, the sign-in pages served to the
// browser, the window's own dialogs and notices), and the tray's, in
// app/tray/i18n, which the tray process loads with Load. The window's strings
// are the frontend's (frontend/src/i18n). API answers and the command line
// are never translated: clients and scripts parse them.
//
// Check is the completeness test both catalogs run: every ID in every
// language, with the same template variables.
//
// A Catalog is read-only once loaded and safe for concurrent use.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"kirodesk/internal/locale"
)

// Catalog is one side's messages in every language with catalogs.
type Catalog struct {
	bundle *goi18n.Bundle
	locs   map[locale.Lang]*goi18n.Localizer
}

// FileName is the message file of one language: active.<tag>.json.
func FileName(l locale.Lang) string { return "active." + string(l) + ".json" }

// Load reads FileName(l) for every locale.Langs from the root of fsys.
// A missing or malformed file is an error; a catalog whose languages differ
// in IDs loads, and Check reports it.
func Load(fsys fs.FS) (*Catalog, error) {
	b := goi18n.NewBundle(locale.English.Tag())
	c := &Catalog{bundle: b, locs: map[locale.Lang]*goi18n.Localizer{}}
	for _, l := range locale.Langs {
		if _, err := b.LoadMessageFileFS(fsys, FileName(l)); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", FileName(l), err)
		}
		// English after the language: a message missing in it (which Check
		// forbids) still shows, in English, rather than its ID.
		c.locs[l] = goi18n.NewLocalizer(b, string(l), string(locale.English))
	}
	return c, nil
}

// MustLoad is Load for embedded catalogs, whose errors are the build's.
func MustLoad(fsys fs.FS) *Catalog {
	c, err := Load(fsys)
	if err != nil {
		panic(err)
	}
	return c
}

// T returns message id in l, its {{.Name}} variables filled from data
// (key/value pairs: "Account", label, ...).
func (c *Catalog) T(l locale.Lang, id string, data ...any) string {
	return c.localize(l, &goi18n.LocalizeConfig{MessageID: id, TemplateData: pairs(data)})
}

// N is T for a message with plural forms chosen by count, which the
// template reads as {{.Count}}: an integer, or a decimal number formatted
// as a string ("388.5"; CLDR's plural rules look at its digits).
func (c *Catalog) N(l locale.Lang, id string, count any, data ...any) string {
	m := pairs(data)
	m["Count"] = count
	return c.localize(l, &goi18n.LocalizeConfig{MessageID: id, TemplateData: m, PluralCount: count})
}

func (c *Catalog) localize(l locale.Lang, cfg *goi18n.LocalizeConfig) string {
	loc := c.locs[l]
	if loc == nil {
		loc = c.locs[locale.English]
	}
	s, err := loc.Localize(cfg)
	if s == "" && err != nil {
		// An ID the catalogs lack: a bug the completeness test catches.
		// Showing the ID beats showing nothing.
		return cfg.MessageID
	}
	return s
}

func pairs(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2+1)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

//go:embed active.*.json
var appFiles embed.FS

// AppFiles are the app side's message files, for Check.
func AppFiles() fs.FS { return appFiles }

// App is the app side's catalog.
var App = MustLoad(appFiles)

// languageOfFile returns the tag in an active.<tag>.json name.
func languageOfFile(name string) (string, bool) {
	base := path.Base(name)
	if !strings.HasPrefix(base, "active.") || !strings.HasSuffix(base, ".json") {
		return "", false
	}
	tag := strings.TrimSuffix(strings.TrimPrefix(base, "active."), ".json")
	if _, err := language.Parse(tag); err != nil {
		return "", false
	}
	return tag, true
}
