import { CircleCheck, CircleMinus, CircleX, TriangleAlert } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestLine } from '../bridge';
import { exactTime, formatBytes, formatMs, formatNumber, plural, relativeTime } from '../lib/format';

// User-visible strings (kept together for the translators).
const T = {
  title: 'Request details',
  close: 'Close',
  error: 'Error',
  tries: 'Accounts tried',
  noTries: 'No account was tried (the request was answered or refused before one was needed).',
  waited: (ms: number) => `waited ${formatMs(ms)} before this try`,
  timing: 'Timing',
  total: 'Total time',
  firstByte: 'First byte',
  noFirstByte: 'nothing was sent',
  sizes: 'Sizes',
  bytesIn: 'Request (in)',
  bytesOut: 'Response (out)',
  tokens: 'Tokens in / out',
  client: 'Client',
  userAgent: 'User-Agent',
  requestId: 'Request id',
  warnings: 'Changed in the request',
  model: 'Model',
  account: 'Answered by',
  noAccount: 'no account',
  when: 'Time',
};

const OUTCOME: Record<string, string> = {
  answered: 'answered',
  failed: 'failed: this was the answer',
  'moved-on': 'could not serve it: tried another account',
  retry: 'failed for now: tried again',
};

/** Status with an icon and a word, never colour alone. */
export function StatusBadge({ status }: { status: number }) {
  const kind = status === 0 ? 'none' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'ok';
  const Icon = kind === 'ok' ? CircleCheck : kind === 'none' ? CircleMinus : kind === 'warn' ? TriangleAlert : CircleX;
  const word = kind === 'ok' ? 'OK' : kind === 'none' ? 'no answer' : kind === 'warn' ? 'refused' : 'failed';
  return (
    <span className={`status status-${kind}`}>
      <Icon aria-hidden="true" className="status-icon" size={14} />
      {status ? ` ${status} ` : ' '}
      {word}
    </span>
  );
}

/** Everything the log knows about one request: why it failed, who tried. */
export function RequestDetail({ request: r, onClose }: { request: RequestLine; onClose: () => void }) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [r.seq]);
  const tries = r.tries ?? [];
  return (
    <aside
      className="request-detail"
      aria-labelledby="request-detail-title"
      data-testid="request-detail"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="request-detail-head">
        <h3 id="request-detail-title" tabIndex={-1} ref={heading}>
          {T.title}: <span className="mono">{r.method} {r.path}</span>
        </h3>
        <button type="button" className="btn" onClick={onClose}>
          {T.close}
        </button>
      </div>
      <p>
        <StatusBadge status={r.status} /> ·{' '}
        <time dateTime={r.time} title={exactTime(r.time)}>
          {relativeTime(r.time)}
        </time>
      </p>
      {r.error && (
        <section>
          <h4>{T.error}</h4>
          <p className="error-text" data-testid="request-error">
            {r.error}
          </p>
        </section>
      )}
      <section>
        <h4>
          {T.tries} ({plural(tries.length, 'try', 'tries')})
        </h4>
        {tries.length === 0 ? (
          <p className="muted">{T.noTries}</p>
        ) : (
          <ol className="tries" data-testid="request-tries">
            {tries.map((t, i) => (
              <li key={i} className={`try try-${t.outcome}`}>
                <strong>{t.label || t.account}</strong> — {OUTCOME[t.outcome] ?? t.outcome}
                {t.status ? ` (Kiro ${t.status})` : ''}
                {t.waitMs ? <span className="muted"> · {T.waited(t.waitMs)}</span> : null}
                {t.error && <div className="try-error">{t.error}</div>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <dl className="request-facts">
        {r.requestedModel && (
          <>
            <dt>{t('aliases.requested')}</dt>
            <dd className="mono">{r.requestedModel}</dd>
          </>
        )}
        <dt>{r.requestedModel ? t('aliases.served') : T.model}</dt>
        <dd>{r.model || '–'}</dd>
        <dt>{T.account}</dt>
        <dd>{r.accountLabel || r.account || T.noAccount}</dd>
        <dt>{T.total}</dt>
        <dd>{formatMs(r.latencyMs)}</dd>
        <dt>{T.firstByte}</dt>
        <dd>{r.firstByteMs >= 0 ? formatMs(r.firstByteMs) : T.noFirstByte}</dd>
        <dt>{T.bytesIn}</dt>
        <dd>{formatBytes(r.bytesIn ?? 0)}</dd>
        <dt>{T.bytesOut}</dt>
        <dd>{formatBytes(r.bytesOut ?? 0)}</dd>
        <dt>{T.tokens}</dt>
        <dd>
          {formatNumber(r.inputTokens)} / {formatNumber(r.outputTokens)}
        </dd>
        <dt>{T.client}</dt>
        <dd title={r.userAgent || undefined}>{r.client || 'other'}</dd>
        {r.requestId && (
          <>
            <dt>{T.requestId}</dt>
            <dd className="mono">{r.requestId}</dd>
          </>
        )}
      </dl>
      {r.warnings && r.warnings.length > 0 && (
        <section>
          <h4>{T.warnings}</h4>
          <ul>
            {r.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
