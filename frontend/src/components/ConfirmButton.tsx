import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  /** Visible text of the first button, e.g. "Regenerate". */
  label: string;
  /** Accessible name of the first button when it differs from label. */
  ariaLabel?: string;
  /** The question asked before acting. */
  question: string;
  /** Text of the button that acts. */
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
  danger?: boolean;
}

/**
 * A button that asks before it acts, in place (no modal): the question and
 * its two answers replace the button, and focus moves to "Cancel" so that a
 * stray Enter does nothing harmful.
 */
export function ConfirmButton({ label, ariaLabel, question, confirmLabel, onConfirm, disabled, danger }: Props) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);

  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) openRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button
        ref={openRef}
        type="button"
        className={danger ? 'btn btn-danger' : 'btn'}
        aria-label={ariaLabel}
        disabled={disabled}
        onClick={() => setAsking(true)}
      >
        {label}
      </button>
    );
  }
  return (
    <span className="confirm" role="group" aria-label={question}>
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className={danger ? 'btn btn-danger' : 'btn btn-primary'}
        onClick={async () => {
          setAsking(false);
          await onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button ref={cancelRef} type="button" className="btn" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}
