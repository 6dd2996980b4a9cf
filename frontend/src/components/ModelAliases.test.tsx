import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { AliasProblem, ModelAlias } from '../bridge';
import { applyLanguage } from '../i18n';
import { makeSettings } from '../test/fixtures';
import { ModelAliases } from './ModelAliases';
import { WithSaveBar } from '../test/saveBar';

vi.mock('../bridge');
const api = vi.mocked(bridge);

/** Go's CheckModelAliases for the cases these tests type (the real rules are tested in Go). */
function goCheck(rows: ModelAlias[], unknown: string): Promise<AliasProblem[]> {
  const out: AliasProblem[] = [];
  const seen = new Map<string, string>();
  rows.forEach((r, row) => {
    if (r.name === '') out.push({ row, field: 'name', code: 'empty', message: 'the alias name is empty' });
    else if (r.name === 'claude-sonnet-4.5')
      out.push({ row, field: 'name', code: 'shadows', model: 'claude-sonnet-4.5', message: 'already Kiro’s model' });
    else if (seen.has(r.name.toLowerCase()))
      out.push({ row, field: 'name', code: 'duplicate', model: seen.get(r.name.toLowerCase()), message: 'twice' });
    else seen.set(r.name.toLowerCase(), r.name);
    if (r.target === '') out.push({ row, field: 'target', code: 'noTarget', message: 'no Kiro model chosen' });
  });
  if (unknown === 'gone') out.push({ row: -1, field: 'target', code: 'badTarget', message: 'not a Kiro model' });
  return Promise.resolve(out);
}

const saved = [
  { name: 'gpt-4o', target: 'claude-sonnet-4.6' },
  { name: 'gpt-4o-mini', target: 'claude-haiku-4.5' },
];

beforeEach(() => {
  vi.resetAllMocks();
  api.getSettings.mockResolvedValue(makeSettings({ modelAliases: saved }));
  api.checkModelAliases.mockImplementation(goCheck);
  api.updateSettings.mockImplementation((p) =>
    Promise.resolve(makeSettings({ modelAliases: p.modelAliases ?? saved, unknownModelAlias: p.unknownModelAlias ?? '' })),
  );
});

const nameOf = (n: number) => screen.getByLabelText(`Client’s model name, row ${n}`);
const targetOf = (n: number) => screen.getByLabelText(`Kiro model, row ${n}`);
const saveButton = () => screen.getByRole('button', { name: 'Save' });

describe('Model aliases', () => {
  it('shows the saved table and saves nothing until something changes', async () => {
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    expect(await screen.findByDisplayValue('gpt-4o')).toBe(nameOf(1));
    expect(targetOf(1)).toHaveValue('claude-sonnet-4.6');
    expect(nameOf(2)).toHaveValue('gpt-4o-mini');
    expect(targetOf(2)).toHaveValue('claude-haiku-4.5');
    expect(within(targetOf(1)).getAllByRole('option').map((o) => o.textContent)).toEqual(makeSettings().modelChoices);
    expect(screen.getByLabelText('Any other unknown name')).toHaveValue('');
    expect(saveButton()).toBeDisabled();
  });

  it('adds a row, chooses its model and saves the whole table as one patch', async () => {
    const user = userEvent.setup();
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    await screen.findByDisplayValue('gpt-4o');
    await user.click(screen.getByRole('button', { name: 'Add alias' }));
    expect(targetOf(3)).toHaveValue('');
    expect(within(targetOf(3)).getAllByRole('option')[0]).toHaveTextContent('Choose a Kiro model…');
    await user.type(nameOf(3), 'o3');
    await user.selectOptions(targetOf(3), 'claude-opus-4.5');
    await user.selectOptions(screen.getByLabelText('Any other unknown name'), 'auto');
    expect(screen.queryByRole('alert')).toBeNull();
    await user.click(saveButton());
    expect(api.updateSettings).toHaveBeenCalledWith({
      modelAliases: [...saved, { name: 'o3', target: 'claude-opus-4.5' }],
      unknownModelAlias: 'auto',
    });
    expect(await screen.findByText('Saved. The next request uses them.')).toBeInTheDocument();
    expect(saveButton()).toBeDisabled();
  });

  it('edits a row in place and removes another', async () => {
    const user = userEvent.setup();
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    await screen.findByDisplayValue('gpt-4o');
    await user.clear(nameOf(1));
    await user.type(nameOf(1), 'gpt-4.1');
    await user.selectOptions(targetOf(1), 'auto');
    await user.click(screen.getByRole('button', { name: 'Remove alias gpt-4o-mini (row 2)' }));
    expect(screen.queryByLabelText('Client’s model name, row 2')).toBeNull();
    await user.click(saveButton());
    expect(api.updateSettings).toHaveBeenCalledWith({ modelAliases: [{ name: 'gpt-4.1', target: 'auto' }], unknownModelAlias: '' });

    await user.click(screen.getByRole('button', { name: 'Remove alias gpt-4.1 (row 1)' }));
    expect(screen.getByText('No aliases yet.')).toBeInTheDocument();
    await user.click(saveButton());
    expect(api.updateSettings).toHaveBeenLastCalledWith({ modelAliases: [], unknownModelAlias: '' });
  });

  it('shows Go’s problems next to their cells and does not save them', async () => {
    const user = userEvent.setup();
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    await screen.findByDisplayValue('gpt-4o');
    await user.click(screen.getByRole('button', { name: 'Add alias' }));
    expect(screen.queryByRole('alert')).toBeNull(); // an untouched new row is not an error yet
    await user.type(nameOf(3), 'claude-sonnet-4.5');
    expect(await screen.findByText('This is already Kiro’s model claude-sonnet-4.5; an alias cannot replace it.')).toBeInTheDocument();
    expect(nameOf(3)).toHaveAttribute('aria-invalid', 'true');
    expect(nameOf(3)).toHaveAccessibleDescription('This is already Kiro’s model claude-sonnet-4.5; an alias cannot replace it.');

    await user.clear(nameOf(3));
    await user.type(nameOf(3), 'GPT-4o');
    expect(await screen.findByText('gpt-4o is already in the table (names match whatever their case).')).toBeInTheDocument();

    // Save shows every problem, untouched cells too, and sends nothing.
    await user.click(saveButton());
    expect(await screen.findByText('Choose the Kiro model that serves this name.')).toBeInTheDocument();
    expect(targetOf(3)).toHaveAttribute('aria-invalid', 'true');
    expect(api.updateSettings).not.toHaveBeenCalled();

    // Removing the bad row clears its problems; Revert brings the table back.
    await user.click(screen.getByRole('button', { name: 'Remove alias GPT-4o (row 3)' }));
    await act(async () => {});
    expect(screen.queryByRole('alert')).toBeNull();
    await user.clear(nameOf(1));
    await user.click(screen.getByRole('button', { name: 'Revert' }));
    expect(nameOf(1)).toHaveValue('gpt-4o');
    expect(saveButton()).toBeDisabled();
  });

  it('shows a refusal from UpdateSettings and keeps the edit', async () => {
    api.updateSettings.mockRejectedValueOnce(
      new Error('config.json: change rejected: modelAliases["o3"]: "claude-opus-9" is not a Kiro model'),
    );
    const user = userEvent.setup();
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    await screen.findByDisplayValue('gpt-4o');
    await user.clear(nameOf(2));
    await user.type(nameOf(2), 'o3');
    await user.click(saveButton());
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not save the aliases: modelAliases["o3"]: "claude-opus-9" is not a Kiro model',
    );
    expect(nameOf(2)).toHaveValue('o3');
  });

  it('speaks Chinese when the window does', async () => {
    await applyLanguage('zh-CN');
    render(<WithSaveBar><ModelAliases /></WithSaveBar>);
    expect(await screen.findByRole('heading', { name: '模型别名' })).toBeInTheDocument();
    expect(screen.getByLabelText('客户端的模型名，第 1 行')).toHaveValue('gpt-4o');
    expect(screen.getByRole('button', { name: '添加别名' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '删除别名 gpt-4o（第 1 行）' })).toBeInTheDocument();
  });
});
