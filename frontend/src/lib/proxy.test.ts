import { afterEach, describe, expect, it } from 'vitest';
import { i18n } from '../i18n';
import { listenerError, proxyMode, proxySetting } from './proxy';

describe('proxy setting', () => {
  it('reads the mode of a setting', () => {
    expect(proxyMode('none')).toBe('none');
    expect(proxyMode('system')).toBe('system');
    expect(proxyMode('')).toBe('system');
    expect(proxyMode('http://me@p.example:3128')).toBe('url');
  });

  it('puts the password into the URL only when one is typed', () => {
    expect(proxySetting('none', 'http://x', 'pw')).toBe('none');
    expect(proxySetting('system', '', '')).toBe('system');
    expect(proxySetting('url', ' http://me@p.example:3128 ', '')).toBe('http://me@p.example:3128');
    expect(proxySetting('url', 'http://me@p.example:3128', 'p@ss:w/rd')).toBe('http://me:p%40ss%3Aw%2Frd@p.example:3128');
    expect(proxySetting('url', 'socks5://me@p.example:1080', 'pw')).toBe('socks5://me:pw@p.example:1080');
  });

  it('says what to fix', () => {
    expect(() => proxySetting('url', 'not a url', 'pw')).toThrow('Enter the proxy as a URL');
    expect(() => proxySetting('url', 'http://p.example:3128', 'pw')).toThrow('Put the user name in the URL');
  });
});

describe('listenerError', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('drops the advice meant for the tray and the command line', () => {
    expect(listenerError('port 8990 is in use by another program: choose another port in Settings or with --port')).toBe(
      'port 8990 is in use by another program.',
    );
  });

  it("renders Go's coded text in the window's language", async () => {
    const text = { code: 'proxy.portInUse', args: { port: '8990' }, text: 'port 8990 is in use by another program' };
    expect(listenerError('port 8990 is in use by another program: choose another port…', text)).toBe(
      'port 8990 is in use by another program.',
    );
    await i18n.changeLanguage('zh-CN');
    expect(listenerError('port 8990 is in use by another program: choose another port…', text)).toBe('端口 8990 已被其他程序占用。');
  });
});
