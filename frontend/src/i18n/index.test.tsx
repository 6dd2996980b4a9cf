import { act, render, screen } from '@testing-library/react';
import { useTranslation } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage, followLanguage, formatNumber, i18n, type LanguageState, relativeTime, toLanguage } from '.';

afterEach(async () => {
  await applyLanguage('en');
});

function Hello() {
  const { t } = useTranslation();
  return <p>{t('app.views.settings')}</p>;
}

describe('i18n', () => {
  it('starts in English, with <html lang> and formats following', () => {
    expect(i18n.language).toBe('en');
    expect(document.documentElement.lang).toBe('en');
    expect(formatNumber(1234.5)).toBe('1,234.5');
  });

  it('switches a rendered component, <html lang>, numbers and relative times at once', async () => {
    render(<Hello />);
    expect(screen.getByText('Settings')).toBeInTheDocument();
    await act(() => applyLanguage('zh-CN'));
    expect(screen.getByText('设置')).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-CN');
    const now = Date.parse('2026-11-25T10:10:00Z');
    expect(relativeTime('2026-11-25T10:07:00Z', now)).toBe('3分钟前');
    await act(() => applyLanguage('en'));
    expect(screen.getByText('Settings')).toBeInTheDocument();
    expect(relativeTime('2026-11-25T10:07:00Z', now)).toMatch(/^3 min/);
  });

  it('maps any tag to one of its two languages', () => {
    expect(toLanguage('zh')).toBe('zh-CN');
    expect(toLanguage('zh_CN')).toBe('zh-CN');
    expect(toLanguage('zh-Hans-CN')).toBe('zh-CN');
    expect(toLanguage('en-GB')).toBe('en');
    expect(toLanguage('fr')).toBe('en');
    expect(toLanguage(undefined)).toBe('en');
  });

  it('follows the Go side: its first answer, then every event; an event beats a late first answer', async () => {
    let handler: ((s: LanguageState) => void) | undefined;
    let answer: (s: LanguageState) => void = () => {};
    const off = followLanguage(
      () => new Promise((resolve) => (answer = resolve)),
      (h) => {
        handler = h;
        return () => (handler = undefined);
      },
    );
    handler?.({ preference: 'zh-CN', effective: 'zh-CN' });
    await Promise.resolve();
    expect(i18n.language).toBe('zh-CN');
    answer({ preference: 'system', effective: 'en' });
    await new Promise((r) => setTimeout(r, 0));
    expect(i18n.language).toBe('zh-CN');
    handler?.({ preference: 'en', effective: 'en' });
    await Promise.resolve();
    expect(i18n.language).toBe('en');
    off();
    expect(handler).toBeUndefined();
  });

  it('stays in English when the first read fails', async () => {
    followLanguage(
      () => Promise.reject(new Error('no binding')),
      () => () => {},
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(i18n.language).toBe('en');
  });

  it('speaks Chinese plurals and interpolation through i18next', async () => {
    await applyLanguage('zh-CN');
    expect(i18n.t('app.statusFailed', { detail: 'boom' })).toBe('无法读取代理状态：boom');
  });
});
