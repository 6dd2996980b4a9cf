import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import type { Locator, Page } from 'playwright-core';
import { askClaude, screenshotDir, startHarness, type Harness } from './harness';

interface Status {
  proxyOn: boolean;
  endpoint: string;
  port: number;
}

// The copied curl commands are run with sh -c, as a person pastes them.
// provenance: curl (scripts/deps.sh --test installs it; internal/provenance reads this line)
const run = promisify(execFile);

let h: Harness;
let page: Page;

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

async function open(view: string) {
  const nav = page.getByRole('navigation', { name: 'Main' });
  const button = nav.getByRole('button', { name: view });
  if (await button.count()) await button.click();
  await page.getByRole('heading', { level: 1, name: view }).waitFor();
}

/**
 * Clicks a Copy button and returns what reached the clipboard. The page's
 * copy is its own bridge call, so the clipboard is read until it holds
 * what the test waits for (reading it once raced that call in CI).
 */
async function copied(button: string, want: string): Promise<string> {
  await page.getByRole('button', { name: button }).click();
  let clipboard = '';
  await expect
    .poll(
      async () => {
        ({ clipboard } = (await (await fetch(`${h.url}/__bridge/state`)).json()) as { clipboard: string });
        return clipboard;
      },
      { timeout: 10_000 },
    )
    .toContain(want);
  return clipboard;
}

/** What the element shows, each status icon as [its name] (src/test/icons.ts's shownText). */
function shown(el: Locator): Promise<string> {
  return el.evaluate((e) => {
    const copy = e.cloneNode(true) as Element;
    copy.querySelectorAll('[data-icon]').forEach((icon) => icon.replaceWith(`[${icon.getAttribute('data-icon')}]`));
    return (copy.textContent ?? '').replace(/\s+/g, ' ').trim();
  });
}

async function shoot(name: string) {
  await page.screenshot({ path: resolve(screenshotDir, `${name}.png`), fullPage: true });
  // No layout break at 800x600: nothing wider than the window.
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${name} overflows 800px`).toBeLessThanOrEqual(800);
}

/**
 * Issue 22's screenshots: 1280x800 and 800x600, light and dark; the page
 * goes back to 800x600 light after.
 */
async function shootAll(name: string) {
  for (const [w, hgt] of [
    [1280, 800],
    [800, 600],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await page.emulateMedia({ colorScheme: scheme });
      await page.screenshot({ path: resolve(screenshotDir, `${name}-${w}x${hgt}-${scheme}.png`), fullPage: true });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${name} overflows ${w}px`).toBeLessThanOrEqual(w);
      // No tile's figure breaks over two lines ("24,000 in /" above "40 out").
      const wrapped = await page.evaluate(() =>
        Array.from(document.querySelectorAll('.stat dd'))
          .filter((dd) => {
            const r = document.createRange();
            r.selectNodeContents(dd);
            return new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size > 1;
          })
          .map((dd) => dd.textContent),
      );
      expect(wrapped, `${name}: a tile's figure wraps at ${w}px`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 800, height: 600 });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** Holds a port as another program would, until the returned close. */
function holdPort(): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      if (typeof a !== 'object' || !a) return fail(new Error('no port'));
      ok({ port: a.port, close: () => new Promise((done) => s.close(() => done())) });
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? ok(a.port) : fail(new Error('no port'))));
    });
  });
}

describe('Kirodesk in a browser, on the real Go bindings', () => {
  it('turns the proxy off and on: a client request fails, then succeeds', async () => {
    await open('Dashboard');
    const key = await h.call<string>('APIKey');
    let st = await h.call<Status>('Status');
    expect(st.proxyOn).toBe(true);
    await expect(page.getByText(`Listening on ${st.endpoint}`).count()).resolves.toBe(1);

    const ok = await askClaude(st.endpoint, key);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { content: Array<{ text: string }> };
    expect(body.content[0]?.text).toContain('say hello'); // the fake echoes

    const toggle = page.getByRole('switch', { name: 'Proxy' });
    await toggle.click();
    await page.waitForSelector('[role="switch"][aria-checked="false"]');
    await page.getByText('Off: clients cannot connect.').waitFor();
    await expect(askClaude(st.endpoint, key)).rejects.toThrow();

    await toggle.press('Space'); // and from the keyboard
    await page.waitForSelector('[role="switch"][aria-checked="true"]');
    st = await h.call<Status>('Status');
    const again = await askClaude(st.endpoint, key);
    expect(again.status).toBe(200);
    await page.getByTestId('live-stats').getByText('Requests today').waitFor();
    await page.waitForFunction(
      () => /Requests today\s*2/.test(document.querySelector('[data-testid="live-stats"]')?.textContent ?? ''),
      undefined,
      { timeout: 10_000 },
    );
    await shoot('dashboard');
  });

  it('regenerates the API key: the old key stops working at once', async () => {
    await open('Dashboard');
    const old = await h.call<string>('APIKey');
    const st = await h.call<Status>('Status');
    await page.getByRole('button', { name: 'Regenerate API key' }).click();
    await page.getByRole('button', { name: 'Replace key' }).click();
    await page.getByText('New key issued: update your clients.').waitFor();
    const fresh = await h.call<string>('APIKey');
    expect(fresh).not.toBe(old);
    expect((await askClaude(st.endpoint, old)).status).toBe(401);
    expect((await askClaude(st.endpoint, fresh)).status).toBe(200);

    // The curl line on the dashboard is ready to paste: run it as copied.
    const clipboard = await copied('Copy curl command', fresh);
    const { stdout } = await run('sh', ['-c', clipboard]);
    expect(JSON.parse(stdout)).toMatchObject({ type: 'message', role: 'assistant' });
    expect(stdout).toContain('Say hello');
  });

  it('changes the port in Settings and the new port serves', async () => {
    await open('Settings');
    const before = await h.call<Status>('Status');
    const port = await freePort();
    const field = page.getByLabel('Port');
    await field.fill('70000');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Enter a whole number from 1 to 65535.').waitFor();
    await shoot('settings-invalid');

    await field.fill(String(port));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Saved.').waitFor();
    const after = await h.call<Status>('Status');
    expect(after.port).toBe(port);
    expect(after.proxyOn).toBe(true);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    await expect(fetch(`${before.endpoint}/health`)).rejects.toThrow();
    expect((await askClaude(after.endpoint, await h.call<string>('APIKey'))).status).toBe(200);
    await shoot('settings');

    await open('Dashboard');
    await page.getByText(`Listening on http://127.0.0.1:${port}`).waitFor();
  });

  it('tests the connection, copies the report, keeps the proxy password out of config.json', async () => {
    await open('Settings');
    await page.getByTestId('version').getByText('devserve').waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    const report = page.getByTestId('diagnostics');
    await report.waitFor({ timeout: 60_000 });
    const items = report.locator('li');
    const lines = await Promise.all((await items.all()).map(shown));
    expect(lines.length).toBeGreaterThan(3);
    // Each check's status by its icon and its word, in agreement.
    for (const l of lines) expect(l).toMatch(/^\[(ok\] ok|warning\] warn|failed\] fail|skipped\] skip) /);
    expect(lines.join('\n')).toMatch(/ok /);
    expect(await report.textContent()).toContain('Ada (fake Kiro)');
    const clipboard = await copied('Copy report', 'Ada (fake Kiro)');
    expect(clipboard).not.toContain(await h.call<string>('APIKey'));
    await report.scrollIntoViewIfNeeded();
    await shoot('settings-diagnostics');

    await page.getByLabel('This proxy:').check();
    await page.getByLabel('Proxy URL').fill('http://ada@127.0.0.1:9');
    await page.getByLabel('Proxy password').fill('s3cret-proxy-pw');
    await page.getByRole('button', { name: 'Save', exact: true }).click(); // the page's one bar
    await page.getByText('Saved. New connections to Kiro use it.').waitFor();
    const config = await readFile(resolve(h.configDir, 'config.json'), 'utf8');
    expect(config).toContain('http://ada@127.0.0.1:9');
    expect(config).not.toContain('s3cret-proxy-pw');
    expect(await page.getByLabel('Proxy password').inputValue()).toBe('');

    await page.getByLabel('Use the system’s proxy settings (HTTPS_PROXY…)').check();
    await page.getByRole('button', { name: 'Save', exact: true }).click(); // the page's one bar
    await page.getByText('Saved. New connections to Kiro use it.').waitFor();
    expect(JSON.parse(await readFile(resolve(h.configDir, 'config.json'), 'utf8')).outbound.proxy).toBe('system');
    const st = await h.call<Status>('Status');
    expect((await askClaude(st.endpoint, await h.call<string>('APIKey'))).status).toBe(200);
  });

  it('sets an alias in Settings; the running proxy serves it to an OpenAI client and lists it', async () => {
    await open('Settings');
    const aliases = page.getByRole('form', { name: 'Model aliases' });
    await aliases.getByRole('button', { name: 'Add alias' }).click();
    await page.getByLabel('Client’s model name, row 1').fill('gpt-4o');
    await page.getByLabel('Kiro model, row 1').selectOption('claude-haiku-4.5');
    // A name Kiro already answers to is refused in place, by Go's own rule.
    await aliases.getByRole('button', { name: 'Add alias' }).click();
    await page.getByLabel('Client’s model name, row 2').fill('claude-sonnet-4.5');
    await aliases.getByText('This is already Kiro’s model claude-sonnet-4.5; an alias cannot replace it.').waitFor();
    await page.getByRole('button', { name: 'Remove alias claude-sonnet-4.5 (row 2)' }).click();
    // The page's one bar, in view wherever the card is, saves the table.
    const save = page.getByRole('button', { name: 'Save', exact: true });
    const inView = await save.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    expect(inView, 'the save bar is in view beside the model aliases').toBe(true);
    await save.click();
    await aliases.getByText('Saved. The next request uses them.').waitFor();
    await page.getByText('No unsaved changes.', { exact: true }).or(page.getByText('Saved.', { exact: true })).first().waitFor();
    await aliases.scrollIntoViewIfNeeded();
    await shoot('settings-aliases');
    // In Chinese the card fits 800 px too (CJK strings differ in width).
    await h.call('SetLanguage', 'zh-CN');
    await page.getByRole('heading', { name: '模型别名' }).waitFor();
    await page.getByRole('heading', { name: '模型别名' }).scrollIntoViewIfNeeded();
    await shoot('settings-aliases-zh-CN');
    await h.call('SetLanguage', 'system');
    await page.getByRole('heading', { name: 'Model aliases' }).waitFor();
    const config = JSON.parse(await readFile(resolve(h.configDir, 'config.json'), 'utf8')) as { modelAliases: Record<string, string> };
    expect(config.modelAliases).toEqual({ 'gpt-4o': 'claude-haiku-4.5' });

    // No restart: the proxy serves the alias at once.
    const st = await h.call<Status>('Status');
    const key = await h.call<string>('APIKey');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const r = await fetch(`${st.endpoint}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'say hello' }] }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { model: string; choices: Array<{ message: { content: string } }> };
    expect(body.model).toBe('gpt-4o');
    expect(body.choices[0]?.message.content).toContain('say hello'); // the fake echoes
    const models = (await (await fetch(`${st.endpoint}/v1/models`, { headers })).json()) as {
      data: Array<{ id: string; owned_by: string; alias_for?: string }>;
    };
    expect(models.data).toContainEqual(expect.objectContaining({ id: 'gpt-4o', owned_by: 'kirodesk-alias', alias_for: 'claude-haiku-4.5' }));

    // The request log shows both names.
    await open('Logs');
    await page.getByRole('tab', { name: /Requests/ }).click();
    await page.getByRole('searchbox').fill('gpt-4o');
    const row = page.getByTestId('request-row').filter({ hasText: 'gpt-4o → claude-haiku-4.5' });
    await row.first().click();
    const detail = page.getByTestId('request-detail');
    await detail.getByText('Model asked for (alias)').waitFor();
    expect(await detail.textContent()).toContain('claude-haiku-4.5');
    await page.keyboard.press('Escape');
    await page.getByRole('searchbox').fill('');
  });

  it('reads the request log and the app log, with no secret in them', async () => {
    await open('Logs');
    await page.getByTestId('virtual-list').waitFor();
    const rows = page.getByTestId('request-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="request-row"]').length >= 4);
    const text = (await rows.allTextContents()).join('\n');
    expect(text).toContain('POST /v1/messages');
    expect(text).toContain('claude-sonnet-4.5');
    expect(text).toContain('Ada (fake Kiro)');
    expect(text).toMatch(/401/);
    await shoot('logs-requests');

    await page.getByRole('tab', { name: /App log/ }).click();
    const log = page.getByTestId('app-log');
    await page.waitForFunction(() => /proxy on/.test(document.querySelector('[data-testid="app-log"]')?.textContent ?? ''));
    const all = (await log.textContent()) ?? '';
    expect(all).toContain('proxy off');
    expect(all).not.toContain(await h.call<string>('APIKey'));
    await page.getByRole('searchbox').fill('proxy off');
    await page.waitForFunction(() => !/proxy on/.test(document.querySelector('[data-testid="app-log"]')?.textContent ?? ''));
    await copied('Copy log lines', 'proxy off');
    await shoot('logs-app');
  });

  it("explains a failed request: its error, each try and the wait between", async () => {
    const sizes = [
      { width: 1280, height: 800 },
      { width: 800, height: 600 },
    ];
    try {
      await fetch(`${h.url}/__devserve/fail-next`, { method: 'POST' });
      const st = await h.call<Status>('Status');
      const failed = await askClaude(st.endpoint, await h.call<string>('APIKey'));
      expect(failed.status).toBeGreaterThanOrEqual(400);
      const told = ((await failed.json()) as { error: { message: string } }).error.message;
      expect(told).not.toBe('');

      await open('Logs');
      await page.getByRole('tab', { name: /Requests/ }).click();
      await page.getByRole('searchbox').fill(''); // an earlier test filtered the app log
      await page.getByLabel('Errors only').check();
      await page.getByLabel('Status').selectOption(`${Math.floor(failed.status / 100)}xx`);
      // The newest row with the failed request's status, once the log has it.
      const row = page.getByTestId('request-row').filter({ hasText: new RegExp(`\\b${failed.status} (refused|failed)`) }).last();
      await row.waitFor();
      expect(await row.textContent()).toContain('POST /v1/messages');
      await row.click();
      const pane = page.getByTestId('request-detail');
      await pane.waitFor();
      expect(await pane.getByTestId('request-error').textContent()).toBe(told); // what the client was told
      const tries = pane.getByTestId('request-tries').getByRole('listitem');
      expect(await tries.count()).toBe(2);
      expect(await tries.nth(0).textContent()).toContain('Ada (fake Kiro) — failed for now: tried again (Kiro 500)');
      expect(await tries.nth(0).textContent()).toContain('devserve: a server error on purpose');
      expect(await tries.nth(1).textContent()).toContain('failed: this was the answer (Kiro 400)');
      expect(await tries.nth(1).textContent()).toMatch(/waited \d+ ms before this try/);
      expect(await pane.textContent()).toMatch(/First byte/);
      expect(await pane.textContent()).toMatch(/Request \(in\)\s*\d+ B/);

      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const size of sizes) {
          await page.setViewportSize(size);
          const name = `logs-failed-request-${size.width}x${size.height}-${scheme}`;
          await page.screenshot({ path: resolve(screenshotDir, `${name}.png`), fullPage: true });
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          expect(width, `${name} overflows`).toBeLessThanOrEqual(size.width);
        }
      }

      await page.keyboard.press('Escape');
      await pane.waitFor({ state: 'detached' });
      await page.getByLabel('Status').selectOption('all');
      await page.getByLabel('Errors only').uncheck();
    } finally {
      await page.setViewportSize({ width: 800, height: 600 });
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('lists the account, renames it and disables it', async () => {
    await open('Accounts');
    const item = page.getByRole('listitem', { name: 'Ada (fake Kiro)' });
    await item.waitFor();
    await shoot('accounts');
    await page.getByRole('button', { name: 'Rename Ada (fake Kiro)' }).click();
    await page.getByLabel('New name for Ada (fake Kiro)').fill('Ada');
    await page.keyboard.press('Enter');
    await page.getByRole('listitem', { name: 'Ada' }).waitFor();
    await page.getByRole('button', { name: 'Disable Ada' }).click();
    await page.getByRole('button', { name: 'Enable Ada' }).waitFor();
    const accounts = await h.call<Array<{ label: string; disabled: boolean }>>('Accounts');
    expect(accounts).toEqual([expect.objectContaining({ label: 'Ada', disabled: true })]);
    await page.getByRole('button', { name: 'Enable Ada' }).click();
    await page.getByRole('button', { name: 'Disable Ada' }).waitFor();
  });

  it('tries a prompt: the answer streams in with its figures, and the copied curl reproduces it', async () => {
    await open('Try it');
    const [ada] = await h.call<Array<{ id: string; label: string }>>('Accounts');
    expect(ada?.label).toBe('Ada');
    const prompt = 'Name three colours of the rainbow';
    const model = page.getByLabel('Model', { exact: true });
    await page.getByRole('option', { name: 'claude-haiku-4.5' }).waitFor({ state: 'attached' });
    await model.selectOption('claude-haiku-4.5');
    await page.getByLabel('Account', { exact: true }).selectOption({ label: 'Ada' });
    await page.getByLabel('Prompt', { exact: true }).fill(prompt);
    await page.getByRole('button', { name: 'Send', exact: true }).click();

    const figures = page.getByTestId('playground-figures');
    await figures.waitFor({ timeout: 30_000 });
    // The fake echoes the prompt, a word per frame: it arrived in pieces.
    await expect(page.getByTestId('playground-answer').textContent()).resolves.toBe(`Echo: ${prompt}`);
    const shown = (await figures.textContent()) ?? '';
    expect(shown).toMatch(/Time to first byte[\d,.]+ m?s/);
    expect(shown).toMatch(/Total time[\d,.]+ m?s/);
    expect(shown).toMatch(/Input tokens[1-9][\d,]*/);
    expect(shown).toMatch(/Output tokens[1-9][\d,]*/);
    expect(shown).toContain('Credits0.01'); // the fake meters 0.01 per answer
    expect(shown).toContain('Served byAda (pinned)');
    await shoot('playground');
    await shootAll('playground');

    // The same request from a terminal: run the copied command as is.
    const key = await h.call<string>('APIKey');
    const clipboard = await copied('Copy as curl', key);
    expect(clipboard).toContain(`x-kirodesk-account:${ada!.id}`);
    const { stdout } = await run('sh', ['-c', clipboard]);
    const text = stdout
      .split('\n')
      .filter((l) => l.startsWith('data:'))
      .map((l) => JSON.parse(l.slice(5)) as { type: string; delta?: { type: string; text?: string } })
      .filter((e) => e.type === 'content_block_delta' && e.delta?.type === 'text_delta')
      .map((e) => e.delta!.text)
      .join('');
    expect(text).toBe(`Echo: ${prompt}`);

    // Both went through the request log like any client's, pinned to Ada.
    const requests = await h.call<Array<{ pinned?: string; model?: string; status: number }>>('Requests', 0);
    const pinned = requests.filter((r) => r.pinned === ada!.id);
    expect(pinned).toHaveLength(2);
    expect(pinned.every((r) => r.status === 200 && r.model === 'claude-haiku-4.5')).toBe(true);
  });

  it('renders every window in dark mode too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    for (const view of ['Dashboard', 'Accounts', 'Settings', 'Logs']) {
      await open(view);
      await shoot(`${view.toLowerCase()}-dark`);
    }
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(21, 24, 29)');
    await page.emulateMedia({ colorScheme: 'light' });
  });
});

describe('removing an account', () => {
  it('asks first, then removes it everywhere', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    await open('Accounts');
    await page.getByRole('button', { name: 'Remove Ada' }).click();
    await page.getByText('Remove Ada and its sign-in from this computer?').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(await h.call<unknown[]>('Accounts')).toHaveLength(1);

    await page.getByRole('button', { name: 'Remove Ada' }).click();
    await page.getByRole('group', { name: /Remove Ada/ }).getByRole('button', { name: 'Remove' }).click();
    await page.getByText('No accounts yet. Add one below.').waitFor();
    expect(await h.call<unknown[]>('Accounts')).toEqual([]);
    const st = await h.call<Status>('Status');
    const res = await askClaude(st.endpoint, await h.call<string>('APIKey'));
    expect(res.status).toBeGreaterThanOrEqual(400); // no account left to answer
  });
});

describe('first run to a first answer (issue 22 §2)', () => {
  it('leads from no account to an answer, step by step', async () => {
    await open('Dashboard');
    const checklist = page.getByRole('region', { name: 'Get to a first answer' });
    await checklist.waitFor();
    const steps = checklist.getByRole('listitem');
    await expect(steps.count()).resolves.toBe(3);
    await expect(steps.nth(0).textContent()).resolves.toContain('Add a Kiro account');
    await expect(checklist.getByRole('button', { name: 'Send test request' }).isDisabled()).resolves.toBe(true);
    await shootAll('first-run-checklist');

    await checklist.getByRole('button', { name: 'Add an account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    await expect(page.getByRole('button', { name: 'Add account' }).isVisible()).resolves.toBe(true);
    // Each way in says who picks it, the most common first.
    await expect(page.getByLabel('Google').isChecked()).resolves.toBe(true);
    await page.getByText('You sign in to Kiro with a personal AWS Builder ID.').waitFor();
    await shootAll('first-run-accounts');

    expect((await fetch(`${h.url}/__devserve/device-flow`, { method: 'POST' })).status).toBe(204);
    await page.getByLabel('AWS Builder ID').check();
    await page.getByLabel('Name (optional)').fill('First');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const code = page.getByTestId('device-code');
    await code.waitFor();
    const userCode = ((await code.textContent()) ?? '').trim();
    const approve = await fetch(`${h.fakeUrl}/device`, { method: 'POST', body: new URLSearchParams({ user_code: userCode }) });
    expect(approve.status).toBe(200);
    await page.getByTestId('add-result').getByText('Added First.').waitFor({ timeout: 15_000 });

    await open('Dashboard');
    await expect(page.getByRole('region', { name: 'Get to a first answer' }).count()).resolves.toBe(0);
    await page.getByTestId('health-counts').getByText('1 ready').waitFor();
    await page.getByRole('button', { name: 'Send test request' }).click();
    const answer = page.getByTestId('test-answer');
    await answer.waitFor({ timeout: 30_000 });
    const text = (await answer.textContent()) ?? '';
    expect(text).toContain('Answer: Echo: Reply with one short sentence'); // the fake echoes the prompt
    expect(text).toMatch(/Served by First with claude-haiku-4\.5 in [\d,]+ ms\./);
    await page.getByTestId('serving-now').getByText('First').waitFor({ timeout: 10_000 });
    await answer.scrollIntoViewIfNeeded();
    await shootAll('first-run-answer');

    // Back to no account for the tests after this one.
    const [first] = await h.call<Array<{ id: string }>>('Accounts');
    await h.call('RemoveAccount', first!.id);
  });
});

describe('adding an account with AWS Builder ID', () => {
  it('shows the code large with a countdown, and the approved account serves requests', async () => {
    await page.emulateMedia({ colorScheme: 'light' });
    // The next device login waits until this test approves it at the fake upstream.
    expect((await fetch(`${h.url}/__devserve/device-flow`, { method: 'POST' })).status).toBe(204);
    await open('Accounts');
    await page.getByLabel('AWS Builder ID').check();
    await page.getByLabel('Name (optional)').fill('Builder');
    await page.getByRole('button', { name: 'Sign in' }).click();

    const code = page.getByTestId('device-code');
    await code.waitFor();
    const userCode = ((await code.textContent()) ?? '').trim();
    expect(userCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const size = await code.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(size, 'the code is shown large').toBeGreaterThanOrEqual(24);
    const countdown = page.getByTestId('countdown');
    const first = (await countdown.textContent()) ?? '';
    expect(first).toMatch(/^Expires in \d+:\d\d$/);
    await page.waitForFunction(
      (before) => document.querySelector('[data-testid="countdown"]')?.textContent !== before,
      first,
      { timeout: 5_000 },
    );
    // The verification page went to the person's browser, code filled in.
    const state = (await (await fetch(`${h.url}/__bridge/state`)).json()) as { opened: string[] | null };
    expect(state.opened ?? []).toContainEqual(expect.stringContaining(`user_code=${userCode}`));
    await shoot('device-code');

    // Nothing happens until the person approves.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await h.call<unknown[]>('Accounts')).toEqual([]);
    expect(await code.isVisible()).toBe(true);

    const approve = await fetch(`${h.fakeUrl}/device`, { method: 'POST', body: new URLSearchParams({ user_code: userCode }) });
    expect(approve.status).toBe(200);

    await page.getByTestId('add-result').getByText('Added Builder.').waitFor({ timeout: 15_000 });
    const item = page.getByRole('listitem', { name: 'Builder' });
    await item.waitFor();
    await expect(shown(item.getByTestId('account-state'))).resolves.toBe('[ok] Ready');
    await shoot('accounts-after-builder-id');

    const st = await h.call<Status>('Status');
    const res = await askClaude(st.endpoint, await h.call<string>('APIKey'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { content: Array<{ text: string }> };
    expect(body.content[0]?.text).toContain('say hello');
    const accounts = await h.call<Array<{ label: string; state: string; counters: { requests: number } }>>('Accounts');
    expect(accounts).toEqual([expect.objectContaining({ label: 'Builder', state: 'ready' })]);
    expect(accounts[0]!.counters.requests).toBe(1);

    // Its quota, from the fake's getUsageLimits (KIRO FREE, 50 credits).
    await page.getByRole('button', { name: 'Refresh quota of Builder' }).click();
    const quota = item.getByTestId('quota');
    await quota.waitFor();
    expect(await quota.textContent()).toMatch(/^KIRO FREE: [\d.]+ of 50 credits used \(\d+%\) · resets /);
    await expect(item.getByRole('meter', { name: 'Quota' }).getAttribute('aria-valuemax')).resolves.toBe('50');
    await shoot('accounts-quota');
  });
});

describe('repairing a revoked account (issue 22 §3)', () => {
  it('shows the failure and signs the same account in again', async () => {
    const before = await h.call<Array<{ id: string; label: string; counters: { requests: number } }>>('Accounts');
    expect(before).toHaveLength(1);
    const builder = before[0]!;
    expect((await fetch(`${h.url}/__devserve/revoke`, { method: 'POST' })).status).toBe(204);
    const st = await h.call<Status>('Status');
    const failed = await askClaude(st.endpoint, await h.call<string>('APIKey'));
    expect(failed.status).toBeGreaterThanOrEqual(400);

    await open('Accounts');
    await open('Dashboard'); // views read the accounts when they open
    const health = page.getByRole('region', { name: 'Accounts' });
    await health.getByTestId('health-counts').getByText('1 needs sign-in').waitFor();
    const item = health.getByRole('listitem', { name: `${builder.label}: Needs sign-in` });
    await item.waitFor();
    await expect(shown(item.getByTestId('account-state'))).resolves.toBe('[failed] Needs sign-in');
    await expect(item.textContent()).resolves.toContain('Kiro no longer accepts its refresh token');
    await shootAll('repair-needs-sign-in');

    expect((await fetch(`${h.url}/__devserve/device-flow`, { method: 'POST' })).status).toBe(204);
    await item.getByRole('button', { name: `Sign in again: ${builder.label}` }).click();
    const code = item.getByTestId('device-code');
    await code.waitFor();
    const userCode = ((await code.textContent()) ?? '').trim();
    await shootAll('repair-device-code');
    const approve = await fetch(`${h.fakeUrl}/device`, { method: 'POST', body: new URLSearchParams({ user_code: userCode }) });
    expect(approve.status).toBe(200);
    await health.getByText(`Signed in again: ${builder.label} is ready.`).waitFor({ timeout: 15_000 });
    await health.getByTestId('health-counts').getByText('1 ready').waitFor();
    await shootAll('repair-done');

    const after = await h.call<Array<{ id: string; label: string; state: string; counters: { requests: number } }>>('Accounts');
    expect(after).toEqual([expect.objectContaining({ id: builder.id, label: builder.label, state: 'ready' })]);
    expect(after[0]!.counters.requests).toBeGreaterThanOrEqual(builder.counters.requests);
    const ok = await askClaude(st.endpoint, await h.call<string>('APIKey'));
    expect(ok.status).toBe(200);
  });
});

describe('port recovery (issue 22 §4)', () => {
  it('tells the truth after a port in use, and both repairs work', async () => {
    const held = await holdPort();
    try {
      const start = await h.call<Status>('Status');
      const old = start.port;
      await open('Settings');
      const field = page.getByLabel('Port');
      await field.fill(String(held.port));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Saved, but the proxy is not listening' });
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain(`port ${held.port} is in use by another program`);
      await expect(field.inputValue()).resolves.toBe(String(held.port)); // what is really saved
      await page.getByText(`Not listening: port ${held.port} is in use by another program.`, { exact: true }).waitFor(); // what is really listening
      await shootAll('port-in-use-settings');

      // The old port typed back is a change: Save and Revert work, and it listens again.
      await field.fill(String(old));
      await expect(page.getByRole('button', { name: 'Save', exact: true }).isEnabled()).resolves.toBe(true);
      await expect(page.getByRole('button', { name: 'Revert' }).isEnabled()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText('Saved.', { exact: true }).waitFor();
      await page.getByText(`Listening on http://127.0.0.1:${old}.`).waitFor();
      let st = await h.call<Status>('Status');
      expect(st).toMatchObject({ proxyOn: true, port: old });
      expect((await fetch(`http://127.0.0.1:${old}/health`)).status).toBe(200);

      // Again into the taken port, then the Dashboard's "Use a free port".
      // Wait for this save's own outcome (the listener's line and a clean
      // save bar), not the alert: one from the first failure may still be
      // on screen, and leaving with the save in flight would ask first.
      await field.fill(String(held.port));
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByText(`Not listening: port ${held.port} is in use by another program.`, { exact: true }).waitFor();
      await page.getByText('No unsaved changes.', { exact: true }).waitFor();
      await alert.waitFor();
      await open('Dashboard');
      await page.getByRole('alert').getByText(`The proxy is not listening: port ${held.port} is in use by another program.`, { exact: true }).waitFor();
      await expect(page.getByRole('button', { name: 'Open Settings' }).isVisible()).resolves.toBe(true);
      await shootAll('port-in-use-dashboard');
      await page.getByRole('button', { name: 'Use a free port' }).click();
      await page.getByText(/^Now listening on http:\/\/127\.0\.0\.1:\d+\. Clients set up with the old address must use this one\.$/).waitFor();
      st = await h.call<Status>('Status');
      expect(st.proxyOn).toBe(true);
      expect(st.port).not.toBe(held.port);
      await page.getByText(`Listening on ${st.endpoint}`, { exact: true }).waitFor();
      await expect(page.getByRole('alert').filter({ hasText: 'is in use' }).count()).resolves.toBe(0); // the stale error is gone
      expect((await askClaude(st.endpoint, await h.call<string>('APIKey'))).status).toBe(200);
      await shootAll('port-repaired');
    } finally {
      await held.close();
    }
  });
});

describe('importing the old proxy', () => {
  it('shows what became of each account and deletes the plaintext files only when confirmed', async () => {
    const root = await mkdtemp(resolve(tmpdir(), 'kirodesk-e2e-aiclient-'));
    try {
      await cp(resolve(import.meta.dirname, '../../internal/login/testdata/aiclient'), root, { recursive: true });
      await open('Accounts');
      await page.getByLabel('Import from the old proxy').check();
      await page.getByLabel('Folder of the old proxy').fill(root);
      await page.getByRole('button', { name: 'Import', exact: true }).click();
      const report = page.getByTestId('import-report');
      await report.waitFor({ timeout: 30_000 });
      expect(await report.textContent()).toMatch(/Imported \d+, skipped \d+, failed \d+ of 11 accounts/);
      const rows = await report.locator('tbody tr').allTextContents();
      expect(rows).toHaveLength(11);
      expect(rows.join('\n')).toContain('Work Google');
      expect(rows.join('\n')).toMatch(/skipped.*duplicate/);
      await shoot('import-report');

      const tokenFile = resolve(root, 'configs/kiro/kiro-auth-token-1736150100000.json');
      await report.getByRole('button', { name: 'Delete the plaintext files…' }).click();
      await report.getByRole('button', { name: 'Cancel' }).click();
      await stat(tokenFile); // still there
      await report.getByRole('button', { name: 'Delete the plaintext files…' }).click();
      await report.getByRole('button', { name: 'Delete files' }).click();
      await report.getByText(/^Deleted \d+ files?\.$/).waitFor();
      await expect(stat(tokenFile)).rejects.toThrow();
      await stat(resolve(root, 'configs/provider_pools.json')); // not a credential file of an account: kept
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('update notices (issue 19 §4)', () => {
  it('checks from About, shows the newer version and its page, and the notice closes for good', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await open('Settings');
    await page.getByRole('checkbox', { name: 'Check once a day' }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Check once a day' }).isChecked()).toBe(false);
    await page.getByRole('button', { name: 'Check for updates' }).click();
    const result = page.getByTestId('update-result');
    await result.getByText('Kirodesk 0.1.0 is available').waitFor();
    await result.getByText("What's new").click();
    await result.getByText('Update notices.').waitFor();

    // The daily check's notice follows the same result (the update event).
    const notice = page.getByTestId('update-notice');
    await notice.getByText('Kirodesk 0.1.0 is available').waitFor();
    await shoot('update-notice-800x600');

    // The link goes to the browser, to the release page; nothing downloads.
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      notice.getByRole('link', { name: 'Open the download page' }).click(),
    ]);
    expect(popup.url()).toBe(`${h.url}/__devserve/release/v0.1.0`);
    await popup.close();

    await notice.getByRole('button', { name: 'Dismiss the notice for version 0.1.0' }).click();
    await notice.waitFor({ state: 'detached' });
    // The notice hides at once; the dismissal reaches Go on its own call.
    await expect
      .poll(() => h.call<{ dismissed: boolean; available: boolean }>('UpdateStatus'), { timeout: 10_000 })
      .toMatchObject({ dismissed: true, available: true });
    // Closed for good: a new page (as after a restart) reads it back closed.
    await page.reload();
    await page.evaluate(() => (window as unknown as { __bridgeConnected: Promise<boolean> }).__bridgeConnected);
    await open('Settings');
    await page.getByTestId('version').getByText('devserve').waitFor();
    await page.waitForTimeout(500); // the notice reads its state once the frame is up
    expect(await page.getByTestId('update-notice').count()).toBe(0);
  });
});
