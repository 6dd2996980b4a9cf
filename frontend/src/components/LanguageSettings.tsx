import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { getLanguage, onLanguage, setLanguage, type LanguagePreference, type LanguageState } from '../bridge';
import { applyLanguage } from '../i18n';
import { errorMessage } from '../lib/errors';
import { ErrorText } from './ErrorText';

// Each language's name in itself, whatever the window speaks: a person who
// cannot read the current language still finds their own.
// i18n-ignore: autonyms, the same in every language
const AUTONYMS = { en: 'English', 'zh-CN': '简体中文' } as const;

/**
 * The language of the window and the tray: System / English / 简体中文. It
 * applies at once (no Save): the window switches here, and the Go side
 * tells the tray and any other window through the "language" event.
 */
export function LanguageSettings() {
  const { t } = useTranslation();
  const id = useId();
  const [state, setState] = useState<LanguageState | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    const off = onLanguage((s) => live && setState(s));
    getLanguage().then(
      (s) => live && setState((now) => now ?? s),
      (err: unknown) => live && setError(t('language.readFailed', { detail: errorMessage(err) })),
    );
    return () => {
      live = false;
      off();
    };
    // Subscribed once: t changes with the language, the subscription does not.
  }, []);

  async function choose(preference: LanguagePreference) {
    setBusy(true);
    setError(null);
    try {
      const next = await setLanguage(preference);
      setState(next);
      await applyLanguage(next.effective);
    } catch (err) {
      setError(t('language.failed', { detail: errorMessage(err) }));
    } finally {
      setBusy(false);
    }
  }

  const options: Array<{ value: LanguagePreference; label: string; lang?: string }> = [
    { value: 'system', label: t('language.system') },
    { value: 'en', label: AUTONYMS.en, lang: 'en' },
    { value: 'zh-CN', label: AUTONYMS['zh-CN'], lang: 'zh-CN' },
  ];
  return (
    <section className="card" aria-labelledby={`${id}-t`} data-testid="language-settings">
      <h2 id={`${id}-t`}>{t('language.title')}</h2>
      <div className="form-row">
        <label htmlFor={`${id}-s`}>{t('language.label')}</label>
        <select
          id={`${id}-s`}
          value={state?.preference ?? 'system'}
          disabled={!state || busy}
          aria-describedby={`${id}-h`}
          onChange={(e) => choose(e.target.value as LanguagePreference)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value} lang={o.lang}>
              {o.label}
            </option>
          ))}
        </select>
        <span id={`${id}-h`} className="muted form-hint">
          {state?.preference === 'system' ? t('language.systemNow', { language: AUTONYMS[state.effective] }) : ''}
        </span>
      </div>
      <ErrorText error={error} />
    </section>
  );
}
