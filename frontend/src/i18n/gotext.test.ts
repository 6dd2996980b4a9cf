import { afterEach, describe, expect, it } from 'vitest';
import { applyLanguage, i18n } from '.';
import { renderGoText } from './gotext';

afterEach(async () => {
  await applyLanguage('en');
});

const badStartURL = {
  code: 'endpoint.startUrl.https',
  args: { field: 'the start URL', value: '"http://my-org.awsapps.com/start"' },
  text: 'the start URL "http://my-org.awsapps.com/start" must begin with https:// (like https://my-org.awsapps.com/start)',
};

describe('renderGoText', () => {
  it('says a field Go names in words in the window language, and leaves an identifier as it is', async () => {
    expect(renderGoText(i18n.t, i18n, badStartURL)).toBe(badStartURL.text);
    await applyLanguage('zh-CN');
    expect(renderGoText(i18n.t, i18n, badStartURL)).toBe(
      '起始 URL "http://my-org.awsapps.com/start" 必须以 https:// 开头（例如 https://my-org.awsapps.com/start）',
    );
    const ident = { ...badStartURL, args: { ...badStartURL.args, field: 'startUrl' } };
    expect(renderGoText(i18n.t, i18n, ident)).toMatch(/^startUrl "http/);
  });

  it("shows Go's English for a code the window does not know, and nothing for none", async () => {
    await applyLanguage('zh-CN');
    expect(renderGoText(i18n.t, i18n, { code: 'no.such.code', args: { field: 'the start URL' }, text: 'as Go wrote it' })).toBe(
      'as Go wrote it',
    );
    expect(renderGoText(i18n.t, i18n, null)).toBe('');
  });
});
