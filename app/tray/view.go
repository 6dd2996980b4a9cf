package main

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"kirodesk/app/trayproto"
	"kirodesk/internal/locale"
)

// Icon names, one PNG each under icons/.
const (
	iconOn    = "on"
	iconOff   = "off"
	iconError = "error"
	iconLogin = "login" // on, but an account needs its person to sign in again
)

// accountSlots is how many account lines the menu has. systray cannot
// remove items, so the slots exist from the start and unused ones are
// hidden; with more accounts the last slot says how many are not listed.
const accountSlots = 5

// maxStatusRunes keeps the status line a menu line; a long error is cut.
const maxStatusRunes = 80

// maxTooltipRunes keeps the tooltip within Windows' 128 UTF-16 units
// (NOTIFYICONDATA.szTip); systray copies without checking.
const maxTooltipRunes = 63

// View is what the tray shows for one State. It is plain data so the whole
// mapping is tested without a GUI; tray.apply only copies it to the menu.
type View struct {
	Status  string // the disabled first line
	Tooltip string
	Icon    string // iconOn, iconOff or iconError
	Labels  Labels // the fixed items' titles, in the State's language

	ProxyChecked bool // "Proxy on"
	ProxyEnabled bool
	CopyEnabled  bool // "Copy endpoint": only with an endpoint to copy
	LoginChecked bool // "Start at login"
	LoginEnabled bool

	Accounts []string // at most accountSlots lines
	Usage    string   // "Today: 12 requests · Work: 388 credits left"; hidden when empty
	// Update is "Update available: v1.2.3", which opens the release page;
	// hidden when empty. UpdateTip is its hover text.
	Update, UpdateTip string
}

// Labels are the titles and hover texts of the fixed menu items.
type Labels struct {
	Proxy, ProxyTip, Copy, CopyTip, Open, OpenTip, Login, LoginTip, Quit, QuitTip string
}

func labelsIn(l locale.Lang) Labels {
	t := func(id string) string { return catalog.T(l, id) }
	return Labels{
		Proxy: t("ProxyToggle"), ProxyTip: t("ProxyToggleTip"),
		Copy: t("CopyEndpoint"), CopyTip: t("CopyEndpointTip"),
		Open: t("Open"), OpenTip: t("OpenTip"),
		Login: t("StartAtLogin"), LoginTip: t("StartAtLoginTip"),
		Quit: t("Quit"), QuitTip: t("QuitTip"),
	}
}

// startingView is shown until the app sends its first State: nothing to
// toggle or copy yet, but Open and Quit work from the first moment. It is in
// the system's language: the app has not said which one yet.
func startingView(l locale.Lang) View {
	starting := catalog.T(l, "Starting")
	return View{Status: starting, Tooltip: starting, Icon: iconOff, Labels: labelsIn(l)}
}

// langOf is the language a State asks for: its Language, or, from an app
// that sends none (an older build), the fallback (the system's).
func langOf(s trayproto.State, fallback locale.Lang) locale.Lang {
	if l := locale.Lang(s.Language); slices.Contains(locale.Langs, l) {
		return l
	}
	return fallback
}

// viewOf maps a State to the menu, in the language it names (English when
// it names none).
func viewOf(s trayproto.State) View {
	l := langOf(s, locale.English)
	t := func(id string, kv ...any) string { return catalog.T(l, id, kv...) }
	v := View{
		Labels:       labelsIn(l),
		Icon:         iconOff,
		Status:       t("StatusOff"),
		ProxyChecked: s.ProxyOn,
		ProxyEnabled: true,
		CopyEnabled:  s.Endpoint != "",
		LoginChecked: s.StartAtLogin,
		LoginEnabled: true,
	}
	switch {
	case oneLine(s.Error) != "":
		v.Icon = iconError
		v.Status = clip(t("StatusError", "Error", oneLine(s.Error)), maxStatusRunes)
	case s.ProxyOn:
		v.Icon = iconOn
		v.Status = t("StatusOn")
		if hp := hostPort(s.Endpoint); hp != "" {
			v.Status = t("StatusOnAt", "Address", hp)
		}
	}
	needLogin := 0
	for _, a := range s.Accounts {
		if a.State == trayproto.StateLoginNeeded && !a.Disabled {
			needLogin++
		}
	}
	v.Accounts = accountLines(l, s.Accounts)
	v.Usage = usageLine(l, s.Today)
	if s.Update != nil && oneLine(s.Update.Version) != "" {
		v.Update = clip(t("UpdateAvailable", "Version", oneLine(s.Update.Version)), maxStatusRunes)
		v.UpdateTip = t("UpdateAvailableTip")
	}
	if needLogin > 0 && v.Icon == iconOn {
		v.Icon = iconLogin
	}
	tip := t("Tooltip", "Status", v.Status)
	if needLogin > 0 {
		tip = catalog.N(l, "TooltipLogin", needLogin, "Tooltip", tip)
	}
	v.Tooltip = clip(tip, maxTooltipRunes)
	return v
}

// stateIDs names the catalog message of each pool status.
var stateIDs = map[string]string{
	"ready": "StateReady", "cooling": "StateCooling", "exhausted": "StateExhausted", "suspended": "StateSuspended",
	trayproto.StateLoginNeeded: "StateLoginNeeded", "model_unavailable": "StateModelUnavailable",
}

// accountLines renders the accounts section: "Work — ready, 40% used".
func accountLines(l locale.Lang, as []trayproto.Account) []string {
	var out []string
	for i, a := range as {
		if i == accountSlots-1 && len(as) > accountSlots {
			out = append(out, catalog.N(l, "MoreAccounts", len(as)-i))
			break
		}
		var state string
		switch id, known := stateIDs[oneLine(a.State)]; {
		case a.Disabled:
			state = catalog.T(l, "StateDisabled")
		case known:
			state = catalog.T(l, id)
		case oneLine(a.State) != "":
			// A status this build does not know (a newer app): as the app
			// spells it, rather than nothing.
			state = strings.ReplaceAll(oneLine(a.State), "_", " ")
		default:
			state = catalog.T(l, "StateUnknown")
		}
		label := clip(oneLine(a.Label), 32)
		line := catalog.T(l, "Account", "Label", label, "State", state)
		if q := oneLine(a.Quota); q != "" {
			line = catalog.T(l, "AccountQuota", "Label", label, "State", state, "Quota", q)
		}
		out = append(out, clip(line, maxStatusRunes))
	}
	return out
}

// usageLine renders the day's use: "Today: 12 requests · Work: 388
// credits left".
func usageLine(l locale.Lang, t *trayproto.Today) string {
	if t == nil {
		return ""
	}
	line := catalog.N(l, "Today", t.Requests)
	if t.Account != "" && t.CreditsLeft != nil {
		left := strconv.FormatFloat(max(0, *t.CreditsLeft), 'f', -1, 64)
		line = catalog.N(l, "TodayCredits", left, "Line", line, "Account", clip(oneLine(t.Account), 32))
	}
	return clip(line, maxStatusRunes)
}

// hostPort returns the host:port of an endpoint URL (what a person types
// into a client's settings is the whole URL, which "Copy endpoint" gives;
// the menu line only needs to say where).
func hostPort(endpoint string) string {
	endpoint = strings.TrimSpace(endpoint)
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		return u.Host
	}
	return oneLine(endpoint)
}

// oneLine folds any run of white space, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// clip cuts s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
