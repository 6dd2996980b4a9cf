import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { diagnose, type Diagnostics as Report } from '../bridge';
import { useGoText } from '../i18n/gotext';
import { errorMessage } from '../lib/errors';
import { CopyButton } from './CopyButton';
import { ErrorText } from './ErrorText';
import { StatusIcon, type IconName } from './StatusIcon';

const MARK: Record<string, IconName> = { ok: 'ok', warn: 'warning', fail: 'failed', skip: 'skipped' };

/** "Test connection": every check of the doctor, and the report to paste into an issue. */
export function Diagnostics() {
  const { t } = useTranslation();
  const goText = useGoText();
  const id = useId();
  const [report, setReport] = useState<Report | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // Section titles, check names and details come from Go with codes (English where the code is unknown);
  // the status word is ours. The copied report stays English: it goes into issues.
  const statusWord = (s: string) => (s in MARK ? t(`diagnostics.status.${s as 'ok' | 'warn' | 'fail' | 'skip'}`) : s);

  async function run() {
    setRunning(true);
    setError(null);
    try {
      setReport(await diagnose());
    } catch (err) {
      setError(t('diagnostics.failed', { detail: errorMessage(err) }));
    } finally {
      setRunning(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>{t('diagnostics.title')}</h2>
      <p className="muted">{t('diagnostics.intro')}</p>
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={running} onClick={run}>
          {running ? t('diagnostics.testing') : t('diagnostics.run')}
        </button>
        {report && <CopyButton text={report.text} label={t('diagnostics.copy')} />}
      </div>
      <ErrorText error={error} />
      {report && (
        <div data-testid="diagnostics" aria-live="polite">
          <p className={report.failed ? 'error-text' : undefined}>
            {report.failed ? t('diagnostics.someFailed') : t('diagnostics.noneFailed')}
          </p>
          {report.sections.map((s) => (
            <div key={s.title} className="diag-section">
              <h3>{goText(s.titleText ?? { text: s.title })}</h3>
              <ul className="diag-list">
                {s.checks.map((c, i) => (
                  <li key={`${c.name}-${i}`} className={`diag diag-${c.status}`}>
                    <span className="diag-status" aria-label={statusWord(c.status)}>
                      <StatusIcon name={MARK[c.status] ?? 'unknown'} /> {statusWord(c.status)}
                    </span>{' '}
                    <span className="diag-name">{goText(c.nameText ?? { text: c.name })}</span>
                    {c.detail && <span className="muted">{t('diagnostics.detail', { detail: goText(c.detailText ?? { text: c.detail }) })}</span>}
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}
