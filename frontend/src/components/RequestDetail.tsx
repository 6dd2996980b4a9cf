import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { RequestLine } from '../bridge';
import { useGoText } from '../i18n/gotext';
import { exactTime, formatBytes, formatMs, formatNumber, relativeTime } from '../lib/format';
import { StatusIcon } from './StatusIcon';

/** The panel's strings in the window's language (re-read on every render). */
function useText() {
  const { t } = useTranslation();
  return {
    titleLabel: t('requestDetail.titleLabel'),
    close: t('common.close'),
    error: t('requestDetail.error'),
    triesHeading: (n: number) => t('requestDetail.triesHeading', { count: n }),
    noTries: t('requestDetail.noTries'),
    waited: (ms: number) => t('requestDetail.waited', { time: formatMs(ms) }),
    kiroStatus: (status: number) => t('requestDetail.kiroStatus', { status }),
    total: t('requestDetail.total'),
    firstByte: t('requestDetail.firstByte'),
    noFirstByte: t('requestDetail.noFirstByte'),
    bytesIn: t('requestDetail.bytesIn'),
    bytesOut: t('requestDetail.bytesOut'),
    tokens: t('requestDetail.tokens'),
    client: t('requestDetail.client'),
    otherClient: t('logs.otherClient'),
    requestId: t('requestDetail.requestId'),
    warnings: t('requestDetail.warnings'),
    model: t('requestDetail.model'),
    account: t('requestDetail.account'),
    pinned: t('requestDetail.pinned'),
    noAccount: t('requestDetail.noAccount'),
    outcome: (o: string) =>
      o === 'answered' || o === 'failed' || o === 'moved-on' || o === 'retry' ? t(`requestDetail.outcomes.${o}`) : o,
  };
}

/** Status with an icon and a word, never colour alone. */
export function StatusBadge({ status }: { status: number }) {
  const { t } = useTranslation();
  const kind = status === 0 ? 'none' : status >= 500 ? 'error' : status >= 400 ? 'warn' : 'ok';
  const icon = kind === 'ok' ? 'ok' : kind === 'none' ? 'skipped' : kind === 'warn' ? 'warning' : 'failed';
  const word = t(`requestDetail.statusWords.${kind}`);
  return (
    <span className={`status status-${kind}`}>
      <StatusIcon name={icon} />
      {status ? ` ${status} ` : ' '}
      {word}
    </span>
  );
}

/** Everything the log knows about one request: why it failed, who tried. */
export function RequestDetail({ request: r, onClose }: { request: RequestLine; onClose: () => void }) {
  const { t } = useTranslation();
  const T = useText();
  const goText = useGoText();
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
          {T.titleLabel} <span className="mono">{r.method} {r.path}</span>
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
          {T.triesHeading(tries.length)}
        </h4>
        {tries.length === 0 ? (
          <p className="muted">{T.noTries}</p>
        ) : (
          <ol className="tries" data-testid="request-tries">
            {tries.map((try_, i) => (
              <li key={i} className={`try try-${try_.outcome}`}>
                <strong>{try_.label || try_.account}</strong> — {T.outcome(try_.outcome)}
                {try_.status ? ` ${T.kiroStatus(try_.status)}` : ''}
                {try_.waitMs ? <span className="muted"> · {T.waited(try_.waitMs)}</span> : null}
                {try_.error && <div className="try-error">{try_.error}</div>}
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
        {r.pinned && (
          <>
            <dt>{T.pinned}</dt>
            {/* The account the Try it view asked for (its name when it is the one that served). */}
            <dd data-testid="request-pinned">{r.pinned === r.account ? r.accountLabel || r.pinned : r.pinned}</dd>
          </>
        )}
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
        <dd title={r.userAgent || undefined}>{r.client || T.otherClient}</dd>
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
            {r.warnings.map((w, i) => (
              // Go's code for the warning when it has one (its English otherwise).
              <li key={w}>{goText(r.warningTexts?.[i] ?? { text: w })}</li>
            ))}
          </ul>
        </section>
      )}
    </aside>
  );
}
