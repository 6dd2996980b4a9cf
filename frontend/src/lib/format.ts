// One way to write numbers, sizes, plurals and times across the window.

/**
 * The locale the window writes in: the first of the browser's languages
 * that Intl accepts, else English. WebKitGTK takes its language from
 * LANG, and with LANG=C (a server, a minimal session, our own tests) it
 * reports "C", which every Intl constructor refuses with a RangeError: at
 * module load that left the window blank.
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

export const locale = pickLocale(typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? []), navigator.language]);

const numberFormat = new Intl.NumberFormat(locale);

/** A count as the person's locale writes it (1,234). */
export function formatNumber(n: number): string {
  return numberFormat.format(n);
}

/** "1 request", "2 requests": the word follows the count. */
export function plural(n: number, one: string, many: string): string {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

const creditsFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });

/** Kiro credits are fractional: at most two decimals (12.5, 1,234.25). */
export function formatCredits(n: number): string {
  return creditsFormat.format(n);
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
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(v)} ${bytesUnits[i]}`;
}

/** A duration in milliseconds: "850 ms", "2.4 s". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${formatNumber(ms)} ms`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
}

const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });

/** "3 min ago", "now": for a time shown with its exact value on hover. */
export function relativeTime(iso: string, now: number = Date.now()): string {
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
