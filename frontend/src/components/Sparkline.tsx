import { useMemo, useState } from 'react';
import { getUsage, type UsageSeries } from '../bridge';
import { usePoll } from '../hooks/usePoll';
import { colour, UsageChart } from './UsageChart';

const T = {
  title: 'Requests per hour, last 24 hours',
  summary: (total: string, peak: string) => `Requests per hour over the last 24 hours: ${total} in all, at most ${peak} in one hour`,
  none: 'No requests in the last 24 hours.',
};

const num = new Intl.NumberFormat('en');

/** The dashboard's 24-hour sparkline of requests per hour. */
export function Sparkline({ intervalMs = 60_000 }: { intervalMs?: number }) {
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
  const series = useMemo(() => [{ label: T.title, values: perHour, color: colour(0) }], [perHour]);
  if (!data) return null;
  const total = perHour.reduce((a, b) => a + b, 0);
  const peak = Math.max(0, ...perHour);
  return (
    <figure className="sparkline" data-testid="sparkline">
      <figcaption className="muted">{T.title}</figcaption>
      {total === 0 ? (
        <p className="muted">{T.none}</p>
      ) : (
        <UsageChart bare kind="stacked" height={48} times={data.times} series={series} summary={T.summary(num.format(total), num.format(peak))} />
      )}
    </figure>
  );
}
