import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as bridge from '../bridge';
import type { LanguageState } from '../bridge';
import { i18n } from '../i18n';
import { LanguageSettings } from './LanguageSettings';

vi.mock('../bridge');
const api = vi.mocked(bridge);

let emit: (s: LanguageState) => void = () => {};

beforeEach(() => {
  vi.resetAllMocks();
  api.getLanguage.mockResolvedValue({ preference: 'system', effective: 'en' });
  api.onLanguage.mockImplementation((h) => {
    emit = h;
    return () => {
      emit = () => {};
    };
  });
});

describe('LanguageSettings', () => {
  it('offers System, English and 简体中文, each language named in itself', async () => {
    render(<LanguageSettings />);
    const select = await screen.findByRole('combobox', { name: 'Language of the window and the tray' });
    await vi.waitFor(() => expect(select).toBeEnabled());
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['System', 'English', '简体中文']);
    expect(within(select).getByRole('option', { name: '简体中文' })).toHaveAttribute('lang', 'zh-CN');
    expect(select).toHaveValue('system');
    expect(screen.getByText('Follows the system: now English.')).toBeInTheDocument();
  });

  it('calls SetLanguage and switches the window at once, without a reload', async () => {
    api.setLanguage.mockResolvedValue({ preference: 'zh-CN', effective: 'zh-CN' });
    const user = userEvent.setup();
    render(<LanguageSettings />);
    const select = await screen.findByRole('combobox', { name: 'Language of the window and the tray' });
    await vi.waitFor(() => expect(select).toBeEnabled());
    await user.selectOptions(select, 'zh-CN');

    expect(api.setLanguage).toHaveBeenCalledExactlyOnceWith('zh-CN');
    expect(await screen.findByRole('heading', { name: '语言' })).toBeInTheDocument();
    expect(i18n.language).toBe('zh-CN');
    expect(document.documentElement.lang).toBe('zh-CN');
    // The names of the languages stay as they are; "System" is said in Chinese.
    expect(within(select).getAllByRole('option').map((o) => o.textContent)).toEqual(['跟随系统', 'English', '简体中文']);
  });

  it('follows a change made elsewhere (the tray) through the language event', async () => {
    render(<LanguageSettings />);
    const select = await screen.findByRole('combobox', { name: 'Language of the window and the tray' });
    await vi.waitFor(() => expect(select).toBeEnabled());
    act(() => emit({ preference: 'en', effective: 'en' }));
    expect(select).toHaveValue('en');
    expect(screen.queryByText(/Follows the system/)).not.toBeInTheDocument();
  });

  it('says why a refused change failed, Go’s words as the detail', async () => {
    api.setLanguage.mockRejectedValue(new Error('config.json: language "fr" is not one of system, en, zh-CN'));
    const user = userEvent.setup();
    render(<LanguageSettings />);
    const select = await screen.findByRole('combobox', { name: 'Language of the window and the tray' });
    await vi.waitFor(() => expect(select).toBeEnabled());
    await user.selectOptions(select, 'en');
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Could not change the language: config.json: language "fr" is not one of system, en, zh-CN',
    );
    expect(i18n.language).toBe('en');
  });
});
