import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { i18n } from '../i18n';
import { currentFormatLocale } from '../lib/format';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/**
 * Colours of the stacked parts: the Okabe-Ito palette, told apart with
 * colour blindness and readable on the light and the dark surface alike.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#999999'];

/** The i-th colour of PALETTE, round again past its end. */
export const colour = (i: number): string => PALETTE[i % PALETTE.length] ?? '#999999';

export interface ChartSeries {
  label: string;
  values: number[];
  color: string;
}

interface Props {
  /** Bucket starts, Unix seconds. */
  times: number[];
  series: ChartSeries[];
  /** Bars stacked on each other (requests, tokens), or lines (latency). */
  kind: 'stacked' | 'lines';
  /** What the chart shows, in words: the accessible name (the table below is the text alternative). */
  summary: string;
  height?: number;
  /** Without axes, grid or cursor: the dashboard's sparkline. */
  bare?: boolean;
  testId?: string;
  /** Written after the y axis's figures, e.g. "ms". */
  unit?: string;
  /** A bucket's start (Unix seconds) in words, for the reading of one bucket. */
  formatTime?: (t: number) => string;
  /** A figure in words, for the reading of one bucket. */
  formatValue?: (v: number) => string;
}

/**
 * The reading of bucket i in words: its time, then each part's figure
 * (those with one), and for a stack of several their total.
 */
export function readBucket(
  t: TFunction,
  i: number,
  times: number[],
  series: ChartSeries[],
  kind: 'stacked' | 'lines',
  formatTime: (t: number) => string,
  formatValue: (v: number) => string,
): string {
  const when = formatTime(times[i] ?? 0);
  const parts = series.filter((s) => (s.values[i] ?? 0) > 0).map((s) => t('chart.part', { name: s.label, value: formatValue(s.values[i] ?? 0) }));
  if (parts.length === 0) return t('chart.nothing', { when });
  if (kind === 'stacked' && parts.length > 1) {
    parts.push(t('chart.total', { value: formatValue(series.reduce((a, s) => a + (s.values[i] ?? 0), 0)) }));
  }
  return t('chart.reading', { when, parts: parts.join(t('chart.separator')) });
}

/**
 * The time axis's labels in the window's language (uPlot's own are US
 * English): a date at day steps and at midnight, else the hour.
 */
export function timeAxisLabels(splits: number[], incr: number, locale: string): string[] {
  return splits.map((ts) => {
    const d = new Date(ts * 1000);
    return incr >= 86400 || (d.getHours() === 0 && d.getMinutes() === 0)
      ? d.toLocaleDateString(locale, { day: 'numeric', month: 'short' })
      : d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  });
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * uPlot draws series in order, so a stack is drawn as running totals,
 * largest first: each later (smaller) total paints over the lower part of
 * the one before, leaving each part its own band.
 */
export function stackData(times: number[], series: ChartSeries[]): { data: uPlot.AlignedData; order: ChartSeries[] } {
  const totals: number[][] = [];
  let run = times.map(() => 0);
  for (const s of series) {
    run = run.map((v, i) => v + (s.values[i] ?? 0));
    totals.push(run);
  }
  return { data: [times, ...totals.slice().reverse()], order: series.slice().reverse() };
}

export function UsageChart({
  times,
  series,
  kind,
  summary,
  height = 220,
  bare = false,
  testId,
  unit,
  formatTime = (v) => new Date(v * 1000).toLocaleString(),
  formatValue = (v) => String(v),
}: Props) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  // The bucket being read, from the keyboard or under the pointer.
  const [at, setAt] = useState<number | null>(null);
  const [focused, setFocused] = useState(false);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const text = cssVar('--muted', '#596270');
      const grid = cssVar('--border', '#d0d5dc');
      const stacked = kind === 'stacked' ? stackData(times, series) : null;
      const order = stacked ? stacked.order : series;
      // A line has a gap where a bucket had nothing to measure (0), rather
      // than a dive to zero.
      const data: uPlot.AlignedData = stacked
        ? stacked.data
        : [times, ...series.map((s) => s.values.map((v) => (v === 0 ? null : v)))];
      const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 40] }) : undefined;
      const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      plot = new uPlot(
        {
          width: Math.max(120, el.clientWidth || 600),
          height,
          legend: { show: false },
          // The pointer reads a bucket as the arrow keys do.
          hooks: bare ? {} : { setCursor: [(u: uPlot) => u.cursor.idx != null && setAt(u.cursor.idx)] },
          cursor: bare ? { show: false } : { y: false, drag: { x: false, y: false } }, // a bucket is a time: no level line
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] } },
          axes: bare
            ? [{ show: false }, { show: false }]
            : [
                {
                  ...axis,
                  // English keeps the day-month order the rest of the window uses (7 Dec).
                  values: (_u: uPlot, splits: number[], _i: number, _space: number, incr: number) =>
                    timeAxisLabels(splits, incr, i18n.language === 'en' ? 'en-GB' : currentFormatLocale()),
                },
                {
                  ...axis,
                  size: unit ? 72 : 56,
                  values: unit ? (_u: uPlot, vals: number[]) => vals.map((v) => `${v} ${unit}`) : undefined,
                },
              ],
          series: [
            {},
            ...order.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: kind === 'lines' || bare ? 2 : 1,
              fill: kind === 'stacked' ? (bare ? `${s.color}55` : s.color) : undefined,
              paths: kind === 'stacked' && !bare ? bars : undefined,
              points: { show: kind === 'lines', size: 5 },
            })),
          ],
        },
        data,
        el,
      );
      plotRef.current = plot;
    };
    draw();
    // Follow the window's width and the light/dark switch.
    const ro = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => plot?.setSize({ width: el.clientWidth, height })) : null;
    ro?.observe(el);
    const mq = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
    mq?.addEventListener('change', draw);
    return () => {
      ro?.disconnect();
      mq?.removeEventListener('change', draw);
      plot?.destroy();
      plotRef.current = null;
    };
  }, [times, series, kind, height, bare, unit]);

  // New data: the bucket read before may be gone.
  useEffect(() => setAt((i) => (i != null && i < times.length ? i : null)), [times]);

  if (bare) return <div ref={box} className="chart chart-bare" role="img" aria-label={summary} data-testid={testId} />;

  // Left/Right step through the buckets, Home/End go to the first/last;
  // the cursor follows, and the reading below says the figures.
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const last = times.length - 1;
    if (last < 0) return;
    const cur = at ?? (e.key === 'ArrowLeft' ? last + 1 : -1);
    const next = { ArrowRight: cur + 1, ArrowLeft: cur - 1, Home: 0, End: last }[e.key];
    if (next === undefined) return;
    e.preventDefault();
    const i = Math.max(0, Math.min(last, next));
    setAt(i);
    const plot = plotRef.current;
    if (plot) plot.setCursor({ left: plot.valToPos(times[i] ?? 0, 'x'), top: height / 3 }, false);
  };
  const reading =
    at == null ? t('chart.hint') : readBucket(t, at, times, series, kind, formatTime, formatValue);

  return (
    <div className="chart-wrap">
      <div
        ref={box}
        className="chart"
        role="slider"
        tabIndex={0}
        aria-label={summary}
        aria-valuemin={0}
        aria-valuemax={Math.max(0, times.length - 1)}
        aria-valuenow={at ?? 0}
        aria-valuetext={reading}
        onKeyDown={onKey}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        data-testid={testId}
      />
      {/* The hint shows once the chart has the focus: three charts need not say it all the time. */}
      <p className="chart-reading muted" data-testid={testId ? `${testId}-reading` : undefined}>
        {at != null || focused ? reading : ''}
      </p>
    </div>
  );
}

/** The colour key of a stacked chart, with each part's total. */
export function ChartKey({ series, format }: { series: ChartSeries[]; format?: (n: number) => string }) {
  const { t } = useTranslation();
  return (
    <ul className="chart-key">
      {series.map((s) => (
        <li key={s.label}>
          <span className="swatch" style={{ background: s.color }} aria-hidden="true" />
          {format ? t('common.itemState', { name: s.label, state: format(s.values.reduce((a, b) => a + b, 0)) }) : s.label}
        </li>
      ))}
    </ul>
  );
}
