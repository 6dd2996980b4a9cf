import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { sendTestRequest, type TestAnswer } from '../bridge';
import { errorMessage } from '../lib/errors';
import { formatNumber } from '../lib/format';


/** "Send test request": proves the whole path from a client to Kiro. */
export function TestRequest({ disabled }: { disabled?: boolean }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<TestAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function send() {
    setBusy(true);
    setError(null);
    setAnswer(null);
    try {
      setAnswer(await sendTestRequest());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  const ms = answer ? formatNumber(answer.latencyMs) : '';
  return (
    <div className="test-request">
      <p className="muted">{t('testRequest.intro')}</p>
      <button type="button" className="btn btn-primary" disabled={busy || disabled} onClick={send}>
        {busy ? t('testRequest.sending') : t('testRequest.button')}
      </button>
      <div role="status" aria-live="polite">
        {answer && (
          <div className="test-answer" data-testid="test-answer">
            <p>
              <strong>{t('testRequest.answer')}</strong> {answer.text}
            </p>
            <p className="muted">
              {answer.account
                ? t('testRequest.servedBy', { account: answer.account, model: answer.model, ms })
                : t('testRequest.servedByUnknown', { model: answer.model, ms })}
            </p>
          </div>
        )}
        {error && <p className="error-text">{t('testRequest.failed', { detail: error })}</p>}
      </div>
    </div>
  );
}
