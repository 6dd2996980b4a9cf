import type { Account } from '../bridge';

type Quota = NonNullable<Account['quota']>;

const num = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

/** Used of limit, with the plan and the reset date when Kiro told them. */
export function QuotaBar({ quota }: { quota: Quota }) {
  const pct = quota.limit > 0 ? Math.min(100, Math.round((quota.used / quota.limit) * 100)) : 0;
  const label = `${num.format(quota.used)} of ${num.format(quota.limit)} credits used (${pct}%)`;
  return (
    <div className="quota" data-testid="quota">
      <div
        className={pct >= 90 ? 'quota-bar quota-high' : 'quota-bar'}
        role="meter"
        aria-label="Quota"
        aria-valuemin={0}
        aria-valuemax={quota.limit}
        aria-valuenow={quota.used}
        aria-valuetext={label}
      >
        <span style={{ width: `${pct}%` }} />
      </div>
      <span className="muted">
        {quota.plan ? `${quota.plan}: ` : ''}
        {label}
        {quota.resetAt ? ` · resets ${new Date(quota.resetAt).toLocaleDateString()}` : ''}
      </span>
    </div>
  );
}
