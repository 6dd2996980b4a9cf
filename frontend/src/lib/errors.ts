import type { GoText } from '../bridge';
import { i18n } from '../i18n';
import { renderGoText } from '../i18n/gotext';

/**
 * Text to show for a rejected call (the façade rejects with BridgeError):
 * Go's refusals in the window's language when Go wrote them with codes
 * (uitext.ForWindow), one after another; else Go's English as it came.
 */
export function errorMessage(err: unknown): string {
  const texts = errorTexts(err);
  if (texts) return texts.map((x) => renderGoText(i18n.t, i18n, x)).join(' ');
  return errorEnglish(err);
}

/** Go's English for a rejected call, untranslated (for matching Go's own words). */
export function errorEnglish(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return i18n.t('common.unknownError');
}

/** Go's error with its codes (a BridgeError from uitext.ForWindow), one text per refusal; undefined when Go sent English only. */
export function errorTexts(err: unknown): GoText[] | undefined {
  const texts = (err as { texts?: unknown } | null)?.texts;
  return Array.isArray(texts) && texts.length > 0 ? (texts as GoText[]) : undefined;
}
