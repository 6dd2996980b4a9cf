import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  checkForUpdates,
  dismissUpdate,
  getSettings,
  getUpdateStatus,
  onUpdate,
  openURL,
  toBridgeError,
  updateSettings,
  type UpdateInfo,
} from '../bridge';
import { errorMessage } from '../lib/errors';
import { formatDate } from '../lib/format';
import { useLeaveGuard } from '../lib/leaveGuard';
import { useSavePart } from '../lib/saveParts';
import { ErrorText } from './ErrorText';

/** The release day as the feed gives it (YYYY-MM-DD), in the window's language, whatever the time zone. */
function releaseDay(date: string): string {
  return date ? formatDate(`${date}T00:00:00Z`, { dateStyle: 'medium', timeZone: 'UTC' }) : '';
}

/** The newer release: its link (to the browser, nothing is downloaded) and notes. */
function Release({ info }: { info: UpdateInfo }) {
  const { t } = useTranslation();
  return (
    <>
      <p>
        <a
          href={info.page}
          onClick={(e) => {
            e.preventDefault();
            openURL(info.page);
          }}
        >
          {t('update.download')}
        </a>
      </p>
      {info.notes && (
        <details className="update-notes">
          <summary>{t('update.notes')}</summary>
          <p>{info.notes}</p>
        </details>
      )}
    </>
  );
}

/** The daily check's switch (config.json's updates.check), saved at once. */
function DailyCheck() {
  const { t } = useTranslation();
  const [on, setOn] = useState<boolean | null>(null);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getSettings().then(
      (s) => {
        if (live) setOn(s.updateCheck);
      },
      () => {}, // not ready: the switch stays disabled
    );
    return () => {
      live = false;
    };
  }, []);

  async function change(want: boolean) {
    setSaving(true);
    setError(null);
    try {
      setOn((await updateSettings({ updateCheck: want })).updateCheck);
    } catch (reason) {
      setError(t('update.dailyFailed', { detail: toBridgeError(reason).message }));
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <label className="check">
        <input
          type="checkbox"
          checked={on ?? false}
          disabled={on === null || saving}
          onChange={(e) => void change(e.target.checked)}
        />
        {t('update.daily')}
      </label>
      <p className="muted form-hint">{t('update.dailyHelp')}</p>
      <ErrorText error={error} />
    </>
  );
}

/**
 * Where the check reads the release feed (config.json's updates.feedURL).
 * Go validates it: a refusal comes with its code and is said in the
 * window's language.
 */
function FeedURL() {
  const { t } = useTranslation();
  const id = useId();
  const [saved, setSaved] = useState<{ url: string; fallback: string; env: string } | null>(null);
  const [url, setURL] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // A catalog key, rendered at each render: a language switch re-words it.
  const [notice, setNotice] = useState<'update.feedSaved' | null>(null);
  // Leaving Settings with an unsaved feed URL asks first.
  const dirtyNow = useLeaveGuard();
  dirtyNow.current = !!saved && url.trim() !== saved.url;
  useEffect(() => {
    let live = true;
    getSettings().then(
      (s) => {
        if (!live) return;
        setSaved({ url: s.updateFeedURL, fallback: s.updateFeedURLDefault, env: s.updateFeedURLEnv ?? '' });
        setURL(s.updateFeedURL);
      },
      () => {}, // not ready: the field stays disabled
    );
    return () => {
      live = false;
    };
  }, []);

  /** Saves the feed URL in the field; false when Go refused it (said under the field). */
  async function save(want: string): Promise<boolean> {
    setSaving(true);
    setError(null);
    setNotice(null);
    try {
      const s = await updateSettings({ updateFeedURL: want });
      setSaved({ url: s.updateFeedURL, fallback: s.updateFeedURLDefault, env: s.updateFeedURLEnv ?? '' });
      setURL(s.updateFeedURL);
      setNotice('update.feedSaved');
      return true;
    } catch (reason) {
      setError(t('update.feedFailed', { detail: errorMessage(reason) }));
      return false;
    } finally {
      setSaving(false);
    }
  }

  const value = url.trim();
  // Saved and reverted from Settings' one bar.
  useSavePart('feed', {
    dirty: !!saved && value !== saved.url,
    save: () => save(value),
    revert: () => {
      if (saved) setURL(saved.url);
      setError(null);
    },
  });
  return (
    <form
      className="update-feed"
      noValidate
      onSubmit={(e) => {
        e.preventDefault(); // the page's bar saves, not Enter in the field
      }}
    >
      <label className="form-row" htmlFor={`${id}-feed`}>
        {t('update.feed')}
      </label>
      <input
        id={`${id}-feed`}
        className="wide"
        value={url}
        disabled={saved === null || saving}
        aria-invalid={!!error}
        aria-describedby={`${id}-help`}
        onChange={(e) => {
          setURL(e.target.value);
          setError(null);
          setNotice(null);
        }}
      />
      <p className="muted form-hint" id={`${id}-help`}>
        {t('update.feedHelp')}
      </p>
      {saved?.env && <p className="muted form-hint">{t('update.feedEnv', { url: saved.env })}</p>}
      <ErrorText error={error} />
      <div className="form-actions">
        {saved && value !== saved.fallback && (
          <button
            type="button"
            className="btn"
            disabled={saving}
            onClick={() => {
              setURL(saved.fallback); // an edit like any other: the page's bar saves it
              setError(null);
              setNotice(null);
            }}
          >
            {t('update.feedDefault')}
          </button>
        )}
        <span role="status" className="muted">
          {notice && t(notice)}
        </span>
      </div>
    </form>
  );
}

/**
 * About's "Check for updates": asks the release feed now and says what it
 * found. A check that could not tell says so quietly; why is in the log.
 * Beside it, the switch of the daily check.
 */
export function UpdateCheck() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [info, setInfo] = useState<UpdateInfo | null>(null);
  const [failed, setFailed] = useState(false);
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  async function check() {
    setBusy(true);
    setFailed(false);
    try {
      const got = await checkForUpdates();
      if (live.current) setInfo(got);
    } catch {
      if (live.current) {
        setInfo(null);
        setFailed(true);
      }
    } finally {
      if (live.current) setBusy(false);
    }
  }

  const state = failed ? 'failed' : info?.state;
  return (
    <div className="update-check">
      <button type="button" className="btn" onClick={() => void check()} disabled={busy} aria-busy={busy}>
        {busy ? t('update.checking') : t('update.check')}
      </button>
      <div role="status" aria-live="polite" data-testid="update-result">
        {!busy && state === 'current' && info && <p>{t('update.current', { version: info.current })}</p>}
        {!busy && state === 'available' && info && (
          <>
            <p>{t('update.available', { version: info.version, date: releaseDay(info.date) })}</p>
            <Release info={info} />
          </>
        )}
        {!busy && state === 'failed' && <p className="muted">{t('update.failed')}</p>}
      </div>
      <DailyCheck />
      <FeedURL />
    </div>
  );
}

/**
 * The window's notice of a newer release, from the daily check (or the
 * last one before a restart): it blocks nothing, and closing it hides
 * that version's notice for good (a newer version brings a new one).
 */
export function UpdateNotice() {
  const { t } = useTranslation();
  const id = useId();
  const [info, setInfo] = useState<UpdateInfo | null>(null);
  useEffect(() => {
    let live = true;
    getUpdateStatus().then(
      (got) => {
        if (live) setInfo(got);
      },
      () => {}, // not ready yet: the next check's event says it
    );
    const off = onUpdate((got) => setInfo(got));
    return () => {
      live = false;
      off();
    };
  }, []);
  if (!info || !info.available || info.dismissed || !info.version) return null;

  function dismiss(version: string) {
    setInfo((prev) => (prev ? { ...prev, dismissed: true } : prev));
    dismissUpdate(version).catch(() => {}); // hidden either way; it may come back after a restart
  }

  return (
    <aside className="update-notice" aria-labelledby={`${id}-t`} data-testid="update-notice">
      <div className="update-notice-body">
        <strong id={`${id}-t`}>{t('update.noticeTitle', { version: info.version })}</strong>
        <Release info={info} />
      </div>
      <button
        type="button"
        className="btn"
        aria-label={t('update.dismissLabel', { version: info.version })}
        onClick={() => dismiss(info.version)}
      >
        {t('update.dismiss')}
      </button>
    </aside>
  );
}
