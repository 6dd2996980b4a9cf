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
  return (
    <div className="field">
      <span className="field-label">API key</span>
      <code className="field-value" data-testid="api-key">
        {apiKey === null ? (
          error ? 'Unavailable' : 'Loading…'
        ) : revealed ? (
          apiKey
        ) : (
          <>
            <span aria-hidden="true">{KEY_MASK}</span>
            <span className="sr-only">hidden</span>
          </>
        )}
      </code>
      <span className="field-actions">
        <button
          type="button"
          className="btn"
          aria-label={revealed ? 'Hide API key' : 'Show API key'}
          disabled={apiKey === null}
          onClick={onToggleReveal}
        >
          {revealed ? 'Hide' : 'Show'}
        </button>
        <CopyButton text={apiKey} label="Copy API key" />
      </span>
      {error && (
        <p className="field-note error-text" role="alert">
          Could not read the API key: {error}{' '}
          <button type="button" className="btn btn-small" onClick={onRetry}>
            Retry
          </button>
        </p>
      )}
    </div>
  );
}
