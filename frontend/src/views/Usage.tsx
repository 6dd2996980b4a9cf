import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  exportUsageCSV,
  getUsage,
  type UsageForecast,
  type UsageRange,
  type UsageRow,
  type UsageSeries,
  type UsageStack,
} from '../bridge';
import { ChartKey, colour, UsageChart, type ChartSeries } from '../components/UsageChart';
import { errorMessage } from '../lib/errors';

// User-visible strings of this view, in one place.
const T = {
  range: 'Range',
  ranges: { '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' } as Record<UsageRange, string>,
  splitBy: 'Split by',
  stacks: { account: 'Account', model: 'Model', client: 'Client' } as Record<UsageStack, string>,
  show: 'Show',
  requests: 'Requests',
  tokens: 'Tokens',
  perHour: 'per hour',
  perDay: 'per day',
  errors: 'Errors by kind',
  latency: 'Latency',
  p50: 'p50 (half of the requests took less)',
  p95: 'p95 (95 in 100 took less)',
  credits: 'Credits by account',
  noForecast: 'No account has a known credit limit yet: refresh an account’s quota on the Accounts page.',
  table: 'The figures',
  total: 'Total',
  export: 'Export CSV',
  exported: 'Saved as',
  exportFailed: 'Could not export:',
  loading: 'Loading…',
  failed: 'Could not read the usage history:',
  retry: 'Retry',
  empty: 'No requests in this range yet. Requests sent through Kirodesk are counted here (and kept for 400 days).',
  estimated: 'estimated',
  resets: 'resets',
  headers: ['When', 'Requests', 'Errors', 'Input tokens', 'Output tokens', 'Credits', 'p50', 'p95'],
  errorClass: {
    invalid_request: 'Refused request',
    authentication: 'Wrong API key',
    rate_limit: 'Rate limited',
    overloaded: 'Overloaded',
    upstream: 'Kiro failed',
    canceled: 'Cancelled by the client',
  } as Record<string, string>,
};

const num = new Intl.NumberFormat('en');
const credits = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
const hourFmt = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short' });
const ms = (v: number) => (v > 0 ? `≤ ${num.format(v)} ms` : '–');

function when(key: string, by: string): string {
  const d = new Date(key);
  return by === 'day' ? dayFmt.format(d) : hourFmt.format(d);
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

export function Usage() {
  const [range, setRange] = useState<UsageRange>('7d');
  const [stack, setStack] = useState<UsageStack>('account');
  const [metric, setMetric] = useState<'requests' | 'tokens'>('requests');
  const [data, setData] = useState<UsageSeries | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await getUsage(range, stack));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [range, stack]);

  useEffect(() => {
    void load();
  }, [load]);

  const stacked: ChartSeries[] = useMemo(
    () =>
      (data?.groups ?? []).map((g, i) => ({
        label: g.label || g.key,
        values: metric === 'requests' ? g.requests : g.tokens,
        color: colour(i),
      })),
    [data, metric],
  );
  const errors: ChartSeries[] = useMemo(
    () =>
      (data?.errorClasses ?? [])
        .map((c, i) => ({ label: T.errorClass[c] ?? c, values: data?.errors[i] ?? [], color: colour(i + 5) }))
        .filter((s) => sum(s.values) > 0),
    [data],
  );
  const latency: ChartSeries[] = useMemo(
    () =>
      data
        ? [
            { label: T.p50, values: data.p50Ms, color: colour(0) },
            { label: T.p95, values: data.p95Ms, color: colour(5) },
          ]
        : [],
    [data],
  );

  async function exportCSV() {
    try {
      setExported({ ok: true, text: `${T.exported} ${await exportUsageCSV(range)}` });
    } catch (err) {
      setExported({ ok: false, text: `${T.exportFailed} ${errorMessage(err)}` });
    }
  }

  const per = data?.by === 'day' ? T.perDay : T.perHour;
  const metricName = metric === 'requests' ? T.requests : T.tokens;
  const total = data?.table.total;

  return (
    <div className="usage">
      <div className="usage-controls">
        <div role="group" aria-label={T.range} className="segmented">
          {(Object.keys(T.ranges) as UsageRange[]).map((r) => (
            <button key={r} type="button" className="btn btn-small" aria-pressed={r === range} onClick={() => setRange(r)}>
              {T.ranges[r]}
            </button>
          ))}
        </div>
        <label>
          {T.splitBy}{' '}
          <select value={stack} onChange={(e) => setStack(e.target.value as UsageStack)}>
            {(Object.keys(T.stacks) as UsageStack[]).map((s) => (
              <option key={s} value={s}>
                {T.stacks[s]}
              </option>
            ))}
          </select>
        </label>
        <div role="group" aria-label={T.show} className="segmented">
          {(['requests', 'tokens'] as const).map((m) => (
            <button key={m} type="button" className="btn btn-small" aria-pressed={m === metric} onClick={() => setMetric(m)}>
              {m === 'requests' ? T.requests : T.tokens}
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-small" onClick={exportCSV} disabled={!data}>
          {T.export}
        </button>
        <span role="status" className={exported?.ok === false ? 'error-text' : 'muted'}>
          {exported?.text}
        </span>
      </div>

      {error && (
        <div className="card" role="alert">
          <p className="error-text">
            {T.failed} {error}
          </p>
          <button type="button" className="btn" onClick={() => void load()}>
            {T.retry}
          </button>
        </div>
      )}
      {!data && !error && <p className="muted">{T.loading}</p>}

      {data && total && (
        <>
          <section className="card" aria-labelledby="usage-main-title">
            <h2 id="usage-main-title">
              {metricName} {per}, {T.ranges[range]}
            </h2>
            {total.requests === 0 ? (
              <p className="muted" data-testid="usage-empty">
                {T.empty}
              </p>
            ) : (
              <>
                <UsageChart
                  times={data.times}
                  series={stacked}
                  kind="stacked"
                  testId="usage-chart"
                  summary={`${metricName} ${per} over ${T.ranges[range]}, split by ${T.stacks[stack].toLowerCase()}; the table below has the figures`}
                />
                <ChartKey series={stacked} format={(n) => num.format(n)} />
              </>
            )}
          </section>

          {total.requests > 0 && (
            <div className="usage-pair">
              <section className="card" aria-labelledby="usage-errors-title">
                <h2 id="usage-errors-title">{T.errors}</h2>
                {errors.length === 0 ? (
                  <p className="muted">No errors in this range.</p>
                ) : (
                  <>
                    <UsageChart times={data.times} series={errors} kind="stacked" height={160} testId="usage-errors" summary={`${T.errors} ${per}`} />
                    <ChartKey series={errors} format={(n) => num.format(n)} />
                  </>
                )}
              </section>
              <section className="card" aria-labelledby="usage-latency-title">
                <h2 id="usage-latency-title">{T.latency}</h2>
                <UsageChart times={data.times} series={latency} kind="lines" height={160} unit="ms" testId="usage-latency" summary={`${T.latency} p50 and p95 ${per}`} />
                <ChartKey series={latency} />
              </section>
            </div>
          )}

          <Forecasts forecasts={data.table.forecasts} />

          <section className="card" aria-labelledby="usage-table-title">
            <h2 id="usage-table-title">{T.table}</h2>
            <UsageTable rows={data.table.rows} total={total} by={data.by} />
          </section>
        </>
      )}
    </div>
  );
}

function Forecasts({ forecasts }: { forecasts: UsageForecast[] }) {
  return (
    <section className="card" aria-labelledby="usage-credits-title">
      <h2 id="usage-credits-title">{T.credits}</h2>
      {forecasts.length === 0 ? (
        <p className="muted">{T.noForecast}</p>
      ) : (
        <ul className="forecasts" data-testid="forecasts">
          {forecasts.map((f) => {
            const pct = f.limit > 0 ? Math.min(100, Math.round((f.used / f.limit) * 100)) : 0;
            const label = `${credits.format(f.used)} of ${credits.format(f.limit)} credits used (${pct}%)`;
            return (
              <li key={f.account}>
                <strong>{f.label}</strong>
                <div
                  className={pct >= 90 ? 'quota-bar quota-high' : 'quota-bar'}
                  role="meter"
                  aria-label={`Credits of ${f.label}`}
                  aria-valuemin={0}
                  aria-valuemax={f.limit}
                  aria-valuenow={f.used}
                  aria-valuetext={label}
                >
                  <span style={{ width: `${pct}%` }} />
                </div>
                <span className="muted">
                  {label}
                  {f.resetAt ? ` · ${T.resets} ${dayFmt.format(new Date(f.resetAt))}` : ''}
                </span>
                <p>{f.text}</p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function UsageTable({ rows, total, by }: { rows: UsageRow[]; total: UsageRow; by: string }) {
  const cells = (r: UsageRow) => [
    num.format(r.requests),
    num.format(r.errors),
    num.format(r.inputTokens) + (r.estimatedRequests > 0 ? ` (${num.format(r.estimatedRequests)} ${T.estimated})` : ''),
    num.format(r.outputTokens),
    credits.format(r.credits),
    ms(r.p50Ms),
    ms(r.p95Ms),
  ];
  return (
    <div className="table-wrap">
      <table className="table" data-testid="usage-table">
        <thead>
          <tr>
            {T.headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{when(r.key, by)}</th>
              {cells(r).map((c, i) => (
                <td key={i}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{T.total}</th>
            {cells(total).map((c, i) => (
              <td key={i}>{c}</td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
