import { useMemo, useRef, useState } from 'react';
import { getLogs, getRequests, type LogLine, type RequestLine } from '../bridge';
import { CopyButton } from '../components/CopyButton';
import { usePoll } from '../hooks/usePoll';
import { errorMessage } from '../lib/errors';

const KEEP = 1000;

type Tab = 'requests' | 'app';

export function requestText(r: RequestLine): string {
  const t = new Date(r.time).toLocaleTimeString();
  const acct = r.accountLabel || r.account || '-';
  return `${t} ${r.method} ${r.path} ${r.model || '-'} ${acct} ${r.status} ${r.latencyMs}ms ${r.inputTokens}/${r.outputTokens} tok`;
}

/** Live tail of the app's log and of the proxy's requests. */
export function Logs({ intervalMs = 1000 }: { intervalMs?: number }) {
  const [tab, setTab] = useState<Tab>('requests');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [requests, setRequests] = useState<RequestLine[]>([]);
  const [filter, setFilter] = useState('');
  const [level, setLevel] = useState('all');
  const [error, setError] = useState<string | null>(null);
  const seq = useRef({ log: 0, req: 0 });

  usePoll(async () => {
    try {
      const [newLines, newReqs] = await Promise.all([getLogs(seq.current.log), getRequests(seq.current.req)]);
      if (newLines.length > 0) {
        seq.current.log = newLines[newLines.length - 1]!.seq;
        setLines((old) => [...old, ...newLines].slice(-KEEP));
      }
      if (newReqs.length > 0) {
        seq.current.req = newReqs[newReqs.length - 1]!.seq;
        setRequests((old) => [...old, ...newReqs].slice(-KEEP));
      }
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, intervalMs);

  const needle = filter.trim().toLowerCase();
  const shownLines = useMemo(
    () =>
      lines.filter(
        (l) => (level === 'all' || l.level === level) && (!needle || l.text.toLowerCase().includes(needle)),
      ),
    [lines, level, needle],
  );
  const shownReqs = useMemo(
    () => requests.filter((r) => !needle || requestText(r).toLowerCase().includes(needle)),
    [requests, needle],
  );
  const copyText =
    tab === 'app' ? shownLines.map((l) => l.text).join('\n') : shownReqs.map(requestText).join('\n');

  return (
    <div className="logs">
      <div className="toolbar" role="toolbar" aria-label="Log view">
        <div
          className="tabs"
          role="tablist"
          aria-label="Log"
          onKeyDown={(e) => {
            // The ARIA tabs pattern: arrow keys move between tabs.
            if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
            const next: Tab = tab === 'requests' ? 'app' : 'requests';
            setTab(next);
            document.getElementById(`tab-${next}`)?.focus();
          }}
        >
          {(['requests', 'app'] as const).map((t) => (
            <button
              key={t}
              type="button"
              role="tab"
              id={`tab-${t}`}
              aria-selected={tab === t}
              aria-controls={`panel-${t}`}
              tabIndex={tab === t ? 0 : -1}
              className={tab === t ? 'tab tab-current' : 'tab'}
              onClick={() => setTab(t)}
            >
              {t === 'requests' ? `Requests (${requests.length})` : `App log (${lines.length})`}
            </button>
          ))}
        </div>
        <label className="inline">
          Filter{' '}
          <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="text, model, status…" />
        </label>
        {tab === 'app' && (
          <label className="inline">
            Level{' '}
            <select value={level} onChange={(e) => setLevel(e.target.value)}>
              <option value="all">all</option>
              <option value="debug">debug</option>
              <option value="info">info</option>
              <option value="warn">warn</option>
              <option value="error">error</option>
            </select>
          </label>
        )}
        <CopyButton text={copyText || null} label={tab === 'app' ? 'Copy log lines' : 'Copy requests'} />
      </div>
      {error && (
        <p className="error-text" role="alert">
          Could not read the logs: {error}
        </p>
      )}
      {tab === 'requests' ? (
        <div id="panel-requests" role="tabpanel" aria-labelledby="tab-requests" className="table-wrap">
          {shownReqs.length === 0 ? (
            <p className="muted">No requests yet.</p>
          ) : (
            <table className="table" data-testid="request-log">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Request</th>
                  <th scope="col">Model</th>
                  <th scope="col">Account</th>
                  <th scope="col">Status</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Tokens in/out</th>
                </tr>
              </thead>
              <tbody>
                {shownReqs
                  .slice()
                  .reverse()
                  .map((r) => (
                    <tr key={r.seq} className={r.status >= 400 ? 'row-error' : undefined}>
                      <td>{new Date(r.time).toLocaleTimeString()}</td>
                      <td className="mono">
                        {r.method} {r.path}
                      </td>
                      <td>{r.model || '–'}</td>
                      <td>{r.accountLabel || r.account || '–'}</td>
                      <td>{r.status}</td>
                      <td>{r.latencyMs} ms</td>
                      <td>
                        {r.inputTokens}/{r.outputTokens}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
        </div>
      ) : (
        <div id="panel-app" role="tabpanel" aria-labelledby="tab-app">
          <pre className="code-block log-lines" data-testid="app-log" tabIndex={0}>
            {shownLines.length === 0 ? 'No log lines yet.' : shownLines.map((l) => l.text).join('\n')}
          </pre>
        </div>
      )}
    </div>
  );
}
