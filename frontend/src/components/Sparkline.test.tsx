import { render, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { UsageSeries } from '../bridge';
import { Sparkline } from './Sparkline';

const plots = vi.hoisted(() => [] as Array<{ data: number[][] }>);
vi.mock('uplot', () => {
  class FakePlot {
    static paths = {};
    constructor(_opts: unknown, data: number[][]) {
      plots.push({ data });
    }
    destroy() {}
    setSize() {}
  }
  return { default: FakePlot };
});
vi.mock('uplot/dist/uPlot.min.css', () => ({}));
vi.mock('../bridge');
const api = vi.mocked(bridge);

const t0 = 1_796_000_000;
const day = (groups: UsageSeries['groups']) =>
  ({ times: [t0, t0 + 3600, t0 + 7200], groups, table: { rows: [], forecasts: [] } }) as unknown as UsageSeries;

beforeEach(() => {
  vi.resetAllMocks();
  plots.length = 0;
});

describe('Sparkline', () => {
  it('draws the last 24 hours of requests, all clients together, and says it in words', async () => {
    api.getUsage.mockResolvedValue(
      day([
        { key: 'curl', label: 'curl', requests: [1, 0, 2], tokens: [] },
        { key: 'Codex', label: 'Codex', requests: [0, 4, 1], tokens: [] },
      ]),
    );
    render(<Sparkline />);
    expect(await screen.findByRole('img', { name: /8 in all, at most 4 in one hour/ })).toBeInTheDocument();
    expect(api.getUsage).toHaveBeenCalledWith('24h', 'client');
    // The chart is drawn in an effect, which may run after the label shows.
    await waitFor(() => expect(plots[0]?.data).toEqual([[t0, t0 + 3600, t0 + 7200], [1, 4, 3]]));
  });

  it('says so when there were no requests', async () => {
    api.getUsage.mockResolvedValue(day([]));
    render(<Sparkline />);
    expect(await screen.findByText('No requests in the last 24 hours.')).toBeInTheDocument();
    expect(plots).toHaveLength(0);
  });
});
