import { useState } from 'react';
import { getRequestStats, type RequestStats } from '../bridge';
import { usePoll } from '../hooks/usePoll';
import { errorMessage } from '../lib/errors';

const fmt = new Intl.NumberFormat('en');

/** Requests per minute, and today's requests, errors, tokens and credits. */
export function LiveStats({ intervalMs = 2000 }: { intervalMs?: number }) {
  const [stats, setStats] = useState<RequestStats | null>(null);
  const [error, setError] = useState<string | null>(null);

  usePoll(async () => {
    try {
      setStats(await getRequestStats());
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, intervalMs);

  if (!stats) return <p className="muted">{error ? `Figures unavailable: ${error}` : 'Loading…'}</p>;
  const items: Array<[string, string]> = [
    ['Requests / min', fmt.format(stats.perMinute)],
    ['Requests today', fmt.format(stats.requestsToday)],
    ['Errors today', fmt.format(stats.errorsToday)],
    ['Tokens today', `${fmt.format(stats.inputTokensToday)} in / ${fmt.format(stats.outputTokensToday)} out`],
    ['Credits today', stats.creditsToday.toFixed(2)],
  ];
  return (
    <dl className="stats" data-testid="live-stats">
      {items.map(([k, v]) => (
        <div key={k} className="stat">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
