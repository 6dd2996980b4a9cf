package store

import "kirodesk/internal/uitext"

// The notices the store gives about a load, with codes the window
// translates (frontend/src/i18n, "gotext.store"). Reasons and paths are
// arguments, and stay as they are.
var (
	msgBackupLoaded = uitext.Define("store.backupLoaded", "{{file}} was missing; loaded its backup {{backup}}")
	msgUpgraded     = uitext.Define("store.upgraded",
		"{{file}} was upgraded from version {{from}} to {{to}}; the original is kept as {{archive}}")
	msgDamagedRestored = uitext.Define("store.damagedRestored",
		"{{file}} was damaged ({{reason}}); loaded the backup {{backup}}; the damaged file is kept as {{aside}}")
	msgConfigBaseReset = uitext.Define("store.configBaseReset", "config.json: {{error}}; it was reset to Kiro's own {{default}}")
	msgAccountDropped  = uitext.Define("store.accountEndpointDropped", "account {{id}}: {{reason}}")
	msgEndpointDropped = uitext.Define("store.endpointDropped",
		"pool.json: {{error}}; the value was dropped: remove the account and add it again")
	msgQuotaNoticesRestarted = uitext.Define("store.quotaNoticesRestarted",
		"{{file}} was damaged ({{reason}}); it is kept as {{aside}} and a new one was started, so a quota warning may be shown once more")
	msgQuotaNoticesUpgraded = uitext.Define("store.quotaNoticesUpgraded",
		"{{file}} was upgraded to version {{to}}; the original is kept as {{archive}}")
	msgUpdateCheckRestarted = uitext.Define("store.updateCheckRestarted",
		"{{file}} was damaged ({{reason}}); it is kept as {{aside}} and a new one was started")
	msgUsageRestarted = uitext.Define("store.usageRestarted",
		"{{file}} was damaged ({{reason}}); it is kept as {{aside}} and a new usage history was started")

	// Settings the window edits, refused with the field named first (the
	// window puts each under its field); values are quoted as %q would.
	msgConfigHost          = uitext.Define("config.host", "host {{value}} is not an IP address or localhost")
	msgConfigPort          = uitext.Define("config.port", "port {{value}} is outside 1-65535")
	msgConfigLogLevel      = uitext.Define("config.logLevel", "logLevel {{value}} is not one of debug, info, warn, error")
	msgConfigFirstByte     = uitext.Define("config.firstByteTimeout", "firstByteTimeoutSeconds {{value}} is outside 1-3600")
	msgConfigStrategy      = uitext.Define("config.strategy", "strategy {{value}} is not sticky, round-robin, least-used or fill-first")
	msgConfigMaxConcurrent = uitext.Define("config.maxConcurrent", "maxConcurrentPerAccount {{value}} is outside 0-1000 (0 means no limit)")
	msgConfigQueueWait     = uitext.Define("config.queueWait", "queueWaitSeconds {{value}} is outside 0-600")
	msgConfigMaxAttempts   = uitext.Define("config.maxAttempts", "maxAttempts {{value}} is outside 0-10 (0 means the default, 3)")
	msgConfigIdleTimeout   = uitext.Define("config.idleTimeout", "idleTimeoutSeconds {{value}} is outside 1-3600")
	msgConfigCABundle      = uitext.Define("config.caBundle", "outbound.caBundle {{value}} must be an absolute path to a PEM file")
	msgConfigQuotaTTL      = uitext.Define("config.quotaTTL", "quotaTTLSeconds {{value}} is outside 30-86400")

	// The outbound proxy (global or an account's), refused as the person
	// typed it with any password hidden; the field is named by the caller.
	msgProxyNotURL   = uitext.Define("config.proxy.notUrl", "{{value}} is not none, system or a proxy URL such as http://proxy.example:3128")
	msgProxyScheme   = uitext.Define("config.proxy.scheme", "{{value}}: the scheme must be http, https or socks5")
	msgProxyPassword = uitext.Define("config.proxy.password",
		"{{value}} holds a password: config.json never keeps one; set it in Kirodesk so it goes to the keychain")
	msgProxyNoPort = uitext.Define("config.proxy.noPort", "{{value}} has no port (e.g. :3128 or :1080)")
	msgProxyPath   = uitext.Define("config.proxy.path", "{{value}}: a proxy URL has no path or query")

	// Web addresses Kirodesk reads (the release feed and its downloads).
	msgWebURLNotAbsolute = uitext.Define("config.webUrl.notAbsolute", "{{field}} {{value}} is not an absolute URL such as https://example.com/feed.json")
	msgWebURLHTTPS       = uitext.Define("config.webUrl.https", "{{field}} {{value}}: only https is accepted (http only to this machine)")
	msgWebURLUser        = uitext.Define("config.webUrl.user", "{{field}} {{value}}: a user or password has no place in it")
)
