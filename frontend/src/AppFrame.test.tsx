import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import * as bridge from './bridge';
import { makeSettings, makeStatus } from './test/fixtures';

// The window's frame: the guard for unsaved edits, view shortcuts and the
// skip link (the views themselves have their own tests).
vi.mock('./bridge', () => ({
  getStatus: vi.fn(),
  setProxyEnabled: vi.fn(),
  getAPIKey: vi.fn(),
  copyToClipboard: vi.fn(),
  onStatus: vi.fn(),
  regenerateAPIKey: vi.fn(),
  getRequestStats: vi.fn(),
  getSettings: vi.fn(),
  getLanguage: vi.fn(),
  setLanguage: vi.fn(),
  onLanguage: vi.fn(),
  updateSettings: vi.fn(),
  setOutboundProxy: vi.fn(),
  diagnose: vi.fn(),
  getVersion: vi.fn(),
  getLogs: vi.fn(),
  getRequests: vi.fn(),
  exportRequests: vi.fn(),
  getAccounts: vi.fn(),
  getUsage: vi.fn(),
  onAccounts: vi.fn(),
  onLogin: vi.fn(),
  detectKiroIDE: vi.fn(),
  switchToFreePort: vi.fn(),
  retryAccount: vi.fn(),
  sendTestRequest: vi.fn(),
  signInAgain: vi.fn(),
  checkModelAliases: vi.fn(),
  getUpdateStatus: vi.fn(),
  onUpdate: vi.fn(),
}));
const api = vi.mocked(bridge);

beforeEach(() => {
  vi.resetAllMocks();
  api.getLanguage.mockResolvedValue({ preference: 'system', effective: 'en' });
  api.onLanguage.mockReturnValue(() => {});
  api.getUpdateStatus.mockRejectedValue(new Error('Kirodesk is still starting'));
  api.onUpdate.mockReturnValue(() => {});
  api.onStatus.mockReturnValue(() => {});
  api.getStatus.mockResolvedValue(makeStatus());
  api.detectKiroIDE.mockResolvedValue({ found: false, path: '', method: '', account: '', problem: '' });
  api.getAPIKey.mockResolvedValue('kd_live_x');
  api.checkModelAliases.mockResolvedValue([]);
  api.getRequestStats.mockResolvedValue({
    perMinute: 0,
    requestsToday: 0,
    errorsToday: 0,
    inputTokensToday: 0,
    outputTokensToday: 0,
    creditsToday: 0,
  });
  api.getSettings.mockResolvedValue(makeSettings());
  api.getVersion.mockResolvedValue('1.2.3');
  api.getLogs.mockResolvedValue([]);
  api.getRequests.mockResolvedValue([]);
  api.getAccounts.mockResolvedValue([]);
  api.onAccounts.mockReturnValue(() => {});
  api.onLogin.mockReturnValue(() => {});
});

const heading = (name: string) => screen.findByRole('heading', { level: 1, name });

describe('the window frame', () => {
  it('asks before leaving Settings with unsaved edits', async () => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Settings' }));
    await heading('Settings');
    const queue = await screen.findByLabelText('Queue wait when all are busy (seconds)');

    // Nothing unsaved: no question.
    await user.click(screen.getByRole('button', { name: 'Logs' }));
    await heading('Logs');
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    await user.type(await screen.findByLabelText('Queue wait when all are busy (seconds)'), '5');
    expect(queue).not.toBeInTheDocument(); // a fresh view

    await user.click(screen.getByRole('button', { name: 'Logs' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Leave without saving?' });
    expect(screen.getByRole('button', { name: 'Stay and save' })).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Stay and save' }));
    expect(dialog).not.toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Settings');
    expect(screen.getByLabelText('Queue wait when all are busy (seconds)')).toHaveValue('305'); // the edit is still there

    await user.keyboard('{Control>}6{/Control}'); // the shortcut asks too
    expect(screen.getByRole('alertdialog')).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Dashboard' }));
    await user.click(screen.getByRole('button', { name: 'Leave without saving' }));
    await heading('Dashboard');
    expect(api.updateSettings).not.toHaveBeenCalled();
  }, 20_000);

  // Settings' other cards (aliases, network, the release feed) save on their
  // own buttons; an unsaved edit in any of them asks before leaving too, and
  // saving it lets the view go without a question.
  it.each([
    ['a model alias', async (user: ReturnType<typeof userEvent.setup>) => {
      await user.click(await screen.findByRole('button', { name: 'Add alias' }));
      await user.type(screen.getByLabelText('Client’s model name, row 1'), 'gpt-4o');
    }],
    ['the outbound proxy', async (user: ReturnType<typeof userEvent.setup>) => {
      await user.click(await screen.findByLabelText('This proxy:'));
      await user.type(screen.getByLabelText('Proxy URL'), 'http://proxy.example:3128');
    }],
    ['the CA bundle', async (user: ReturnType<typeof userEvent.setup>) => {
      await user.type(await screen.findByLabelText('Extra trusted certificates (PEM file, full path)'), '/etc/ca.pem');
    }],
    ['the release feed', async (user: ReturnType<typeof userEvent.setup>) => {
      const field = await screen.findByLabelText('Release feed');
      await user.clear(field);
      await user.type(field, 'https://mirror.example/feed.json');
    }],
  ])('asks before leaving Settings with an unsaved edit of %s', async (_what, edit) => {
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Settings' }));
    await heading('Settings');
    await edit(user);
    await user.click(screen.getByRole('button', { name: 'Logs' }));
    expect(screen.getByRole('alertdialog', { name: 'Leave without saving?' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Leave without saving' }));
    await heading('Logs');
    // The guard went with the view: nothing asks any more.
    await user.click(screen.getByRole('button', { name: 'Dashboard' }));
    await heading('Dashboard');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
  }, 20_000);

  it('switches views with Ctrl+1…6 and has a skip link to the content', async () => {
    const user = userEvent.setup();
    render(<App />);
    await heading('Dashboard');
    await user.keyboard('{Control>}6{/Control}');
    await heading('Logs');
    await user.keyboard('{Control>}5{/Control}');
    await heading('Settings');
    await user.keyboard('{Control>}2{/Control}');
    await heading('Accounts');
    await user.keyboard('{Control>}9{/Control}'); // no such view: nothing happens
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Accounts');

    await user.click(screen.getByRole('link', { name: 'Skip to content' }));
    expect(screen.getByRole('heading', { level: 1 })).toHaveFocus();
  }, 20_000);
});
