import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { askClaude, screenshotDir, startHarness, type Harness } from './harness';

// The window in 简体中文 on the real Go bindings: the language setting
// switches it at once (from Settings, and from Go's "language" event as the
// tray does), and every view at 800x600 shows its Chinese text whole.

let h: Harness;
let page: Page;

interface LanguageState {
  preference: string;
  effective: string;
}

beforeAll(async () => {
  h = await startHarness();
  page = h.page;
  // Some history, so the views have rows, charts and a failed request to show.
  const key = await h.call<string>('APIKey');
  const { endpoint } = await h.call<{ endpoint: string }>('Status');
  for (let i = 0; i < 3; i++) await (await askClaude(endpoint, key)).arrayBuffer();
  await fetch(`${h.url}/__devserve/fail-next`, { method: 'POST' });
  await (await askClaude(endpoint, key)).arrayBuffer();
}, 60_000);

afterAll(async () => {
  await h?.stop();
});

async function open(view: string) {
  const button = page.getByRole('navigation').getByRole('button', { name: view, exact: true });
  if (await button.count()) await button.click();
  await page.getByRole('heading', { level: 1, name: view }).waitFor();
}

/** Waits until nothing on the page says it is still loading. */
async function settled(loading: string) {
  await page.waitForFunction((word) => !document.querySelector('main')?.textContent?.includes(word), loading, { timeout: 10_000 });
  await page.waitForTimeout(300); // charts draw on the next frame
}

/**
 * Every element whose own text does not fit: cut off by its box
 * (overflow hidden or clipped, an ellipsis) or pushed past the window's
 * right edge. Returns one line per element.
 */
function clipped(): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const winWidth = document.documentElement.clientWidth;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      const formText = el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLButtonElement;
      if (!own && !formText) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue; // not rendered (closed <details>, hidden)
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.closest('.sr-only')) continue;
      const name = `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''} "${(el.textContent ?? (el as HTMLInputElement).value ?? '').trim().slice(0, 40)}"`;
      // A box that scrolls (code blocks) shows all of its text; one that hides or clips does not.
      const cuts = (v: string) => v === 'hidden' || v === 'clip';
      // A value cut short in a dense row (a model, an account) is whole in its title; words of ours never are.
      const whole = el.title !== '' && el.title.trim() === (el.textContent ?? '').trim();
      if ((cuts(style.overflowX) || style.textOverflow === 'ellipsis') && el.scrollWidth > el.clientWidth + 1 && !whole) {
        out.push(`${name}: ${el.scrollWidth}px of text in ${el.clientWidth}px`);
      }
      if (cuts(style.overflowY) && el.scrollHeight > el.clientHeight + 1) {
        out.push(`${name}: ${el.scrollHeight}px of text in ${el.clientHeight}px high`);
      }
      if (rect.right > winWidth + 1) out.push(`${name}: ends at ${Math.round(rect.right)}px, past the window (${winWidth}px)`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth) {
      out.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
    }
    return out;
  });
}

async function shootAndCheck(name: string) {
  await page.screenshot({ path: resolve(screenshotDir, `zh-CN-${name}-800x600.png`), fullPage: true });
  expect(await clipped(), `zh-CN ${name}: text clipped or overflowing`).toEqual([]);
}

describe('the window in 简体中文', () => {
  it('switches from the Settings selector at once, and Go keeps the choice', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    await open('Settings');
    const select = page.getByRole('combobox', { name: 'Language of the window and the tray' });
    await expect.poll(() => select.isEnabled()).toBe(true);
    await select.selectOption('zh-CN');
    await page.getByRole('heading', { level: 1, name: '设置' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await h.call<LanguageState>('Language')).toEqual({ preference: 'zh-CN', effective: 'zh-CN' });
    await page.getByRole('combobox', { name: '窗口和托盘的语言' }).waitFor();
  });

  it('renders every view in zh-CN at 800x600 with no text clipped or overflowing', async () => {
    await page.setViewportSize({ width: 800, height: 600 });
    const views = [
      ['仪表盘', 'dashboard'],
      ['账号', 'accounts'],
      ['试一试', 'playground'],
      ['用量', 'usage'],
      ['设置', 'settings'],
      ['日志', 'logs'],
    ] as const;
    for (const [view, file] of views) {
      await open(view);
      await settled('正在加载…');
      expect(await page.locator('main').textContent(), `${view} still shows English`).not.toMatch(
        /\b(Loading|Could not|Accounts|Settings|Requests today|Save)\b/,
      );
      await shootAndCheck(file);
    }

    // Scrolled to where the upstream URLs' card ends: the model aliases
    // follow it at the page's usual spacing (no empty band), and the page's
    // one save bar is in view, over the cards, down to About.
    await open('设置');
    await page.locator('details.card').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const band = await page.evaluate(() => {
      const details = document.querySelector('details.card')!.getBoundingClientRect();
      const bar = document.querySelector('.save-bar')!.getBoundingClientRect();
      const aliases = document.querySelector('form.settings ~ .settings-more')!.firstElementChild!.getBoundingClientRect();
      return { gap: aliases.top - details.bottom, barTop: bar.top, barBottom: bar.bottom, height: window.innerHeight };
    });
    expect(band.gap, 'space between the advanced card and the model aliases').toBeLessThanOrEqual(24);
    expect(band.barTop, 'the save bar is in view').toBeGreaterThanOrEqual(0);
    expect(band.barBottom, 'the save bar is in view').toBeLessThanOrEqual(band.height);
    await page.screenshot({ path: resolve(screenshotDir, 'zh-CN-settings-save-bar-800x600.png') });

    // The parts that open: the advanced upstream URLs, the app log, a request's details.
    await page.getByText('高级：Kiro 上游 URL').click();
    await shootAndCheck('settings-advanced');
    // Diagnostics from the real Go report: section titles, check names and
    // details are rendered by their codes.
    await page.getByRole('button', { name: '测试连接' }).click();
    const diagnostics = page.getByTestId('diagnostics');
    await diagnostics.getByRole('heading', { name: '这台电脑' }).waitFor();
    await diagnostics.getByRole('heading', { name: '出站连接' }).waitFor();
    await diagnostics.scrollIntoViewIfNeeded();
    await page.screenshot({ path: resolve(screenshotDir, 'zh-CN-settings-diagnostics-800x600.png') });
    await open('日志');
    const failed = page.getByTestId('request-row').filter({ hasText: /失败|已拒绝/ }).last();
    await failed.waitFor();
    await failed.click();
    await page.getByTestId('request-detail').getByText('尝试过的账号').waitFor();
    await shootAndCheck('logs-request-detail');
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: /应用日志/ }).click();
    await page.getByTestId('app-log').waitFor();
    await shootAndCheck('logs-app');
    await page.getByRole('tab', { name: /请求/ }).click();

    // Dark mode too, where contrast could hide a problem the light one shows.
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await open('仪表盘');
      await settled('正在加载…');
      await shootAndCheck('dashboard-dark');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  it('follows a change made outside the window (the tray) and comes back to English', async () => {
    await open('仪表盘');
    const st = await h.call<LanguageState>('SetLanguage', 'en');
    expect(st).toEqual({ preference: 'en', effective: 'en' });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByText('Requests today').waitFor();
    await h.call<LanguageState>('SetLanguage', 'system');
  });
});
