import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { checkModelAliases, getSettings, updateSettings, type AliasProblem, type ModelAlias, type Settings } from '../bridge';
import { errorMessage } from '../lib/errors';
import { useLeaveGuard } from '../lib/leaveGuard';
import { useSavePart } from '../lib/saveParts';
import { ErrorText } from './ErrorText';
import { ValueOptions } from './ValueOptions';

/** Go's store.MaxAliasName and store.MaxAliases, for the messages. */
const MAX_NAME = 128;
const MAX_ALIASES = 200;

/** A table row as edited: a stable key so React keeps focus while rows come and go. */
interface Row extends ModelAlias {
  key: number;
}

interface Saved {
  rows: ModelAlias[];
  unknown: string;
  choices: string[];
}

/** The problems Go found, by row and field ("-1:target" is the unknown-name default). */
type Problems = Map<string, AliasProblem>;

const cell = (row: number, field: string) => `${row}:${field}`;

/**
 * Model aliases: a client's model name (gpt-4o) served by a Kiro model,
 * and what serves every other unknown name. Checked by Go's own rules
 * (CheckModelAliases) as the person types, saved with UpdateSettings as
 * one patch of the two alias fields; the proxy uses them from the next
 * request.
 */
export function ModelAliases() {
  const { t } = useTranslation();
  const id = useId();
  const nextKey = useRef(1);
  const [saved, setSaved] = useState<Saved | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [unknown, setUnknown] = useState('');
  const [problems, setProblems] = useState<Problems>(new Map());
  // Cells the person has touched; every cell after a Save was tried.
  const [shown, setShown] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Said in the language of the moment, so kept as a fact, not a sentence.
  const [justSaved, setJustSaved] = useState(false);
  const dirtyNow = useLeaveGuard(); // leaving Settings with an unsaved table asks first

  /** Shows sv in the table, as saved. */
  function show(sv: Saved) {
    setSaved(sv);
    setRows(sv.rows.map((r) => ({ ...r, key: nextKey.current++ })));
    setUnknown(sv.unknown);
    setShown(new Set());
    setShowAll(false);
  }

  function load(s: Settings) {
    show({ rows: s.modelAliases ?? [], unknown: s.unknownModelAlias ?? '', choices: s.modelChoices ?? [] });
  }

  useEffect(() => {
    getSettings().then(load, (err: unknown) => setError(t('aliases.loadFailed', { detail: errorMessage(err) })));
  }, []); // once: the table is the person's until saved

  // Go checks the table as it is now; the latest answer wins.
  const plain = rows.map(({ name, target }) => ({ name, target }));
  const asked = JSON.stringify([plain, unknown]);
  useEffect(() => {
    if (!saved) return;
    let current = true;
    checkModelAliases(plain, unknown).then(
      (ps) => current && setProblems(new Map(ps.map((p) => [cell(p.row, p.field), p]))),
      () => current && setProblems(new Map()), // Save will say what is wrong
    );
    return () => {
      current = false;
    };
  }, [asked, saved]); // asked stands for plain and unknown

  const dirty = !!saved && (JSON.stringify(plain) !== JSON.stringify(saved.rows) || unknown !== saved.unknown);
  dirtyNow.current = dirty;
  // Saved and reverted from Settings' one bar.
  useSavePart('aliases', { dirty, save: () => saveNow(), revert: () => revert() });

  if (!saved) return <p className={error ? 'error-text' : 'muted'}>{error ?? t('common.loading')}</p>;

  function touch(key: string) {
    setShown((s) => new Set(s).add(key));
    setJustSaved(false);
  }

  function edit(index: number, field: 'name' | 'target', value: string) {
    setRows((rs) => rs.map((r, i) => (i === index ? { ...r, [field]: value } : r)));
    touch(cell(index, field));
  }

  function add() {
    setRows((rs) => [...rs, { key: nextKey.current++, name: '', target: '' }]);
    setJustSaved(false);
  }

  function remove(index: number) {
    setRows((rs) => rs.filter((_, i) => i !== index));
    // Touched cells move up with their rows.
    setShown((s) => {
      const next = new Set<string>();
      for (const k of s) {
        const [row = '', field = ''] = k.split(':');
        const n = Number(row);
        if (n < index || n === -1) next.add(k);
        else if (n > index) next.add(cell(n - 1, field));
      }
      return next;
    });
    setJustSaved(false);
  }

  function problemText(p: AliasProblem): string {
    switch (p.code) {
      case 'empty':
        return t('aliases.errors.empty');
      case 'tooLong':
        return t('aliases.errors.tooLong', { max: MAX_NAME });
      case 'space':
        return t('aliases.errors.space');
      case 'control':
        return t('aliases.errors.control');
      case 'shadows':
        return t('aliases.errors.shadows', { model: p.model ?? '' });
      case 'duplicate':
        return t('aliases.errors.duplicate', { model: p.model ?? '' });
      case 'noTarget':
        return t('aliases.errors.noTarget');
      case 'badTarget':
        return t('aliases.errors.badTarget');
      case 'tooMany':
        return t('aliases.errors.tooMany', { max: MAX_ALIASES });
      default:
        return p.message;
    }
  }

  function problemAt(row: number, field: string): string | undefined {
    const p = problems.get(cell(row, field));
    if (!p || !(showAll || shown.has(cell(row, field)))) return undefined;
    return problemText(p);
  }

  /** Saves the table; false when it has problems (shown at their cells) or Go refused it. */
  async function saveNow(): Promise<boolean> {
    setError(null);
    setJustSaved(false);
    setShowAll(true);
    if (problems.size > 0) return false;
    try {
      load(await updateSettings({ modelAliases: plain, unknownModelAlias: unknown }));
      setJustSaved(true);
      return true;
    } catch (err) {
      setError(t('aliases.saveFailed', { detail: errorMessage(err).replace(/^config\.json: change rejected: /, '') }));
      return false;
    }
  }

  function revert() {
    if (saved) show(saved);
    setError(null);
  }

  const choices = saved.choices;
  const unknownError = problemAt(-1, 'target');
  const tooMany = problems.get(cell(MAX_ALIASES, 'name'))?.code === 'tooMany' ? t('aliases.errors.tooMany', { max: MAX_ALIASES }) : null;
  return (
    <form
      className="card model-aliases"
      onSubmit={(e) => {
        e.preventDefault(); // the page's bar saves the table, not Enter in a cell
      }}
      aria-labelledby={`${id}-t`}
      noValidate
    >
      <h2 id={`${id}-t`}>{t('aliases.title')}</h2>
      <p className="muted form-hint">{t('aliases.intro')}</p>
      {rows.length === 0 ? (
        <p className="muted">{t('aliases.empty')}</p>
      ) : (
        <table className="table alias-table">
          <thead>
            <tr>
              <th scope="col">{t('aliases.name')}</th>
              <th scope="col">{t('aliases.target')}</th>
              <th scope="col">
                <span className="sr-only">{t('aliases.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const nameError = problemAt(i, 'name');
              const targetError = problemAt(i, 'target');
              const n = i + 1;
              return (
                <tr key={r.key}>
                  <td>
                    <input
                      className="mono"
                      aria-label={t('aliases.nameOfRow', { n })}
                      aria-invalid={!!nameError}
                      aria-describedby={nameError ? `${id}-${r.key}-ne` : undefined}
                      placeholder={t('aliases.namePlaceholder')}
                      value={r.name}
                      maxLength={MAX_NAME * 2}
                      onChange={(e) => edit(i, 'name', e.target.value)}
                    />
                    {nameError && (
                      <span id={`${id}-${r.key}-ne`} className="error-text form-error" role="alert">
                        {nameError}
                      </span>
                    )}
                  </td>
                  <td>
                    <select
                      aria-label={t('aliases.targetOfRow', { n })}
                      aria-invalid={!!targetError}
                      aria-describedby={targetError ? `${id}-${r.key}-te` : undefined}
                      value={r.target}
                      onChange={(e) => edit(i, 'target', e.target.value)}
                    >
                      {!choices.includes(r.target) && <option value={r.target}>{r.target || t('aliases.choose')}</option>}
                      <ValueOptions values={choices} />
                    </select>
                    {targetError && (
                      <span id={`${id}-${r.key}-te`} className="error-text form-error" role="alert">
                        {targetError}
                      </span>
                    )}
                  </td>
                  <td>
                    <button type="button" className="btn" onClick={() => remove(i)} aria-label={t('aliases.removeRow', { n, name: r.name })}>
                      {t('aliases.remove')}
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <ErrorText error={tooMany} />
      <div className="form-actions">
        <button type="button" className="btn" onClick={add}>
          {t('aliases.add')}
        </button>
      </div>
      <label className="form-row">
        {t('aliases.unknown')}
        <select
          aria-invalid={!!unknownError}
          value={unknown}
          onChange={(e) => {
            setUnknown(e.target.value);
            touch(cell(-1, 'target'));
          }}
        >
          <option value="">{t('aliases.unknownOff')}</option>
          {!choices.includes(unknown) && unknown !== '' && <option value={unknown}>{unknown}</option>}
          <ValueOptions values={choices} />
        </select>
      </label>
      <p className="muted form-hint">{t('aliases.unknownHelp')}</p>
      <ErrorText error={unknownError} className="form-error" />
      <ErrorText error={error} />
      <p role="status" className="muted">
        {justSaved && t('aliases.saved')}
      </p>
    </form>
  );
}
