import { useTranslation } from 'react-i18next';
import type { Account } from '../bridge';
import { formatCredits } from '../lib/format';
import { When } from './When';

type Quota = NonNullable<Account['quota']>;

/** Used of limit, with the plan and the reset date when Kiro told them. */
export function QuotaBar({ quota }: { quota: Quota }) {
  const pct = quota.limit > 0 ? Math.min(100, Math.round((quota.used / quota.limit) * 100)) : 0;
  const { t } = useTranslation();
  const label = t('quota.used', { used: formatCredits(quota.used), limit: formatCredits(quota.limit), pct });
  return (
    <div className="quota" data-testid="quota">
      <div
        className={pct >= 90 ? 'quota-bar quota-high' : 'quota-bar'}
        role="meter"
        aria-label={t('quota.meter')}
        aria-valuemin={0}
        aria-valuemax={quota.limit}
        aria-valuenow={quota.used}
        aria-valuetext={label}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="muted">
        {quota.plan ? t('quota.plan', { plan: quota.plan }) : ''}
        {label}
        {quota.resetAt && (
          <>
            {t('quota.resets')}
            <When iso={quota.resetAt} />
          </>
        )}
      </span>
    </div>
  );
}
