import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { LogLine, RequestLine } from '../bridge';
import { Logs } from './Logs';

vi.mock('../bridge', () => ({ getLogs: vi.fn(), getRequests: vi.fn(), copyToClipboard: vi.fn() }));
const api = vi.mocked(bridge);

const line = (seq: number, level: string, text: string): LogLine => ({ seq, level, text, time: '2026-11-25T10:00:00Z' });
const req = (seq: number, o: Partial<RequestLine> = {}): RequestLine => ({
  seq,
  time: '2026-11-25T10:00:00Z',
  method: 'POST',
  path: '/v1/messages',
  model: 'claude-sonnet-4.5',
  account: 'a1',
  accountLabel: 'Work',
  status: 200,
  latencyMs: 42,
  inputTokens: 12,
  outputTokens: 5,
  credits: 0,
  ...o,
});

beforeEach(() => {
  vi.resetAllMocks();
  api.copyToClipboard.mockResolvedValue(undefined);
});

describe('Logs', () => {
  it('tails requests and log lines, asking only for what is new', async () => {
    api.getRequests.mockResolvedValueOnce([req(1), req(2, { status: 503, model: 'claude-haiku-4.5' })]).mockResolvedValue([]);
    api.getLogs.mockResolvedValueOnce([line(1, 'info', 'level=INFO msg="proxy on"')]).mockResolvedValue([
      line(2, 'warn', 'level=WARN msg="failing over"'),
    ]);
    const user = userEvent.setup();
    render(<Logs intervalMs={20} />);

    const table = await screen.findByTestId('request-log');
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toHaveTextContent('claude-haiku-4.5'); // newest first
    expect(rows[1]).toHaveTextContent('503');
    expect(rows[2]).toHaveTextContent('POST /v1/messages');
    expect(rows[2]).toHaveTextContent('Work');
    expect(rows[2]).toHaveTextContent('42 ms');
    expect(rows[2]).toHaveTextContent('12/5');
    await act(() => new Promise((r) => setTimeout(r, 60)));
    expect(api.getRequests).toHaveBeenCalledWith(0);
    expect(api.getRequests).toHaveBeenCalledWith(2);
    expect(api.getLogs).toHaveBeenCalledWith(1);

    await user.click(screen.getByRole('tab', { name: /App log/ }));
    const log = screen.getByTestId('app-log');
    expect(log).toHaveTextContent('proxy on');
    expect(log).toHaveTextContent('failing over');
  });

  it('filters and copies what is shown', async () => {
    api.getRequests.mockResolvedValueOnce([req(1), req(2, { status: 503, model: 'claude-haiku-4.5' })]).mockResolvedValue([]);
    api.getLogs.mockResolvedValueOnce([line(1, 'info', 'level=INFO msg=one'), line(2, 'error', 'level=ERROR msg=two')]).mockResolvedValue([]);
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    await screen.findByTestId('request-log');

    await user.type(screen.getByRole('searchbox'), 'haiku');
    expect(within(screen.getByTestId('request-log')).getAllByRole('row')).toHaveLength(2);
    await user.click(screen.getByRole('button', { name: 'Copy requests' }));
    const copied = api.copyToClipboard.mock.calls[0]![0];
    expect(copied).toContain('claude-haiku-4.5');
    expect(copied).not.toContain('claude-sonnet-4.5');

    await user.clear(screen.getByRole('searchbox'));
    await user.click(screen.getByRole('tab', { name: /App log/ }));
    await user.selectOptions(screen.getByLabelText('Level'), 'error');
    expect(screen.getByTestId('app-log')).toHaveTextContent('msg=two');
    expect(screen.getByTestId('app-log')).not.toHaveTextContent('msg=one');
    await user.click(screen.getByRole('button', { name: 'Copy log lines' }));
    expect(api.copyToClipboard).toHaveBeenLastCalledWith('level=ERROR msg=two');
  });

  it('switches tabs with the arrow keys', async () => {
    api.getRequests.mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    const requests = screen.getByRole('tab', { name: /Requests/ });
    requests.focus();
    await user.keyboard('{ArrowRight}');
    const app = screen.getByRole('tab', { name: /App log/ });
    expect(app).toHaveAttribute('aria-selected', 'true');
    expect(app).toHaveFocus();
    expect(requests).toHaveAttribute('tabindex', '-1');
    await user.keyboard('{ArrowLeft}');
    expect(requests).toHaveFocus();
  });

  it('says when the logs cannot be read', async () => {
    api.getRequests.mockRejectedValue(new Error('Kirodesk is still starting'));
    api.getLogs.mockResolvedValue([]);
    render(<Logs intervalMs={1000} />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not read the logs: Kirodesk is still starting');
  });
});
