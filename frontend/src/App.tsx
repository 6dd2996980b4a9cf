import { useRef, useState } from 'react';
import { AppFooter } from './components/AppFooter';
import { Nav, type NavItem } from './components/Nav';
import { WarningsBanner } from './components/WarningsBanner';
import { useStatus } from './hooks/useStatus';
import { Accounts } from './views/Accounts';
import { Dashboard } from './views/Dashboard';
import { Logs } from './views/Logs';
import { Settings } from './views/Settings';
import { Usage } from './views/Usage';

type ViewId = 'dashboard' | 'accounts' | 'usage' | 'settings' | 'logs';
const views: readonly NavItem<ViewId>[] = [
  { id: 'dashboard', label: 'Dashboard' },
  { id: 'accounts', label: 'Accounts' },
  { id: 'usage', label: 'Usage' },
  { id: 'settings', label: 'Settings' },
  { id: 'logs', label: 'Logs' },
];

export function App() {
  const { status, loadError, retry, apply } = useStatus();
  const [view, setView] = useState<ViewId>('dashboard');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const title = views.find((v) => v.id === view)?.label ?? '';
  const select = (id: ViewId) => {
    setView(id);
    // Move focus to the new view's heading so keyboard and screen-reader
    // users land at its start.
    requestAnimationFrame(() => headingRef.current?.focus());
  };

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Kirodesk</span>
        <Nav items={views} current={view} onSelect={select} />
      </header>
      <main className="content">
        <h1 ref={headingRef} tabIndex={-1}>
          {title}
        </h1>
        {status && (
          <WarningsBanner warnings={status.warnings} onDismiss={() => headingRef.current?.focus()} />
        )}
        {status ? (
          <>
            {view === 'dashboard' && <Dashboard status={status} apply={apply} />}
            {view === 'accounts' && <Accounts />}
            {view === 'usage' && <Usage />}
            {view === 'settings' && <Settings />}
            {view === 'logs' && <Logs />}
          </>
        ) : loadError ? (
          <div className="card" role="alert">
            <p className="error-text">Could not read the proxy status: {loadError}</p>
            <button type="button" className="btn" onClick={retry}>
              Retry
            </button>
          </div>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </main>
      {status && <AppFooter version={status.version} configDir={status.configDir} />}
    </div>
  );
}
