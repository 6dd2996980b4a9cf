import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getUsage, type UsageSeries } from '../bridge';
import { usePoll } from '../hooks/usePoll';
import { formatNumber } from '../lib/format';
import { colour, UsageChart } from './UsageChart';


/** The dashboard's 24-hour sparkline of requests per hour. */
export function Sparkline({ intervalMs = 60_000 }: { intervalMs?: number }) {
  const { t } = useTranslation();
  const [data, setData] = useState<UsageSeries | null>(null);
  usePoll(async () => {
    try {
      setData(await getUsage('24h', 'client'));
    } catch {
      // The live figures above say when the core cannot be reached.
    }
  }, intervalMs);
  const perHour = useMemo(
    () => (data ? data.times.map((_, i) => data.groups.reduce((a, g) => a + (g.requests[i] ?? 0), 0)) : []),
    [data],
  );
  const title = t('sparkline.title');
  const series = useMemo(() => [{ label: title, values: perHour, color: colour(0) }], [perHour, title]);
  if (!data) return null;
  const total = perHour.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...perHour);
  return (
    <figure className="sparkline" data-testid="sparkline">
      <figcaption className="muted">{title}</figcaption>
      {total === 0 ? (
        <p className="muted">{t('sparkline.none')}</p>
      ) : (
        <UsageChart bare kind="stacked" height={48} times={data.times} series={series} summary={t('sparkline.summary', { total: formatNumber(total), peak: formatNumber(peak) })} />
      )}
    </figure>
  );
}
