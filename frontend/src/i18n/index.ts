// The window's language: i18next + react-i18next over two catalogs that ship
// in the bundle (en.json, zh-CN.json, nested by area). The Go side decides
// which language is in effect (the setting, else the system's locale, see
// app/ Language and the "language" event); until it says, the window speaks
// English. Components read strings with `const { t } = useTranslation()`.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setFormatLanguage } from '../lib/format';
import en from './en.json';
import zhCN from './zh-CN.json';

/** The languages the window has catalogs for, as the Go side names them. */
export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];
/** What the person chose in Settings: a language, or the system's. */
export type LanguagePreference = 'system' | Language;
/** Go's app.LanguageState. */
export interface LanguageState {
  preference: LanguagePreference;
  effective: Language;
}

export const defaultLanguage: Language = 'en';

export const resources = {
  en: { translation: en },
  'zh-CN': { translation: zhCN },
} as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

/** One of ours for any tag (zh, zh-Hans-CN, zh_CN → zh-CN; anything else → en). */
export function toLanguage(tag: string | undefined | null): Language {
  if (!tag) return defaultLanguage;
  const lower = tag.replace('_', '-').toLowerCase();
  if (lower === 'zh' || lower.startsWith('zh-')) return 'zh-CN';
  return defaultLanguage;
}

function follow(lng: string) {
  setFormatLanguage(lng);
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
}

i18n.on('languageChanged', follow);

void i18n.use(initReactI18next).init({
  resources,
  lng: defaultLanguage,
  fallbackLng: defaultLanguage,
  supportedLngs: [...languages],
  load: 'currentOnly',
  initAsync: false,
  returnNull: false,
  interpolation: { escapeValue: false }, // React escapes
  react: { useSuspense: false },
});
follow(i18n.language);

/** Switches the window to language at once; every mounted useTranslation re-renders. */
export function applyLanguage(tag: string | undefined | null): Promise<unknown> {
  const lng = toLanguage(tag);
  if (i18n.language === lng) return Promise.resolve();
  return i18n.changeLanguage(lng);
}

/**
 * Keeps the window in the language the Go side says is in effect: asks
 * once, then follows every change (the Settings selector, or the tray).
 * A failed first read leaves English. Returns the unsubscribe function.
 */
export function followLanguage(
  read: () => Promise<LanguageState>,
  subscribe: (handler: (state: LanguageState) => void) => () => void,
): () => void {
  let live = true;
  let heard = false; // an event is newer than the first read's answer
  const off = subscribe((state) => {
    heard = true;
    if (live) void applyLanguage(state.effective);
  });
  read().then(
    (state) => {
      if (live && !heard) void applyLanguage(state.effective);
    },
    () => {
      // the binding failed: the window stays in the language it has
    },
  );
  return () => {
    live = false;
    off();
  };
}

export {
  currentFormatLocale,
  exactTime,
  formatBytes,
  formatCredits,
  formatDate,
  formatMs,
  formatNumber,
  localTime,
  relativeTime,
} from '../lib/format';
export { i18n };
