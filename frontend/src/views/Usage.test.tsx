import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { UsageRow, UsageSeries } from '../bridge';
import { stackData, timeAxisLabels } from '../components/UsageChart';
import { Usage } from './Usage';
import { applyLanguage } from '../i18n';

// uPlot draws on a canvas, which jsdom has not: record what it is given.
const plots = vi.hoisted(() => [] as Array<{ opts: { series: Array<{ label?: string }> }; data: number[][]; cursorAt: number[] }>);
vi.mock('uplot', () => {
  class FakePlot {
    static paths = { bars: () => () => null };
    rec: { opts: { series: Array<{ label?: string }> }; data: number[][]; cursorAt: number[] };
    constructor(opts: { series: Array<{ label?: string }> }, data: number[][]) {
      this.rec = { opts, data, cursorAt: [] };
      plots.push(this.rec);
    }
    destroy() {}
    setSize() {}
    // The x position of a time is the time itself: the test reads which bucket the cursor went to.
    valToPos(v: number) {
      return v;
    }
    setCursor(c: { left: number }) {
      this.rec.cursorAt.push(c.left);
    }
  }
  return { default: FakePlot };
});
vi.mock('uplot/dist/uPlot.min.css', () => ({}));
vi.mock('../bridge');
const api = vi.mocked(bridge);

const row = (key: string, o: Partial<UsageRow> = {}): UsageRow => ({
  key,
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  estimatedRequests: 0,
  credits: 0,
  p50Ms: 0,
  p95Ms: 0,
  firstByteP50Ms: 0,
  firstByteP95Ms: 0,
  ...o,
});

const t0 = Date.UTC(2026, 11, 6, 10) / 1000;
function series(o: Partial<UsageSeries> = {}): UsageSeries {
  return {
    since: '2026-11-29T10:00:00Z',
    until: '2026-12-06T12:00:00Z',
    by: 'hour',
    range: '7d',
    stack: 'account',
    times: [t0, t0 + 3600],
    groups: [
      { key: 'acc1', label: 'work@example.com', requests: [3, 1], tokens: [300, 100] },
      { key: 'acc2', label: 'home', requests: [1, 0], tokens: [50, 0] },
    ],
    errorClasses: ['invalid_request', 'authentication', 'rate_limit', 'overloaded', 'upstream', 'canceled'],
    errors: [[0, 0], [0, 0], [1, 0], [0, 0], [0, 1], [0, 0]],
    p50Ms: [500, 0],
    p95Ms: [2000, 5000],
    table: {
      since: '2026-11-29T10:00:00Z',
      until: '2026-12-06T12:00:00Z',
      by: 'hour',
      rows: [
        row('2026-12-06T10:00:00Z', { requests: 4, errors: 1, inputTokens: 300, outputTokens: 50, credits: 1.5, p50Ms: 500, p95Ms: 2000 }),
        row('2026-12-06T11:00:00Z', { requests: 1, errors: 1, inputTokens: 80, outputTokens: 20, estimatedRequests: 1, p50Ms: 1000, p95Ms: 5000 }),
      ],
      total: row('total', { requests: 5, errors: 2, inputTokens: 380, outputTokens: 70, credits: 1.5, p50Ms: 500, p95Ms: 5000 }),
      forecasts: [
        {
          account: 'acc1',
          label: 'work@example.com',
          used: 390,
          limit: 500,
          perDay: 10,
          reachesAt: '2026-12-12T12:00:00Z',
          text: "at the last 7 days' rate, work@example.com reaches its limit on 12 Dec 2026",
        },
      ],
    },
    ...o,
  };
}

beforeEach(() => {
  vi.resetAllMocks();
  plots.length = 0;
});

// Rendering the view is slow when the whole suite shares two cores.
const SLOW = 20_000;

/** Renders the view over series() and waits for its table; the user to drive it. */
async function showUsage() {
  api.getUsage.mockResolvedValue(series());
  const user = userEvent.setup();
  render(<Usage />);
  await screen.findByTestId('usage-table');
  return user;
}

describe('Usage', () => {
  it('draws the stacked requests, errors and latency, with the table and the forecast', async () => {
    api.getUsage.mockResolvedValue(series());
    render(<Usage />);

    const table = await screen.findByTestId('usage-table');
    expect(api.getUsage).toHaveBeenCalledWith('7d', 'account');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(4); // header, two hours, total
    expect(rows[1]).toHaveTextContent('6 Dec');
    expect(rows[1]).toHaveTextContent('4');
    expect(rows[1]).toHaveTextContent('≤ 2,000 ms');
    expect(rows[2]).toHaveTextContent('80 (1 estimated)');
    expect(rows[3]).toHaveTextContent('Total');
    expect(rows[3]).toHaveTextContent('380');

    // The main chart is stacked: running totals, largest first.
    await waitFor(() => expect(plots.length).toBeGreaterThan(0)); // drawn in an effect
    const main = plots[0]!;
    expect(main.opts.series.map((s) => s.label)).toEqual([undefined, 'home', 'work@example.com']);
    expect(main.data).toEqual([[t0, t0 + 3600], [4, 1], [3, 1]]);
    expect(screen.getByRole('slider', { name: /Requests per hour over 7 days, split by account/ })).toBeInTheDocument();
    expect(screen.getByText('work@example.com: 4')).toBeInTheDocument();
    // Errors: only the classes that happened, in words.
    expect(screen.getByText('Rate limited: 1')).toBeInTheDocument();
    expect(screen.getByText('Kiro failed: 1')).toBeInTheDocument();
    expect(screen.queryByText(/Wrong API key/)).not.toBeInTheDocument();
    // Latency p50/p95 lines (a bucket without requests is a gap, not 0).
    expect(plots[2]!.data).toEqual([[t0, t0 + 3600], [500, null], [2000, 5000]]);

    const meter = screen.getByRole('meter', { name: 'Credits of work@example.com' });
    expect(meter).toHaveAttribute('aria-valuetext', '390 of 500 credits used (78%)');
    expect(screen.getByTestId('forecasts')).toHaveTextContent("at the last 7 days' rate, work@example.com reaches its limit on 12 Dec 2026");
  }, SLOW);

  it('changes range, grouping and metric from the keyboard', async () => {
    const user = await showUsage();

    const range = screen.getByRole('group', { name: 'Range' });
    expect(within(range).getByRole('button', { name: '7 days' })).toHaveAttribute('aria-pressed', 'true');
    within(range).getByRole('button', { name: '30 days' }).focus();
    await user.keyboard('{Enter}');
    expect(api.getUsage).toHaveBeenLastCalledWith('30d', 'account');
    expect(within(range).getByRole('button', { name: '30 days' })).toHaveAttribute('aria-pressed', 'true');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Split by' }), 'client');
    expect(api.getUsage).toHaveBeenLastCalledWith('30d', 'client');

    plots.length = 0;
    await user.click(screen.getByRole('button', { name: 'Tokens' }));
    await waitFor(() => expect(plots[0]?.data).toEqual([[t0, t0 + 3600], [350, 100], [300, 100]]));
    expect(screen.getByRole('heading', { name: /Tokens per hour, 30 days/ })).toBeInTheDocument();
  }, SLOW);

  it('reads the charts bucket by bucket from the keyboard, in words', async () => {
    const user = await showUsage();
    const chart = screen.getByRole('slider', { name: /Requests per hour over 7 days/ });
    expect(chart).toHaveAttribute('tabindex', '0');
    expect(chart).toHaveAttribute('aria-valuetext', expect.stringMatching(/arrow keys/));
    expect(screen.getByTestId('usage-chart-reading')).toBeEmptyDOMElement();

    chart.focus();
    expect(await screen.findByTestId('usage-chart-reading')).toHaveTextContent(/arrow keys/);
    await user.keyboard('{ArrowRight}');
    // The first hour: both accounts and their total; the cursor went there.
    const first = /6 Dec, \d\d:00: work@example\.com 3, home 1, total 4/;
    expect(screen.getByTestId('usage-chart-reading')).toHaveTextContent(first);
    expect(chart.getAttribute('aria-valuetext')).toMatch(first);
    expect(chart).toHaveAttribute('aria-valuenow', '0');
    expect(plots[0]!.cursorAt.at(-1)).toBe(t0);

    await user.keyboard('{End}');
    expect(screen.getByTestId('usage-chart-reading')).toHaveTextContent(/6 Dec, \d\d:00: work@example\.com 1$/);
    expect(chart).toHaveAttribute('aria-valuenow', '1');
    expect(plots[0]!.cursorAt.at(-1)).toBe(t0 + 3600);
    await user.keyboard('{ArrowRight}'); // past the end: stays
    expect(chart).toHaveAttribute('aria-valuenow', '1');
    await user.keyboard('{Home}');
    expect(chart).toHaveAttribute('aria-valuenow', '0');

    // The latency chart says its figures as the table does; Tab reaches it.
    const latency = screen.getByRole('slider', { name: /Latency p50 and p95/ });
    latency.focus();
    await user.keyboard('{End}');
    expect(screen.getByTestId('usage-latency-reading')).toHaveTextContent(/: p95 \(95 in 100 took less\) ≤ 5,000 ms$/);
    const errors = screen.getByRole('slider', { name: /Errors by kind/ });
    errors.focus();
    await user.keyboard('{Home}');
    expect(screen.getByTestId('usage-errors-reading')).toHaveTextContent(/: Rate limited 1$/);
  }, SLOW);

  it('redraws the charts in the new colours when the system switches light and dark', async () => {
    const listeners: Array<() => void> = [];
    const mq = { matches: false, addEventListener: (_: string, f: () => void) => listeners.push(f), removeEventListener: () => {} };
    vi.stubGlobal('matchMedia', () => mq);
    try {
      await showUsage();
      await waitFor(() => expect(plots).toHaveLength(3)); // requests, errors, latency
      expect(listeners).toHaveLength(3);
      document.documentElement.style.setProperty('--muted', '#a3abb7'); // what the dark sheet says
      listeners.forEach((f) => f());
      expect(plots).toHaveLength(6);
      const axes = (plots[3]!.opts as unknown as { axes: Array<{ stroke: string }> }).axes;
      expect(axes[0]!.stroke).toBe('#a3abb7');
    } finally {
      document.documentElement.style.removeProperty('--muted');
      vi.unstubAllGlobals();
    }
  }, SLOW);

  it('exports the CSV and says where it went, or why not', async () => {
    api.exportUsageCSV.mockResolvedValueOnce('/home/me/Downloads/kirodesk-usage-7d.csv').mockRejectedValueOnce(new Error('disk full'));
    const user = await showUsage();
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(api.exportUsageCSV).toHaveBeenCalledWith('7d');
    expect(await screen.findByText('Saved as /home/me/Downloads/kirodesk-usage-7d.csv')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    expect(await screen.findByText('Could not export: disk full')).toBeInTheDocument();
  }, SLOW);

  it('says when there is nothing yet, and when the history cannot be read', async () => {
    const empty = series({ groups: [] });
    empty.table = { ...empty.table, rows: [], total: row('total'), forecasts: [] };
    api.getUsage.mockRejectedValueOnce(new Error('Kirodesk is still starting')).mockResolvedValue(empty);
    const user = userEvent.setup();
    render(<Usage />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not read the usage history: Kirodesk is still starting');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('usage-empty')).toHaveTextContent('No requests in this range yet');
    expect(screen.getByText(/No account has a known credit limit yet/)).toBeInTheDocument();
    expect(plots).toHaveLength(0);
  }, SLOW);
});

describe('stackData', () => {
  it('turns parts into running totals, largest first', () => {
    const s = [
      { label: 'a', values: [1, 2], color: '#000' },
      { label: 'b', values: [3, 0], color: '#111' },
    ];
    const { data, order } = stackData([1, 2], s);
    expect(data).toEqual([[1, 2], [4, 2], [1, 2]]);
    expect(order.map((o) => o.label)).toEqual(['b', 'a']);
  });
});

describe("Usage: groups Go names", () => {
  it('shows the unrecognised clients as "other" in the window language, clients of their own by name', async () => {
    await applyLanguage('zh-CN');
    try {
      api.getUsage.mockResolvedValue(
        series({
          stack: 'client',
          groups: [
            { key: 'Claude Code', label: 'Claude Code', requests: [3, 1], tokens: [300, 100] },
            { key: 'other', label: 'other', labelText: { code: 'usage.otherClient', text: 'other' }, requests: [1, 0], tokens: [50, 0] },
          ],
        }),
      );
      render(<Usage />);
      expect(await screen.findByText('其他：1')).toBeInTheDocument();
      expect(screen.getByText('Claude Code：4')).toBeInTheDocument();
    } finally {
      await applyLanguage('en');
    }
  });
});

describe('timeAxisLabels', () => {
  const at = (d: number, h: number) => new Date(2026, 11, d, h).getTime() / 1000;
  it('writes days at day steps and midnight, hours otherwise, in the window language', () => {
    expect(timeAxisLabels([at(6, 0), at(7, 0)], 86400, 'en-GB')).toEqual(['6 Dec', '7 Dec']);
    expect(timeAxisLabels([at(6, 22), at(7, 0), at(7, 2)], 7200, 'en-GB')).toEqual(['22:00', '7 Dec', '02:00']);
    expect(timeAxisLabels([at(7, 0), at(7, 14)], 3600 * 14, 'zh-CN')).toEqual(['12月7日', '14:00']);
  });
});
