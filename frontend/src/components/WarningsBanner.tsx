import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GoText } from '../bridge';
import { useGoText } from '../i18n/gotext';

interface Props {
  /** Go's texts: translated by code, else Go's English. */
  warnings: GoText[];
  /** Called after the person dismisses the banner (to move focus somewhere useful). */
  onDismiss?: () => void;
}

/**
 * Store recovery notices and similar. Dismissing hides the warnings shown at
 * that moment; a new warning brings the banner back.
 */
export function WarningsBanner({ warnings, onDismiss }: Props) {
  const { t } = useTranslation();
  const goText = useGoText();
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  // Go's English names a warning whatever the language shown.
  const visible = warnings.filter((w) => !dismissed.has(w.text));
  if (visible.length === 0) return null;

  function dismiss() {
    setDismissed((prev) => new Set([...prev, ...visible.map((w) => w.text)]));
    onDismiss?.();
  }

  return (
    <section className="banner" role="alert" aria-label={t('warnings.label')}>
      <ul className="banner-list">
        {visible.map((w) => (
          <li key={w.text}>{goText(w)}</li>
        ))}
      </ul>
      <button type="button" className="btn" onClick={dismiss}>
        {t('common.dismiss')}
      </button>
    </section>
  );
}
