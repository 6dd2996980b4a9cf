import { act, fireEvent, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { LogLine, RequestLine } from '../bridge';
import { makeRequest } from '../test/fixtures';
import { Logs, logLineText } from './Logs';

vi.mock('../bridge');
const api = vi.mocked(bridge);

const line = (seq: number, level: string, text: string): LogLine => ({ seq, level, text, time: '2026-11-25T10:00:00Z' });
const req = (seq: number, o: Partial<RequestLine> = {}): RequestLine => makeRequest({ seq, ...o });

const failed = req(2, {
  status: 503,
  model: 'claude-haiku-4.5',
  account: 'a2',
  accountLabel: 'Home',
  client: 'curl',
  error: 'Kiro is overloaded on every account; try again in a minute',
  firstByteMs: 1200,
  tries: [
    { account: 'a1', label: 'Work', outcome: 'retry', status: 500, error: 'Kiro answered 500' },
    { account: 'a2', label: 'Home', outcome: 'failed', status: 503, error: 'Kiro answered 503', waitMs: 250 },
  ],
});

beforeEach(() => {
  vi.resetAllMocks();
  api.copyToClipboard.mockResolvedValue(undefined);
  api.getAccounts.mockResolvedValue([]);
});

const rows = () => screen.getAllByTestId('request-row');

describe('Logs', () => {
  it('tails requests and log lines, asking only for what is new', async () => {
    api.getRequests.mockResolvedValueOnce([req(1), failed]).mockResolvedValue([]);
    api.getLogs
      .mockResolvedValueOnce([line(1, 'info', 'time=2026-11-25T10:00:00Z level=INFO msg="proxy on"')])
      .mockResolvedValueOnce([line(2, 'warn', 'time=2026-11-25T10:00:01Z level=WARN msg="failing over" account=a1')])
      .mockResolvedValue([]);
    api.getAccounts.mockResolvedValue([{ id: 'a1', label: 'Work' } as bridge.Account]);
    const user = userEvent.setup();
    render(<Logs intervalMs={20} />);

    await screen.findByTestId('virtual-list');
    expect(rows()).toHaveLength(2);
    expect(rows()[0]).toHaveTextContent('POST /v1/messages'); // oldest first, the tail at the bottom
    expect(rows()[0]).toHaveTextContent('Work');
    expect(rows()[0]).toHaveTextContent('42 ms');
    expect(rows()[0]).toHaveTextContent('200 OK');
    expect(rows()[1]).toHaveTextContent('claude-haiku-4.5');
    expect(rows()[1]).toHaveTextContent('503 failed'); // a word with the colour
    await act(() => new Promise((r) => setTimeout(r, 60)));
    expect(api.getRequests).toHaveBeenCalledWith(0);
    expect(api.getRequests).toHaveBeenCalledWith(2);
    expect(api.getLogs).toHaveBeenCalledWith(1);

    await user.click(screen.getByRole('tab', { name: /App log/ }));
    const log = screen.getByTestId('app-log');
    expect(log).toHaveTextContent('proxy on');
    expect(log).toHaveTextContent('WARN');
    expect(log).toHaveTextContent('failing over account="Work"'); // the label, not the id
    expect(log).not.toHaveTextContent('level=');
  });

  it('opens a detail pane with the error, each try, timings and sizes', async () => {
    api.getRequests.mockResolvedValueOnce([req(1), failed]).mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    await screen.findByTestId('virtual-list');
    expect(screen.queryByTestId('request-detail')).not.toBeInTheDocument();

    await user.click(rows()[1]!);
    const pane = screen.getByTestId('request-detail');
    expect(within(pane).getByTestId('request-error')).toHaveTextContent('Kiro is overloaded on every account');
    expect(within(pane).getByText(/2 tries/)).toBeInTheDocument();
    const tries = within(within(pane).getByTestId('request-tries')).getAllByRole('listitem');
    expect(tries[0]).toHaveTextContent('Work — failed for now: tried again (Kiro 500)');
    expect(tries[0]).toHaveTextContent('Kiro answered 500');
    expect(tries[1]).toHaveTextContent('Home — failed: this was the answer (Kiro 503)');
    expect(tries[1]).toHaveTextContent('waited 250 ms before this try');
    expect(pane).toHaveTextContent(/First byte\s*1[.,]2 s/);
    expect(pane).toHaveTextContent(/Request \(in\)\s*2 KB/);
    expect(pane).toHaveTextContent(/Response \(out\)\s*512 B/);
    expect(pane).toHaveTextContent(/Client\s*curl/);
    expect(pane).toHaveTextContent(/Answered by\s*Home/);

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('request-detail')).not.toBeInTheDocument();
  });

  it('shows both model names of a request a model alias served', async () => {
    const aliased = req(3, { path: '/v1/chat/completions', requestedModel: 'gpt-4o', model: 'claude-sonnet-4.6' });
    api.getRequests.mockResolvedValueOnce([req(1), aliased]).mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    await screen.findByTestId('virtual-list');
    expect(rows()[1]).toHaveTextContent('gpt-4o → claude-sonnet-4.6');
    expect(rows()[0]).not.toHaveTextContent('→');

    await user.click(rows()[1]!);
    const pane = screen.getByTestId('request-detail');
    expect(pane).toHaveTextContent(/Model asked for \(alias\)\s*gpt-4o/);
    expect(pane).toHaveTextContent(/Served by Kiro model\s*claude-sonnet-4\.6/);
    await user.keyboard('{Escape}');

    await user.click(rows()[0]!);
    const plain = screen.getByTestId('request-detail');
    expect(plain).not.toHaveTextContent('Model asked for');
    expect(plain).toHaveTextContent(/Model\s*claude-sonnet-4\.5/);
  });

  it('filters by errors, status, account, model and client', async () => {
    api.getRequests
      .mockResolvedValueOnce([
        req(1),
        failed,
        req(5, { status: 502, account: undefined, accountLabel: undefined, tries: [{ account: 'a1', label: 'Work', outcome: 'failed', status: 502 }] }),
        req(3, { status: 429, client: 'Codex', model: 'claude-opus-4.5' }),
        req(4, { client: 'OpenAI SDK', account: 'a2', accountLabel: 'Home' }),
      ])
      .mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    await screen.findByTestId('virtual-list');
    expect(rows()).toHaveLength(5);

    await user.click(screen.getByLabelText('Errors only'));
    expect(rows()).toHaveLength(3);
    await user.selectOptions(screen.getByLabelText('Status'), '5xx');
    expect(rows()).toHaveLength(2);
    expect(rows()[0]).toHaveTextContent('503');
    await user.click(screen.getByLabelText('Errors only'));
    await user.selectOptions(screen.getByLabelText('Status'), 'all');

    await user.selectOptions(screen.getByLabelText('Account'), 'Home');
    expect(rows()).toHaveLength(2);
    await user.selectOptions(screen.getByLabelText('Account'), 'Work');
    expect(rows()).toHaveLength(3); // with the failure none answered, last tried on Work
    await user.selectOptions(screen.getByLabelText('Account'), 'Home');
    await user.selectOptions(screen.getByLabelText('Client'), 'OpenAI SDK');
    expect(rows()).toHaveLength(1);
    await user.selectOptions(screen.getByLabelText('Account'), 'all');
    await user.selectOptions(screen.getByLabelText('Client'), 'all');
    await user.selectOptions(screen.getByLabelText('Model'), 'claude-opus-4.5');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('429 refused');
    expect(screen.getByText(/1 request shown of 5/)).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText('Model'), 'all');
    screen.getByTestId('virtual-list').focus();
    await user.keyboard('/'); // focus the text filter from outside a field
    expect(screen.getByRole('searchbox')).toHaveFocus();
    await user.keyboard('Codex');
    expect(rows()).toHaveLength(1);
    await user.keyboard('{Escape}');
    expect(rows()).toHaveLength(5);
  });

  it('keeps only a window of 10,000 rows in the DOM', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => req(i + 1, { path: `/v1/r${i + 1}` }));
    api.getRequests.mockResolvedValueOnce(many).mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    render(<Logs intervalMs={1000} />);
    const list = await screen.findByTestId('virtual-list');
    expect(screen.getByRole('tab', { name: /Requests \(10,000\)|Requests \(10.000\)|Requests \(10 000\)/ })).toBeInTheDocument();
    const shown = rows();
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(60);
    // Following the tail: the newest request is in the window.
    expect(shown[shown.length - 1]).toHaveTextContent('POST /v1/r10000');
    expect(screen.queryByText('POST /v1/r1')).not.toBeInTheDocument();

    // Scrolled to the top: the first rows come in, the last go out, and
    // following stops.
    list.scrollTop = 0;
    fireEvent.scroll(list);
    expect(screen.getByText('POST /v1/r1')).toBeInTheDocument();
    expect(screen.queryByText('POST /v1/r10000')).not.toBeInTheDocument();
    expect(rows().length).toBeLessThan(60);
    expect(screen.getByLabelText('Follow new requests')).not.toBeChecked();
  });

  it('exports through the save dialog and says where the file went', async () => {
    api.getRequests.mockResolvedValueOnce([req(1)]).mockResolvedValue([]);
    api.getLogs.mockResolvedValue([]);
    api.exportRequests.mockResolvedValueOnce('/home/me/requests.csv').mockResolvedValueOnce('');
    const user = userEvent.setup();
    render(<Logs intervalMs={1000} />);
    await screen.findByTestId('virtual-list');
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    expect(await screen.findByText('Saved to /home/me/requests.csv')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Export…' }));
    expect(screen.queryByText(/Saved to/)).not.toBeInTheDocument(); // cancelled: nothing to say
  });
});

describe('logLineText', () => {
  it('drops the time and level and names accounts', () => {
    const labels = new Map([['acc-1', 'Work']]);
    expect(logLineText(line(1, 'info', 'time=x level=INFO msg=hi account=acc-1 n=2'), labels)).toBe('hi account="Work" n=2');
    expect(logLineText(line(1, 'info', 'time=x level=INFO msg=hi account=unknown'), labels)).toBe('hi account=unknown');
    expect(logLineText(line(1, 'warn', 'time=x level=WARN msg="trying again" err="a \\"b\\""'), labels)).toBe('trying again err="a \\"b\\""');
  });
});
