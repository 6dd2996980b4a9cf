import { i18n } from '../i18n';
import { renderGoText, type GoText } from '../i18n/gotext';

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

/**
 * The listener's error as a sentence, without the advice Go adds for the
 * tray and the command line ("choose another port in Settings or with
 * --port"): the window offers its own repairs beside it (Open Settings,
 * Use a free port; the port field). Go's coded text (Status.errorText) is
 * rendered in the window's language; the English error is the fallback.
 */
export function listenerError(err: string, text?: GoText | null): string {
  const s = text?.text
    ? renderGoText(i18n.t, i18n, text)
    : err.replace(/: choose another port in Settings or with --port$/, '').trim();
  if (/[.!?。！？]$/.test(s)) return s;
  return i18n.language?.startsWith('zh') ? `${s}。` : `${s}.`;
}
