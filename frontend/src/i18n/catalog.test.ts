import { describe, expect, it } from 'vitest';
import { compareCatalogs, placeholders } from '../test/catalogs';
import en from './en.json';
import zhCN from './zh-CN.json';

describe('UI catalogs', () => {
  it('have the same keys, plural forms and placeholders in English and Chinese', () => {
    expect(compareCatalogs({ lang: 'en', tree: en }, { lang: 'zh-CN', tree: zhCN })).toEqual([]);
  });
});

describe('compareCatalogs', () => {
  const ref = { lang: 'en', tree: { a: { hello: 'Hello {{name}}', n_one: '{{count}} file', n_other: '{{count}} files' } } };
  const good = { a: { hello: '你好 {{name}}', n_other: '{{count}} 个文件' } };

  it('accepts catalogs that agree', () => {
    expect(compareCatalogs(ref, { lang: 'zh-CN', tree: good })).toEqual([]);
  });

  it('fails on a missing key', () => {
    expect(compareCatalogs(ref, { lang: 'zh-CN', tree: { a: { n_other: '{{count}} 个文件' } } })).toEqual([
      'a.hello: missing in zh-CN',
    ]);
  });

  it('fails on an extra key', () => {
    expect(compareCatalogs(ref, { lang: 'zh-CN', tree: { a: { ...good.a, bye: '再见' } } })).toEqual([
      'a.bye: in zh-CN but not in en',
    ]);
  });

  it('fails when placeholders differ', () => {
    expect(compareCatalogs(ref, { lang: 'zh-CN', tree: { a: { ...good.a, hello: '你好 {{who}}' } } })).toEqual([
      'a.hello: placeholders differ: en [name], zh-CN [who]',
    ]);
  });

  it('fails on a missing plural form, an empty string and a copied English sentence', () => {
    const bad = compareCatalogs(
      { lang: 'en', tree: { a: { n_other: '{{count}} files', s: 'Sign in' } } },
      { lang: 'zh-CN', tree: { a: { n_other: '', s: 'Sign in' } } },
    );
    expect(bad).toEqual([
      'zh-CN a.n_other: empty string',
      'a.n: en plural forms are other, en needs one,other',
      'a.n: placeholders differ: en [count], zh-CN []',
      'a.s: zh-CN is the English text "Sign in"',
    ]);
  });

  it('reads placeholders with formats and nestings', () => {
    expect(placeholders('{{count, number}} of {{total}} $t(common.copy) <link>here</link>')).toEqual([
      '$t(common.copy)',
      '<link>',
      'count',
      'total',
    ]);
  });
});
