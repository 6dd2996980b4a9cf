import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import {
  exportUsageCSV,
  getUsage,
  type UsageForecast,
  type UsageRange,
  type UsageRow,
  type UsageSeries,
  type UsageStack,
} from '../bridge';
import { QuotaMeter, usedPercent } from '../components/QuotaBar';
import { ChartKey, colour, UsageChart, type ChartSeries } from '../components/UsageChart';
import { i18n } from '../i18n';
import { useGoText } from '../i18n/gotext';
import { errorMessage } from '../lib/errors';
import { currentFormatLocale, formatCredits, formatNumber } from '../lib/format';

const RANGES: readonly UsageRange[] = ['24h', '7d', '30d', '90d'];
const STACKS: readonly UsageStack[] = ['account', 'model', 'client'];
const HEADERS = ['when', 'requests', 'errors', 'input', 'output', 'credits', 'p50', 'p95'] as const;
const ERROR_CLASSES = ['invalid_request', 'authentication', 'rate_limit', 'overloaded', 'upstream', 'canceled'] as const;

/** The view's strings in the window's language (re-read on every render). */
function useText() {
  const { t } = useTranslation();
  return {
    range: t('usage.range'),
    ranges: Object.fromEntries(RANGES.map((r) => [r, t(`usage.ranges.${r}`)])) as Record<UsageRange, string>,
    splitBy: t('usage.splitBy'),
    stacks: Object.fromEntries(STACKS.map((s) => [s, t(`usage.stacks.${s}`)])) as Record<UsageStack, string>,
    show: t('usage.show'),
    requests: t('usage.requests'),
    tokens: t('usage.tokens'),
    perHour: t('usage.perHour'),
    perDay: t('usage.perDay'),
    mainTitle: (metric: string, per: string, range: string) => t('usage.mainTitle', { metric, per, range }),
    mainSummary: (metric: string, per: string, range: string, stack: string) =>
      t('usage.mainSummary', { metric, per, range, stack }),
    errors: t('usage.errors'),
    errorsSummary: (per: string) => t('usage.errorsSummary', { per }),
    noErrors: t('usage.noErrors'),
    latency: t('usage.latency'),
    latencySummary: (per: string) => t('usage.latencySummary', { per }),
    p50: t('usage.p50'),
    p95: t('usage.p95'),
    credits: t('usage.credits'),
    creditsOf: (name: string) => t('usage.creditsOf', { name }),
    used: (used: number, limit: number, pct: number) =>
      t('quota.used', { used: formatCredits(used), limit: formatCredits(limit), pct }),
    noForecast: t('usage.noForecast'),
    table: t('usage.table'),
    total: t('usage.total'),
    export: t('usage.export'),
    exported: (path: string) => t('usage.exported', { path }),
    exportFailed: (detail: string) => t('usage.exportFailed', { detail }),
    loading: t('common.loading'),
    failed: (detail: string) => t('usage.failed', { detail }),
    retry: t('common.retry'),
    empty: t('usage.empty'),
    estimated: (tokens: string, n: string) => t('usage.estimatedCell', { tokens, estimated: t('usage.estimated', { n }) }),
    resets: (date: string) => t('usage.resets', { date }),
    headers: HEADERS.map((h) => t(`usage.headers.${h}`)),
    forecast: (f: UsageForecast) => forecastText(t, f),
    errorClass: (c: string) => ((ERROR_CLASSES as readonly string[]).includes(c) ? t(`usage.errorClass.${c as (typeof ERROR_CLASSES)[number]}`) : c),
  };
}

const num = { format: (n: number) => formatNumber(n) };
const credits = { format: (n: number) => formatCredits(n) };
// English keeps the day-month order it always had (7 Dec); other languages write dates their own way.
const dateLocale = () => (i18n.language === 'en' ? 'en-GB' : currentFormatLocale());
const hourFmt = { format: (d: Date) => d.toLocaleString(dateLocale(), { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }) };
const dayFmt = { format: (d: Date) => d.toLocaleDateString(dateLocale(), { weekday: 'short', day: 'numeric', month: 'short' }) };
const longDay = (iso: string) => new Date(iso).toLocaleDateString(dateLocale(), { day: 'numeric', month: 'short', year: 'numeric' });

/**
 * The forecast in words, from its figures (Go's own sentence, f.text, is
 * English; the same cases as usage.ForecastFor).
 */
function forecastText(t: TFunction, f: UsageForecast): string {
  const name = f.label;
  if (f.used >= f.limit) return t('usage.forecast.reachedNow', { name });
  if (f.perDay <= 0) return t('usage.forecast.idle', { name });
  if (f.reachesAt) return t('usage.forecast.reaches', { name, date: longDay(f.reachesAt) });
  if (f.resetAt) return t('usage.forecast.notBefore', { name, date: longDay(f.resetAt) });
  return f.text;
}

const ms = (v: number) => (v > 0 ? `≤ ${num.format(v)} ms` : '–');

function when(key: string, by: string): string {
  const d = new Date(key);
  return by === 'day' ? dayFmt.format(d) : hourFmt.format(d);
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

export function Usage() {
  const T = useText();
  const goText = useGoText();
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
        // "other" clients and "(none)" come with a code; names of the person's do not.
        label: g.labelText?.code ? goText(g.labelText) : g.label || g.key,
        values: metric === 'requests' ? g.requests : g.tokens,
        color: colour(i),
      })),
    [data, metric, goText],
  );
  const errors: ChartSeries[] = useMemo(
    () =>
      (data?.errorClasses ?? [])
        .map((c, i) => ({ label: T.errorClass(c), values: data?.errors[i] ?? [], color: colour(i + 5) }))
        .filter((s) => sum(s.values) > 0),
    [data, T.errors],
  );
  const latency: ChartSeries[] = useMemo(
    () =>
      data
        ? [
            { label: T.p50, values: data.p50Ms, color: colour(0) },
            { label: T.p95, values: data.p95Ms, color: colour(5) },
          ]
        : [],
    [data, T.p50, T.p95],
  );

  async function exportCSV() {
    try {
      setExported({ ok: true, text: T.exported(await exportUsageCSV(range)) });
    } catch (err) {
      setExported({ ok: false, text: T.exportFailed(errorMessage(err)) });
    }
  }

  const per = data?.by === 'day' ? T.perDay : T.perHour;
  // A bucket's start in words, for the charts' readings (as the table says it).
  const bucketTime = (t: number) => (data?.by === 'day' ? dayFmt.format(new Date(t * 1000)) : hourFmt.format(new Date(t * 1000)));
  const metricName = metric === 'requests' ? T.requests : T.tokens;
  const total = data?.table.total;

  return (
    <div className="usage">
      <div className="usage-controls">
        <div role="group" aria-label={T.range} className="segmented">
          {RANGES.map((r) => (
            <button key={r} type="button" className="btn btn-small" aria-pressed={r === range} onClick={() => setRange(r)}>
              {T.ranges[r]}
            </button>
          ))}
        </div>
        <label>
          {T.splitBy}{' '}
          <select value={stack} onChange={(e) => setStack(e.target.value as UsageStack)}>
            {STACKS.map((s) => (
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
            {T.failed(error)}
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
              {T.mainTitle(metricName, per, T.ranges[range])}
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
                  summary={T.mainSummary(metricName, per, T.ranges[range], T.stacks[stack].toLowerCase())}
                  formatTime={bucketTime}
                  formatValue={num.format}
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
                  <p className="muted">{T.noErrors}</p>
                ) : (
                  <>
                    <UsageChart
                      times={data.times}
                      series={errors}
                      kind="stacked"
                      height={160}
                      testId="usage-errors"
                      summary={T.errorsSummary(per)}
                      formatTime={bucketTime}
                      formatValue={num.format}
                    />
                    <ChartKey series={errors} format={(n) => num.format(n)} />
                  </>
                )}
              </section>
              <section className="card" aria-labelledby="usage-latency-title">
                <h2 id="usage-latency-title">{T.latency}</h2>
                <UsageChart
                  times={data.times}
                  series={latency}
                  kind="lines"
                  height={160}
                  unit="ms"
                  testId="usage-latency"
                  summary={T.latencySummary(per)}
                  formatTime={bucketTime}
                  formatValue={ms}
                />
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
  const T = useText();
  return (
    <section className="card" aria-labelledby="usage-credits-title">
      <h2 id="usage-credits-title">{T.credits}</h2>
      {forecasts.length === 0 ? (
        <p className="muted">{T.noForecast}</p>
      ) : (
        <ul className="forecasts" data-testid="forecasts">
          {forecasts.map((f) => {
            const label = T.used(f.used, f.limit, usedPercent(f.used, f.limit));
            return (
              <li key={f.account}>
                <strong>{f.label}</strong>
                <QuotaMeter used={f.used} limit={f.limit} label={T.creditsOf(f.label)} valueText={label} />
                <span className="muted">
                  {label}
                  {f.resetAt ? ` · ${T.resets(dayFmt.format(new Date(f.resetAt)))}` : ''}
                </span>
                <p>{T.forecast(f)}</p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

// The input tokens cell may break before its "(n estimated)", so that the
// whole table, p95 included, fits a window 800 px wide. cells() follows
// HEADERS after the row's own 'when' header cell.
const INPUT_CELL = HEADERS.indexOf('input') - 1;

function UsageTable({ rows, total, by }: { rows: UsageRow[]; total: UsageRow; by: string }) {
  const T = useText();
  const cells = (r: UsageRow) => [
    num.format(r.requests),
    num.format(r.errors),
    r.estimatedRequests > 0 ? T.estimated(num.format(r.inputTokens), num.format(r.estimatedRequests)) : num.format(r.inputTokens),
    num.format(r.outputTokens),
    credits.format(r.credits),
    ms(r.p50Ms),
    ms(r.p95Ms),
  ];
  const tds = (r: UsageRow) =>
    cells(r).map((c, i) => (
      <td key={i} className={i === INPUT_CELL ? 'wrap' : undefined}>
        {c}
      </td>
    ));
  return (
    <div className="table-wrap">
      <table className="table usage-table" data-testid="usage-table">
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
              {tds(r)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{T.total}</th>
            {tds(total)}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
