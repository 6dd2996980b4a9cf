import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as App from '../../wailsjs/go/app/App';
import * as runtime from '../../wailsjs/runtime/runtime';
import { Events } from './events';
import { getLanguage, onLanguage, setLanguage, type LanguageState } from '.';

vi.mock('../../wailsjs/go/app/App', () => ({ Language: vi.fn(), SetLanguage: vi.fn() }));
vi.mock('../../wailsjs/runtime/runtime', () => ({ EventsOn: vi.fn() }));

const go = vi.mocked(App);
const rt = vi.mocked(runtime);

beforeEach(() => {
  vi.resetAllMocks();
});

describe('language setting', () => {
  it('reads the preference and the language in effect', async () => {
    go.Language.mockResolvedValue({ preference: 'system', effective: 'zh-CN' });

    await expect(getLanguage()).resolves.toEqual({ preference: 'system', effective: 'zh-CN' });
  });

  it('passes the preference to SetLanguage', async () => {
    go.SetLanguage.mockResolvedValue({ preference: 'en', effective: 'en' });

    await expect(setLanguage('en')).resolves.toEqual({ preference: 'en', effective: 'en' });
    expect(go.SetLanguage).toHaveBeenCalledExactlyOnceWith('en');
  });

  it('listens to the language event', () => {
    const off = vi.fn();
    rt.EventsOn.mockReturnValue(off);
    const seen: LanguageState[] = [];

    expect(onLanguage((s) => seen.push(s))).toBe(off);
    expect(rt.EventsOn).toHaveBeenCalledWith(Events.Language, expect.any(Function));
    const handler = rt.EventsOn.mock.calls[0]?.[1] as (s: LanguageState) => void;
    handler({ preference: 'zh-CN', effective: 'zh-CN' });
    expect(seen).toEqual([{ preference: 'zh-CN', effective: 'zh-CN' }]);
  });
});
