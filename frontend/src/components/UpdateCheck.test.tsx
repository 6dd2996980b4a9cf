import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { UpdateInfo } from '../bridge';
import { applyLanguage } from '../i18n';
import { configRefusal, deferred, makeSettings } from '../test/fixtures';
import { About } from './About';
import { UpdateNotice } from './UpdateCheck';
import { WithSaveBar } from '../test/saveBar';

vi.mock('../bridge');
const api = vi.mocked(bridge);

const page = 'https://github.com/kirodesk/kirodesk/releases/tag/v0.2.0';

function info(overrides: Partial<UpdateInfo> = {}): UpdateInfo {
  return {
    state: 'available',
    current: '0.1.0',
    version: '0.2.0',
    date: '2026-12-07',
    notes: '- Faster start.\n- Fewer clicks.',
    page,
    checkedAt: '2026-12-07T09:00:00Z',
    available: true,
    dismissed: false,
    ...overrides,
  };
}

let updateListeners: Array<(i: UpdateInfo) => void> = [];

beforeEach(() => {
  vi.resetAllMocks();
  updateListeners = [];
  api.getVersion.mockResolvedValue('0.1.0');
  api.getSettings.mockResolvedValue(makeSettings());
  api.onUpdate.mockImplementation((listener) => {
    updateListeners.push(listener);
    return () => {
      updateListeners = updateListeners.filter((l) => l !== listener);
    };
  });
});

describe('About: Check for updates', () => {
  it('says it is checking, then that this is the newest version', async () => {
    const answer = deferred<UpdateInfo>();
    api.checkForUpdates.mockReturnValue(answer.promise);
    const user = userEvent.setup();
    render(<About />);
    await user.click(screen.getByRole('button', { name: 'Check for updates' }));
    const busy = screen.getByRole('button', { name: 'Checking…' });
    expect(busy).toBeDisabled();
    await act(async () => answer.resolve(info({ state: 'current', current: '0.2.0', available: false })));
    expect(screen.getByRole('button', { name: 'Check for updates' })).toBeEnabled();
    expect(screen.getByTestId('update-result')).toHaveTextContent('Kirodesk 0.2.0 is the newest version.');
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('shows a newer version with its notes and opens its page in the browser', async () => {
    api.checkForUpdates.mockResolvedValue(info());
    const user = userEvent.setup();
    render(<About />);
    await user.click(screen.getByRole('button', { name: 'Check for updates' }));
    const result = screen.getByTestId('update-result');
    expect(await screen.findByText(/Kirodesk 0\.2\.0 is available/)).toHaveTextContent('(released Dec 7, 2026)');
    expect(result).toHaveTextContent('Fewer clicks.');
    const link = screen.getByRole('link', { name: 'Open the download page' });
    expect(link).toHaveAttribute('href', page);
    await user.click(link);
    expect(api.openURL).toHaveBeenCalledWith(page);
  });

  it('is quiet when the check could not tell, or the call failed', async () => {
    api.checkForUpdates.mockResolvedValueOnce(info({ state: 'failed', available: false, version: '' }));
    api.checkForUpdates.mockRejectedValueOnce(new Error('Kirodesk is still starting'));
    const user = userEvent.setup();
    render(<About />);
    await user.click(screen.getByRole('button', { name: 'Check for updates' }));
    expect(await screen.findByText('Could not check for updates. Try again later.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Check for updates' }));
    expect(await screen.findByText('Could not check for updates. Try again later.')).toBeInTheDocument();
    expect(screen.queryByText(/still starting/)).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('speaks Simplified Chinese', async () => {
    await applyLanguage('zh-CN');
    api.checkForUpdates.mockResolvedValue(info());
    const user = userEvent.setup();
    render(<About />);
    await user.click(screen.getByRole('button', { name: '检查更新' }));
    expect(await screen.findByText(/Kirodesk 0\.2\.0 已发布/)).toHaveTextContent('2026年12月7日');
    expect(screen.getByRole('link', { name: '打开下载页面' })).toBeInTheDocument();
  });
});

describe('About: the daily check', () => {
  it('shows the setting and saves a change at once', async () => {
    api.updateSettings.mockResolvedValue(makeSettings({ updateCheck: false }));
    const user = userEvent.setup();
    render(<About />);
    const box = screen.getByRole('checkbox', { name: 'Check once a day' });
    await vi.waitFor(() => expect(box).toBeEnabled());
    expect(box).toBeChecked();
    await user.click(box);
    expect(api.updateSettings).toHaveBeenCalledWith({ updateCheck: false });
    await vi.waitFor(() => expect(box).not.toBeChecked());
  });

  it('says when the change could not be saved and keeps the saved value', async () => {
    api.updateSettings.mockRejectedValue(new Error('config.json: disk full'));
    const user = userEvent.setup();
    render(<About />);
    const box = screen.getByRole('checkbox', { name: 'Check once a day' });
    await vi.waitFor(() => expect(box).toBeEnabled());
    await user.click(box);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not save: config.json: disk full');
    expect(box).toBeChecked();
  });
});

describe('About: the release feed', () => {
  const fallback = 'https://github.com/kirodesk/kirodesk/releases/latest/download/kirodesk-feed.json';
  const mirror = 'https://mirror.example/kirodesk-feed.json';

  it('saves a feed URL from the page bar through the settings patch, and goes back to the default', async () => {
    api.updateSettings.mockResolvedValueOnce(makeSettings({ updateFeedURL: mirror }));
    api.updateSettings.mockResolvedValueOnce(makeSettings({ updateFeedURL: fallback }));
    const user = userEvent.setup();
    render(<WithSaveBar><About /></WithSaveBar>);
    const field = screen.getByLabelText('Release feed');
    await vi.waitFor(() => expect(field).toBeEnabled());
    expect(field).toHaveValue(fallback);
    expect(screen.queryByRole('button', { name: 'Use the default' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    await user.clear(field);
    await user.type(field, `  ${mirror} `);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ updateFeedURL: mirror });
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(field).toHaveValue(mirror);
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    // "Use the default" is an edit like any other: saved from the bar, or reverted.
    await user.click(screen.getByRole('button', { name: 'Use the default' }));
    expect(field).toHaveValue(fallback);
    await user.click(screen.getByRole('button', { name: 'Revert' }));
    expect(field).toHaveValue(mirror);
    expect(api.updateSettings).toHaveBeenCalledTimes(1);
    await user.click(screen.getByRole('button', { name: 'Use the default' }));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ updateFeedURL: fallback });
    await vi.waitFor(() => expect(field).toHaveValue(fallback));
  });

  it("says Go's coded refusal in the window language and keeps what was typed", async () => {
    await applyLanguage('zh-CN');
    try {
      const english = 'updates.feedURL "http://feeds.example/f.json": only https is accepted (http only to this machine)';
      api.updateSettings.mockRejectedValue(
        configRefusal([{ code: 'config.webUrl.https', args: { field: 'updates.feedURL', value: '"http://feeds.example/f.json"' }, text: english }]),
      );
      const user = userEvent.setup();
      render(<WithSaveBar><About /></WithSaveBar>);
      const field = screen.getByLabelText('版本发布源');
      await vi.waitFor(() => expect(field).toBeEnabled());
      await user.clear(field);
      await user.type(field, 'http://feeds.example/f.json');
      await user.click(screen.getByRole('button', { name: 'Save' })); // the test bar's
      expect(await screen.findByRole('alert')).toHaveTextContent(
        '无法保存：updates.feedURL "http://feeds.example/f.json"：只接受 https（仅指向本机时可用 http）',
      );
      expect(field).toHaveValue('http://feeds.example/f.json');
      expect(field).toHaveAttribute('aria-invalid', 'true');
    } finally {
      await applyLanguage('en');
    }
  });

  it('says when the environment names another feed for this run', async () => {
    api.getSettings.mockResolvedValue(makeSettings({ updateFeedURLEnv: 'http://127.0.0.1:9/feed.json' }));
    render(<About />);
    expect(await screen.findByText('This run reads http://127.0.0.1:9/feed.json instead (set by KIRODESK_UPDATE_FEED_URL).')).toBeInTheDocument();
  });
});

describe('Update notice', () => {
  it('shows a newer version found by the daily check and closes for that version', async () => {
    api.getUpdateStatus.mockResolvedValue(info());
    api.dismissUpdate.mockResolvedValue(info({ dismissed: true }));
    const user = userEvent.setup();
    render(<UpdateNotice />);
    const notice = await screen.findByTestId('update-notice');
    expect(notice).toHaveTextContent('Kirodesk 0.2.0 is available');
    await user.click(screen.getByRole('link', { name: 'Open the download page' }));
    expect(api.openURL).toHaveBeenCalledWith(page);
    await user.click(screen.getByRole('button', { name: 'Dismiss the notice for version 0.2.0' }));
    expect(screen.queryByTestId('update-notice')).not.toBeInTheDocument();
    expect(api.dismissUpdate).toHaveBeenCalledWith('0.2.0');
  });

  it('stays away when up to date or dismissed, and appears when a check finds a newer version', async () => {
    api.getUpdateStatus.mockResolvedValue(info({ dismissed: true }));
    render(<UpdateNotice />);
    await act(async () => {});
    expect(screen.queryByTestId('update-notice')).not.toBeInTheDocument();
    act(() => updateListeners.forEach((l) => l(info({ state: 'current', available: false, version: '0.1.0' }))));
    expect(screen.queryByTestId('update-notice')).not.toBeInTheDocument();
    act(() => updateListeners.forEach((l) => l(info({ version: '0.3.0' }))));
    expect(screen.getByTestId('update-notice')).toHaveTextContent('Kirodesk 0.3.0 is available');
    // A later check that failed leaves what the last read said.
    act(() => updateListeners.forEach((l) => l(info({ version: '0.3.0', state: 'failed' }))));
    expect(screen.getByTestId('update-notice')).toBeInTheDocument();
  });

  it('waits quietly while the app is starting', async () => {
    api.getUpdateStatus.mockRejectedValue(new Error('Kirodesk is still starting'));
    render(<UpdateNotice />);
    await act(async () => {});
    expect(screen.queryByTestId('update-notice')).not.toBeInTheDocument();
  });
});
