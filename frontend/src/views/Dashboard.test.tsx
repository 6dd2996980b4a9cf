import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { Account, Status } from '../bridge';
import { applyLanguage } from '../i18n';
import { makeAccount, makeRequestStats, makeStatus } from '../test/fixtures';
import { Dashboard } from './Dashboard';
import { shownText } from '../test/icons';

vi.mock('../bridge');
const api = vi.mocked(bridge);

beforeEach(() => {
  vi.resetAllMocks();
  api.getAPIKey.mockResolvedValue('kd_key');
  api.getRequestStats.mockResolvedValue(makeRequestStats());
  api.getRequests.mockResolvedValue([]);
  api.getAccounts.mockResolvedValue([]);
});

/** Renders the Dashboard as App does: apply shows the Status a call returns. */
function renderDashboard(status: Status) {
  const onNavigate = vi.fn();
  let shown = status;
  const view = render(<Dashboard status={shown} apply={async (call) => { shown = await call(); view.rerender(<Dashboard status={shown} apply={async () => {}} onNavigate={onNavigate} />); }} onNavigate={onNavigate} />);
  return { onNavigate, user: userEvent.setup(), view };
}

const inUse = 'port 8990 is in use by another program: choose another port in Settings or with --port';

describe('port recovery on the Dashboard (issue 22 §4)', () => {
  it('offers Open Settings and Use a free port under the listener error', async () => {
    api.switchToFreePort.mockResolvedValue(makeStatus({ port: 41234, endpoint: 'http://127.0.0.1:41234' }));
    const { onNavigate, user } = renderDashboard(makeStatus({ proxyOn: false, endpoint: '', error: inUse }));
    // Go's advice for the tray and the command line gives way to the buttons.
    expect(screen.getByRole('alert')).toHaveTextContent(/^The proxy is not listening: port 8990 is in use by another program\.$/);
    await user.click(screen.getByRole('button', { name: 'Open Settings' }));
    expect(onNavigate).toHaveBeenCalledWith('settings');

    await user.click(screen.getByRole('button', { name: 'Use a free port' }));
    expect(api.switchToFreePort).toHaveBeenCalledOnce();
    expect(await screen.findByText('Now listening on http://127.0.0.1:41234. Clients set up with the old address must use this one.')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Use a free port' })).not.toBeInTheDocument();
    expect(screen.getByText('Listening on http://127.0.0.1:41234')).toBeInTheDocument();
  });

  it('says why no free port could be used', async () => {
    api.switchToFreePort.mockRejectedValue(new Error('settings saved, but the proxy did not reopen: permission denied'));
    const { user } = renderDashboard(makeStatus({ proxyOn: false, endpoint: '', error: inUse }));
    await user.click(screen.getByRole('button', { name: 'Use a free port' }));
    expect(await screen.findByText(/Could not move the proxy: settings saved, but the proxy did not reopen: permission denied/)).toHaveClass('error-text');
  });

  it('offers no repair when the person turned the proxy off', () => {
    renderDashboard(makeStatus({ proxyOn: false, endpoint: '' }));
    expect(screen.queryByRole('button', { name: 'Use a free port' })).not.toBeInTheDocument();
  });
});

describe('first run (issue 22 §2)', () => {
  it('shows the three steps with a button each while there is no account', async () => {
    const { onNavigate, user } = renderDashboard(makeStatus({ accounts: 0 }));
    const list = await screen.findByRole('region', { name: 'Get to a first answer' });
    const steps = within(list).getAllByRole('listitem');
    expect(steps.map((s) => within(s).getByRole('button').textContent)).toEqual([
      'Add an account',
      'Show the setup',
      'Send test request',
    ]);
    expect(within(steps[2]!).getByRole('button')).toBeDisabled();
    await user.click(within(steps[0]!).getByRole('button'));
    expect(onNavigate).toHaveBeenCalledWith('accounts');
    for (const b of screen.getAllByRole('button', { name: 'Send test request' })) expect(b).toBeDisabled();
  });

  it('sends a test request and shows the answer, the account and the time', async () => {
    api.getAccounts.mockResolvedValue([makeAccount()]);
    api.sendTestRequest.mockResolvedValue({ text: 'Ready when you are.', model: 'claude-haiku-4.5', account: 'Work', latencyMs: 1234 });
    const { user } = renderDashboard(makeStatus({ accounts: 1 }));
    await screen.findByRole('region', { name: 'Accounts' });
    expect(screen.queryByRole('region', { name: 'Get to a first answer' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Send test request' }));
    const answer = await screen.findByTestId('test-answer');
    expect(answer).toHaveTextContent('Answer: Ready when you are.');
    expect(answer).toHaveTextContent('Served by Work with claude-haiku-4.5 in 1,234 ms.');
  });

  it('says why a test request failed', async () => {
    api.getAccounts.mockResolvedValue([makeAccount()]);
    api.sendTestRequest.mockRejectedValue(new Error('the local API answered 503: no account can serve'));
    const { user } = renderDashboard(makeStatus({ accounts: 1 }));
    await user.click(await screen.findByRole('button', { name: 'Send test request' }));
    expect(await screen.findByText('The test request failed: the local API answered 503: no account can serve')).toHaveClass('error-text');
  });
});

describe('account health (issue 22 §3)', () => {
  it('counts accounts by state, with plurals, and repairs in place', async () => {
    api.getAccounts.mockResolvedValue([
      makeAccount({ id: 'a1', label: 'Work', email: 'ada@example.com', quota: { used: 10, limit: 50 } }),
      makeAccount({ id: 'a2', label: 'Home', quota: { used: 45.5, limit: 50 } }),
      makeAccount({ id: 'a3', label: 'Old', state: 'login_needed', email: 'old@example.com', reason: 'Kiro no longer accepts its refresh token: log in again' }),
      makeAccount({ id: 'a4', label: 'Spare', disabled: true, quota: { used: 0, limit: 1000 } }),
    ]);
    api.getRequests.mockResolvedValue([
      { seq: 7, time: '', method: 'POST', path: '/v1/messages', account: 'a2', status: 200, latencyMs: 3, inputTokens: 1, outputTokens: 1, credits: 0, client: "", firstByteMs: 0, bytesIn: 0, bytesOut: 0 },
    ]);
    api.signInAgain.mockResolvedValue({
      method: 'done', flowId: '', label: 'Old', userCode: '', verificationUri: '', verificationUriComplete: '', loginUrl: '', expiresAt: '',
    });
    const { user, onNavigate } = renderDashboard(makeStatus({ accounts: 4 }));
    const health = await screen.findByRole('region', { name: 'Accounts' });
    const counts = within(health).getByTestId('health-counts');
    expect(within(counts).getAllByRole('listitem').map(shownText)).toEqual([
      '[failed] 1 needs sign-in',
      '[paused] 1 disabled',
      '[ok] 2 ready',
    ]);
    expect(within(counts).getByText(/needs sign-in/)).toHaveClass('tone-bad');
    expect(within(counts).getByText(/disabled/)).toHaveClass('tone-neutral');
    expect(health).toHaveTextContent('44.5 credits left this month across enabled accounts');
    expect(await within(health).findByTestId('serving-now')).toHaveTextContent('Serving now: Home');

    const old = within(health).getByRole('listitem', { name: 'Old: Needs sign-in' });
    expect(old).toHaveTextContent('old@example.com');
    expect(old).toHaveTextContent('Kiro no longer accepts its refresh token: log in again');
    await user.click(within(old).getByRole('button', { name: 'Sign in again: Old' }));
    expect(api.signInAgain).toHaveBeenCalledWith('a3');
    expect(await within(health).findByText('Signed in again: Old is ready.')).toBeInTheDocument();
    await user.click(within(health).getByRole('button', { name: 'Open Accounts' }));
    expect(onNavigate).toHaveBeenCalledWith('accounts');
  });

  it('follows "accounts" events', async () => {
    let listener: (a: Account[]) => void = () => {};
    api.onAccounts.mockImplementation((l) => {
      listener = l;
      return () => {};
    });
    api.getAccounts.mockResolvedValue([makeAccount(), makeAccount({ id: 'a2', label: 'B' })]);
    renderDashboard(makeStatus({ accounts: 2 }));
    const health = await screen.findByRole('region', { name: 'Accounts' });
    expect(shownText(within(health).getByTestId('health-counts'))).toContain('[ok] 2 ready');
    act(() => listener([makeAccount({ state: 'login_needed' })]));
    expect(shownText(within(health).getByTestId('health-counts'))).toContain('[failed] 1 needs sign-in');
  });
});

describe('polish a person notices (issue 22 §7)', () => {
  it('writes the account count with the right plural', async () => {
    const { view } = renderDashboard(makeStatus({ accounts: 1 }));
    expect(screen.getByTestId('accounts')).toHaveTextContent(/^1 account$/);
    view.rerender(<Dashboard status={makeStatus({ accounts: 2 })} apply={async () => {}} />);
    expect(screen.getByTestId('accounts')).toHaveTextContent(/^2 accounts$/);
    view.rerender(<Dashboard status={makeStatus({ accounts: 12345 })} apply={async () => {}} />);
    expect(screen.getByTestId('accounts')).toHaveTextContent(/^12,345 accounts$/);
    await screen.findByTestId('live-stats');
  });

  it('groups the live figures one way', async () => {
    api.getRequestStats.mockResolvedValue({
      perMinute: 1200, requestsToday: 12345, errorsToday: 1001, inputTokensToday: 1234567, outputTokensToday: 89012, creditsToday: 1234.5,
    });
    renderDashboard(makeStatus());
    const stats = await screen.findByTestId('live-stats');
    expect(await within(stats).findByText('12,345')).toBeInTheDocument();
    expect(stats).toHaveTextContent('Requests / min1,200');
    expect(stats).toHaveTextContent('Errors today1,001');
    expect(stats).toHaveTextContent('Tokens today1,234,567 in / 89,012 out');
    expect(stats).toHaveTextContent('Credits today1,234.5');
  });

  it('shows the proxy state with an icon and words, not colour alone', async () => {
    const { view } = renderDashboard(makeStatus({ proxyOn: true }));
    expect(shownText(screen.getByTestId('proxy-state'))).toBe('[ok] On');
    view.rerender(<Dashboard status={makeStatus({ proxyOn: false, endpoint: '' })} apply={async () => {}} />);
    expect(shownText(screen.getByTestId('proxy-state'))).toBe('[paused] Off');
    expect(screen.getByTestId('proxy-state').querySelector('svg[data-icon]')).toHaveAttribute('aria-hidden', 'true');
    await screen.findByTestId('live-stats');
  });

  it('counts 1 vs 2 resting accounts, groups credits left and says when a rest ends, exact on hover', async () => {
    const until = new Date(Date.now() + 2 * 3600_000 + 60_000).toISOString();
    api.getAccounts.mockResolvedValue([
      makeAccount({ id: 'a1', label: 'Work', state: 'cooling', until, quota: { used: 0.5, limit: 20000 } }),
      makeAccount({ id: 'a2', label: 'Home', quota: { used: 1000, limit: 1000 } }),
    ]);
    const { view } = renderDashboard(makeStatus({ accounts: 2 }));
    const health = await screen.findByRole('region', { name: 'Accounts' });
    expect(shownText(within(health).getByTestId('health-counts'))).toContain('[waiting] 1 resting');
    expect(health).toHaveTextContent('19,999.5 credits left this month across enabled accounts');
    const work = within(health).getByRole('listitem', { name: 'Work: Resting' });
    const rest = within(work).getByTestId('account-until');
    expect(rest).toHaveTextContent('Can serve again in 2 hr.');
    const time = within(rest).getByText('in 2 hr.');
    expect(time.tagName).toBe('TIME');
    expect(time).toHaveAttribute('title', new Date(until).toLocaleString());

    api.getAccounts.mockResolvedValue([
      makeAccount({ id: 'a1', label: 'Work', state: 'cooling' }),
      makeAccount({ id: 'a2', label: 'Home', state: 'cooling' }),
    ]);
    view.unmount();
    renderDashboard(makeStatus({ accounts: 2 }));
    const again = await screen.findByRole('region', { name: 'Accounts' });
    expect(shownText(within(again).getByTestId('health-counts'))).toBe('[waiting] 2 resting');
    // No end known: no time is made up.
    expect(within(again).queryByTestId('account-until')).not.toBeInTheDocument();
  });
});

describe('Dashboard in Chinese', () => {
  it('counts, plurals, credits and the fix buttons in zh-CN, switching live from and back to English', async () => {
    api.getAccounts.mockResolvedValue([
      makeAccount({ id: 'a1', label: 'Work', quota: { used: 10, limit: 50 } }),
      makeAccount({ id: 'a2', label: 'Home', quota: { used: 45.5, limit: 50 } }),
      makeAccount({ id: 'a3', label: 'Old', state: 'login_needed', reason: 'Kiro no longer accepts its refresh token: log in again' }),
    ]);
    renderDashboard(makeStatus({ accounts: 3 }));
    expect(await screen.findByRole('region', { name: 'Accounts' })).toBeInTheDocument();

    await act(() => applyLanguage('zh-CN'));
    const health = screen.getByRole('region', { name: '账号' });
    expect(within(within(health).getByTestId('health-counts')).getAllByRole('listitem').map(shownText)).toEqual([
      '[failed] 1 个需要登录',
      '[ok] 2 个就绪',
    ]);
    expect(health).toHaveTextContent('已启用账号本月共剩 44.5 点额度');
    // Go's reason stays as Go wrote it, under our own words.
    const old = within(health).getByRole('listitem', { name: 'Old：需要登录' });
    expect(old).toHaveTextContent('Kiro no longer accepts its refresh token: log in again');
    expect(within(old).getByRole('button', { name: '重新登录：Old' })).toBeInTheDocument();
    expect(screen.getByTestId('accounts')).toHaveTextContent('3 个账号');
    expect(screen.getByRole('heading', { name: '连接' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '复制 Claude Code 配置' })).toBeInTheDocument();

    await act(() => applyLanguage('en'));
    expect(screen.getByTestId('accounts')).toHaveTextContent('3 accounts');
  });
});

describe('agent setups on the Dashboard (issue 16)', () => {
  it('shows Codex, Cline and opencode beside Claude Code, the key masked, and copies each with the key', async () => {
    api.copyToClipboard.mockResolvedValue(undefined);
    const { user } = renderDashboard(makeStatus({ accounts: 1 }));
    const setup = await screen.findByRole('region', { name: 'Set up a client' });
    for (const agent of ['Claude Code', 'Codex', 'Cline', 'opencode']) {
      const block = within(setup).getByRole('region', { name: agent });
      await within(block).findByRole('button', { name: `Copy ${agent} setup` });
      expect(block).not.toHaveTextContent('kd_key');
    }
    const copies: Record<string, string> = {
      Codex: '[model_providers.kirodesk]',
      Cline: 'cline auth --provider openai --apikey kd_key',
      opencode: '"npm": "@ai-sdk/openai-compatible"',
    };
    for (const [agent, part] of Object.entries(copies)) {
      await user.click(screen.getByRole('button', { name: `Copy ${agent} setup` }));
      const text = api.copyToClipboard.mock.lastCall![0];
      expect(text).toContain(part);
      expect(text).toContain('http://127.0.0.1:8990/v1');
      expect(text).toContain('kd_key');
    }
  });
});
