import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import { diff, fieldOfError, toDraft, upstreamWarning } from '../lib/settings';
import { Settings } from './Settings';
import { hasUnsavedEdits } from '../lib/leaveGuard';
import { applyLanguage } from '../i18n';
import { configRefusal, makeSettings, makeStatus } from '../test/fixtures';

vi.mock('../bridge');
const api = vi.mocked(bridge);

beforeEach(() => {
  vi.resetAllMocks();
  api.getLanguage.mockResolvedValue({ preference: 'system', effective: 'en' });
  api.getSettings.mockResolvedValue(makeSettings());
  api.getVersion.mockResolvedValue('1.2.3');
  api.checkModelAliases.mockResolvedValue([]);
});

/** Renders Settings and types value over the field labelled fieldLabel (in the window's language). */
async function typeInSettings(fieldLabel: string, value: string) {
  const user = userEvent.setup();
  render(<Settings />);
  const field = await screen.findByLabelText(fieldLabel);
  await user.clear(field);
  await user.type(field, value);
  return { user, field };
}

describe('Settings', () => {
  it('saves every card from its one bar, and reverts them all', async () => {
    api.updateSettings.mockImplementation(async (patch) => makeSettings(patch as Parameters<typeof makeSettings>[0]));
    api.setOutboundProxy.mockResolvedValue(makeSettings({ outboundProxy: 'none' }));
    const user = userEvent.setup();
    render(<Settings />);
    const queue = await screen.findByLabelText('Queue wait when all are busy (seconds)');
    await screen.findByRole('button', { name: 'Add alias' });
    // One Save and one Revert on the whole page.
    expect(screen.getAllByRole('button', { name: /save/i })).toEqual([screen.getByRole('button', { name: 'Save' })]);
    const save = screen.getByRole('button', { name: 'Save' });
    const revert = screen.getByRole('button', { name: 'Revert' });
    expect(save).toBeDisabled();

    // An edit in a card is an unsaved change of the page.
    await user.click(screen.getByRole('button', { name: 'Add alias' }));
    await user.type(screen.getByLabelText('Client’s model name, row 1'), 'gpt-4o');
    await user.selectOptions(screen.getByLabelText('Kiro model, row 1'), 'claude-sonnet-4.5');
    await user.click(screen.getByLabelText('No proxy'));
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    expect(save).toBeEnabled();

    // Revert takes back every card.
    await user.click(revert);
    expect(screen.queryByLabelText('Client’s model name, row 1')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Use the system’s proxy settings (HTTPS_PROXY…)')).toBeChecked();
    expect(save).toBeDisabled();

    // Save saves the form's field and each card's edits, each with its own call.
    await user.clear(queue);
    await user.type(queue, '45');
    await user.click(screen.getByRole('button', { name: 'Add alias' }));
    await user.type(screen.getByLabelText('Client’s model name, row 1'), 'gpt-4o');
    await user.selectOptions(screen.getByLabelText('Kiro model, row 1'), 'claude-sonnet-4.5');
    await user.click(screen.getByLabelText('No proxy'));
    await user.click(save);
    expect(api.updateSettings).toHaveBeenCalledWith({ queueWaitSeconds: 45 });
    expect(api.updateSettings).toHaveBeenCalledWith({ modelAliases: [{ name: 'gpt-4o', target: 'claude-sonnet-4.5' }], unknownModelAlias: '' });
    expect(api.setOutboundProxy).toHaveBeenCalledExactlyOnceWith('none');
    expect(await screen.findByText('Saved. The next request uses them.')).toBeInTheDocument();
    expect(screen.getByText('Saved. New connections to Kiro use it.')).toBeInTheDocument();
    await vi.waitFor(() => expect(save).toBeDisabled());
    expect(screen.getByText('Saved.')).toBeInTheDocument(); // the bar's word for the whole page
    expect(hasUnsavedEdits()).toBe(false);

    // The outcomes are words of the catalog, re-worded by a language switch.
    await act(() => applyLanguage('zh-CN'));
    expect(screen.getByText('已保存。')).toBeInTheDocument();
    expect(screen.getByText('已保存。之后到 Kiro 的新连接将使用它。')).toBeInTheDocument();
    expect(screen.getByText('已保存。下一个请求即生效。')).toBeInTheDocument();
    await act(() => applyLanguage('en'));
  });

  it('saves only the fields that changed', async () => {
    api.updateSettings.mockResolvedValue(makeSettings({ port: 9001, strategy: 'round-robin' }));
    const user = userEvent.setup();
    render(<Settings />);
    const port = await screen.findByLabelText('Port');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();

    await user.clear(port);
    await user.type(port, '9001');
    await user.selectOptions(screen.getByLabelText('Account selection'), 'round-robin');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(api.updateSettings).toHaveBeenCalledExactlyOnceWith({ port: 9001, strategy: 'round-robin' });
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
  });

  it('refuses an invalid value in place without calling Go', async () => {
    const { user, field: port } = await typeInSettings('Port', '70000');
    await user.keyboard('{Enter}');

    expect(api.updateSettings).not.toHaveBeenCalled();
    expect(port).toHaveAttribute('aria-invalid', 'true');
    expect(port).toHaveAccessibleDescription('Enter a whole number from 1 to 65535.');
  });

  it('puts a message Go refused next to its field', async () => {
    api.updateSettings.mockRejectedValue(
      new Error('config.json: change rejected: queueWaitSeconds 700 is outside 0-600'),
    );
    const { user, field } = await typeInSettings('Queue wait when all are busy (seconds)', '60');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('queueWaitSeconds 700 is outside 0-600')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
  });

  it('edits the retries setting within its range', async () => {
    api.updateSettings.mockResolvedValue(makeSettings({ maxAttempts: 5 }));
    const user = userEvent.setup();
    render(<Settings />);
    const field = await screen.findByLabelText('Accounts a request may try');
    expect(field).toBeDisabled(); // 0: the default
    await user.click(screen.getByLabelText('Use the default (3)'));
    expect(field).toBeEnabled();
    expect(field).toHaveValue('3');
    await user.clear(field);
    await user.type(field, '11{Enter}');
    expect(field).toHaveAccessibleDescription(/^Enter a whole number from 0 to 10\. On a failure/);
    await user.clear(field);
    await user.type(field, '5{Enter}');
    expect(api.updateSettings).toHaveBeenCalledExactlyOnceWith({ maxAttempts: 5 });
  });

  it('warns when the host lets other computers in', async () => {
    const user = userEvent.setup();
    render(<Settings />);
    const host = await screen.findByLabelText('Host');
    expect(screen.queryByRole('note')).not.toBeInTheDocument();
    await user.clear(host);
    await user.type(host, '0.0.0.0');
    expect(screen.getByRole('note')).toHaveTextContent('Other computers');
  });

  it('turns start at login on and says when upstream URLs take effect', async () => {
    api.updateSettings.mockResolvedValue(makeSettings({ startAtLogin: true }));
    const user = userEvent.setup();
    render(<Settings />);
    await user.click(await screen.findByLabelText('Start Kirodesk when I log in'));
    await user.click(screen.getByText('Advanced: Kiro upstream URLs'));
    const api1 = screen.getByLabelText('API base');
    await user.clear(api1);
    await user.type(api1, 'http://127.0.0.1:9');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenCalledExactlyOnceWith({ startAtLogin: true, apiBase: 'http://127.0.0.1:9' });
    expect(await screen.findByText(/take effect at the next start/)).toBeInTheDocument();
  });

  it('warns under an upstream URL that is not Kiro’s own, and refuses plain http elsewhere', async () => {
    const user = userEvent.setup();
    render(<Settings />);
    await user.click(await screen.findByText('Advanced: Kiro upstream URLs'));
    const apiBase = screen.getByLabelText('API base');
    expect(apiBase).not.toHaveAccessibleDescription(/Not Kiro/);
    expect(screen.getByLabelText('Auth base')).toHaveAccessibleDescription(/Not Kiro’s own address .*every token and prompt goes to this host/);

    await user.clear(apiBase);
    await user.type(apiBase, 'http://q.example.com');
    expect(apiBase).toHaveAccessibleDescription(/Not Kiro’s own address \(https:\/\/q\.\{region\}\.amazonaws\.com\)/);
    await user.keyboard('{Enter}');
    expect(api.updateSettings).not.toHaveBeenCalled();
    expect(apiBase).toHaveAttribute('aria-invalid', 'true');
    expect(apiBase).toHaveAccessibleDescription(/Enter an https URL \(http only to this machine\)/);
  });

  it('asks "no limit" as a choice of its own, not as a 0', async () => {
    api.updateSettings.mockResolvedValueOnce(makeSettings({ maxConcurrentPerAccount: 4 })).mockResolvedValueOnce(makeSettings());
    const user = userEvent.setup();
    render(<Settings />);
    const field = await screen.findByLabelText('Requests at once per account');
    const noLimit = screen.getByLabelText('No limit');
    expect(noLimit).toBeChecked();
    expect(field).toBeDisabled();
    expect(field).toHaveValue('');
    expect(field).toHaveAccessibleDescription('More requests than this wait in a queue for the account.');

    await user.click(noLimit);
    expect(field).toHaveValue('4');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ maxConcurrentPerAccount: 4 });
    await screen.findByText('Saved.');

    await user.click(screen.getByLabelText('No limit'));
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ maxConcurrentPerAccount: 0 });
  });

  it('names the strategies in words and says what each does', async () => {
    api.updateSettings.mockResolvedValue(makeSettings({ strategy: 'fill-first' }));
    const user = userEvent.setup();
    render(<Settings />);
    const select = await screen.findByLabelText('Account selection');
    expect(select).toHaveDisplayValue('Keep a conversation on one account');
    expect(screen.queryByRole('option', { name: 'sticky' })).not.toBeInTheDocument();
    expect(select).toHaveAccessibleDescription(/stays on its account/);
    await user.selectOptions(select, 'Use one account until it fails');
    expect(select).toHaveAccessibleDescription(/All requests go to the first usable account/);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenCalledExactlyOnceWith({ strategy: 'fill-first' });
  });

  it('says in the save bar whether anything is unsaved, and tells the leave guard', async () => {
    const user = userEvent.setup();
    render(<Settings />);
    const field = await screen.findByLabelText('Queue wait when all are busy (seconds)');
    expect(screen.getByText('No unsaved changes.')).toBeInTheDocument();
    expect(hasUnsavedEdits()).toBe(false);
    await user.type(field, '5');
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();
    expect(hasUnsavedEdits()).toBe(true);
    await user.keyboard('{Escape}'); // takes back this field's edit
    expect(field).toHaveValue('30');
    expect(hasUnsavedEdits()).toBe(false);
    await user.type(field, '5');
    await user.click(screen.getByRole('button', { name: 'Revert' }));
    expect(hasUnsavedEdits()).toBe(false);
  });

  it('reverts unsaved edits', async () => {
    const user = userEvent.setup();
    render(<Settings />);
    const port = await screen.findByLabelText('Port');
    await user.type(port, '1');
    await user.click(screen.getByRole('button', { name: 'Revert' }));
    expect(port).toHaveValue('8990');
  });
});

describe('settings helpers', () => {
  it('diff is empty when nothing changed', () => {
    expect(diff(toDraft(makeSettings()), toDraft(makeSettings()))).toEqual({});
  });
  it('warns only when an upstream URL differs from Kiro’s own', () => {
    expect(upstreamWarning('oidcBase', 'https://oidc.{region}.amazonaws.com/')).toBeUndefined();
    expect(upstreamWarning('oidcBase', 'https://oidc.{region}.evil.example')).toMatch(/every token and prompt/);
  });
  it('finds the field a Go message names', () => {
    expect(fieldOfError('port 0 is outside 1-65535')).toBe('port');
    expect(fieldOfError('upstream.oidcBase: "x" is not an http(s) URL')).toBe('oidcBase');
    expect(fieldOfError('something else')).toBeNull();
  });
});

describe('Settings after a port in use (issue 22 §4)', () => {
  const inUse = 'port 9001 is in use by another program: choose another port in Settings or with --port';

  it('shows what is really saved, and the old port typed back can be saved', async () => {
    api.updateSettings.mockRejectedValueOnce(new Error(`settings saved, but the proxy did not reopen: ${inUse}`));
    const user = userEvent.setup();
    const { rerender } = render(<Settings status={makeStatus()} />);
    const port = await screen.findByLabelText('Port');
    expect(port).toHaveAccessibleDescription('Listening on http://127.0.0.1:8990.');
    api.getSettings.mockResolvedValue(makeSettings({ port: 9001 }));
    await user.clear(port);
    await user.type(port, '9001');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Saved, but the proxy is not listening: port 9001 is in use by another program. Choose another port and save, or use a free port from the Dashboard.',
    );
    expect(port).toHaveValue('9001');
    expect(port).not.toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Save' })).toBeDisabled();
    rerender(<Settings status={makeStatus({ proxyOn: false, endpoint: '', port: 9001, error: inUse })} />);
    expect(port).toHaveAccessibleDescription('Not listening: port 9001 is in use by another program.');

    api.updateSettings.mockResolvedValueOnce(makeSettings({ port: 8990 }));
    await user.clear(port);
    await user.type(port, '8990');
    expect(screen.getByRole('button', { name: 'Save' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Revert' })).toBeEnabled();
    await user.click(screen.getByRole('button', { name: 'Save' }));
    expect(api.updateSettings).toHaveBeenLastCalledWith({ port: 8990 });
    expect(await screen.findByText('Saved.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});

describe('Settings in Chinese', () => {
  it('labels, strategy words and a refused value in zh-CN; Go’s refusal stays the detail of our sentence', async () => {
    await applyLanguage('zh-CN');
    api.updateSettings.mockRejectedValue(new Error('config.json: change rejected: something odd'));
    const { user, field: port } = await typeInSettings('端口', '70000');
    await user.keyboard('{Enter}');
    expect(port).toHaveAccessibleDescription('请输入 1 到 65535 之间的整数。');
    expect(screen.getByRole('option', { name: '同一对话固定使用一个账号' })).toBeInTheDocument();
    expect(screen.getByLabelText('不限制')).toBeInTheDocument();

    await user.clear(port);
    await user.type(port, '9001');
    await user.click(screen.getByRole('button', { name: '保存' }));
    expect(await screen.findByText('无法保存：config.json: change rejected: something odd')).toBeInTheDocument();
  });
});

describe('Settings: Go refusals in the window language', () => {
  it('puts each refusal Go sent with a code under its field, translated, and Go English for the rest', async () => {
    await applyLanguage('zh-CN');
    try {
      api.updateSettings.mockRejectedValue(
        configRefusal([
          { code: 'config.queueWait', args: { value: '700' }, text: 'queueWaitSeconds 700 is outside 0-600' },
          { text: 'something odd' },
        ]),
      );
      const { user, field } = await typeInSettings('全部繁忙时的排队等待时间（秒）', '60');
      await user.click(screen.getByRole('button', { name: '保存' }));
      expect(await screen.findByText('queueWaitSeconds 700 超出 0–600 的范围')).toBeInTheDocument();
      expect(field).toHaveAttribute('aria-invalid', 'true');
      expect(screen.getByText(/something odd/)).toBeInTheDocument();
    } finally {
      await applyLanguage('en');
    }
  });

  it('puts a coded upstream URL refusal under its field, translated', async () => {
    await applyLanguage('zh-CN');
    try {
      const english = 'upstream.apiBase "https://q.example.com:0" has a port outside 1-65535';
      api.updateSettings.mockRejectedValue(
        configRefusal([{ code: 'endpoint.base.port', args: { field: 'upstream.apiBase', value: '"https://q.example.com:0"' }, text: english }]),
      );
      const user = userEvent.setup();
      render(<Settings />);
      await user.click(await screen.findByText('高级：Kiro 上游 URL'));
      const apiBase = screen.getByLabelText('API 基地址');
      await user.clear(apiBase);
      await user.type(apiBase, 'https://q.example.com:0');
      await user.click(screen.getByRole('button', { name: '保存' }));
      expect(await screen.findByText('upstream.apiBase "https://q.example.com:0" 的端口超出 1–65535 的范围')).toBeInTheDocument();
      expect(apiBase).toHaveAttribute('aria-invalid', 'true');
    } finally {
      await applyLanguage('en');
    }
  });

});
