import { i18n } from '../i18n';

/** Text to show for a rejected call (the façade rejects with BridgeError). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'string') return err;
  return i18n.t('common.unknownError');
}
