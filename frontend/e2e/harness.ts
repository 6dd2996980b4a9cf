// Starts app/devserve (the real Go bindings and core, a fake Kiro upstream,
// a temporary config folder) and Debian's Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = resolve(import.meta.dirname, '../..');
export const screenshotDir = resolve(root, 'build/screenshots');

export interface Harness {
  url: string;
  fakeUrl: string;
  configDir: string;
  proc: ChildProcess;
  browser: Browser;
  page: Page;
  /** Calls a bound Go method the way the page does. */
  call: <T>(method: string, ...args: unknown[]) => Promise<T>;
  stop: () => Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const bin = process.env.KIRODESK_DEVSERVE ?? resolve(root, 'build/bin/kirodesk-devserve');
  // The window follows the system's language until a test sets one: pin
  // the system to no language of ours, so the suites start in English on
  // any machine (a zh_CN desktop included).
  const proc = spawn(bin, ['--dist', resolve(root, 'frontend/dist')], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, LC_ALL: 'C.UTF-8', LC_MESSAGES: '', LANG: 'C.UTF-8' },
  });
  let stderr = '';
  proc.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-20_000);
  });
  const ready = await new Promise<{ url: string; fakeUrl: string; configDir: string }>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`devserve did not start in 30s:\n${stderr}`)), 30_000);
    proc.on('exit', (code) => fail(new Error(`devserve exited (${code}):\n${stderr}`)));
    createInterface({ input: proc.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      ok(JSON.parse(line));
    });
  });
  const browser = await chromium.launch({
    executablePath: process.env.KIRODESK_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(ready.url);
  await page.evaluate(() => (window as unknown as { __bridgeConnected: Promise<boolean> }).__bridgeConnected);
  await mkdir(screenshotDir, { recursive: true });

  const call = async <T>(method: string, ...args: unknown[]): Promise<T> => {
    const r = await fetch(`${ready.url}/__bridge/call/${method}`, { method: 'POST', body: JSON.stringify(args) });
    const body = (await r.json()) as { result?: T; error?: string };
    if (body.error) throw new Error(body.error);
    return body.result as T;
  };
  return {
    ...ready,
    proc,
    browser,
    page,
    call,
    stop: async () => {
      await browser.close();
      const exited = new Promise((ok) => proc.once('exit', ok));
      proc.stdin!.end(); // devserve shuts down cleanly when its stdin closes
      await exited;
      if (errors.length) throw new Error(`errors in the page: ${errors.join('\n')}`);
    },
  };
}

/** A client request, as Claude Code would send it. */
export async function askClaude(endpoint: string, key: string): Promise<Response> {
  return fetch(`${endpoint}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'say hello' }],
    }),
  });
}
