import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { retryAccount, type Account } from '../bridge';
import { countByKind, countText, lookOf, restEnd, type StateLook } from '../lib/accountState';
import { errorMessage } from '../lib/errors';
import { formatCredits } from '../lib/format';
import { useGoText } from '../i18n/gotext';
import { SignInAgain } from './SignInAgain';
import { StatusIcon } from './StatusIcon';
import { When } from './When';

/** The state's icon and words together, in its tone's colour. */
export function StateBadge({ look }: { look: StateLook }) {
  return (
    <span className={`badge tone-${look.tone}`} data-testid="account-state">
      <StatusIcon name={look.icon} /> {look.words}
    </span>
  );
}

/**
 * Health at a glance: how many accounts are in each state, the credits
 * left, and a fix in place for each account that needs one.
 */
export function AccountHealth({
  accounts,
  servingNow,
  onOpenAccounts,
}: {
  accounts: Account[];
  servingNow: string | null;
  onOpenAccounts: () => void;
}) {
  const { t } = useTranslation();
  const goText = useGoText();
  const [notice, setNotice] = useState<{ text: string; bad?: boolean } | null>(null);
  const counts = countByKind(accounts);
  const enabled = accounts.filter((a) => !a.disabled);
  const withQuota = enabled.filter((a) => a.quota);
  const left = withQuota.reduce((sum, a) => sum + Math.max(0, (a.quota?.limit ?? 0) - (a.quota?.used ?? 0)), 0);
  const attention = accounts.filter((a) => ['bad', 'warn'].includes(lookOf(a).tone));
  // Only an account that can serve is "serving now".
  const serving = accounts.find((a) => a.id === servingNow && lookOf(a).tone === 'ok');

  return (
    <section className="card" aria-labelledby="health-title">
      <h2 id="health-title">{t('health.title')}</h2>
      <ul className="health-counts" data-testid="health-counts">
        {counts.map((c) => (
          <li key={c.kind} className={`tone-${c.look.tone}`}>
            <StatusIcon name={c.look.icon} /> {countText(c.kind, c.n)}
          </li>
        ))}
      </ul>
      <p className="muted">
        {withQuota.length > 0 ? t('health.creditsLeft', { credits: formatCredits(left) }) : t('health.creditsUnknown')}
      </p>
      {serving && (
        <p data-testid="serving-now">
          <span aria-hidden="true">▶</span> {t('health.servingNowLabel')} <strong>{serving.label}</strong>
        </p>
      )}
      {attention.length > 0 && (
        <ul className="health-items">
          {attention.map((a) => {
            const look = lookOf(a);
            const until = restEnd(a);
            return (
              <li key={a.id} className={`health-item tone-${look.tone}`} aria-label={t('common.itemState', { name: a.label, state: look.words })}>
                <div className="account-head">
                  <strong>{a.label}</strong>
                  {a.email && a.email !== a.label && <span className="muted">{a.email}</span>}
                  <StateBadge look={look} />
                </div>
                {a.reason && <p className="muted account-reason">{goText(a.reasonText ?? { text: a.reason })}</p>}
                {until && (
                  <p className="muted account-reason" data-testid="account-until">
                    {t('health.until')}{' '}
                    <When iso={until} />
                  </p>
                )}
                {look.kind === 'login_needed' ? (
                  <SignInAgain account={a} onDone={(text) => setNotice({ text })} />
                ) : (
                  ['suspended', 'cooling', 'exhausted'].includes(look.kind) && (
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t('health.tryAgainFor', { name: a.label })}
                      onClick={() =>
                        retryAccount(a.id).then(
                          () => setNotice(null),
                          (err: unknown) => setNotice({ text: errorMessage(err), bad: true }),
                        )
                      }
                    >
                      {t('health.tryAgain')}
                    </button>
                  )
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p role="status" className={notice?.bad ? 'error-text' : 'muted'}>
        {notice?.text}
      </p>
      <button type="button" className="btn" onClick={onOpenAccounts}>
        {t('health.openAccounts')}
      </button>
    </section>
  );
}
