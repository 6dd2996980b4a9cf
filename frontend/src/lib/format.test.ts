import { describe, expect, it } from 'vitest';
import { formatBytes, formatCredits, formatMs, pickLocale, plural, relativeTime } from './format';

describe('format', () => {
  it('writes plurals with the count', () => {
    expect(plural(1, 'request', 'requests')).toBe('1 request');
    expect(plural(0, 'request', 'requests')).toBe('0 requests');
    expect(plural(12345, 'request', 'requests')).toBe(`${(12345).toLocaleString()} requests`);
  });

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
