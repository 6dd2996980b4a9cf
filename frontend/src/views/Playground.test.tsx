import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { Account, PlaygroundDelta, PlaygroundSummary } from '../bridge';
import { applyLanguage } from '../i18n';
import { makeStatus } from '../test/fixtures';
import { Playground } from './Playground';

vi.mock('../bridge');
const api = vi.mocked(bridge);

const account = (id: string, label: string, disabled = false): Account =>
  ({ id, label, disabled, state: 'ready', authMethod: 'social' }) as Account;

let deltaHandler: (d: PlaygroundDelta) => void = () => {};
let doneHandler: (s: PlaygroundSummary) => void = () => {};
const delta = (runId: string, seq: number, text: string) => act(() => deltaHandler({ runId, seq, text }));
const done = (s: Partial<PlaygroundSummary> & { runId: string }) =>
  act(() =>
    doneHandler({
      ok: true,
      cancelled: false,
      status: 200,
      model: 'claude-sonnet-4.5',
      firstByteMs: 120,
      totalMs: 1500,
      inputTokens: 1234,
      outputTokens: 56,
      credits: 0.25,
      account: 'a1',
      accountLabel: 'Work',
      pinned: false,
      ...s,
    }),
  );

beforeEach(() => {
  vi.resetAllMocks();
  api.getAccounts.mockResolvedValue([account('a1', 'Work'), account('a2', 'Home', true)]);
  api.getAPIKey.mockResolvedValue("kd-it's");
  api.getPlaygroundModels.mockResolvedValue(['claude-haiku-4.5', 'claude-sonnet-4.5', 'gpt-4o']);
  api.startPlayground.mockResolvedValue('run-1');
  api.cancelPlayground.mockResolvedValue(undefined);
  api.copyToClipboard.mockResolvedValue(undefined);
  api.onPlaygroundDelta.mockImplementation((h) => {
    deltaHandler = h;
    return () => {};
  });
  api.onPlaygroundDone.mockImplementation((h) => {
    doneHandler = h;
    return () => {};
  });
});

async function ready() {
  const user = userEvent.setup();
  render(<Playground status={makeStatus()} />);
  await screen.findByRole('option', { name: 'gpt-4o' });
  await screen.findByRole('option', { name: 'Work' });
  return user;
}

describe('Try it', () => {
  it('streams the answer in, then shows its figures', async () => {
    const user = await ready();
    expect(screen.getByLabelText('Model')).toHaveValue('claude-sonnet-4.5');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    await user.type(screen.getByLabelText('Prompt'), 'Say hello');
    await user.type(screen.getByLabelText('System prompt (optional)'), 'Be brief.');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(api.startPlayground).toHaveBeenCalledWith({
      model: 'claude-sonnet-4.5',
      prompt: 'Say hello',
      system: 'Be brief.',
      account: '',
      maxTokens: 1024,
    });
    expect(await screen.findByText('Waiting for the first byte…')).toBeInTheDocument();

    delta('run-1', 1, 'Hello ');
    expect(screen.getByTestId('playground-answer')).toHaveTextContent(/^Hello$/);
    delta('other-run', 1, 'not ours');
    delta('run-1', 2, 'world');
    expect(screen.getByTestId('playground-answer')).toHaveTextContent(/^Hello world$/);
    expect(screen.getByRole('button', { name: 'Sending…' })).toBeDisabled();
    expect(screen.queryByTestId('playground-figures')).not.toBeInTheDocument();

    done({ runId: 'run-1' });
    const figures = within(screen.getByTestId('playground-figures'));
    const figure = (name: string) => figures.getByText(name).nextElementSibling?.textContent;
    expect(figure('Time to first byte')).toBe('120 ms');
    expect(figure('Total time')).toBe('1.5 s');
    expect(figure('Input tokens')).toBe('1,234');
    expect(figure('Output tokens')).toBe('56');
    expect(figure('Credits')).toBe('0.25');
    expect(figure('Served by')).toBe('Work');
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
  });

  it('keeps the pieces that arrive before the run id, in order', async () => {
    const user = await ready();
    let resolve: (id: string) => void = () => {};
    api.startPlayground.mockReturnValue(new Promise((ok) => (resolve = ok)));
    await user.type(screen.getByLabelText('Prompt'), 'hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    delta('run-9', 2, 'there');
    delta('run-9', 1, 'Hi ');
    await act(async () => resolve('run-9'));
    expect(screen.getByTestId('playground-answer')).toHaveTextContent(/^Hi there$/);
  });

  it('cancels the run it started', async () => {
    const user = await ready();
    await user.type(screen.getByLabelText('Prompt'), 'Talk forever');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    delta('run-1', 1, 'On and on');
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(api.cancelPlayground).toHaveBeenCalledWith('run-1');
    done({ runId: 'run-1', ok: false, cancelled: true, credits: null, outputTokens: 3 });
    expect(screen.getByText("Cancelled: the request and Kiro's answer were stopped.")).toBeInTheDocument();
    expect(screen.getByTestId('playground-answer')).toHaveTextContent('On and on');
    const figures = within(screen.getByTestId('playground-figures'));
    expect(figures.getByText('Credits').nextElementSibling).toHaveTextContent('not reported');
    expect(screen.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  it('pins one account, says so, and shows a refusal', async () => {
    const user = await ready();
    expect(screen.getByRole('option', { name: 'Home (turned off)' })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText('Account'), 'Work');
    expect(screen.getByText('Only this account answers: no failover to another.')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Prompt'), 'hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(api.startPlayground).toHaveBeenCalledWith(expect.objectContaining({ account: 'a1' }));
    done({ runId: 'run-1', pinned: true });
    expect(within(screen.getByTestId('playground-figures')).getByText('Served by').nextElementSibling).toHaveTextContent(
      'Work (pinned)',
    );

    api.startPlayground.mockResolvedValue('run-2');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    done({
      runId: 'run-2',
      ok: false,
      status: 400,
      error: 'the local API answered 400: the request is pinned to account "a1", which is turned off',
      firstByteMs: -1,
      account: '',
      accountLabel: '',
    });
    expect(screen.getByText(/The request failed: the local API answered 400/)).toBeInTheDocument();
    expect(screen.queryByTestId('playground-answer')).not.toBeInTheDocument();
  });

  it('copies the same request as a curl command, key quoted for the shell', async () => {
    const user = await ready();
    expect(screen.getByRole('button', { name: 'Copy as curl' })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText('Model'), 'gpt-4o');
    await user.selectOptions(screen.getByLabelText('Account'), 'Work');
    await user.type(screen.getByLabelText('Prompt'), 'Say hello');
    await user.click(screen.getByRole('button', { name: 'Copy as curl' }));
    expect(await screen.findByText('Copied')).toBeInTheDocument();
    expect(api.copyToClipboard).toHaveBeenCalledWith(
      "curl -N http://127.0.0.1:8990/v1/messages \\\n" +
        "  -H x-api-key:'kd-it'\\''s' -H content-type:application/json -H anthropic-version:2023-06-01 -H x-kirodesk-account:a1 \\\n" +
        `  -d '{"model":"gpt-4o","max_tokens":1024,"stream":true,"messages":[{"role":"user","content":"Say hello"}]}'`,
    );
  });

  it('says why a copy failed', async () => {
    const user = await ready();
    api.copyToClipboard.mockRejectedValue(new Error('no clipboard'));
    await user.type(screen.getByLabelText('Prompt'), 'hi');
    await user.click(screen.getByRole('button', { name: 'Copy as curl' }));
    expect(await screen.findByText('Copy failed: no clipboard')).toBeInTheDocument();
  });

  it('says why nothing can be sent while the proxy is off', async () => {
    render(<Playground status={makeStatus({ proxyOn: false })} />);
    expect(screen.getByRole('alert')).toHaveTextContent('The proxy is off');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
    expect(api.getPlaygroundModels).not.toHaveBeenCalled();
  });

  it('shows why the models could not be listed', async () => {
    api.getPlaygroundModels.mockRejectedValue(new Error('the local API answered 503: no account'));
    render(<Playground status={makeStatus()} />);
    expect(await screen.findByText('Could not list the models: the local API answered 503: no account')).toBeInTheDocument();
  });

  it('speaks Chinese when the window does', async () => {
    await applyLanguage('zh-CN');
    render(<Playground status={makeStatus()} />);
    expect(await screen.findByRole('option', { name: '账号池（与客户端相同）' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '发送' })).toBeDisabled();
    expect(screen.getByRole('button', { name: '复制为 curl 命令' })).toBeDisabled();
  });
});
