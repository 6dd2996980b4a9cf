package app

import (
	"context"
	"time"

	"kirodesk/app/i18n"
	"kirodesk/internal/core"
	"kirodesk/internal/locale"
	"kirodesk/internal/login"
	"kirodesk/internal/store"
)

// LanguageState is the language setting as the window sees it: what the
// person chose and what is shown. Effective is "en" or "zh-CN": the
// preference itself, or with "system" the system's language matched against
// the two (English when nothing matches).
type LanguageState struct {
	Preference locale.Preference `json:"preference"` // "system", "en" or "zh-CN"
	Effective  locale.Lang       `json:"effective"`  // "en" or "zh-CN"
}

// Language returns the language setting. Before the core has opened (or when
// it could not) there is no config to read, and the state is the system's:
// the window still needs a language to say what went wrong in.
func (a *App) Language() (LanguageState, error) {
	c, err := a.ready()
	if err != nil {
		return a.languageState(locale.PreferSystem), nil
	}
	return a.languageOf(c.Store.Config.Snapshot()), nil
}

// SetLanguage saves a preference ("system", "en" or "zh-CN"; anything else
// is refused with the config check's message) and applies it at once: the
// window gets the language event and the tray relabels itself.
func (a *App) SetLanguage(preference string) (LanguageState, error) {
	return withCore(a, 30*time.Second, func(ctx context.Context, c *core.Core) (LanguageState, error) {
		// The store, not core.UpdateConfig: a language has nothing to do
		// with the listener, which UpdateConfig may reopen.
		if err := c.Store.Config.Update(ctx, func(cfg *store.Config) error { cfg.Language = preference; return nil }); err != nil {
			return LanguageState{}, err
		}
		st := a.languageOf(c.Store.Config.Snapshot())
		a.emit(EventLanguage, st)
		a.emitStatus() // the tray's State carries the language
		return st, nil
	})
}

// languageOf reads the preference in cfg; the store checked it on load and
// on every change, so an error here cannot happen short of a bug, and
// "system" is the safe reading.
func (a *App) languageOf(cfg *store.Config) LanguageState {
	p, err := cfg.LanguagePreference()
	if err != nil {
		a.log.Error("language setting", "err", err)
		p = locale.PreferSystem
	}
	return a.languageState(p)
}

func (a *App) languageState(p locale.Preference) LanguageState {
	return LanguageState{Preference: p, Effective: locale.Effective(p, a.systemLanguages())}
}

// lang is the effective language, for the Go side's own strings (tray,
// notifications, sign-in pages).
func (a *App) lang() locale.Lang {
	st, _ := a.Language()
	return st.Effective
}

// callbackPage is the sign-in page's wording in the effective language.
func (a *App) callbackPage() login.PageText {
	l := a.lang()
	t := func(id string, kv ...any) string { return i18n.App.T(l, id, kv...) }
	return login.PageText{
		Lang: string(l), SignedInTitle: t("CallbackSignedInTitle"),
		SignedIn:    func(label string) string { return t("CallbackSignedIn", "Account", label) },
		FailedTitle: t("CallbackFailedTitle"), Failed: t("CallbackFailed"),
	}
}

// tr is message id of the app's catalog in the effective language; kv are
// its template's variables as name, value pairs. Must not be called with
// a.mu held (lang takes it).
func (a *App) tr(id string, kv ...any) string { return i18n.App.T(a.lang(), id, kv...) }
