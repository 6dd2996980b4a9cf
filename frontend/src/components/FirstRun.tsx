import { useTranslation } from 'react-i18next';
import { StatusIcon } from './StatusIcon';

/**
 * The first-run checklist, shown while there is no account: each step has
 * its own primary button.
 */
export function FirstRun({
  hasAccount,
  onAddAccount,
  onSetup,
  onTest,
}: {
  hasAccount: boolean;
  onAddAccount: () => void;
  onSetup: () => void;
  onTest: () => void;
}) {
  const { t } = useTranslation();
  const actions = [onAddAccount, onSetup, onTest];
  const steps = [
    { title: t('firstRun.step1Title'), hint: t('firstRun.step1Hint'), button: t('firstRun.step1Button') },
    { title: t('firstRun.step2Title'), hint: t('firstRun.step2Hint'), button: t('firstRun.step2Button') },
    { title: t('firstRun.step3Title'), hint: t('firstRun.step3Hint'), button: t('firstRun.step3Button') },
  ];
  return (
    <section className="card card-wide first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">{t('firstRun.title')}</h2>
      <p className="muted">{t('firstRun.intro')}</p>
      <ol className="checklist">
        {steps.map((s, i) => {
          const done = i === 0 && hasAccount;
          return (
            <li key={i} className={done ? 'step-done' : undefined}>
              <div>
                <strong>{s.title}</strong>
                {done && (
                  <span className="badge tone-ok">
                    <StatusIcon name="ok" /> {t('common.done')}
                  </span>
                )}
                <p className="muted">{s.hint}</p>
              </div>
              <button
                type="button"
                className="btn btn-primary"
                disabled={i === 2 && !hasAccount}
                onClick={actions[i]}
              >
                {s.button}
              </button>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
