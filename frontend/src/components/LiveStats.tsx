import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getRequestStats, type RequestStats } from '../bridge';
import { usePoll } from '../hooks/usePoll';
import { errorMessage } from '../lib/errors';
import { formatCredits, formatNumber } from '../lib/format';
import { Figures } from './Figures';

/** Requests per minute, and today's requests, errors, tokens and credits. */
export function LiveStats({ intervalMs = 2000 }: { intervalMs?: number }) {
  const { t } = useTranslation();
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

  if (!stats) return <p className="muted">{error ? t('stats.unavailable', { detail: error }) : t('common.loading')}</p>;
  const items: Array<[string, string]> = [
    [t('stats.perMinute'), formatNumber(stats.perMinute)],
    [t('stats.requestsToday'), formatNumber(stats.requestsToday)],
    [t('stats.errorsToday'), formatNumber(stats.errorsToday)],
    [
      t('stats.tokensToday'),
      t('stats.tokens', { input: formatNumber(stats.inputTokensToday), output: formatNumber(stats.outputTokensToday) }),
    ],
    [t('stats.creditsToday'), formatCredits(stats.creditsToday)],
  ];
  return <Figures items={items} testId="live-stats" />;
}
