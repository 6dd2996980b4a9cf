// The one façade over the Wails bindings and runtime. UI code imports from
// here only, never from ../../wailsjs, so tests can replace this module with
// vi.mock and the rest of the app never sees window.go or window.runtime.
import * as App from '../../wailsjs/go/app/App';
import type { app, core, GoText, logging, reqlog, store, usage } from '../../wailsjs/go/models';
import { BrowserOpenURL, EventsOn } from '../../wailsjs/runtime/runtime';
import { Events } from './events';

export { Events } from './events';

/** Snapshot of the proxy and app state (Go: app.Status). */
export type Status = Omit<app.Status, 'warnings'> & {
  /** Store recovery notices; never null here (a nil Go slice arrives as null). */
  warnings: GoText[];
};

export type { GoText };

/**
 * A failed bound call. Wails rejects the promise with the Go error's text, or
 * with whatever options.App.ErrorFormatter returns; both end up here.
 */
export class BridgeError extends Error {
  readonly code?: string;
  readonly hint?: string;
  /** The error as Go wrote it with codes (uitext.ForWindow), one per joined error; absent: only the English. */
  readonly texts?: GoText[];

  constructor(message: string, code?: string, hint?: string, texts?: GoText[]) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.hint = hint;
    this.texts = texts;
  }
}

export function toBridgeError(reason: unknown): BridgeError {
  if (reason instanceof BridgeError) return reason;
  if (reason instanceof Error) return new BridgeError(reason.message);
  if (typeof reason === 'string') return new BridgeError(reason);
  if (reason && typeof reason === 'object') {
    const r = reason as Record<string, unknown>;
    const message = typeof r.message === 'string' ? r.message : JSON.stringify(reason);
    return new BridgeError(
      message,
      typeof r.code === 'string' ? r.code : undefined,
      typeof r.hint === 'string' ? r.hint : undefined,
      Array.isArray(r.texts) ? (r.texts as GoText[]) : undefined,
    );
  }
  return new BridgeError(String(reason));
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (reason) {
    throw toBridgeError(reason);
  }
}

export function normaliseStatus(raw: app.Status): Status {
  return { ...raw, warnings: Array.isArray(raw.warnings) ? [...raw.warnings] : [] };
}

export function getStatus(): Promise<Status> {
  return call(async () => normaliseStatus(await App.Status()));
}

export function setProxyEnabled(on: boolean): Promise<Status> {
  return call(async () => normaliseStatus(await App.SetProxyEnabled(on)));
}

/** The local API key clients must send. Read on demand; never put it in an event. */
export function getAPIKey(): Promise<string> {
  return call(() => App.APIKey());
}

export function copyToClipboard(text: string): Promise<void> {
  return call(() => App.CopyToClipboard(text));
}

/** Calls handler with every "status" event. Returns the unsubscribe function. */
export function onStatus(handler: (status: Status) => void): () => void {
  return EventsOn(Events.Status, (raw: app.Status) => handler(normaliseStatus(raw)));
}

/** The language setting: the person's choice and the language shown ("system" resolves to en or zh-CN). */
export type LanguageState = app.LanguageState;
export type LanguagePreference = LanguageState['preference'];

/** The language setting and the language in effect. */
export function getLanguage(): Promise<LanguageState> {
  return call(() => App.Language());
}

/** Saves the language preference; the window (the "language" event) and the tray follow at once. */
export function setLanguage(preference: LanguagePreference): Promise<LanguageState> {
  return call(() => App.SetLanguage(preference));
}

/** Calls handler with every "language" event. Returns the unsubscribe function. */
export function onLanguage(handler: (state: LanguageState) => void): () => void {
  return EventsOn(Events.Language, handler);
}

export type Settings = app.Settings;
export type SettingsPatch = app.SettingsPatch;
export type ModelAlias = app.ModelAlias;
export type AliasProblem = app.AliasProblem;
export type RequestLine = app.RequestLine;
export type LogLine = logging.Line;
export type RequestStats = reqlog.Stats;
export type Account = core.AccountStatus;
export type DeviceOptions = app.DeviceOptions;
export type DeviceLogin = app.DeviceLogin;
export type SocialLogin = app.SocialLogin;
export type LoginEvent = app.LoginEvent;
export type ImportedAccount = app.ImportedAccount;
/** What an import of the old proxy did, account by account (nulls made []). */
export interface ImportReport {
  id: string;
  dir: string;
  accounts: ImportedAccount[];
  plaintextFiles: string[];
  notes: string[];
  /** The notes with their codes (Go's uitext); absent from an older Go. */
  noteTexts?: GoText[];
}
export type Quota = store.Quota;
export type DiagnosticCheck = app.DiagnosticCheck;
export interface Diagnostics {
  time: string;
  version: string;
  failed: boolean;
  text: string;
  sections: Array<{ title: string; titleText?: GoText; checks: DiagnosticCheck[] }>;
}

/** Replaces the API key; the old one stops working at once. Returns the new key. */
export function regenerateAPIKey(): Promise<string> {
  return call(() => App.RegenerateAPIKey());
}

export function getRequestStats(): Promise<RequestStats> {
  return call(() => App.RequestStats());
}

export function getSettings(): Promise<Settings> {
  return call(() => App.Settings());
}

/** Saves only the fields in patch; the rest stay as they are on disk. */
export function updateSettings(patch: SettingsPatch): Promise<Settings> {
  return call(() => App.UpdateSettings(patch));
}

/** What is wrong with an alias table being edited (Go's config.json rules); [] when it would save. */
export function checkModelAliases(rows: ModelAlias[], unknown: string): Promise<AliasProblem[]> {
  return call(async () => (await App.CheckModelAliases(rows, unknown)) ?? []);
}

/** Log lines after seq (0: every line kept). */
export function getLogs(after: number): Promise<LogLine[]> {
  return call(async () => (await App.Logs(after)) ?? []);
}

/** Asks where to save the kept requests (CSV) and saves them there; the
 * file's path, or "" when the person cancelled. */
export function exportRequests(): Promise<string> {
  return call(() => App.ExportRequests());
}

/** Requests after seq (0: every one kept). */
export function getRequests(after: number): Promise<RequestLine[]> {
  return call(async () => (await App.Requests(after)) ?? []);
}

export function getAccounts(): Promise<Account[]> {
  return call(async () => (await App.Accounts()) ?? []);
}

export function setAccountEnabled(id: string, on: boolean): Promise<void> {
  return call(() => App.SetAccountEnabled(id, on));
}

export function renameAccount(id: string, label: string): Promise<void> {
  return call(() => App.RenameAccount(id, label));
}

export function removeAccount(id: string): Promise<void> {
  return call(() => App.RemoveAccount(id));
}

export function startDeviceLogin(opts: DeviceOptions): Promise<DeviceLogin> {
  return call(() => App.StartDeviceLogin(opts));
}

export function startSocialLogin(provider: string, label: string): Promise<SocialLogin> {
  return call(() => App.StartSocialLogin(provider, label));
}

export function completeSocialLogin(flowId: string, url: string): Promise<void> {
  return call(() => App.CompleteSocialLogin(flowId, url));
}

export function cancelLogin(flowId: string): Promise<void> {
  return call(() => App.CancelLogin(flowId));
}

/** Returns the added account's name. */
export function importKiroIDE(path: string, label: string): Promise<string> {
  return call(() => App.ImportKiroIDE(path, label));
}

export function importOldProxy(dir: string): Promise<ImportReport> {
  return call(async () => {
    const r = await App.ImportOldProxy(dir);
    return {
      id: r.id,
      dir: r.dir,
      accounts: r.accounts ?? [],
      plaintextFiles: r.plaintextFiles ?? [],
      notes: r.notes ?? [],
      noteTexts: r.noteTexts ?? [],
    };
  });
}

/** Deletes the plaintext credential files the import reportId listed (ask first). Returns those deleted. */
export function deleteImportedFiles(reportId: string): Promise<string[]> {
  return call(async () => (await App.DeleteImportedFiles(reportId)) ?? []);
}

/** Asks Kiro for the account's plan and credits now. */
export function refreshQuota(id: string): Promise<Quota> {
  return call(() => App.RefreshQuota(id));
}

/** "Try again now": puts a suspended, cooling or exhausted account back in service. */
export function retryAccount(id: string): Promise<void> {
  return call(() => App.RetryAccount(id));
}

/** Runs the connection test; takes as long as the network does. */
export function diagnose(): Promise<Diagnostics> {
  return call(async () => {
    const r = await App.Diagnose();
    return {
      time: r.time,
      version: r.version,
      failed: r.failed,
      text: r.text,
      sections: (r.sections ?? []).map((s) => ({ title: s.title, titleText: s.titleText, checks: s.checks ?? [] })),
    };
  });
}

/** "none", "system" or a proxy URL; a password in it goes to the keychain. */
export function setOutboundProxy(proxy: string): Promise<Settings> {
  return call(() => App.SetOutboundProxy(proxy));
}

export function getVersion(): Promise<string> {
  return call(() => App.Version());
}

/** Adds an account from a pasted token; returns its name. */
export function addToken(input: string, label: string): Promise<string> {
  return call(() => App.AddToken(input, label));
}

export function onAccounts(handler: (accounts: Account[]) => void): () => void {
  return EventsOn(Events.Accounts, (raw: Account[] | null) => handler(raw ?? []));
}

export function onLogin(handler: (ev: LoginEvent) => void): () => void {
  return EventsOn(Events.Login, handler);
}

/** Opens a page in the person's browser (a webview does not follow target=_blank links). */
export function openURL(url: string): void {
  BrowserOpenURL(url);
}

export type SignInAgain = app.SignInAgain;
export type IDESignIn = app.IDESignIn;
export type TestAnswer = app.TestAnswer;

/**
 * Signs an existing account in again the way it was added (same id, name
 * and counters). method "device" or "social": onLogin tells how it ended;
 * "done": nothing left to do.
 */
export function signInAgain(id: string): Promise<SignInAgain> {
  return call(() => App.SignInAgain(id));
}

/** Whether the Kiro IDE's sign-in is there to import, and as what (no secret). */
export function detectKiroIDE(): Promise<IDESignIn> {
  return call(() => App.DetectKiroIDE());
}

/** Saves a free port and turns the proxy on there. */
export function switchToFreePort(): Promise<Status> {
  return call(async () => normaliseStatus(await App.UseFreePort()));
}

/** A small prompt through the local API, as a client sends it. */
export function sendTestRequest(): Promise<TestAnswer> {
  return call(() => App.SendTestRequest());
}

export type UsageRow = usage.Row;
export type UsageForecast = usage.Forecast;
export type UsageReport = Omit<usage.Report, 'forecasts'> & { forecasts: UsageForecast[] };
export type UsageGroup = usage.SeriesGroup;
/** The usage history as the Usage view draws it (Go: usage.Series), nulls made []. */
export type UsageSeries = Omit<usage.Series, 'table'> & { table: UsageReport };
export type UsageRange = '24h' | '7d' | '30d' | '90d';
export type UsageStack = 'account' | 'model' | 'client';

export function normaliseUsage(raw: usage.Series): UsageSeries {
  const n = (v: number[] | null | undefined) => v ?? [];
  return {
    ...raw,
    times: n(raw.times),
    groups: (raw.groups ?? []).map((g) => ({ ...g, requests: n(g.requests), tokens: n(g.tokens) })),
    errorClasses: raw.errorClasses ?? [],
    errors: (raw.errors ?? []).map(n),
    p50Ms: n(raw.p50Ms),
    p95Ms: n(raw.p95Ms),
    table: { ...raw.table, rows: raw.table?.rows ?? [], forecasts: raw.table?.forecasts ?? [] },
  };
}

/** The usage history over range, its requests and tokens split by stack. */
export function getUsage(range: UsageRange, stack: UsageStack): Promise<UsageSeries> {
  return call(async () => normaliseUsage(await App.Usage(range, stack)));
}

/** Saves the range's table as CSV in the Downloads folder; returns the file's path. */
export function exportUsageCSV(range: UsageRange): Promise<string> {
  return call(() => App.ExportUsageCSV(range));
}

export type PlaygroundRequest = app.PlaygroundRequest;
export type PlaygroundDelta = app.PlaygroundDelta;
export type PlaygroundSummary = app.PlaygroundSummary;

/** The models the local API lists (GET /v1/models, aliases included). */
export function getPlaygroundModels(): Promise<string[]> {
  return call(async () => (await App.PlaygroundModels()) ?? []);
}

/**
 * Sends a Try it prompt through the local API; resolves with the run's id at
 * once. The answer arrives through onPlaygroundDelta, the end through
 * onPlaygroundDone (either may come before this resolves).
 */
export function startPlayground(req: PlaygroundRequest): Promise<string> {
  return call(() => App.StartPlayground(req));
}

/** Stops a run: the request, and the proxy's call to Kiro with it. */
export function cancelPlayground(runId: string): Promise<void> {
  return call(() => App.CancelPlayground(runId));
}

export function onPlaygroundDelta(handler: (d: PlaygroundDelta) => void): () => void {
  return EventsOn(Events.PlaygroundDelta, handler);
}

export function onPlaygroundDone(handler: (s: PlaygroundSummary) => void): () => void {
  return EventsOn(Events.PlaygroundDone, handler);
}

/** The update check's answer (Go: app.UpdateInfo). Nothing is ever downloaded. */
export type UpdateInfo = app.UpdateInfo;

/** Asks the release feed now (About's button); a check that cannot tell is state "failed", not a rejection. */
export function checkForUpdates(): Promise<UpdateInfo> {
  return call(() => App.CheckForUpdates());
}

/** What the last check found, without asking anyone (the notice after a restart). */
export function getUpdateStatus(): Promise<UpdateInfo> {
  return call(() => App.UpdateStatus());
}

/** Closes the window's notice for this version for good. */
export function dismissUpdate(version: string): Promise<UpdateInfo> {
  return call(() => App.DismissUpdate(version));
}

/** Follows the update check: after each check (daily or asked) and each dismissal. */
export function onUpdate(handler: (info: UpdateInfo) => void): () => void {
  return EventsOn(Events.Update, handler);
}
