import type { Settings, SettingsPatch } from '../bridge';
import { i18n } from '../i18n';

/** The form's text state: every input edits a string. */
export interface Draft {
  host: string;
  port: string;
  strategy: string;
  firstByteTimeoutSeconds: string;
  idleTimeoutSeconds: string;
  maxConcurrentPerAccount: string;
  queueWaitSeconds: string;
  maxAttempts: string;
  logLevel: string;
  apiBase: string;
  authBase: string;
  oidcBase: string;
  startAtLogin: boolean;
}

export type Field = Exclude<keyof Draft, 'startAtLogin'>;

export const STRATEGIES = ['sticky', 'round-robin', 'least-used', 'fill-first'] as const;

/** A strategy in words, in the window's language: a name and one line on what it does. */
export function strategyText(s: (typeof STRATEGIES)[number]): { name: string; help: string } {
  return { name: i18n.t(`strategies.${s}`), help: i18n.t(`strategies.${s}Help`) };
}

/** The built-in number of accounts a request may try (relay.DefaultAttempts). */
export const DEFAULT_ATTEMPTS = 3;
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export function toDraft(s: Settings): Draft {
  return {
    host: s.host,
    port: String(s.port),
    strategy: s.strategy,
    firstByteTimeoutSeconds: String(s.firstByteTimeoutSeconds),
    idleTimeoutSeconds: String(s.idleTimeoutSeconds),
    maxConcurrentPerAccount: String(s.maxConcurrentPerAccount),
    queueWaitSeconds: String(s.queueWaitSeconds),
    maxAttempts: String(s.maxAttempts),
    logLevel: s.logLevel,
    apiBase: s.upstream.apiBase,
    authBase: s.upstream.authBase,
    oidcBase: s.upstream.oidcBase,
    startAtLogin: s.startAtLogin,
  };
}

const intRanges: Partial<Record<Field, [number, number]>> = {
  port: [1, 65535],
  firstByteTimeoutSeconds: [1, 3600],
  idleTimeoutSeconds: [1, 3600],
  maxConcurrentPerAccount: [0, 1000],
  queueWaitSeconds: [0, 600],
  maxAttempts: [0, 10],
};

export function isLoopbackHost(host: string): boolean {
  const h = host.trim().replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The same rules as store.CheckConfig, so most mistakes show before saving. */
export function validate(d: Draft): Partial<Record<Field, string>> {
  const errs: Partial<Record<Field, string>> = {};
  for (const [field, [lo, hi]] of Object.entries(intRanges) as Array<[Field, [number, number]]>) {
    const v = d[field] as string;
    if (!/^\d+$/.test(v.trim()) || Number(v) < lo || Number(v) > hi) {
      errs[field] = i18n.t('validation.wholeNumber', { min: lo, max: hi });
    }
  }
  const host = d.host.trim();
  if (!host || /[\s/]/.test(host) || !(host === 'localhost' || /^[\d.]+$/.test(host) || host.includes(':'))) {
    errs.host = i18n.t('validation.host');
  }
  for (const f of ['apiBase', 'authBase', 'oidcBase'] as const) {
    try {
      const u = new URL(d[f].replaceAll('{region}', 'us-east-1'));
      const loopback = ['localhost', '[::1]'].includes(u.hostname) || /^127\./.test(u.hostname);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) throw new Error();
    } catch {
      errs[f] = i18n.t('validation.url');
    }
  }
  return errs;
}

/** Only what changed, so an edit never overwrites a value changed elsewhere. */
export function diff(saved: Draft, d: Draft): SettingsPatch {
  const p: SettingsPatch = {};
  const num = (f: Field) => (d[f] !== saved[f] ? Number(d[f]) : undefined);
  const str = (f: Field) => (d[f] !== saved[f] ? (d[f] as string).trim() : undefined);
  const entries: SettingsPatch = {
    host: str('host'),
    port: num('port'),
    strategy: str('strategy'),
    firstByteTimeoutSeconds: num('firstByteTimeoutSeconds'),
    idleTimeoutSeconds: num('idleTimeoutSeconds'),
    maxConcurrentPerAccount: num('maxConcurrentPerAccount'),
    queueWaitSeconds: num('queueWaitSeconds'),
    maxAttempts: num('maxAttempts'),
    logLevel: str('logLevel'),
    apiBase: str('apiBase'),
    authBase: str('authBase'),
    oidcBase: str('oidcBase'),
    startAtLogin: d.startAtLogin !== saved.startAtLogin ? d.startAtLogin : undefined,
  };
  for (const [k, v] of Object.entries(entries)) {
    if (v !== undefined) (p as Record<string, unknown>)[k] = v;
  }
  return p;
}

/** Kiro's own upstream URLs (store.DefaultUpstream in Go). */
export const UPSTREAM_DEFAULTS = {
  apiBase: 'https://q.{region}.amazonaws.com',
  authBase: 'https://prod.{region}.auth.desktop.kiro.dev',
  oidcBase: 'https://oidc.{region}.amazonaws.com',
} as const;

/** The warning under an upstream URL that is not Kiro's own, else undefined. */
export function upstreamWarning(field: keyof typeof UPSTREAM_DEFAULTS, value: string): string | undefined {
  if (value.trim().replace(/\/+$/, '') === UPSTREAM_DEFAULTS[field]) return undefined;
  return i18n.t('validation.notKiro', { address: UPSTREAM_DEFAULTS[field] });
}

/**
 * Which field a Go validation message is about: store.CheckConfig starts
 * each message with the JSON name ("port 0 is outside…", "upstream.apiBase: …").
 */
export function fieldOfError(message: string): Field | null {
  const names: Field[] = [
    'firstByteTimeoutSeconds',
    'idleTimeoutSeconds',
    'maxConcurrentPerAccount',
    'queueWaitSeconds',
    'maxAttempts',
    'logLevel',
    'strategy',
    'apiBase',
    'authBase',
    'oidcBase',
    'host',
    'port',
  ];
  return names.find((n) => new RegExp(`\\b${n}\\b`).test(message)) ?? null;
}
