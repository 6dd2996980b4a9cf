package main

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"kirodesk/app/trayproto"
)

// Menu labels. The status line is the only label that changes.
const (
	labelProxy        = "Proxy on"
	labelCopyEndpoint = "Copy endpoint"
	labelOpen         = "Open Kirodesk"
	labelStartAtLogin = "Start at login"
	labelQuit         = "Quit"
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

	ProxyChecked bool // "Proxy on"
	ProxyEnabled bool
	CopyEnabled  bool // "Copy endpoint": only with an endpoint to copy
	LoginChecked bool // "Start at login"
	LoginEnabled bool

	Accounts []string // at most accountSlots lines
	Usage    string   // "Today: 12 requests · Work: 388 credits left"; hidden when empty
}

// startingView is shown until the app sends its first State: nothing to
// toggle or copy yet, but Open and Quit work from the first moment.
func startingView() View {
	return View{Status: "Kirodesk is starting…", Tooltip: "Kirodesk is starting…", Icon: iconOff}
}

// viewOf maps a State to the menu.
func viewOf(s trayproto.State) View {
	v := View{
		Icon:         iconOff,
		Status:       "Proxy off",
		ProxyChecked: s.ProxyOn,
		ProxyEnabled: true,
		CopyEnabled:  s.Endpoint != "",
		LoginChecked: s.StartAtLogin,
		LoginEnabled: true,
	}
	switch {
	case oneLine(s.Error) != "":
		v.Icon = iconError
		v.Status = clip("Error: "+oneLine(s.Error), maxStatusRunes)
	case s.ProxyOn:
		v.Icon = iconOn
		v.Status = "Proxy on"
		if hp := hostPort(s.Endpoint); hp != "" {
			v.Status += " — " + hp
		}
	}
	needLogin := 0
	for _, a := range s.Accounts {
		if a.State == trayproto.StateLoginNeeded && !a.Disabled {
			needLogin++
		}
	}
	v.Accounts = accountLines(s.Accounts)
	v.Usage = usageLine(s.Today)
	if needLogin > 0 && v.Icon == iconOn {
		v.Icon = iconLogin
	}
	tip := "Kirodesk: " + v.Status
	if needLogin == 1 {
		tip += "; 1 account needs login"
	} else if needLogin > 1 {
		tip += fmt.Sprintf("; %d accounts need login", needLogin)
	}
	v.Tooltip = clip(tip, maxTooltipRunes)
	return v
}

// accountLines renders the accounts section: "Work — ready, 40% used".
func accountLines(as []trayproto.Account) []string {
	var out []string
	for i, a := range as {
		if i == accountSlots-1 && len(as) > accountSlots {
			out = append(out, fmt.Sprintf("+%d more accounts (Open Kirodesk)", len(as)-i))
			break
		}
		state := strings.ReplaceAll(oneLine(a.State), "_", " ")
		if a.Disabled {
			state = "disabled"
		}
		if state == "" {
			state = "unknown"
		}
		line := clip(oneLine(a.Label), 32) + " — " + state
		if q := oneLine(a.Quota); q != "" {
			line += ", " + q
		}
		out = append(out, clip(line, maxStatusRunes))
	}
	return out
}

// usageLine renders the day's use: "Today: 12 requests · Work: 388
// credits left".
func usageLine(t *trayproto.Today) string {
	if t == nil {
		return ""
	}
	line := fmt.Sprintf("Today: %d requests", t.Requests)
	if t.Requests == 1 {
		line = "Today: 1 request"
	}
	if t.Account != "" && t.CreditsLeft != nil {
		left := max(0, *t.CreditsLeft)
		unit := "credits"
		if left == 1 {
			unit = "credit"
		}
		line += fmt.Sprintf(" · %s: %s %s left", clip(oneLine(t.Account), 32), strconv.FormatFloat(left, 'f', -1, 64), unit)
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
