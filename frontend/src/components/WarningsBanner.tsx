import { useState } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  warnings: string[];
  /** Called after the person dismisses the banner (to move focus somewhere useful). */
  onDismiss?: () => void;
}

/**
 * Store recovery notices and similar. Dismissing hides the warnings shown at
 * that moment; a new warning brings the banner back.
 */
export function WarningsBanner({ warnings, onDismiss }: Props) {
  const { t } = useTranslation();
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  const visible = warnings.filter((w) => !dismissed.has(w));
  if (visible.length === 0) return null;

  function dismiss() {
    setDismissed((prev) => new Set([...prev, ...visible]));
    onDismiss?.();
  }

  return (
    <section className="banner" role="alert" aria-label={t('warnings.label')}>
      <ul className="banner-list">
        {visible.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      <button type="button" className="btn" onClick={dismiss}>
        {t('common.dismiss')}
      </button>
    </section>
  );
}
