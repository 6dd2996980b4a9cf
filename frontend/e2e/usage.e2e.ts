import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { screenshotDir, startHarness, type Harness } from './harness';

// The Usage view on real recorded data: requests sent through the proxy
// from three clients, counted by the Go ledger, drawn by uPlot.

let h: Harness;
let page: Page;
let exportDir: string;

const clients = [
  ['claude-cli/1.0.98 (external, cli)', 3],
  ['OpenAI/Python 1.99.1', 2],
  ['curl/8.5.0', 1],
] as const;
// And one request the proxy refuses (no messages: 400), from curl too.
const sent = clients.reduce((a, [, n]) => a + n, 0) + 1;

beforeAll(async () => {
  exportDir = await mkdtemp(join(tmpdir(), 'kirodesk-export-'));
  process.env.KIRODESK_EXPORT_DIR = exportDir; // devserve inherits it
  h = await startHarness();
  page = h.page;
  const key = await h.call<string>('APIKey');
  const st = await h.call<{ endpoint: string }>('Status');
  for (const [ua, n] of clients) {
    for (let i = 0; i < n; i++) {
      const r = await fetch(`${st.endpoint}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key, 'user-agent': ua },
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'count me' }] }),
      });
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  }
  const bad = await fetch(`${st.endpoint}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, 'user-agent': 'curl/8.5.0' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [] }),
  });
  expect(bad.status).toBe(400);
  await bad.arrayBuffer();
  const accounts = await h.call<Array<{ id: string }>>('Accounts');
  await h.call('RefreshQuota', accounts[0]!.id); // the fake's limit: the forecast has one
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

async function shoot(name: string, maxWidth = 800) {
  await page.screenshot({ path: resolve(screenshotDir, `${name}.png`), fullPage: true });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${name} overflows ${maxWidth}px`).toBeLessThanOrEqual(maxWidth);
}

async function openUsage() {
  const button = page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Usage' });
  if (await button.count()) await button.click(); // the current view is not a button
  await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
}

const ranges = ['24 hours', '7 days', '30 days', '90 days'];
const stacks = [
  ['Account', ['Ada (fake Kiro)']],
  ['Model', ['claude-sonnet-4.5']],
  ['Client', ['Claude Code: 3', 'OpenAI SDK: 2', 'curl: 2']],
] as const;

/**
 * The median luminance (0-255) of the drawn pixels of the main chart's
 * y axis: mostly its figures' text, a few tick marks.
 */
async function axisLuminance(): Promise<number> {
  return page.getByTestId('usage-chart').locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
    const w = Math.floor(50 * (c.width / c.getBoundingClientRect().width));
    const px = c.getContext('2d')!.getImageData(0, 0, w, c.height).data;
    const lum: number[] = [];
    for (let i = 0; i < px.length; i += 4) {
      if (px[i + 3]! > 128) lum.push(0.2126 * px[i]! + 0.7152 * px[i + 1]! + 0.0722 * px[i + 2]!);
    }
    lum.sort((a, b) => a - b);
    return lum[Math.floor(lum.length / 2)] ?? Number.NaN; // nothing drawn: fails either way
  });
}

describe('the Usage view', () => {
  it('draws the recorded requests for every range and grouping, with the table as text', async () => {
    await openUsage();
    for (const range of ranges) {
      await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: range }).click();
      for (const [stack, keys] of stacks) {
        await page.getByRole('combobox', { name: 'Split by' }).selectOption({ label: stack });
        const total = page.getByTestId('usage-table').locator('tfoot tr');
        await expect.poll(() => total.textContent()).toContain(`Total${sent}1`); // 7 requests, 1 error
        for (const k of keys) await page.locator('.chart-key').first().getByText(k, { exact: false }).waitFor();
        // uPlot drew on a canvas of the card's width.
        const canvas = page.getByTestId('usage-chart').locator('canvas');
        await canvas.waitFor();
        expect(await canvas.evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(300);
        await expect.poll(() => page.getByRole('button', { name: range }).getAttribute('aria-pressed')).toBe('true');
        // The refused request is in the errors chart, by its kind.
        await page.getByTestId('usage-errors').locator('canvas').waitFor();
        await page.locator('.chart-key').nth(1).getByText('Refused request: 1').waitFor();
        await shoot(`usage-${range.replace(' ', '')}-${stack.toLowerCase()}`);
      }
    }
    await expect.poll(() => page.getByTestId('forecasts').textContent()).toContain('Ada (fake Kiro)');
  });

  it('reads the charts from the keyboard, bucket by bucket, in words', async () => {
    await openUsage();
    await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: '24 hours' }).click();
    await page.getByRole('combobox', { name: 'Split by' }).selectOption({ label: 'Client' });
    await page.getByRole('button', { name: 'Requests' }).click();
    const chart = page.getByRole('slider', { name: /Requests per hour over 24 hours, split by client/ });
    const reading = page.getByTestId('usage-chart-reading');
    expect(await chart.getAttribute('aria-valuetext')).toMatch(/arrow keys/);
    // Tab from the metric buttons, past Export CSV, reaches the chart.
    await page.getByRole('button', { name: 'Tokens' }).focus();
    for (let i = 0; i < 5 && !(await chart.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await chart.evaluate((el) => el === document.activeElement)).toBe(true);
    await expect.poll(() => reading.textContent()).toMatch(/arrow keys/); // the hint, once focused
    // End is the hour now; the requests were sent in it (or in the hour
    // before, if the clock turned since): step back to the hour that has them.
    await page.keyboard.press('End');
    for (let i = 0; i < 2 && /: nothing$/.test((await reading.textContent()) ?? ''); i++) await page.keyboard.press('ArrowLeft');
    const want = /\d\d:\d\d: Claude Code 3, OpenAI SDK 2, curl 2, total 7$/;
    await expect.poll(() => reading.textContent()).toMatch(want);
    expect(await chart.getAttribute('aria-valuetext')).toMatch(want);
    await shoot('usage-keyboard-reading');
    await page.keyboard.press('Home');
    await expect.poll(() => reading.textContent()).toMatch(/: nothing$/); // 24 hours ago: nothing sent
    expect(await chart.getAttribute('aria-valuenow')).toBe('0');
    // The latency chart reads its p50/p95 as the table writes them.
    await page.getByRole('slider', { name: /Latency p50 and p95/ }).focus();
    await page.keyboard.press('End');
    for (let i = 0; i < 2 && /: nothing$/.test((await page.getByTestId('usage-latency-reading').textContent()) ?? ''); i++) {
      await page.keyboard.press('ArrowLeft');
    }
    await expect.poll(() => page.getByTestId('usage-latency-reading').textContent()).toMatch(/p50 .*≤ [\d,]+ ms, p95 .*≤ [\d,]+ ms$/);
    // The errors chart reads the refused request by its kind.
    await page.getByRole('slider', { name: /Errors by kind/ }).focus();
    await page.keyboard.press('End');
    for (let i = 0; i < 2 && /: nothing$/.test((await page.getByTestId('usage-errors-reading').textContent()) ?? ''); i++) {
      await page.keyboard.press('ArrowLeft');
    }
    await expect.poll(() => page.getByTestId('usage-errors-reading').textContent()).toMatch(/: Refused request 1$/);
  });

  it('switches to tokens from the keyboard and exports the CSV', async () => {
    await openUsage();
    await page.getByRole('button', { name: 'Tokens' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Tokens per (hour|day)/ }).waitFor();
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const saved = page.getByText(/^Saved as /);
    await saved.waitFor();
    const path = (await saved.textContent())!.replace('Saved as ', '');
    expect(path.startsWith(exportDir)).toBe(true);
    const csv = await readFile(path, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/^(hour|day),requests,errors,/);
    expect(csv).toMatch(new RegExp(`^total,${sent},1,`, 'm'));
  });

  it('reads in light and dark, at 1280x800 and 800x600, and the dashboard has the sparkline', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [w, hgt] of [
        [1280, 800],
        [800, 600],
      ] as const) {
        await page.setViewportSize({ width: w, height: hgt });
        await openUsage();
        await page.getByRole('button', { name: 'Requests' }).click();
        await page.getByTestId('usage-chart').locator('canvas').waitFor();
        // The axis figures are drawn in the scheme's muted text colour
        // (light #596270, dark #a3abb7), not in the other scheme's.
        await expect
          .poll(() => axisLuminance(), { message: `axis text in ${scheme} mode` })
          [scheme === 'dark' ? 'toBeGreaterThan' : 'toBeLessThan'](scheme === 'dark' ? 140 : 120);
        await shoot(`usage-${scheme}-${w}x${hgt}`, w);
        await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Dashboard' }).click();
        const spark = page.getByRole('img', { name: new RegExp(`${sent} in all`) });
        await spark.waitFor();
        await shoot(`dashboard-sparkline-${scheme}-${w}x${hgt}`, w);
        if (w === 800) {
          // The keyboard's reading, as it looks in this scheme.
          await openUsage();
          await page.getByRole('slider', { name: /^Requests per/ }).focus();
          await page.keyboard.press('End');
          await shoot(`usage-keyboard-${scheme}`);
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    await page.setViewportSize({ width: 800, height: 600 });
  });
});
