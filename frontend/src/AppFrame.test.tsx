import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import * as bridge from './bridge';
import { makeRequestStats, makeSettings } from './test/fixtures';
import { answerWindowStart } from './test/window';

// The window's frame: the guard for unsaved edits, view shortcuts and the
// skip link (the views themselves have their own tests).
vi.mock('./bridge');
const api = vi.mocked(bridge);

beforeEach(() => {
  vi.resetAllMocks();
  answerWindowStart();
  api.getAPIKey.mockResolvedValue('kd_live_x');
  api.checkModelAliases.mockResolvedValue([]);
  api.getRequestStats.mockResolvedValue(makeRequestStats());
  api.getSettings.mockResolvedValue(makeSettings());
  api.getVersion.mockResolvedValue('1.2.3');
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
