// Texts the Go side writes for the window (store notices, diagnostics, ...)
// arrive as { code, args, text }: Go's internal/uitext. The code names an
// entry of the "gotext" namespace of the catalogs, filled with args; a code
// this window does not know (a newer Go, or none at all: Go's own words,
// such as an error from the OS) shows Go's English text as is.
import type { TFunction } from 'i18next';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';

/** Go's uitext.Text. */
export interface GoText {
  code?: string;
  args?: Record<string, string> | null;
  text: string;
}

/** The text in the active language, or Go's English for an unknown code. */
export function renderGoText(t: TFunction, i18n: { exists(key: string): boolean }, x: GoText | null | undefined): string {
  if (!x) return '';
  if (x.code) {
    const key = `gotext.${x.code}`;
    // Arguments are values (paths, hosts, Go's errors): never escaped or re-read as keys.
    // The one exception is field: where Go names a field in words ("the start URL")
    // rather than as its identifier, the catalogs' gotextField says it in the window's language.
    if (i18n.exists(key)) {
      const args = { ...(x.args ?? {}) };
      const field = args.field ? `gotextField.${args.field}` : '';
      if (field && i18n.exists(field)) args.field = t(field as never) as string;
      return t(key as never, { ...args, interpolation: { escapeValue: false } }) as string;
    }
  }
  return x.text;
}

/** A function that renders Go's texts in the active language (re-renders when it changes). */
export function useGoText(): (x: GoText | null | undefined) => string {
  const { t, i18n } = useTranslation();
  return useCallback((x: GoText | null | undefined) => renderGoText(t, i18n, x), [t, i18n]);
}
