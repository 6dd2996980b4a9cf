import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage } from '../i18n';
import { errorEnglish, errorMessage } from './errors';

afterEach(async () => {
  await applyLanguage('en');
});

// What uitext.ForWindow sends for a refused base URL and a refused proxy, joined.
const refused = Object.assign(
  new Error('config.json: change rejected: upstream.apiBase "http://example.com" must be https (http only to this machine, like http://127.0.0.1:8080)\n"proxy" is not none, system or a proxy URL such as http://proxy.example:3128'),
  {
    texts: [
      {
        code: 'endpoint.base.https',
        args: { field: 'upstream.apiBase', value: '"http://example.com"' },
        text: 'upstream.apiBase "http://example.com" must be https (http only to this machine, like http://127.0.0.1:8080)',
      },
      { code: 'config.proxy.notUrl', args: { value: '"proxy"' }, text: '"proxy" is not none, system or a proxy URL such as http://proxy.example:3128' },
    ],
  },
);

describe('errorMessage', () => {
  it('renders each coded refusal in the window language, values as Go quoted them', async () => {
    await applyLanguage('zh-CN');
    expect(errorMessage(refused)).toBe(
      'upstream.apiBase "http://example.com" 必须使用 https（仅指向本机时可用 http，例如 http://127.0.0.1:8080） "proxy" 不是 none、system，也不是代理网址（例如 http://proxy.example:3128）',
    );
    expect(errorEnglish(refused)).toBe(refused.message);
  });

  it("falls back to Go's English for a code the window does not know, and for an error with no codes", async () => {
    await applyLanguage('zh-CN');
    const newer = Object.assign(new Error('x'), { texts: [{ code: 'config.fromANewerGo', args: { value: '1' }, text: 'value 1 is refused' }] });
    expect(errorMessage(newer)).toBe('value 1 is refused');
    expect(errorMessage(new Error('read config.json: permission denied'))).toBe('read config.json: permission denied');
    expect(errorMessage('plain words')).toBe('plain words');
  });

  it('renders the English catalog in English', () => {
    expect(errorMessage(refused)).toBe(refused.texts.map((x) => x.text).join(' '));
  });
});
