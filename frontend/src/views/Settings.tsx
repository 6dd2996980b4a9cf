import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { getSettings, updateSettings, type GoText, type Status } from '../bridge';
import { useGoText } from '../i18n/gotext';
import { i18n } from '../i18n';
import { errorEnglish, errorMessage, errorTexts } from '../lib/errors';
import { About } from '../components/About';
import { Diagnostics } from '../components/Diagnostics';
import { LanguageSettings } from '../components/LanguageSettings';
import { ModelAliases } from '../components/ModelAliases';
import { NetworkSettings } from '../components/NetworkSettings';
import { setLeaveGuard } from '../lib/leaveGuard';
import { listenerError } from '../lib/proxy';
import { SavePartsContext, useSaveScope } from '../lib/saveParts';
import {
  DEFAULT_ATTEMPTS,
  diff,
  fieldOfError,
  isLoopbackHost,
  LOG_LEVELS,
  STRATEGIES,
  strategyText,
  toDraft,
  upstreamWarning,
  UPSTREAM_DEFAULTS,
  validate,
  type Draft,
  type Field,
} from '../lib/settings';
import { ErrorText } from '../components/ErrorText';
import { ValueOptions } from '../components/ValueOptions';

type Errors = Partial<Record<Field, string>>;

/** core.ErrNotReopened: the change is saved, the listener did not open with it. */
// Go's own words (core.ErrNotReopened), matched, never shown as they are.
const NOT_REOPENED = 'settings saved, but the proxy did not reopen'; // i18n-ignore: matched against Go's error

/** status, when given, shows what is really listening next to the port. */
export function Settings({ status }: { status?: Status } = {}) {
  const { t } = useTranslation();
  const goText = useGoText();
  const [saved, setSaved] = useState<Draft | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  // A catalog key, rendered at each render: a language switch re-words it.
  const [notice, setNotice] = useState<'settings.saved' | 'settings.savedUpstream' | null>(null);
  const [saving, setSaving] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  // Leaving the view with unsaved edits asks first (App asks the guard).
  const dirtyNow = useRef(false);
  useEffect(() => setLeaveGuard(() => dirtyNow.current), []);
  // The other cards' edits: saved and reverted from this page's one bar.
  const { scope, anyDirty: partsDirty, saveAll, revertAll } = useSaveScope();
  const formId = useId();

  useEffect(() => {
    getSettings().then(
      (s) => {
        setSaved(toDraft(s));
        setDraft(toDraft(s));
      },
      (err: unknown) => setLoadError(errorMessage(err)),
    );
  }, []);

  if (!draft || !saved) {
    return <p className={loadError ? 'error-text' : 'muted'}>{loadError ? t('settings.readFailed', { detail: loadError }) : t('common.loading')}</p>;
  }

  const patch = diff(saved, draft);
  const dirty = Object.keys(patch).length > 0;
  dirtyNow.current = dirty;

  function edit<K extends keyof Draft>(key: K, value: Draft[K]) {
    setDraft((d) => (d ? { ...d, [key]: value } : d));
    setErrors((e) => ({ ...e, [key]: undefined }));
    setNotice(null);
  }

  // The bar's Save: the form's fields, then every other card with edits.
  async function save(e?: { preventDefault: () => void }) {
    e?.preventDefault();
    if (saving || !(dirty || partsDirty)) return false;
    setSaving(true);
    setNotice(null);
    try {
      const formSaved = dirty ? await saveForm() : true;
      const partsSaved = partsDirty ? await saveAll() : true;
      if (!dirty && partsSaved) setNotice('settings.saved');
      return formSaved && partsSaved;
    } finally {
      setSaving(false);
    }
  }

  /** Saves the form's changed fields; false when refused (said under the fields). */
  async function saveForm(): Promise<boolean> {
    if (!draft || !saved) return false;
    const local = validate(draft);
    const relevant = Object.fromEntries(
      Object.entries(local).filter(([k]) => k in patch),
    ) as Errors;
    setFormError(null);
    if (Object.keys(relevant).length > 0) {
      setErrors(relevant);
      return false;
    }
    try {
      const next = await updateSettings(patch);
      setSaved(toDraft(next));
      setDraft(toDraft(next));
      setErrors({});
      const upstream = 'apiBase' in patch || 'authBase' in patch || 'oidcBase' in patch;
      setNotice(upstream ? 'settings.savedUpstream' : 'settings.saved');
      return true;
    } catch (err) {
      const message = errorEnglish(err);
      if (message.includes(NOT_REOPENED)) {
        // Saved all the same: show what is saved now, so the old port
        // typed back is a change again and Save and Revert work.
        try {
          const real = await getSettings();
          setSaved(toDraft(real));
          setDraft(toDraft(real));
        } catch {
          // Keep the form as it is; the message still says what happened.
        }
        setErrors({});
        const why = listenerError(message.slice(message.indexOf(NOT_REOPENED) + NOT_REOPENED.length).replace(/^:\s*/, ''));
        setFormError(t('settings.notReopened', { detail: why }));
        return false;
      }
      // Go's refusals, one per line: with codes (in the window's language) when Go sent them, else its English.
      const parts: GoText[] =
        errorTexts(err) ?? message.split('\n').map((text) => ({ text }));
      const byField: Errors = {};
      const rest: string[] = [];
      for (const part of parts) {
        const f = fieldOfError(part.text);
        if (f) byField[f] = part.code ? goText(part) : part.text.replace(/^config\.json: change rejected: /, '');
        else rest.push(goText(part));
      }
      setErrors(byField);
      if (rest.length > 0 || Object.keys(byField).length === 0) {
        setFormError(t('settings.saveFailed', { detail: rest.join(' ') || message }));
      }
      return false;
    }
  }

  const unsaved = dirty || partsDirty;
  return (
    <SavePartsContext.Provider value={scope}>
    <div className="settings settings-more">
      <LanguageSettings />
    </div>
    <form
      id={formId}
      className="settings"
      onSubmit={save}
      noValidate
      aria-label={t('settings.label')}
      onKeyDown={(e) => {
        // Enter in a field saves, as the bar's Save does (the bar is outside
        // the form, so the browser would not find it as the form's button).
        const el = e.target as HTMLElement;
        if (e.key === 'Enter' && el.tagName === 'INPUT' && !['checkbox', 'radio'].includes((el as HTMLInputElement).type)) {
          void save(e);
          return;
        }
        // Escape takes back the edit of the field it is pressed in.
        if (e.key !== 'Escape') return;
        const f = (e.target as HTMLElement).closest('[data-field]')?.getAttribute('data-field') as Field | null;
        if (f && f in saved && draft[f] !== saved[f]) {
          e.preventDefault();
          edit(f, saved[f]);
        }
      }}
    >
      <ErrorText error={formError} />
      <fieldset className="card">
        <legend>{t('settings.listener')}</legend>
        <Row label={t('settings.host')} field="host" error={errors.host} hint={t('settings.hostHint')}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={!!errors.host}
              value={draft.host}
              onChange={(e) => edit('host', e.target.value)}
            />
          )}
        </Row>
        {!isLoopbackHost(draft.host) && (
          <p className="banner warn" role="note">
            {t('settings.exposed')}
          </p>
        )}
        <Row label={t('settings.port')} field="port" error={errors.port} hint={status && listenerText(status)}>
          {(id, describedBy) => (
            <input
              id={id}
              inputMode="numeric"
              aria-describedby={describedBy}
              aria-invalid={!!errors.port}
              value={draft.port}
              onChange={(e) => edit('port', e.target.value)}
            />
          )}
        </Row>
        <label className="check">
          <input
            type="checkbox"
            checked={draft.startAtLogin}
            onChange={(e) => edit('startAtLogin', e.target.checked)}
          />
          {t('settings.startAtLogin')}
        </label>
        <p className="muted form-hint">{t('settings.startAtLoginHelp')}</p>
      </fieldset>

      <fieldset className="card">
        <legend>{t('settings.accountsAndRequests')}</legend>
        <Row
          label={t('settings.strategy')}
          field="strategy"
          error={errors.strategy}
          hint={(STRATEGIES as readonly string[]).includes(draft.strategy) ? strategyText(draft.strategy as (typeof STRATEGIES)[number]).help : undefined}
        >
          {(id, describedBy) => (
            <select id={id} aria-describedby={describedBy} value={draft.strategy} onChange={(e) => edit('strategy', e.target.value)}>
              {STRATEGIES.map((s) => (
                <option key={s} value={s}>
                  {strategyText(s).name}
                </option>
              ))}
            </select>
          )}
        </Row>
        <NumberRow label={t('settings.firstByte')} hint={t('settings.firstByteHelp')} field="firstByteTimeoutSeconds" draft={draft} errors={errors} edit={edit} />
        <NumberRow label={t('settings.idle')} hint={t('settings.idleHelp')} field="idleTimeoutSeconds" draft={draft} errors={errors} edit={edit} />
        <OptionalNumberRow
          label={t('settings.concurrency')}
          zeroLabel={t('settings.concurrencyOff')}
          fallback="4"
          hint={t('settings.concurrencyHelp')}
          field="maxConcurrentPerAccount"
          draft={draft}
          errors={errors}
          edit={edit}
        />
        <NumberRow label={t('settings.queueWait')} hint={t('settings.queueWaitHelp')} field="queueWaitSeconds" draft={draft} errors={errors} edit={edit} />
        <OptionalNumberRow
          label={t('settings.attempts')}
          zeroLabel={t('settings.attemptsOff', { n: DEFAULT_ATTEMPTS })}
          fallback={String(DEFAULT_ATTEMPTS)}
          hint={t('settings.attemptsHelp')}
          field="maxAttempts"
          draft={draft}
          errors={errors}
          edit={edit}
        />
        <Row label={t('settings.logLevel')} field="logLevel" error={errors.logLevel} hint={t('settings.logLevelHelp')}>
          {(id, describedBy) => (
            <select id={id} aria-describedby={describedBy} value={draft.logLevel} onChange={(e) => edit('logLevel', e.target.value)}>
              <ValueOptions values={LOG_LEVELS} />
            </select>
          )}
        </Row>
      </fieldset>

      <details className="card">
        <summary>{t('settings.advanced')}</summary>
        <TextRow label={t('settings.apiBase')} field="apiBase" draft={draft} errors={errors} edit={edit} />
        <TextRow label={t('settings.authBase')} field="authBase" draft={draft} errors={errors} edit={edit} />
        <TextRow label={t('settings.oidcBase')} field="oidcBase" draft={draft} errors={errors} edit={edit} />
      </details>

    </form>
    <div className="settings settings-more">
      <ModelAliases />
      <NetworkSettings />
      <Diagnostics />
      <About />
    </div>
    {/* The page's one bar, outside the form so it stays in view down to About. */}
    <div className="form-actions save-bar" data-dirty={unsaved}>
      {(unsaved || !notice) && (
        <span className={unsaved ? 'save-state save-state-dirty' : 'save-state muted'}>{unsaved ? t('settings.unsaved') : t('settings.allSaved')}</span>
      )}
      <button type="submit" form={formId} className="btn btn-primary" disabled={!unsaved || saving}>
        {saving ? t('common.saving') : t('common.save')}
      </button>
      <button
        type="button"
        className="btn"
        disabled={!unsaved || saving}
        onClick={() => {
          setDraft(saved);
          setErrors({});
          setFormError(null);
          revertAll();
        }}
      >
        {t('settings.revert')}
      </button>
      <span role="status" className="muted">
        {notice && t(notice)}
      </span>
    </div>
    </SavePartsContext.Provider>
  );
}

function listenerText(st: Status): string {
  if (st.proxyOn) return i18n.t('settings.listening', { endpoint: st.endpoint });
  return st.error ? i18n.t('settings.notListening', { detail: listenerError(st.error, st.errorText) }) : i18n.t('settings.off');
}


function Row({
  label,
  field,
  error,
  hint,
  children,
}: {
  label: string;
  field: Field;
  error?: string;
  hint?: string;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId() + field;
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="form-row" data-field={field}>
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy)}
      {hint && (
        <span id={hintId} className="muted form-hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={errId} className="error-text form-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

interface RowProps {
  label: string;
  hint?: string;
  field: Field;
  draft: Draft;
  errors: Errors;
  edit: <K extends keyof Draft>(key: K, value: Draft[K]) => void;
}

/** A draft field's text box in its Row; input is what the field's kind adds (numeric, url). */
function InputRow({ label, hint, field, draft, errors, edit, input }: RowProps & { input: InputHTMLAttributes<HTMLInputElement> }) {
  return (
    <Row label={label} field={field} error={errors[field]} hint={hint}>
      {(id, describedBy) => (
        <input
          id={id}
          {...input}
          aria-describedby={describedBy}
          aria-invalid={!!errors[field]}
          value={draft[field] as string}
          onChange={(e) => edit(field, e.target.value)}
        />
      )}
    </Row>
  );
}

function NumberRow(props: RowProps) {
  return <InputRow {...props} input={{ inputMode: 'numeric' }} />;
}

function TextRow(props: RowProps) {
  const { field, draft } = props;
  const hint = field in UPSTREAM_DEFAULTS ? upstreamWarning(field as keyof typeof UPSTREAM_DEFAULTS, draft[field] as string) : undefined;
  return <InputRow {...props} hint={hint} input={{ type: 'url', className: 'wide' }} />;
}

/**
 * A number whose 0 means something else ("no limit", "the default"): the
 * meaning is a checkbox of its own, and the number is asked only without it.
 */
function OptionalNumberRow({
  label,
  zeroLabel,
  fallback,
  hint,
  field,
  draft,
  errors,
  edit,
}: RowProps & { zeroLabel: string; fallback: string }) {
  const value = draft[field] as string;
  const off = value.trim() === '0';
  const last = useRef(off ? fallback : value);
  if (!off) last.current = value;
  return (
    <Row label={label} field={field} error={errors[field]} hint={hint}>
      {(id, describedBy) => (
        <span className="optional-number">
          <label className="check">
            <input type="checkbox" checked={off} onChange={(e) => edit(field, e.target.checked ? '0' : last.current || fallback)} />
            {zeroLabel}
          </label>
          <input
            id={id}
            inputMode="numeric"
            aria-describedby={describedBy}
            aria-invalid={!!errors[field]}
            disabled={off}
            value={off ? '' : value}
            onChange={(e) => edit(field, e.target.value)}
          />
        </span>
      )}
    </Row>
  );
}
