import { useRef, useState } from 'react';
import { AppFooter } from './components/AppFooter';
import { Nav, type NavItem } from './components/Nav';
import { WarningsBanner } from './components/WarningsBanner';
import { useStatus } from './hooks/useStatus';
import { Dashboard } from './views/Dashboard';

// Accounts, Settings and Logs join this list when their views exist.
type ViewId = 'dashboard';
const views: readonly NavItem<ViewId>[] = [{ id: 'dashboard', label: 'Dashboard' }];

export function App() {
  const { status, loadError, retry, apply } = useStatus();
  const [view, setView] = useState<ViewId>('dashboard');
  const headingRef = useRef<HTMLHeadingElement>(null);
  const title = views.find((v) => v.id === view)?.label ?? '';

  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">Kirodesk</span>
        <Nav items={views} current={view} onSelect={setView} />
      </header>
      <main className="content">
        <h1 ref={headingRef} tabIndex={-1}>
          {title}
        </h1>
        {status && (
          <WarningsBanner warnings={status.warnings} onDismiss={() => headingRef.current?.focus()} />
        )}
        {status ? (
          view === 'dashboard' && <Dashboard status={status} apply={apply} />
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
