import { useTranslation } from 'react-i18next';
import type { Account } from '../bridge';
import { formatCredits } from '../lib/format';
import { When } from './When';

type Quota = NonNullable<Account['quota']>;

/** How much of limit is used, in whole percent: 0 when there is no limit, at most 100. */
export function usedPercent(used: number, limit: number): number {
  return limit > 0 ? Math.min(100, Math.round((used / limit) * 100)) : 0;
}

/** The bar of credits used of limit (red from 90%); valueText says it in words. */
export function QuotaMeter({ used, limit, label, valueText }: { used: number; limit: number; label: string; valueText: string }) {
  const pct = usedPercent(used, limit);
  return (
    <div
      className={pct >= 90 ? 'quota-bar quota-high' : 'quota-bar'}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={limit}
      aria-valuenow={used}
      aria-valuetext={valueText}
    >
      <span style={{ width: `${pct}%` }} />
    </div>
  );
}

/** Used of limit, with the plan and the reset date when Kiro told them. */
export function QuotaBar({ quota }: { quota: Quota }) {
  const pct = usedPercent(quota.used, quota.limit);
  const { t } = useTranslation();
  const label = t('quota.used', { used: formatCredits(quota.used), limit: formatCredits(quota.limit), pct });
  return (
    <div className="quota" data-testid="quota">
      <QuotaMeter used={quota.used} limit={quota.limit} label={t('quota.meter')} valueText={label} />
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
