import { useState } from 'react';
import { getRequestStats, type RequestStats } from '../bridge';
import { usePoll } from '../hooks/usePoll';
import { errorMessage } from '../lib/errors';
import { formatCredits, formatNumber } from '../lib/format';

const TEXT = {
  loading: 'Loading…',
  unavailable: (error: string) => `Figures unavailable: ${error}`,
  perMinute: 'Requests / min',
  requestsToday: 'Requests today',
  errorsToday: 'Errors today',
  tokensToday: 'Tokens today',
  tokens: (input: number, output: number) => `${formatNumber(input)} in / ${formatNumber(output)} out`,
  creditsToday: 'Credits today',
};

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

  if (!stats) return <p className="muted">{error ? TEXT.unavailable(error) : TEXT.loading}</p>;
  const items: Array<[string, string]> = [
    [TEXT.perMinute, formatNumber(stats.perMinute)],
    [TEXT.requestsToday, formatNumber(stats.requestsToday)],
    [TEXT.errorsToday, formatNumber(stats.errorsToday)],
    [TEXT.tokensToday, TEXT.tokens(stats.inputTokensToday, stats.outputTokensToday)],
    [TEXT.creditsToday, formatCredits(stats.creditsToday)],
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
