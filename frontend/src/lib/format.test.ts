import { describe, expect, it } from 'vitest';
import { formatBytes, formatCredits, formatMs, formatLocaleFor, pickLocale, relativeTime, setFormatLanguage } from './format';

describe('format', () => {
  it('writes sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toMatch(/^1[.,]5 KB$/);
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(2400)).toMatch(/^2[.,]4 s$/);
  });

  it('writes credits with at most two decimals, grouped', () => {
    expect(formatCredits(1.5)).toBe((1.5).toLocaleString());
    expect(formatCredits(12345.678)).toBe((12345.68).toLocaleString());
    expect(formatCredits(450)).toBe('450');
  });

  it('says how long ago', () => {
    const now = Date.parse('2026-11-25T10:10:00Z');
    expect(relativeTime('2026-11-25T10:07:00Z', now)).toMatch(/3 min/);
    expect(relativeTime('2026-11-25T10:09:50Z', now)).toMatch(/now/);
    expect(relativeTime('2026-11-25T12:10:00Z', now)).toMatch(/^in 2 h/);
  });
});

describe('pickLocale', () => {
  it('takes the first language Intl accepts, and English when none is (LANG=C)', () => {
    expect(pickLocale(['C', 'en-GB'])).toBe('en-GB');
    expect(pickLocale(['C'])).toBe('en');
    expect(pickLocale(['POSIX', 'en_US.UTF-8', undefined])).toBe('en');
    expect(pickLocale(['zh-cn'])).toBe('zh-CN');
    expect(pickLocale([])).toBe('en');
  });
});

describe('formats in the window language', () => {
  it('keeps the browser’s English variant for English, and writes Chinese the Chinese way', () => {
    expect(formatLocaleFor('en', 'en-GB')).toBe('en-GB');
    expect(formatLocaleFor('en', 'de-DE')).toBe('en');
    expect(formatLocaleFor('zh-CN', 'en-GB')).toBe('zh-CN');
  });

  it('switches formatters when the language changes', () => {
    const now = Date.parse('2026-11-25T10:10:00Z');
    setFormatLanguage('zh-CN');
    try {
      expect(relativeTime('2026-11-25T12:10:00Z', now)).toBe('2小时后');
      expect(formatCredits(12345.678)).toBe('12,345.68');
    } finally {
      setFormatLanguage('en');
    }
    expect(relativeTime('2026-11-25T12:10:00Z', now)).toMatch(/^in 2 h/);
  });
});
