import type { Account, GoText, RequestLine, RequestStats, Settings, Status } from '../bridge';

export function makeStatus(overrides: Partial<Status> = {}): Status {
  return {
    proxyOn: true,
    host: '127.0.0.1',
    port: 8990,
    endpoint: 'http://127.0.0.1:8990',
    error: '',
    version: '1.2.3',
    configDir: '/home/ada/.config/kirodesk',
    accounts: 2,
    warnings: [],
    ...overrides,
  };
}

export function makeSettings(overrides: Partial<Settings> = {}): Settings {
  return {
    host: '127.0.0.1',
    port: 8990,
    strategy: 'sticky',
    firstByteTimeoutSeconds: 90,
    idleTimeoutSeconds: 120,
    maxConcurrentPerAccount: 0,
    queueWaitSeconds: 30,
    maxAttempts: 0,
    logLevel: 'info',
    upstream: { apiBase: 'https://q.{region}.amazonaws.com', authBase: 'https://a.example', oidcBase: 'https://o.example' },
    startAtLogin: false,
    loopback: true,
    outboundProxy: 'system',
    caBundle: '',
    modelAliases: [],
    unknownModelAlias: '',
    modelChoices: ['auto', 'claude-sonnet-4.5', 'claude-sonnet-4.6', 'claude-haiku-4.5', 'claude-opus-4.5'],
    updateCheck: true,
    updateFeedURL: 'https://github.com/kirodesk/kirodesk/releases/latest/download/kirodesk-feed.json',
    updateFeedURLDefault: 'https://github.com/kirodesk/kirodesk/releases/latest/download/kirodesk-feed.json',
    ...overrides,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A request-log line: a 200 from Claude Code on account a1 ("Work"). */
export function makeRequest(overrides: Partial<RequestLine> = {}): RequestLine {
  return {
    seq: 1,
    time: '2026-11-25T10:00:00Z',
    method: 'POST',
    path: '/v1/messages',
    model: 'claude-sonnet-4.5',
    account: 'a1',
    accountLabel: 'Work',
    status: 200,
    latencyMs: 42,
    inputTokens: 12,
    outputTokens: 5,
    credits: 0,
    client: 'Claude Code',
    firstByteMs: 30,
    bytesIn: 2048,
    bytesOut: 512,
    ...overrides,
  };
}

/** Account a1 ("Work", signed in with Google): ready, and has served nothing. */
export function makeAccount(overrides: Partial<Account> = {}): Account {
  return {
    id: 'a1',
    label: 'Work',
    authMethod: 'social',
    provider: 'Google',
    disabled: false,
    state: 'ready',
    counters: { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0 },
    ...overrides,
  };
}

/** The live figures of a day with no requests yet. */
export function makeRequestStats(overrides: Partial<RequestStats> = {}): RequestStats {
  return {
    perMinute: 0,
    requestsToday: 0,
    errorsToday: 0,
    inputTokensToday: 0,
    outputTokensToday: 0,
    creditsToday: 0,
    ...overrides,
  };
}

/**
 * Go's refusal of a config.json change as the window gets it: the English of
 * every refusal in the message, and each with its code (uitext.ForWindow).
 */
export function configRefusal(texts: GoText[]): Error {
  return Object.assign(new Error('config.json: change rejected: ' + texts.map((x) => x.text).join('\n')), { texts });
}
