import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../lib/errors';
import type { GoText } from '../i18n/gotext';
import { listenerError } from '../lib/proxy';
import { StatusIcon, type IconName } from './StatusIcon';

/** The state in words with an icon, never the switch's colour alone. */
const ICON: Record<'working' | 'on' | 'off', IconName> = { working: 'working', on: 'ok', off: 'paused' };

interface Props {
  on: boolean;
  /** The listener's own error from Status (e.g. port in use); "" when fine. */
  statusError: string;
  /** The same for the window, coded (Status.errorText), when Go sent one. */
  statusErrorText?: GoText;
  onChange: (on: boolean) => Promise<void>;
}

/** The proxy on/off switch. Errors show right under it, where the person looks. */
export function ProxySwitch({ on, statusError, statusErrorText, onChange }: Props) {
  const { t } = useTranslation();
  const [pending, setPending] = useState(false);
  const [callError, setCallError] = useState<string | null>(null);
  const errorId = useId();

  // A change from elsewhere (tray, another call) makes an old failure stale.
  useEffect(() => setCallError(null), [on]);

  async function toggle() {
    if (pending) return;
    setPending(true);
    setCallError(null);
    try {
      await onChange(!on);
    } catch (err) {
      setCallError(errorMessage(err));
    } finally {
      setPending(false);
    }
  }

  // Go's words (the listener's error, a refused call) are the detail of a sentence of ours.
  const error =
    callError !== null
      ? t('proxy.switchFailed', { detail: callError })
      : statusError
        ? t('proxy.notListening', { detail: listenerError(statusError, statusErrorText) })
        : null;

  return (
    <div className="proxy-switch">
      <button
        type="button"
        role="switch"
        className="switch"
        aria-checked={on}
        aria-disabled={pending || undefined}
        aria-describedby={error ? errorId : undefined}
        onClick={toggle}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="switch-label">{t('proxy.label')}</span>
      </button>
      <span className="switch-state" aria-live="polite" data-testid="proxy-state">
        <StatusIcon name={pending ? ICON.working : on ? ICON.on : ICON.off} />{' '}
        {pending ? t('proxy.working') : on ? t('proxy.on') : t('proxy.off')}
      </span>
      {error && (
        <p id={errorId} className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
