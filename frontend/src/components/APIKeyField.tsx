import { useTranslation } from 'react-i18next';
import { KEY_MASK } from '../lib/snippets';
import { CopyButton } from './CopyButton';

interface Props {
  apiKey: string | null;
  error: string | null;
  revealed: boolean;
  onToggleReveal: () => void;
  onRetry: () => void;
}

export function APIKeyField({ apiKey, error, revealed, onToggleReveal, onRetry }: Props) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <span className="field-label">{t('apiKey.label')}</span>
      <code className="field-value" data-testid="api-key">
        {apiKey === null ? (
          error ? t('common.unavailable') : t('common.loading')
        ) : revealed ? (
          apiKey
        ) : (
          <>
            <span aria-hidden="true">{KEY_MASK}</span>
            <span className="sr-only">{t('apiKey.hidden')}</span>
          </>
        )}
      </code>
      <span className="field-actions">
        <button
          type="button"
          className="btn"
          aria-label={revealed ? t('apiKey.hide') : t('apiKey.show')}
          disabled={apiKey === null}
          onClick={onToggleReveal}
        >
          {revealed ? t('common.hide') : t('common.show')}
        </button>
        <CopyButton text={apiKey} label={t('apiKey.copy')} />
      </span>
      {error && (
        <p className="field-note error-text" role="alert">
          {t('apiKey.readFailed', { detail: error })}{' '}
          <button type="button" className="btn btn-small" onClick={onRetry}>
            {t('common.retry')}
          </button>
        </p>
      )}
    </div>
  );
}
