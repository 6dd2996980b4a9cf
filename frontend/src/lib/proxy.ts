import { i18n } from '../i18n';

/** How Kirodesk reaches Kiro, as the Settings window edits it. */
export type ProxyMode = 'none' | 'system' | 'url';

export function proxyMode(setting: string): ProxyMode {
  if (setting === 'none' || setting === 'system') return setting;
  return setting ? 'url' : 'system';
}

/**
 * The setting to send: "none", "system", or the URL with the password put
 * in (the Go side moves it to the keychain). An empty password leaves the
 * stored one in place when the URL names a user.
 */
export function proxySetting(mode: ProxyMode, url: string, password: string): string {
  if (mode !== 'url') return mode;
  const raw = url.trim();
  if (!password) return raw;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(i18n.t('network.badUrl'));
  }
  if (!u.username) throw new Error(i18n.t('network.needUser'));
  u.password = password;
  // URL adds a "/" path to http URLs; the setting has none.
  return raw.endsWith('/') ? u.toString() : u.toString().replace(/\/$/, '');
}
