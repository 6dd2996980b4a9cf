import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  cancelPlayground,
  copyToClipboard,
  getAPIKey,
  getPlaygroundModels,
  onPlaygroundDelta,
  onPlaygroundDone,
  startPlayground,
  type PlaygroundRequest,
  type PlaygroundSummary,
  type Status,
} from '../bridge';
import { Figures } from '../components/Figures';
import { ValueOptions } from '../components/ValueOptions';
import { useAccounts } from '../hooks/useAccounts';
import { errorMessage } from '../lib/errors';
import { formatCredits, formatMs, formatNumber } from '../lib/format';
import { PLAYGROUND_MAX_TOKENS, playgroundCurl } from '../lib/playground';

/** What a run has sent so far: its pieces by seq, and its end. */
interface Run {
  parts: string[];
  summary: PlaygroundSummary | null;
}

/** The model a try starts with: a mid-priced Claude when there is one. */
function defaultModel(models: string[]): string {
  return models.find((m) => m.includes('sonnet')) ?? models[0] ?? '';
}

/**
 * "Try it": a prompt sent through the local API exactly as a client sends
 * it (the key, the pool or one pinned account, the request log, usage),
 * with the answer streaming in and the request's figures.
 */
export function Playground({ status }: { status: Status }) {
  const { t } = useTranslation();
  const { accounts } = useAccounts();
  const [models, setModels] = useState<string[] | null>(null);
  const [modelsError, setModelsError] = useState<string | null>(null);
  const [model, setModel] = useState('');
  const [account, setAccount] = useState('');
  const [system, setSystem] = useState('');
  const [prompt, setPrompt] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  // Events may arrive before startPlayground resolves with the run's id:
  // every run's events are kept by id, and the current one is shown.
  const [runs, setRuns] = useState<Record<string, Run>>({});
  const runIdRef = useRef<string | null>(null);
  const [copied, setCopied] = useState<{ ok: boolean; error?: string } | null>(null);

  useEffect(() => {
    if (!copied?.ok) return;
    const timer = setTimeout(() => setCopied(null), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  useEffect(() => {
    const offDelta = onPlaygroundDelta((d) =>
      setRuns((all) => {
        const run = all[d.runId] ?? { parts: [], summary: null };
        const parts = [...run.parts];
        parts[d.seq - 1] = d.text;
        return { ...all, [d.runId]: { ...run, parts } };
      }),
    );
    const offDone = onPlaygroundDone((s) =>
      setRuns((all) => ({ ...all, [s.runId]: { parts: all[s.runId]?.parts ?? [], summary: s } })),
    );
    return () => {
      offDelta();
      offDone();
    };
  }, []);

  useEffect(() => {
    if (!status.proxyOn) return;
    let live = true;
    setModelsError(null);
    getPlaygroundModels().then(
      (list) => {
        if (!live) return;
        setModels(list);
        setModel((m) => (m && list.includes(m) ? m : defaultModel(list)));
      },
      (err: unknown) => live && setModelsError(errorMessage(err)),
    );
    getAPIKey().then(
      (k) => live && setKey(k),
      () => live && setKey(null),
    );
    return () => {
      live = false;
    };
  }, [status.proxyOn, status.endpoint]);

  const run = runId ? runs[runId] : undefined;
  const summary = run?.summary ?? null;
  const running = sending || (runId !== null && !summary);
  const answer = run?.parts.join('') ?? '';

  const request: PlaygroundRequest = { model, prompt, system, account, maxTokens: PLAYGROUND_MAX_TOKENS };
  const ready = status.proxyOn && model !== '' && prompt.trim() !== '';
  const curl = ready && key !== null ? playgroundCurl(status.endpoint, key, request) : null;

  async function send(e: { preventDefault: () => void }) {
    e.preventDefault();
    if (!ready || running) return;
    setSending(true);
    setStartError(null);
    setRunId(null);
    try {
      const id = await startPlayground(request);
      runIdRef.current = id;
      setRunId(id);
    } catch (err) {
      setStartError(errorMessage(err));
    } finally {
      setSending(false);
    }
  }

  async function copyCurl() {
    if (curl === null) return;
    try {
      await copyToClipboard(curl);
      setCopied({ ok: true });
    } catch (err) {
      setCopied({ ok: false, error: errorMessage(err) });
    }
  }

  function cancel() {
    const id = runIdRef.current;
    if (id) cancelPlayground(id).catch((err: unknown) => setStartError(errorMessage(err)));
  }

  const accountName = (s: PlaygroundSummary) =>
    s.accountLabel || accounts?.find((a) => a.id === s.account)?.label || s.account || t('playground.unknownAccount');

  /** A finished run's figures, in the order the Dashboard's come. */
  const figures = (s: PlaygroundSummary): Array<[string, string]> => [
    [t('playground.firstByte'), s.firstByteMs >= 0 ? formatMs(s.firstByteMs) : t('playground.none')],
    [t('playground.total'), formatMs(s.totalMs)],
    [t('playground.inputTokens'), formatNumber(s.inputTokens)],
    [t('playground.outputTokens'), formatNumber(s.outputTokens)],
    [t('playground.credits'), s.credits != null ? formatCredits(s.credits) : t('playground.notReported')],
    [
      t('playground.servedBy'),
      s.account || s.accountLabel
        ? s.pinned
          ? t('playground.servedByPinned', { account: accountName(s) })
          : accountName(s)
        : t('playground.none'),
    ],
  ];

  return (
    <div className="playground">
      <form className="card" onSubmit={send} aria-label={t('playground.formLabel')}>
        <p className="muted">{t('playground.intro')}</p>
        {!status.proxyOn && (
          <p className="error-text" role="alert">
            {t('playground.proxyOff')}
          </p>
        )}
        <div className="form-row">
          <label htmlFor="pg-model">{t('playground.model')}</label>
          <select
            id="pg-model"
            value={model}
            disabled={!models || models.length === 0}
            onChange={(e) => setModel(e.target.value)}
          >
            {!models && <option value="">{t('playground.modelsLoading')}</option>}
            <ValueOptions values={models} />
          </select>
          {modelsError && (
            <span className="error-text form-error" role="alert">
              {t('playground.modelsFailed', { reason: modelsError })}
            </span>
          )}
        </div>
        <div className="form-row">
          <label htmlFor="pg-account">{t('playground.account')}</label>
          <select id="pg-account" value={account} onChange={(e) => setAccount(e.target.value)}>
            <option value="">{t('playground.pool')}</option>
            {accounts?.map((a) => (
              <option key={a.id} value={a.id} disabled={a.disabled}>
                {a.disabled ? t('playground.accountOff', { label: a.label }) : a.label}
              </option>
            ))}
          </select>
          <span className="muted form-hint">
            {account ? t('playground.pinnedHint') : t('playground.poolHint')}
          </span>
        </div>
        <div className="form-row">
          <label htmlFor="pg-system">{t('playground.system')}</label>
          <textarea id="pg-system" rows={2} value={system} onChange={(e) => setSystem(e.target.value)} />
        </div>
        <div className="form-row">
          <label htmlFor="pg-prompt">{t('playground.prompt')}</label>
          <textarea
            id="pg-prompt"
            rows={4}
            value={prompt}
            placeholder={t('playground.promptPlaceholder')}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={(e) => {
              // Ctrl+Enter (⌘ on macOS) sends, as in chat apps.
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
            }}
          />
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={!ready || running}>
            {running ? t('playground.sending') : t('playground.send')}
          </button>
          {running && (
            <button type="button" className="btn" onClick={cancel} disabled={!runId}>
              {t('playground.cancel')}
            </button>
          )}
          <button type="button" className="btn" disabled={curl === null} onClick={copyCurl}>
            {t('playground.copyCurl')}
          </button>
          <span className={copied && !copied.ok ? 'error-text' : 'muted'} role="status">
            {copied === null
              ? t('playground.copyCurlHint')
              : copied.ok
                ? t('common.copied')
                : t('playground.copyFailed', { reason: copied.error ?? '' })}
          </span>
        </div>
      </form>

      <section className="card" aria-labelledby="pg-answer-title">
        <h2 id="pg-answer-title">{t('playground.answer')}</h2>
        <div role="status" aria-live="polite" className="playground-state">
          {startError && <p className="error-text">{t('playground.failed', { reason: startError })}</p>}
          {running && answer === '' && <p className="muted">{t('playground.waiting')}</p>}
          {summary?.cancelled && <p className="muted">{t('playground.cancelled')}</p>}
          {summary && !summary.ok && !summary.cancelled && (
            <p className="error-text">{t('playground.failed', { reason: summary.error ?? '' })}</p>
          )}
        </div>
        {runId === null && !startError && <p className="muted">{t('playground.empty')}</p>}
        {answer !== '' && (
          <pre className="playground-answer" data-testid="playground-answer">
            {answer}
          </pre>
        )}
        {summary && <Figures items={figures(summary)} className="playground-figures" testId="playground-figures" />}
      </section>
    </div>
  );
}
