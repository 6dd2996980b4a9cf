import type { GoText } from '../bridge';
import { i18n } from '../i18n';

/** Text to show for a rejected call (the façade rejects with BridgeError). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return i18n.t('common.unknownError');
}

/** Go's error with its codes (a BridgeError from uitext.ForWindow), one text per refusal; undefined when Go sent English only. */
export function errorTexts(err: unknown): GoText[] | undefined {
  const texts = (err as { texts?: unknown } | null)?.texts;
  return Array.isArray(texts) && texts.length > 0 ? (texts as GoText[]) : undefined;
}
