// The one façade over the Wails bindings and runtime. UI code imports from
// here only, never from ../../wailsjs, so tests can replace this module with
// vi.mock and the rest of the app never sees window.go or window.runtime.
import * as App from '../../wailsjs/go/app/App';
import type { app } from '../../wailsjs/go/models';
import { EventsOn } from '../../wailsjs/runtime/runtime';
import { Events } from './events';

export { Events } from './events';

/** Snapshot of the proxy and app state (Go: app.Status). */
export type Status = Omit<app.Status, 'warnings'> & {
  /** Store recovery notices; never null here (a nil Go slice arrives as null). */
  warnings: string[];
};

/**
 * A failed bound call. Wails rejects the promise with the Go error's text, or
 * with whatever options.App.ErrorFormatter returns; both end up here.
 */
export class BridgeError extends Error {
  readonly code?: string;
  readonly hint?: string;

  constructor(message: string, code?: string, hint?: string) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    this.hint = hint;
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
