package login

import "kirodesk/internal/uitext"

// The import's reasons and notes, with codes the window translates
// (frontend/src/i18n, "gotext.import"); the CLI prints the English.
var (
	msgImportNotKiroEntry = uitext.Define("import.notKiroEntry", "this entry of provider_pools.json is not an object with the Kiro fields")
	msgImportEmbedded     = uitext.Define("import.embeddedCredentials",
		"provider_pools.json itself holds credentials (KIRO_OAUTH_CREDS_BASE64); it also holds other settings, so it is not deleted: remove those entries or the file yourself")
	msgImportNoCredsFile  = uitext.Define("import.noCredsFile", "its credential file {{file}} does not exist")
	msgImportDamaged      = uitext.Define("import.damagedUnchecked", "{{file}} is damaged and cannot be checked here")
	msgImportDuplicate    = uitext.Define("import.duplicate", "duplicate: the same refresh token is already in account \"{{label}}\"")
	msgImportRefused      = uitext.Define("import.damagedRefused", "{{file}} is damaged; the refresh token read from it was refused by Kiro ({{error}}): log in to this account again")
	msgImportMixed        = uitext.Define("import.mixedFiles", "its folder also holds other accounts' files ({{files}}), which the old proxy would have mixed into it; they were left out")
	msgImportSalvaged     = uitext.Define("import.salvaged", "the file was damaged: its refresh token was recovered and checked with Kiro")
	msgImportMixedSalvage = uitext.Define("import.mixedFilesSalvaged", "its folder also holds other accounts' files ({{files}}), which the old proxy would have mixed into it; they were left out; the file was damaged: its refresh token was recovered and checked with Kiro")
	msgImportBadBase64    = uitext.Define("import.badBase64", "KIRO_OAUTH_CREDS_BASE64 is not valid base64")
	msgImportBase64Creds  = uitext.Define("import.base64Credentials", "the base64 credentials: {{error}}")
	msgImportNoCreds      = uitext.Define("import.noCredentials", "it names no credential file and holds no base64 credentials")
	msgImportNoClient     = uitext.Define("import.noClient", "an {{method}} login without its clientId and clientSecret cannot be refreshed")
	msgImportSaving       = uitext.Define("import.saving", "saving it: {{error}}")
)
