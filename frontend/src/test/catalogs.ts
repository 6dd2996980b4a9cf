// Checks that two UI catalogs agree: the same keys, the plural forms each
// language needs, the same {{placeholders}} and $t() nestings, no empty
// strings. Returns every problem as one line, so a failing test lists them all.

type Tree = { [key: string]: string | Tree };

const pluralSuffix = /_(zero|one|two|few|many|other)$/;

/** Flat "a.b.c" → string, or a problem when a leaf is not a non-empty string. */
export function flatten(tree: Tree, prefix = '', out = new Map<string, string>(), problems: string[] = []) {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') {
      if (v.trim() === '') problems.push(`${key}: empty string`);
      out.set(key, v);
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      flatten(v, key, out, problems);
    } else {
      problems.push(`${key}: not a string or an object`);
    }
  }
  return { strings: out, problems };
}

/** {{name}} or {{name, format}} → name; $t(key) → $t(key); <link>…</link> → <link>. */
export function placeholders(s: string): string[] {
  const names = [...s.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((m) => m[1] ?? '');
  const nested = [...s.matchAll(/\$t\(([^),]+)/g)].map((m) => `$t(${m[1]})`);
  const tags = [...s.matchAll(/<(\w+)>/g)].map((m) => `<${m[1]}>`); // <Trans> components
  return [...new Set([...names, ...nested, ...tags])].sort();
}

interface Entry {
  forms: Map<string, string>; // plural category (or "") → text
}

function group(strings: Map<string, string>): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [key, text] of strings) {
    const m = pluralSuffix.exec(key);
    const base = m ? key.slice(0, m.index) : key;
    const form = m?.[1] ?? '';
    const e = out.get(base) ?? { forms: new Map() };
    e.forms.set(form, text);
    out.set(base, e);
  }
  return out;
}

/** Compares catalog against the reference (English): every problem, one line each. */
export function compareCatalogs(
  reference: { lang: string; tree: Tree },
  other: { lang: string; tree: Tree },
): string[] {
  const a = flatten(reference.tree);
  const b = flatten(other.tree);
  const problems = [
    ...a.problems.map((p) => `${reference.lang} ${p}`),
    ...b.problems.map((p) => `${other.lang} ${p}`),
  ];
  const ga = group(a.strings);
  const gb = group(b.strings);
  const needs = (lang: string) => new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
  for (const [base, ea] of ga) {
    const eb = gb.get(base);
    if (!eb) {
      problems.push(`${base}: missing in ${other.lang}`);
      continue;
    }
    const pa = ea.forms.has('');
    const pb = eb.forms.has('');
    if (pa !== pb || (pa && (ea.forms.size > 1 || eb.forms.size > 1))) {
      problems.push(`${base}: plural in one catalog and not in the other`);
      continue;
    }
    if (!pa) {
      for (const [lang, e] of [
        [reference.lang, ea],
        [other.lang, eb],
      ] as const) {
        const want = needs(lang).join(',');
        const have = [...e.forms.keys()].sort().join(',');
        if (want !== have) problems.push(`${base}: ${lang} plural forms are ${have}, ${lang} needs ${want}`);
      }
    }
    const union = (e: Entry) => [...new Set([...e.forms.values()].flatMap(placeholders))].sort().join(' ');
    if (union(ea) !== union(eb)) {
      problems.push(`${base}: placeholders differ: ${reference.lang} [${union(ea)}], ${other.lang} [${union(eb)}]`);
    }
    // A copied English sentence is an untranslated one (names like "Kirodesk" may stay).
    for (const [form, text] of eb.forms) {
      if (ea.forms.get(form) === text && /[a-z]{2,} [a-z]{2,}/.test(text.replace(/\{\{[^}]*\}\}/g, ''))) {
        problems.push(`${base}: ${other.lang} is the English text "${text}"`);
      }
    }
  }
  for (const base of gb.keys()) {
    if (!ga.has(base)) problems.push(`${base}: in ${other.lang} but not in ${reference.lang}`);
  }
  return problems;
}
