import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { exportRequests, getAccounts, getLogs, getRequests, type LogLine, type RequestLine } from '../bridge';
import { CopyButton } from '../components/CopyButton';
import { RequestDetail, StatusBadge } from '../components/RequestDetail';
import { ValueOptions } from '../components/ValueOptions';
import { VirtualList } from '../components/VirtualList';
import { usePoll } from '../hooks/usePoll';
import { errorMessage } from '../lib/errors';
import { exactTime, formatMs, formatNumber, localTime } from '../lib/format';

const KEEP_REQUESTS = 10_000;
const KEEP_LINES = 1000;
const ROW_HEIGHT = 34;

/** The view's strings in the window's language (re-read on every render). */
function useText() {
  const { t } = useTranslation();
  return {
    tabRequests: t('logs.tabRequests'),
    tabApp: t('logs.tabApp'),
    tabCount: (tab: string, n: number) => t('logs.tabCount', { tab, n: formatNumber(n) }),
    view: t('logs.view'),
    tabs: t('logs.tabs'),
    filter: t('logs.filter'),
    filterHint: t('logs.filterHint'),
    filterKey: t('logs.filterKey'),
    errorsOnly: t('logs.errorsOnly'),
    status: t('logs.status'),
    account: t('logs.account'),
    model: t('logs.model'),
    client: t('logs.client'),
    level: t('logs.level'),
    all: t('logs.all'),
    follow: t('logs.follow'),
    export: t('logs.export'),
    exported: (path: string) => t('logs.exported', { path }),
    noRequests: t('logs.noRequests'),
    noMatch: t('logs.noMatch'),
    noLines: t('logs.noLines'),
    readFailed: (detail: string) => t('logs.readFailed', { detail }),
    exportFailed: (detail: string) => t('logs.exportFailed', { detail }),
    list: t('logs.list'),
    shown: (n: number, of: number) => t('logs.shown', { count: n, total: formatNumber(of) }),
    copyLines: t('logs.copyLines'),
    copyRequests: t('logs.copyRequests'),
    time: t('logs.time'),
    request: t('logs.request'),
    timeTaken: t('logs.timeTaken'),
    otherClient: t('logs.otherClient'),
  };
}

const STATUS_CLASSES = ['2xx', '4xx', '5xx'] as const;
// Log levels are written as the log file and the setting write them.
const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

type Tab = 'requests' | 'app';

export interface RequestFilters {
  text: string;
  errorsOnly: boolean;
  status: string; // 'all' | '2xx' | '4xx' | '5xx'
  account: string; // label (or id), 'all'
  model: string;
  client: string;
}

export const noFilters: RequestFilters = { text: '', errorsOnly: false, status: 'all', account: 'all', model: 'all', client: 'all' };

// The account that answered or, for a request none answered, the last one
// tried: the one a person looking at a failure wants to filter on.
const accountName = (r: RequestLine) => {
  const last = r.tries?.[r.tries.length - 1];
  return r.accountLabel || r.account || last?.label || last?.account || '';
};

/** The model as a person reads it: "gpt-4o → claude-sonnet-4.6" when an alias served it. */
export const modelName = (r: RequestLine) => (r.requestedModel ? `${r.requestedModel} → ${r.model || '–'}` : r.model || '');

export function requestText(r: RequestLine): string {
  const acct = accountName(r) || '-';
  return `${localTime(r.time)} ${r.method} ${r.path} ${modelName(r) || '-'} ${acct} ${r.status} ${r.latencyMs}ms ${r.inputTokens}/${r.outputTokens} tok ${r.client || ''}${r.error ? ' ' + r.error : ''}`;
}

export function matches(r: RequestLine, f: RequestFilters): boolean {
  if (f.errorsOnly && r.status < 400) return false;
  if (f.status !== 'all' && `${Math.floor(r.status / 100)}xx` !== f.status) return false;
  if (f.account !== 'all' && accountName(r) !== f.account) return false;
  if (f.model !== 'all' && (r.model || '') !== f.model) return false;
  if (f.client !== 'all' && (r.client || 'other') !== f.client) return false;
  const needle = f.text.trim().toLowerCase();
  return !needle || requestText(r).toLowerCase().includes(needle);
}

function distinct(rs: RequestLine[], key: (r: RequestLine) => string): string[] {
  const s = new Set<string>();
  for (const r of rs) {
    const v = key(r);
    if (v) s.add(v);
  }
  return [...s].sort();
}

// The log's text form is "time=… level=… msg=… key=value…": the time and
// level are shown apart, and account ids get their names.
export function logLineText(l: LogLine, labels: Map<string, string>): string {
  const text = l.text
    .replace(/^time=\S+\s+level=\S+\s+/, '')
    .replace(/^msg=(?:"((?:[^"\\]|\\.)*)"|(\S+))/, (_all, quoted?: string, bare?: string) => quoted ?? bare ?? '');
  return text.replace(/\baccount=("?)([\w-]+)\1/g, (all, _q, id: string) => {
    const label = labels.get(id);
    return label ? `account="${label}"` : all;
  });
}

function Choice({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange: (v: string) => void }) {
  const T = useText();
  return (
    <label className="inline">
      {label}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="all">{T.all}</option>
        <ValueOptions values={options} />
      </select>
    </label>
  );
}

/** Live tail of the app's log and of the proxy's requests. */
export function Logs({ intervalMs = 1000 }: { intervalMs?: number }) {
  const T = useText();
  const [tab, setTab] = useState<Tab>('requests');
  const [lines, setLines] = useState<LogLine[]>([]);
  const [requests, setRequests] = useState<RequestLine[]>([]);
  const [filters, setFilters] = useState<RequestFilters>(noFilters);
  const [level, setLevel] = useState('all');
  const [follow, setFollow] = useState(true);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportNote, setExportNote] = useState<string | null>(null);
  const [labels, setLabels] = useState<Map<string, string>>(new Map());
  const seq = useRef({ log: 0, req: 0 });
  const filterRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    getAccounts()
      .then((as) => setLabels(new Map(as.map((a) => [a.id, a.label]))))
      .catch(() => {}); // ids stay shown: the log still reads
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement | null;
      const typing = t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT');
      if (e.key === '/' && !typing) {
        e.preventDefault();
        filterRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  usePoll(async () => {
    try {
      const [newLines, newReqs] = await Promise.all([getLogs(seq.current.log), getRequests(seq.current.req)]);
      if (newLines.length > 0) {
        seq.current.log = newLines[newLines.length - 1]!.seq;
        setLines((old) => [...old, ...newLines].slice(-KEEP_LINES));
      }
      if (newReqs.length > 0) {
        seq.current.req = newReqs[newReqs.length - 1]!.seq;
        setRequests((old) => [...old, ...newReqs].slice(-KEEP_REQUESTS));
      }
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, intervalMs);

  const set = (patch: Partial<RequestFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const shownReqs = useMemo(() => requests.filter((r) => matches(r, filters)), [requests, filters]);
  const accounts = useMemo(() => distinct(requests, accountName), [requests]);
  const models = useMemo(() => distinct(requests, (r) => r.model || ''), [requests]);
  const clients = useMemo(() => distinct(requests, (r) => r.client || 'other'), [requests]);
  const needle = filters.text.trim().toLowerCase();
  const shownLines = useMemo(
    () =>
      lines.filter((l) => (level === 'all' || l.level === level) && (!needle || l.text.toLowerCase().includes(needle))),
    [lines, level, needle],
  );
  const detail = selected === null ? undefined : requests.find((r) => r.seq === selected);
  const copyText = tab === 'app' ? shownLines.map((l) => l.text).join('\n') : shownReqs.map(requestText).join('\n');

  const doExport = async () => {
    setExportNote(null);
    try {
      const path = await exportRequests();
      if (path) setExportNote(T.exported(path));
    } catch (err) {
      setExportNote(T.exportFailed(errorMessage(err)));
    }
  };

  return (
    <div className="logs">
      <div className="toolbar toolbar-sticky" role="toolbar" aria-label={T.view}>
        <div
          className="tabs"
          role="tablist"
          aria-label={T.tabs}
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
              {t === 'requests'
                ? T.tabCount(T.tabRequests, requests.length)
                : T.tabCount(T.tabApp, lines.length)}
            </button>
          ))}
        </div>
        <label className="inline">
          {T.filter}{' '}
          <input
            ref={filterRef}
            type="search"
            value={filters.text}
            onChange={(e) => set({ text: e.target.value })}
            onKeyDown={(e) => {
              if (e.key === 'Escape') set({ text: '' });
            }}
            placeholder={T.filterHint}
            title={T.filterKey}
          />
        </label>
        {tab === 'requests' ? (
          <>
            <label className="inline">
              <input type="checkbox" checked={filters.errorsOnly} onChange={(e) => set({ errorsOnly: e.target.checked })} />{' '}
              {T.errorsOnly}
            </label>
            <Choice label={T.status} value={filters.status} options={[...STATUS_CLASSES]} onChange={(v) => set({ status: v })} />
            <Choice label={T.account} value={filters.account} options={accounts} onChange={(v) => set({ account: v })} />
            <Choice label={T.model} value={filters.model} options={models} onChange={(v) => set({ model: v })} />
            <Choice label={T.client} value={filters.client} options={clients} onChange={(v) => set({ client: v })} />
            <label className="inline">
              <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> {T.follow}
            </label>
            <button type="button" className="btn" onClick={() => void doExport()} disabled={requests.length === 0}>
              {T.export}
            </button>
          </>
        ) : (
          <Choice label={T.level} value={level} options={LEVELS} onChange={setLevel} />
        )}
        <CopyButton text={copyText || null} label={tab === 'app' ? T.copyLines : T.copyRequests} />
      </div>
      {error && (
        <p className="error-text" role="alert">
          {T.readFailed(error)}
        </p>
      )}
      {exportNote && (
        <p className="muted" role="status">
          {exportNote}
        </p>
      )}
      {tab === 'requests' ? (
        <div id="panel-requests" role="tabpanel" aria-labelledby="tab-requests" className="requests-panel">
          <div className="requests-main">
            {requests.length === 0 ? (
              <p className="muted">{T.noRequests}</p>
            ) : shownReqs.length === 0 ? (
              <p className="muted">{T.noMatch}</p>
            ) : (
              <>
                <p className="muted" aria-live="polite">
                  {T.shown(shownReqs.length, requests.length)}
                </p>
                <div className="vhead" aria-hidden="true">
                  <span>{T.time}</span>
                  <span>{T.request}</span>
                  <span>{T.model}</span>
                  <span>{T.account}</span>
                  <span>{T.status}</span>
                  <span>{T.timeTaken}</span>
                  <span>{T.client}</span>
                </div>
                <VirtualList
                  items={shownReqs}
                  rowHeight={ROW_HEIGHT}
                  follow={follow}
                  onFollowChange={setFollow}
                  label={T.list}
                  className="request-log"
                  renderRow={(r) => (
                    <button
                      type="button"
                      className={`request-row${r.status >= 400 ? ' row-error' : ''}${r.seq === selected ? ' row-selected' : ''}`}
                      aria-pressed={r.seq === selected}
                      data-testid="request-row"
                      onClick={() => setSelected(r.seq === selected ? null : r.seq)}
                    >
                      <span title={exactTime(r.time)}>{localTime(r.time)}</span>
                      {/* A narrow window cuts long values with an ellipsis: the whole value shows on hover. */}
                      <span className="mono" title={`${r.method} ${r.path}`}>
                        {r.method} {r.path}
                      </span>
                      <span title={modelName(r) || undefined}>{modelName(r) || '–'}</span>
                      <span title={accountName(r) || undefined}>{accountName(r) || '–'}</span>
                      <StatusBadge status={r.status} />
                      <span>{formatMs(r.latencyMs)}</span>
                      <span title={r.client || undefined}>{r.client || T.otherClient}</span>
                    </button>
                  )}
                />
              </>
            )}
          </div>
          {detail && <RequestDetail request={detail} onClose={() => setSelected(null)} />}
        </div>
      ) : (
        <div id="panel-app" role="tabpanel" aria-labelledby="tab-app">
          {shownLines.length === 0 ? (
            <p className="muted">{T.noLines}</p>
          ) : (
            <ol className="code-block log-lines" data-testid="app-log" tabIndex={0}>
              {shownLines.map((l) => (
                <li key={l.seq}>
                  <time dateTime={l.time} title={exactTime(l.time)}>
                    {localTime(l.time)}
                  </time>{' '}
                  <span className={`badge level level-${l.level}`}>{l.level.toUpperCase()}</span>{' '}
                  <span>{logLineText(l, labels)}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </div>
  );
}
