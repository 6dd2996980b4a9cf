import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AppFooter } from './components/AppFooter';
import { Nav, type NavItem } from './components/Nav';
import { UpdateNotice } from './components/UpdateCheck';
import { WarningsBanner } from './components/WarningsBanner';
import { useStatus } from './hooks/useStatus';
import { hasUnsavedEdits } from './lib/leaveGuard';
import { Accounts } from './views/Accounts';
import { Dashboard } from './views/Dashboard';
import { Logs } from './views/Logs';
import { Playground } from './views/Playground';
import { Settings } from './views/Settings';
import { Usage } from './views/Usage';

type ViewId = 'dashboard' | 'accounts' | 'playground' | 'usage' | 'settings' | 'logs';
// Try it follows Accounts: add an account, then try it.
const viewIds: readonly ViewId[] = ['dashboard', 'accounts', 'playground', 'usage', 'settings', 'logs'];

export function App() {
  const { t } = useTranslation();
  const views: readonly NavItem<ViewId>[] = viewIds.map((id) => ({
    id,
    label: id === 'playground' ? t('playground.nav') : t(`app.views.${id}`),
  }));
  const { status, loadError, retry, apply } = useStatus();
  const [view, setView] = useState<ViewId>('dashboard');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const title = views.find((v) => v.id === view)?.label ?? '';
  const [pending, setPending] = useState<ViewId | null>(null);
  const stayRef = useRef<HTMLButtonElement>(null);
  const go = (id: ViewId) => {
    setPending(null);
    setView(id);
    // Move focus to the new view's heading so keyboard and screen-reader
    // users land at its start.
    requestAnimationFrame(() => headingRef.current?.focus());
  };
  // Leaving a view with unsaved edits asks first.
  const select = (id: ViewId) => {
    if (id === view) return;
    if (hasUnsavedEdits()) setPending(id);
    else go(id);
  };
  const selectRef = useRef(select);
  selectRef.current = select;

  // Ctrl+1…6 (⌘ on macOS) switch views.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
      const n = Number(e.key);
      const target = Number.isInteger(n) && n >= 1 ? viewIds[n - 1] : undefined;
      if (!target) return;
      e.preventDefault();
      selectRef.current(target);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (pending) stayRef.current?.focus();
  }, [pending]);

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          headingRef.current?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.brand')}</span>
        <Nav items={views} current={view} onSelect={select} />
      </header>
      <main className="content" id="main">
        <h1 ref={headingRef} tabIndex={-1}>
          {title}
        </h1>
        {status && (
          <WarningsBanner warnings={status.warnings} onDismiss={() => headingRef.current?.focus()} />
        )}
        {status && <UpdateNotice />}
        {status ? (
          <>
            {view === 'dashboard' && (
              <Dashboard status={status} apply={apply} onNavigate={(to) => select(to)} />
            )}
            {view === 'accounts' && <Accounts />}
            {view === 'playground' && <Playground status={status} />}
            {view === 'usage' && <Usage />}
            {view === 'settings' && <Settings status={status} />}
            {view === 'logs' && <Logs />}
          </>
        ) : loadError ? (
          <div className="card" role="alert">
            <p className="error-text">{t('app.statusFailed', { detail: loadError })}</p>
            <button type="button" className="btn" onClick={retry}>
              {t('common.retry')}
            </button>
          </div>
        ) : (
          <p className="muted">{t('common.loading')}</p>
        )}
      </main>
      {pending && (
        <div className="modal-backdrop">
          <div
            className="modal card"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="leave-title"
            aria-describedby="leave-text"
            onKeyDown={(e) => {
              if (e.key === 'Escape') setPending(null);
            }}
          >
            <h2 id="leave-title">{t('app.leaveTitle')}</h2>
            <p id="leave-text">{t('app.leaveText')}</p>
            <div className="form-actions">
              <button type="button" className="btn btn-primary" ref={stayRef} onClick={() => setPending(null)}>
                {t('app.stay')}
              </button>
              <button type="button" className="btn" onClick={() => go(pending)}>
                {t('app.leave')}
              </button>
            </div>
          </div>
        </div>
      )}
      {status && <AppFooter version={status.version} configDir={status.configDir} />}
    </div>
  );
}
