import { describe, expect, it } from 'vitest';
import { findLiterals, looksLikeProse } from '../test/literals';

// Every UI source file's text (tests, test helpers and declarations aside).
const sources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}', '!../test/**', '!../**/*.d.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('UI code', () => {
  it('has no user-visible literal string: every one goes through t()', () => {
    const files = Object.entries(sources);
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap(([path, code]) =>
      findLiterals(path.replace(/^\.\.\//, ''), code).map((x) => `${x.file}:${x.line} ${x.why} "${x.text}"`),
    );
    expect(found).toEqual([]);
  });
});

describe('findLiterals', () => {
  it('flags a planted literal in JSX text, visible attributes, labels and messages', () => {
    const code = `
      export function A({ n }: { n: number }) {
        const [err, setErr] = useState('');
        const items = [{ id: 'a', label: 'Accounts' }];
        if (n > 1) setErr('Could not save the settings');
        return <div className="card big" title="Close it" aria-label={n ? 'Hide' : 'Show'}>Hello there {err}{n > 2 && 'Unavailable'}</div>;
      }`;
    expect(findLiterals('a.tsx', code).map((f) => `${f.line} ${f.why} ${f.text}`)).toEqual([
      '4 label: Accounts',
      '5 prose Could not save the settings',
      '6 title= Close it',
      '6 aria-label= Hide',
      '6 aria-label= Show',
      '6 JSX text Hello there',
      '6 JSX child Unavailable',
    ]);
  });

  it('leaves keys, imports, class names, types, comparisons and marked code alone', () => {
    const code = `
      import { x } from 'some module path';
      type Mode = 'Leave it';
      export function B({ mode }: { mode: Mode }) {
        const { t } = useTranslation();
        if (mode === 'Leave it') throw new Error('This is for developers'); // i18n-ignore: a developer's message
        // i18n-ignore: a shell line, not prose
        const cmd = \`export ANTHROPIC_BASE_URL=\${x}\`;
        return <p className="muted big text" data-state="Not shown">{t('app.skip')} {cmd} · 12</p>;
      }`;
    expect(findLiterals('b.tsx', code)).toEqual([]);
  });

  it('tells prose from identifiers', () => {
    expect(looksLikeProse('Could not read it')).toBe(true);
    expect(looksLikeProse('无法保存')).toBe(true);
    expect(looksLikeProse('it failed.')).toBe(true);
    expect(looksLikeProse('btn btn-primary')).toBe(false);
    expect(looksLikeProse('claude-sonnet-4-5')).toBe(false);
    expect(looksLikeProse('Content-Type')).toBe(false);
  });
});
