import { useState } from 'react';
import { sendTestRequest, type TestAnswer } from '../bridge';
import { errorMessage } from '../lib/errors';

const fmt = new Intl.NumberFormat('en');

const TEXT = {
  button: 'Send test request',
  sending: 'Sending…',
  intro: 'Sends a short prompt through the local API, with the API key, as your tools do.',
  answer: 'Answer',
  servedBy: 'Served by {account} with {model} in {ms} ms.',
  servedByUnknown: 'Answered by {model} in {ms} ms.',
  failed: 'The test request failed: {reason}',
};

/** "Send test request": proves the whole path from a client to Kiro. */
export function TestRequest({ disabled }: { disabled?: boolean }) {
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

  const ms = answer ? fmt.format(answer.latencyMs) : '';
  return (
    <div className="test-request">
      <p className="muted">{TEXT.intro}</p>
      <button type="button" className="btn btn-primary" disabled={busy || disabled} onClick={send}>
        {busy ? TEXT.sending : TEXT.button}
      </button>
      <div role="status" aria-live="polite">
        {answer && (
          <div className="test-answer" data-testid="test-answer">
            <p>
              <strong>{TEXT.answer}:</strong> {answer.text}
            </p>
            <p className="muted">
              {answer.account
                ? TEXT.servedBy.replace('{account}', answer.account).replace('{model}', answer.model).replace('{ms}', ms)
                : TEXT.servedByUnknown.replace('{model}', answer.model).replace('{ms}', ms)}
            </p>
          </div>
        )}
        {error && <p className="error-text">{TEXT.failed.replace('{reason}', error)}</p>}
      </div>
    </div>
  );
}
