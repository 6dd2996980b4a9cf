package doctor

import "kirodesk/internal/uitext"

// The report's words, with codes the window translates
// (frontend/src/i18n, "gotext.doctor"); Text() and the CLI keep the English.
// Errors, hosts, paths and values are arguments and stay as they are. All
// platforms define every message, so the catalogs match on each.
var (
	titleMachine  = uitext.Define("doctor.section.machine", "This machine")
	titleNetwork  = uitext.Define("doctor.section.network", "Outbound connections")
	titleAccounts = uitext.Define("doctor.section.accounts", "Accounts")
	titleAccount  = uitext.Define("doctor.section.account", "Account {{id}} ({{label}}, {{method}})")

	nameAccounts    = uitext.Define("doctor.check.accounts", "accounts")
	nameStateFiles  = uitext.Define("doctor.check.stateFiles", "state files")
	nameKeychain    = uitext.Define("doctor.check.keychain", "keychain")
	nameConfigDir   = uitext.Define("doctor.check.configDir", "config dir")
	namePort        = uitext.Define("doctor.check.port", "port")
	nameTrayHost    = uitext.Define("doctor.check.trayHost", "tray host")
	nameProxy       = uitext.Define("doctor.check.proxy", "proxy")
	nameEnvironment = uitext.Define("doctor.check.environment", "environment")
	nameUpstream    = uitext.Define("doctor.check.upstream", "upstream")
	nameCA          = uitext.Define("doctor.check.ca", "CA")
	nameState       = uitext.Define("doctor.check.state", "state")
	nameCredentials = uitext.Define("doctor.check.credentials", "credentials")
	nameEndpoint    = uitext.Define("doctor.check.endpoint", "endpoint")
	nameDNS         = uitext.Define("doctor.check.dns", "dns")
	nameTCP         = uitext.Define("doctor.check.tcpTLS", "tcp/tls")
	nameRefresh     = uitext.Define("doctor.check.refresh", "refresh")
	nameUsage       = uitext.Define("doctor.check.usage", "usage")

	msgNoAccount = uitext.Define("doctor.accounts.none", "no account yet: add one in the app")

	msgDirNotFolder     = uitext.Define("doctor.configDir.notFolder", "{{dir}} is not a folder")
	msgDirNotWritable   = uitext.Define("doctor.configDir.notWritable", "{{dir}} is not writable: {{error}}")
	msgDirOpenPerms     = uitext.Define("doctor.configDir.openPerms", "{{dir}} is writable; permissions {{perm}} let others read it (Kirodesk tightens them to 700 on start)")
	msgDirWritable      = uitext.Define("doctor.configDir.writable", "{{dir}} is writable")
	msgDirInUse         = uitext.Define("doctor.configDir.inUse", "{{dir}} is writable; in use by a running Kirodesk")
	msgDirInUsePID      = uitext.Define("doctor.configDir.inUsePID", "{{dir}} is writable; in use by a running Kirodesk (process id {{pid}})")
	msgKeychainNone     = uitext.Define("doctor.keychain.none", "no keychain configured")
	msgKeychainNoWrite  = uitext.Define("doctor.keychain.cannotWrite", "cannot write: {{error}}")
	msgKeychainNoRead   = uitext.Define("doctor.keychain.cannotRead", "cannot read back: {{error}}")
	msgKeychainMismatch = uitext.Define("doctor.keychain.mismatch", "read back a different value than written")
	msgKeychainNoDelete = uitext.Define("doctor.keychain.cannotDelete", "cannot delete: {{error}}")
	msgKeychainOK       = uitext.Define("doctor.keychain.ok", "write, read and delete work")

	msgPortNoConfig  = uitext.Define("doctor.port.noConfig", "no config")
	msgPortListening = uitext.Define("doctor.port.listening", "listening at {{addr}}")
	msgPortSilent    = uitext.Define("doctor.port.silent", "Kirodesk runs but nothing answers on {{addr}} (proxy switched off, or another port given with --port)")
	msgPortAnswers   = uitext.Define("doctor.port.answers", "{{addr}} answers (the running Kirodesk)")
	msgPortTaken     = uitext.Define("doctor.port.taken", "{{addr}} is taken by another program: {{error}}; pick another port in the settings")
	msgPortFree      = uitext.Define("doctor.port.free", "{{addr}} is free")

	msgProxySetting          = uitext.Define("doctor.proxy.setting", "proxy setting {{setting}}")
	msgProxySettingFrom      = uitext.Define("doctor.proxy.settingFrom", "proxy setting {{setting}} ({{source}})")
	msgProxySettingError     = uitext.Define("doctor.proxy.settingError", "proxy setting {{setting}}: {{error}}")
	msgProxySettingFromError = uitext.Define("doctor.proxy.settingFromError", "proxy setting {{setting}} ({{source}}): {{error}}")
	msgProxyEnvIgnored       = uitext.Define("doctor.environment.ignored", "{{vars}} set but ignored: the proxy setting is none")
	msgCASystem              = uitext.Define("doctor.ca.system", "system roots only")
	msgCAExtra               = uitext.Define("doctor.ca.extra", "system roots plus {{n}} from {{file}}")
	msgUpstreamConfig        = uitext.Define("doctor.upstream.config", "upstream.{{key}} in config.json is {{value}} instead of Kiro's own {{default}}: every token and prompt goes there; set it back unless you mean it")
	msgUpstreamEnv           = uitext.Define("doctor.upstream.env", "${{name}} is {{value}} instead of Kiro's own {{default}}: every token and prompt goes there; set it back unless you mean it")
	msgStateDisabled         = uitext.Define("doctor.state.disabled", "disabled")
	msgCredentialsNotChecked = uitext.Define("doctor.credentials.notChecked", "not checked")
	msgEndpointCustom        = uitext.Define("doctor.endpoint.custom", "this account's apiBase is {{base}} instead of Kiro's hosts: its tokens and prompts go there")
	msgEndpointInvalid       = uitext.Define("doctor.endpoint.invalid", "{{error}}: no request is sent for this account; remove it and add it again")
	msgRouteDirect           = uitext.Define("doctor.proxy.direct", "direct ({{scope}} setting {{setting}})")
	msgRouteDirectFrom       = uitext.Define("doctor.proxy.directFrom", "direct ({{scope}} setting {{setting}}, {{source}})")
	msgRouteThrough          = uitext.Define("doctor.proxy.through", "through {{proxy}} ({{scope}} setting {{setting}})")
	msgRouteThroughFrom      = uitext.Define("doctor.proxy.throughFrom", "through {{proxy}} ({{scope}} setting {{setting}}, {{source}})")
	msgDNSViaProxy           = uitext.Define("doctor.dns.viaProxy", "the proxy resolves {{host}}")
	msgDNSAddress            = uitext.Define("doctor.dns.address", "{{host}} is an address")
	msgTCPProxyAuth          = uitext.Define("doctor.tcp.proxyAuth", "the proxy refused the credentials (HTTP 407): check the proxy user name and password")
	msgTCPAnswered           = uitext.Define("doctor.tcp.answered", "{{host}} answered HTTP {{status}}; tcp {{tcpMs}} ms")
	msgTCPAnsweredTLS        = uitext.Define("doctor.tcp.answeredTLS", "{{host}} answered HTTP {{status}}; tcp {{tcpMs}} ms, {{tls}} in {{tlsMs}} ms")
	msgTCPAnsweredTLSIssuer  = uitext.Define("doctor.tcp.answeredTLSIssuer", "{{host}} answered HTTP {{status}}; tcp {{tcpMs}} ms, {{tls}} in {{tlsMs}} ms, certificate issued by {{issuer}}")
	msgRefreshRunning        = uitext.Define("doctor.refresh.running", "Kirodesk is running and owns the tokens; a refresh here would race it (use Test connection in the app, or quit it first)")
	msgRefreshOK             = uitext.Define("doctor.refresh.ok", "new access token valid until {{time}}")
	msgUsageExpired          = uitext.Define("doctor.usage.expired", "the stored access token has expired and was not refreshed")
	msgUsageOK               = uitext.Define("doctor.usage.ok", "getUsageLimits answered at {{host}}")
	msgTrayNoBus             = uitext.Define("doctor.tray.noBus", "no D-Bus session bus: the tray icon cannot show ({{error}})")
	msgTrayCannotAsk         = uitext.Define("doctor.tray.cannotAsk", "cannot ask the session bus: {{error}}")
	msgTrayNoWatcher         = uitext.Define("doctor.tray.noWatcher", "no StatusNotifierWatcher on the session bus: this desktop shows no tray icons (GNOME needs the AppIndicator extension); the window and `kirodesk serve` still work")
	msgTrayOK                = uitext.Define("doctor.tray.ok", "a StatusNotifierWatcher is on the session bus")
	msgTrayBuiltIn           = uitext.Define("doctor.tray.builtIn", "built into this system")
)

// check is one outcome with its name and detail in both forms.
func check(name uitext.Msg, st Status, detail uitext.Text) Check {
	n := name.With()
	return Check{Name: n.Text, NameText: n, Status: st, Detail: detail.Text, DetailText: detail}
}

// section starts a section with its title in both forms.
func section(title uitext.Text) Section {
	return Section{Title: title.Text, TitleText: title}
}

// plain is Go's own words (an error), shown as is in every language.
func plain(err error) uitext.Text { return uitext.Plain(err.Error()) }
