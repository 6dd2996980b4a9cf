import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyToClipboard } from '../bridge';
import { errorMessage } from '../lib/errors';

interface Props {
  /** Text put on the clipboard; null disables the button. */
  text: string | null;
  /** Accessible name, e.g. "Copy endpoint". The visible label is "Copy". */
  label: string;
}

type Feedback = { kind: 'idle' } | { kind: 'copied' } | { kind: 'failed'; message: string };

const FEEDBACK_MS = 2000;

export function CopyButton({ text, label }: Props) {
  const { t } = useTranslation();
  const [feedback, setFeedback] = useState<Feedback>({ kind: 'idle' });

  useEffect(() => {
    if (feedback.kind !== 'copied') return;
    const timer = setTimeout(() => setFeedback({ kind: 'idle' }), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [feedback]);

  async function copy() {
    if (text === null) return;
    try {
      await copyToClipboard(text);
      setFeedback({ kind: 'copied' });
    } catch (err) {
      setFeedback({ kind: 'failed', message: errorMessage(err) });
    }
  }

  return (
    <span className="copy">
      <button type="button" className="btn" aria-label={label} disabled={text === null} onClick={copy}>
        {t('common.copy')}
      </button>
      <span className={feedback.kind === 'failed' ? 'copy-feedback error-text' : 'copy-feedback'} role="status">
        {feedback.kind === 'copied' && t('common.copied')}
        {feedback.kind === 'failed' && t('common.copyFailed', { detail: feedback.message })}
      </span>
    </span>
  );
}
