import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { Account, LoginEvent } from '../bridge';
import { Accounts } from './Accounts';
import { applyLanguage } from '../i18n';
import { makeAccount } from '../test/fixtures';
import { shownText } from '../test/icons';

vi.mock('../bridge');
const api = vi.mocked(bridge);

/** Work in us-east-1, with some requests behind it. */
const acct = (o: Partial<Account> = {}): Account =>
  makeAccount({ region: 'us-east-1', counters: { requests: 1200, errors: 3, inputTokens: 5000, outputTokens: 900 }, ...o });

let loginListeners: Array<(e: LoginEvent) => void> = [];
let accountListeners: Array<(a: Account[]) => void> = [];

beforeEach(() => {
  vi.resetAllMocks();
  loginListeners = [];
  accountListeners = [];
  api.getAccounts.mockResolvedValue([acct(), acct({ id: 'a2', label: 'Spare', state: 'login_needed', reason: 'Kiro no longer accepts its refresh token: log in again' })]);
  api.onAccounts.mockImplementation((l) => {
    accountListeners.push(l);
    return () => {};
  });
  api.detectKiroIDE.mockResolvedValue({ found: false, path: '/home/ada/.aws/sso/cache/kiro-auth-token.json', method: '', account: '', problem: '' });
  api.getRequests.mockResolvedValue([]);
  api.onLogin.mockImplementation((l) => {
    loginListeners.push(l);
    return () => {};
  });
  api.setAccountEnabled.mockResolvedValue(undefined);
  api.renameAccount.mockResolvedValue(undefined);
  api.removeAccount.mockResolvedValue(undefined);
  api.cancelLogin.mockResolvedValue(undefined);
});

function emitLogin(e: LoginEvent) {
  act(() => loginListeners.forEach((l) => l(e)));
}

describe('account list', () => {
  it('shows state, reason, counters and a quota bar only when there is a quota', async () => {
    api.getAccounts.mockResolvedValue([
      acct({ quota: { plan: 'Pro', used: 450, limit: 500, resetAt: '2026-12-01T00:00:00Z' } }),
      acct({ id: 'a2', label: 'Spare', state: 'login_needed', reason: 'Kiro no longer accepts its refresh token: log in again' }),
    ]);
    render(<Accounts />);
    const work = await screen.findByRole('listitem', { name: 'Work' });
    expect(shownText(within(work).getByTestId('account-state'))).toBe('[ok] Ready');
    expect(within(work).getByText(/1,200 requests · 3 errors/)).toBeInTheDocument();
    const meter = within(work).getByRole('meter', { name: 'Quota' });
    expect(meter).toHaveAttribute('aria-valuetext', '450 of 500 credits used (90%)');
    expect(meter).toHaveClass('quota-high');
    expect(within(work).getByText(/Pro: 450 of 500 credits used \(90%\) · resets/)).toBeInTheDocument();
    const spare = screen.getByRole('listitem', { name: 'Spare' });
    expect(within(spare).getByText('Kiro no longer accepts its refresh token: log in again')).toBeInTheDocument();
    expect(shownText(within(spare).getByTestId('account-state'))).toBe('[failed] Needs sign-in');
    expect(within(spare).getByTestId('account-state')).toHaveClass('tone-bad');
    expect(within(spare).queryByRole('meter')).not.toBeInTheDocument();
    expect(within(spare).getByText('Quota not checked yet.')).toBeInTheDocument();
  });

  it('refreshes the quota of one account and shows the new bar', async () => {
    const user = userEvent.setup();
    let resolve: (q: bridge.Quota) => void = () => {};
    api.refreshQuota.mockImplementation(() => new Promise((ok) => (resolve = ok)));
    render(<Accounts />);
    const button = await screen.findByRole('button', { name: 'Refresh quota of Spare' });
    await user.click(button);
    expect(api.refreshQuota).toHaveBeenCalledWith('a2');
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent('Checking…');
    api.getAccounts.mockResolvedValue([acct(), acct({ id: 'a2', label: 'Spare', quota: { used: 10, limit: 50, plan: 'KIRO FREE', checkedAt: '' } })]);
    await act(async () => resolve({ used: 10, limit: 50, checkedAt: '' }));
    const spare = screen.getByRole('listitem', { name: 'Spare' });
    expect(await within(spare).findByText(/KIRO FREE: 10 of 50 credits used \(20%\)/)).toBeInTheDocument();
    expect(button).toBeEnabled();
  });

  it('says why a quota refresh failed', async () => {
    const user = userEvent.setup();
    api.refreshQuota.mockRejectedValue(new Error('Kiro did not answer: try again later'));
    render(<Accounts />);
    await user.click(await screen.findByRole('button', { name: 'Refresh quota of Work' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Kiro did not answer: try again later');
  });

  it('offers "Try again now" only for suspended, cooling and exhausted accounts', async () => {
    api.getAccounts.mockResolvedValue([
      acct(),
      acct({ id: 'a2', label: 'Cool', state: 'cooling', reason: '429' }),
      acct({ id: 'a3', label: 'Out', state: 'exhausted' }),
      acct({ id: 'a4', label: 'Held', state: 'suspended' }),
      acct({ id: 'a5', label: 'Off', state: 'suspended', disabled: true }),
    ]);
    api.retryAccount.mockResolvedValue(undefined);
    const user = userEvent.setup();
    render(<Accounts />);
    await screen.findByRole('listitem', { name: 'Cool' });
    expect(screen.queryByRole('button', { name: 'Try Work again now' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try Off again now' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Try Out again now' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Try Held again now' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try Cool again now' }));
    expect(api.retryAccount).toHaveBeenCalledWith('a2');
    expect(api.getAccounts).toHaveBeenCalledTimes(2);
  });

  it('disables, renames and removes (after confirmation)', async () => {
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByRole('button', { name: 'Disable Work' }));
    expect(api.setAccountEnabled).toHaveBeenCalledWith('a1', false);

    await user.click(screen.getByRole('button', { name: 'Rename Work' }));
    const input = screen.getByLabelText('New name for Work');
    expect(input).toHaveFocus();
    await user.clear(input);
    await user.type(input, 'Office{Enter}');
    expect(api.renameAccount).toHaveBeenCalledWith('a1', 'Office');

    await user.click(screen.getByRole('button', { name: 'Remove Spare' }));
    expect(api.removeAccount).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(api.removeAccount).toHaveBeenCalledWith('a2');
  });

  it('cancels a rename with Escape and returns focus to Rename', async () => {
    const user = userEvent.setup();
    render(<Accounts />);
    const rename = await screen.findByRole('button', { name: 'Rename Work' });
    await user.click(rename);
    const input = screen.getByLabelText('New name for Work');
    expect(input).toHaveFocus();
    await user.type(input, ' typed');
    await user.keyboard('{Escape}');
    expect(screen.queryByLabelText('New name for Work')).not.toBeInTheDocument();
    expect(rename).toHaveFocus();
    expect(api.renameAccount).not.toHaveBeenCalled();
    expect(screen.getByRole('heading', { name: 'Work' })).toBeInTheDocument();

    // Opening it again starts from the current name, and Cancel returns focus too.
    await user.click(rename);
    expect(screen.getByLabelText('New name for Work')).toHaveValue('Work');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(rename).toHaveFocus();
  });

  it('writes plurals, grouped numbers and relative times with the exact time on hover', async () => {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms).toISOString();
    const lastUsed = ago(3 * 60_000);
    const errorAt = ago(2 * 3600_000);
    const until = new Date(now + 5 * 60_000 + 20_000).toISOString();
    const resetAt = new Date(now + 10 * 86400_000 + 3600_000).toISOString();
    api.getAccounts.mockResolvedValue([
      acct({
        counters: { requests: 1, errors: 1, inputTokens: 12345, outputTokens: 1, lastUsed },
        lastError: { message: 'Kiro answered 500', status: 500, at: errorAt },
        quota: { plan: 'Pro', used: 12345.5, limit: 20000, resetAt },
      }),
      acct({
        id: 'a2',
        label: 'Spare',
        state: 'cooling',
        until,
        counters: { requests: 2, errors: 0, inputTokens: 0, outputTokens: 0 },
      }),
    ]);
    render(<Accounts />);
    const work = await screen.findByRole('listitem', { name: 'Work' });
    const counters = within(work).getByTestId('account-counters');
    expect(counters).toHaveTextContent(/^1 request · 1 error · 12,345 in \/ 1 out tokens · last used 3 min\. ago$/);
    const used = within(counters).getByText('3 min. ago');
    expect(used.tagName).toBe('TIME');
    expect(used).toHaveAttribute('dateTime', lastUsed);
    expect(used).toHaveAttribute('title', new Date(lastUsed).toLocaleString());

    const lastError = within(work).getByTestId('account-last-error');
    expect(lastError).toHaveTextContent('Last error: Kiro answered 500 · 2 hr. ago');
    expect(within(lastError).getByText('2 hr. ago')).toHaveAttribute('title', new Date(errorAt).toLocaleString());

    const quota = within(work).getByTestId('quota');
    expect(quota).toHaveTextContent('Pro: 12,345.5 of 20,000 credits used (62%) · resets in 10 days');
    expect(within(quota).getByText('in 10 days')).toHaveAttribute('title', new Date(resetAt).toLocaleString());
    expect(within(work).getByRole('meter', { name: 'Quota' })).toHaveAttribute(
      'aria-valuetext',
      '12,345.5 of 20,000 credits used (62%)',
    );

    const spare = screen.getByRole('listitem', { name: 'Spare' });
    expect(within(spare).getByTestId('account-counters')).toHaveTextContent(/^2 requests · 0 errors · 0 in \/ 0 out tokens$/);
    expect(shownText(within(spare).getByTestId('account-state'))).toBe('[waiting] Resting');
    const rest = within(spare).getByTestId('account-until');
    expect(rest).toHaveTextContent('Can serve again in 5 min.');
    expect(within(rest).getByText('in 5 min.')).toHaveAttribute('title', new Date(until).toLocaleString());
  });

  it('shows no rest end that has passed', async () => {
    api.getAccounts.mockResolvedValue([acct({ state: 'cooling', until: new Date(Date.now() - 60_000).toISOString() })]);
    render(<Accounts />);
    const work = await screen.findByRole('listitem', { name: 'Work' });
    expect(within(work).queryByTestId('account-until')).not.toBeInTheDocument();
  });

  it('follows "accounts" events', async () => {
    render(<Accounts />);
    await screen.findByRole('listitem', { name: 'Work' });
    act(() => accountListeners.forEach((l) => l([acct({ label: 'Renamed', disabled: true })])));
    const item = screen.getByRole('listitem', { name: 'Renamed' });
    expect(shownText(within(item).getByTestId('account-state'))).toBe('[paused] Disabled');
    expect(within(item).getByTestId('account-state')).toHaveClass('tone-neutral');
    expect(screen.queryByRole('listitem', { name: 'Spare' })).not.toBeInTheDocument();
  });

  it('shows a failed action', async () => {
    api.removeAccount.mockRejectedValue(new Error('keychain locked'));
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByRole('button', { name: 'Remove Work' }));
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('keychain locked');
  });
});

describe('adding an account', () => {
  it('shows the Builder ID device code large with a countdown, and the result', async () => {
    api.startDeviceLogin.mockResolvedValue({
      flowId: 'f1',
      userCode: 'WXYZ-1234',
      verificationUri: 'https://device.sso.us-east-1.amazonaws.com/',
      verificationUriComplete: 'https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234',
      expiresAt: new Date(Date.now() + 125_000).toISOString(),
    });
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('AWS Builder ID'));
    await user.type(await screen.findByLabelText('Name (optional)'), 'Me');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(api.startDeviceLogin).toHaveBeenCalledWith({ startUrl: '', region: 'us-east-1', label: 'Me' });
    expect(await screen.findByTestId('device-code')).toHaveTextContent('WXYZ-1234');
    expect(screen.getByTestId('countdown')).toHaveTextContent(/Expires in 2:0[45]/);
    expect(screen.getByRole('link')).toHaveAttribute('href', expect.stringContaining('user_code=WXYZ-1234'));
    await user.click(screen.getByRole('link'));
    expect(api.openURL).toHaveBeenCalledWith('https://device.sso.us-east-1.amazonaws.com/?user_code=WXYZ-1234');

    emitLogin({ flowId: 'other', ok: true, label: 'Not ours' });
    expect(screen.getByTestId('device-code')).toBeInTheDocument();
    emitLogin({ flowId: 'f1', ok: true, label: 'Me' });
    expect(screen.queryByTestId('device-code')).not.toBeInTheDocument();
    expect(screen.getByTestId('add-result')).toHaveTextContent('Added Me.');
  });

  it('cancels a device login', async () => {
    api.startDeviceLogin.mockResolvedValue({
      flowId: 'f2',
      userCode: 'AAAA-BBBB',
      verificationUri: 'https://d',
      verificationUriComplete: '',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('AWS Builder ID'));
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    await user.click(await screen.findByRole('button', { name: 'Cancel' }));
    expect(api.cancelLogin).toHaveBeenCalledWith('f2');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('needs a start URL for IAM Identity Center', async () => {
    api.startDeviceLogin.mockRejectedValue(new Error('the start URL is not reachable'));
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('IAM Identity Center'));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
    await user.type(screen.getByLabelText('Start URL'), 'https://corp.awsapps.com/start');
    await user.clear(screen.getByLabelText('Region'));
    await user.type(screen.getByLabelText('Region'), 'eu-west-1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(api.startDeviceLogin).toHaveBeenCalledWith({ startUrl: 'https://corp.awsapps.com/start', region: 'eu-west-1', label: '' });
    expect(await screen.findByTestId('add-result')).toHaveTextContent('the start URL is not reachable');
  });

  it('signs in with GitHub and can finish with a pasted address', async () => {
    api.startSocialLogin.mockResolvedValue({ flowId: 's1', loginUrl: 'https://login.example/', expiresAt: '' });
    api.completeSocialLogin.mockResolvedValue(undefined);
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('GitHub'));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(api.startSocialLogin).toHaveBeenCalledWith('Github', '');
    expect(await screen.findByText(/GitHub sign-in page/)).toBeInTheDocument();
    await user.type(screen.getByLabelText('Address'), 'http://127.0.0.1:3128/cb?code=x&state=y');
    await user.click(screen.getByRole('button', { name: 'Finish' }));
    expect(api.completeSocialLogin).toHaveBeenCalledWith('s1', 'http://127.0.0.1:3128/cb?code=x&state=y');
    emitLogin({ flowId: 's1', ok: false, error: 'state mismatch: start again' });
    expect(screen.getByTestId('add-result')).toHaveTextContent('state mismatch: start again');
  });

  it('pastes a token and clears it from the screen', async () => {
    api.addToken.mockResolvedValue('Pasted');
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('Paste a token'));
    const box = screen.getByLabelText('Refresh token or credential JSON');
    await user.type(box, 'aorAAAA-secret');
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(api.addToken).toHaveBeenCalledWith('aorAAAA-secret', '');
    expect(await screen.findByTestId('add-result')).toHaveTextContent('Added Pasted.');
    await user.click(screen.getByLabelText('Paste a token'));
    expect(screen.getByLabelText('Refresh token or credential JSON')).toHaveValue('');
  });

  it('imports from the Kiro IDE and from the old proxy', async () => {
    api.importKiroIDE.mockResolvedValue('IDE account');
    api.importOldProxy.mockResolvedValue({
      id: 'r1',
      dir: '/home/ada/AIClient-2-API/configs',
      accounts: [
        { name: 'Work Google', outcome: 'imported' },
        { name: 'Spare', outcome: 'imported' },
        { name: 'Copy', outcome: 'skipped', reason: 'duplicate: already in account "Work Google"' },
        { name: 'Gone', outcome: 'failed', reason: 'the file does not exist' },
      ],
      plaintextFiles: ['/home/ada/AIClient-2-API/configs/kiro/a.json', '/home/ada/AIClient-2-API/configs/kiro/b.json'],
      notes: ['provider_pools.json embeds credentials; it is not deleted.'],
    });
    api.deleteImportedFiles.mockResolvedValue(['/home/ada/AIClient-2-API/configs/kiro/a.json', '/home/ada/AIClient-2-API/configs/kiro/b.json']);
    const user = userEvent.setup();
    render(<Accounts />);
    await user.click(await screen.findByLabelText('Import from Kiro IDE'));
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(api.importKiroIDE).toHaveBeenCalledWith('', '');
    expect(await screen.findByTestId('add-result')).toHaveTextContent('Added IDE account.');

    await user.click(screen.getByLabelText('Import from the old proxy'));
    await user.type(screen.getByLabelText('Folder of the old proxy'), '/home/ada/AIClient-2-API');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(api.importOldProxy).toHaveBeenCalledWith('/home/ada/AIClient-2-API');
    const report = await screen.findByTestId('import-report');
    expect(report).toHaveTextContent('Imported 2, skipped 1, failed 1 of 4 accounts');
    const rows = within(report).getAllByRole('row');
    expect(rows).toHaveLength(5);
    expect(rows[3]).toHaveTextContent('Copyskippedduplicate: already in account "Work Google"');
    expect(rows[4]).toHaveTextContent('Gonefailedthe file does not exist');
    expect(report).toHaveTextContent('provider_pools.json embeds credentials');

    // Deleting the plaintext files asks first; "Cancel" deletes nothing.
    await user.click(within(report).getByRole('button', { name: 'Delete the plaintext files…' }));
    await user.click(within(report).getByRole('button', { name: 'Cancel' }));
    expect(api.deleteImportedFiles).not.toHaveBeenCalled();
    await user.click(within(report).getByRole('button', { name: 'Delete the plaintext files…' }));
    await user.click(within(report).getByRole('button', { name: 'Delete files' }));
    expect(api.deleteImportedFiles).toHaveBeenCalledWith('r1');
    expect(await within(report).findByText('Deleted 2 files.')).toBeInTheDocument();
    expect(within(report).queryByRole('button', { name: 'Delete the plaintext files…' })).toBeNull();
  });
});

describe('repairing an account (issue 22 §3)', () => {
  it('signs the same account in again and says so', async () => {
    api.signInAgain.mockResolvedValue({
      method: 'device',
      flowId: 'r1',
      label: '',
      userCode: 'QRST-5678',
      verificationUri: 'https://device.example/',
      verificationUriComplete: 'https://device.example/?user_code=QRST-5678',
      loginUrl: '',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const user = userEvent.setup();
    render(<Accounts />);
    const work = await screen.findByRole('listitem', { name: 'Work' });
    expect(within(work).queryByRole('button', { name: /Sign in again/ })).not.toBeInTheDocument();
    const spare = screen.getByRole('listitem', { name: 'Spare' });
    await user.click(within(spare).getByRole('button', { name: 'Sign in again: Spare' }));
    expect(api.signInAgain).toHaveBeenCalledWith('a2');
    expect(await within(spare).findByTestId('device-code')).toHaveTextContent('QRST-5678');
    emitLogin({ flowId: 'r1', ok: true, label: 'Spare' });
    expect(within(spare).getByRole('status')).toHaveTextContent('Signed in again: Spare is ready.');
  });

  it('shows the refusal when another person signed in', async () => {
    api.signInAgain.mockResolvedValue({
      method: 'social', flowId: 'r2', label: '', userCode: '', verificationUri: '', verificationUriComplete: '',
      loginUrl: 'https://login.example/', expiresAt: '',
    });
    const user = userEvent.setup();
    render(<Accounts />);
    const spare = await screen.findByRole('listitem', { name: 'Spare' });
    await user.click(within(spare).getByRole('button', { name: 'Sign in again: Spare' }));
    expect(await within(spare).findByText(/Your browser opened the sign-in page/)).toBeInTheDocument();
    emitLogin({ flowId: 'r2', ok: false, error: 'a different account signed in: you signed in as bob@example.com, but "Spare" is ann@example.com' });
    expect(within(spare).getByRole('status')).toHaveTextContent(
      'Not signed in again: a different account signed in: you signed in as bob@example.com, but "Spare" is ann@example.com',
    );
    expect(within(spare).getByRole('status')).toHaveClass('error-text');
  });

  it('shows the e-mail beside the label and marks the account serving now', async () => {
    api.getAccounts.mockResolvedValue([acct({ email: 'ada@example.com' }), acct({ id: 'a2', label: 'Spare' })]);
    api.getRequests.mockResolvedValue([
      { seq: 1, time: '', method: 'POST', path: '/v1/messages', account: 'a1', status: 200, latencyMs: 5, inputTokens: 1, outputTokens: 1, credits: 0, client: "", firstByteMs: 0, bytesIn: 0, bytesOut: 0 },
      { seq: 2, time: '', method: 'POST', path: '/v1/messages', account: 'a2', status: 200, latencyMs: 5, inputTokens: 1, outputTokens: 1, credits: 0, client: "", firstByteMs: 0, bytesIn: 0, bytesOut: 0 },
      { seq: 3, time: '', method: 'GET', path: '/v1/models', status: 200, latencyMs: 5, inputTokens: 0, outputTokens: 0, credits: 0, client: "", firstByteMs: 0, bytesIn: 0, bytesOut: 0 },
    ]);
    render(<Accounts />);
    const work = await screen.findByRole('listitem', { name: 'Work' });
    expect(within(work).getByText('ada@example.com')).toBeInTheDocument();
    const spare = screen.getByRole('listitem', { name: 'Spare' });
    expect(await within(spare).findByTestId('serving-now')).toHaveTextContent('Serving now');
    expect(within(work).queryByTestId('serving-now')).not.toBeInTheDocument();
  });

  it('offers the Kiro IDE sign-in first when it is there and not imported', async () => {
    api.detectKiroIDE.mockResolvedValue({ found: true, path: '/home/ada/.aws/sso/cache/kiro-auth-token.json', method: 'Google', account: '', problem: '' });
    api.importKiroIDE.mockResolvedValue('ada@example.com');
    const user = userEvent.setup();
    render(<Accounts />);
    const offer = await screen.findByRole('region', { name: 'The Kiro IDE is signed in on this computer' });
    expect(offer).toHaveTextContent('Signed in with Google.');
    await user.click(within(offer).getByRole('button', { name: 'Import it' }));
    expect(api.importKiroIDE).toHaveBeenCalledWith('', '');
    expect(await within(offer).findByRole('status')).toHaveTextContent('Added ada@example.com.');
  });

  it('says nothing about the IDE when its sign-in is already an account', async () => {
    api.detectKiroIDE.mockResolvedValue({ found: true, path: '/p', method: 'Google', account: 'Work', problem: '' });
    render(<Accounts />);
    await screen.findByRole('listitem', { name: 'Work' });
    expect(screen.queryByRole('region', { name: /Kiro IDE/ })).not.toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: 'Add account' })[0]).toBeInTheDocument();
  });
});

describe("an account's last error", () => {
  const throttled = {
    message: 'throttled by Kiro: Kiro answered 429 (ThrottlingException): Too many requests',
    status: 429,
    code: 'lastError.throttled',
    args: { detail: 'Kiro answered 429 (ThrottlingException): Too many requests' },
  };

  it("is said by its kind in the window language, Kiro's own words kept as they are", async () => {
    await applyLanguage('zh-CN');
    try {
      api.getAccounts.mockResolvedValue([acct({ lastError: throttled })]);
      render(<Accounts />);
      const card = await screen.findByRole('listitem', { name: 'Work' });
      expect(within(card).getByTestId('account-last-error')).toHaveTextContent(
        '最近一次错误：被 Kiro 限流：Kiro answered 429 (ThrottlingException): Too many requests',
      );
    } finally {
      await applyLanguage('en');
    }
  });

  it("shows Go's English for a code the window does not know, or none (an older build's record)", async () => {
    await applyLanguage('zh-CN');
    try {
      api.getAccounts.mockResolvedValue([
        acct({ lastError: { ...throttled, code: 'lastError.fromANewerGo' } }),
        acct({ id: 'a2', label: 'Spare', lastError: { message: 'Kiro answered 500: Internal error', status: 500 } }),
      ]);
      render(<Accounts />);
      const work = await screen.findByRole('listitem', { name: 'Work' });
      expect(within(work).getByTestId('account-last-error')).toHaveTextContent(`最近一次错误：${throttled.message}`);
      const spare = screen.getByRole('listitem', { name: 'Spare' });
      expect(within(spare).getByTestId('account-last-error')).toHaveTextContent('最近一次错误：Kiro answered 500: Internal error');
    } finally {
      await applyLanguage('en');
    }
  });
});
