// One way to write numbers, sizes, dates and times across the window, in
// the window's active language (set by src/i18n when the language changes).

/**
 * The first of the candidates that Intl accepts, else English. WebKitGTK
 * takes its language from LANG, and with LANG=C (a server, a minimal
 * session, our own tests) it reports "C", which every Intl constructor
 * refuses with a RangeError: at module load that left the window blank.
 */
export function pickLocale(candidates: readonly (string | undefined)[]): string {
  for (const tag of candidates) {
    if (!tag) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && Intl.NumberFormat.supportedLocalesOf(canonical).length > 0) return canonical;
    } catch {
      // not a language tag ("C", "POSIX", "en_US.UTF-8"): try the next
    }
  }
  return 'en';
}

/** The browser's own locale (en-GB, zh-CN, or "en" under LANG=C). */
export const browserLocale = pickLocale(
  typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language],
);

/**
 * The locale for numbers and dates when the window speaks language: the
 * browser's own when it is a variant of that language (an English window
 * on an en-GB system writes 07/12/2026), else the language itself (a
 * Chinese window writes Chinese dates whatever the system says).
 */
export function formatLocaleFor(language: string, browser: string = browserLocale): string {
  const base = (tag: string) => tag.split('-')[0]?.toLowerCase();
  if (base(browser) === base(language) && language === 'en') return browser;
  return pickLocale([language]);
}

let locale = formatLocaleFor('en');
let cache = new Map<string, Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>();

/** Called by src/i18n whenever the window's language changes. */
export function setFormatLanguage(language: string): void {
  const next = formatLocaleFor(language);
  if (next === locale) return;
  locale = next;
  cache = new Map();
}

/** The locale formatters use now (for code that builds its own Intl object). */
export function currentFormatLocale(): string {
  return locale;
}

function cached<F extends Intl.NumberFormat | Intl.RelativeTimeFormat | Intl.DateTimeFormat>(key: string, make: () => F): F {
  let f = cache.get(key) as F | undefined;
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f;
}

function numberFormat(maximumFractionDigits?: number): Intl.NumberFormat {
  return cached(`n${maximumFractionDigits ?? ''}`, () =>
    new Intl.NumberFormat(locale, maximumFractionDigits === undefined ? {} : { maximumFractionDigits }),
  );
}

/** A count as the active locale writes it (1,234). */
export function formatNumber(n: number): string {
  return numberFormat().format(n);
}

/** Kiro credits are fractional: at most two decimals (12.5, 1,234.25). */
export function formatCredits(n: number): string {
  return numberFormat(2).format(n);
}

const bytesUnits = ['B', 'KB', 'MB', 'GB'] as const;

/** A size in bytes, in the largest unit that keeps it at 1 or more. */
export function formatBytes(n: number): string {
  let v = n;
  let i = 0;
  while (v >= 1024 && i < bytesUnits.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${numberFormat(digits).format(v)} ${bytesUnits[i]}`;
}

/** A duration in milliseconds: "850 ms", "2.4 s" (unit symbols are the same in both languages). */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  return `${numberFormat(1).format(ms / 1000)} s`;
}

/** "3 min ago", "now" ("3分钟前", "现在"): for a time shown with its exact value on hover. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const relative = cached('rel', () => new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' }));
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  const a = Math.abs(s);
  if (a < 45) return relative.format(0, 'second');
  if (a < 3600) return relative.format(Math.round(s / 60), 'minute');
  if (a < 86400) return relative.format(Math.round(s / 3600), 'hour');
  return relative.format(Math.round(s / 86400), 'day');
}

/** The exact local date and time, for a title attribute. */
export function exactTime(iso: string): string {
  return new Date(iso).toLocaleString(locale);
}

/** The local time of day, for dense lists. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(locale);
}

/** A calendar date (7 Dec 2026, 2026年12月7日). */
export function formatDate(date: Date | string | number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium' }): string {
  return cached(`d${JSON.stringify(options)}`, () => new Intl.DateTimeFormat(locale, options)).format(new Date(date));
}
