import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { deleteImportedFiles, type ImportReport } from '../bridge';
import { useGoText } from '../i18n/gotext';
import { ConfirmButton } from './ConfirmButton';
import { errorMessage } from '../lib/errors';
import { ErrorText } from './ErrorText';

/**
 * What an import of the old proxy did, account by account, and the offer to
 * delete its plaintext credential files: only after the person confirms,
 * and only the files this report listed (the Go side keeps the list).
 */
export function ImportReportView({ report }: { report: ImportReport }) {
  const { t } = useTranslation();
  const goText = useGoText();
  const [deleted, setDeleted] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const n = (o: string) => report.accounts.filter((a) => a.outcome === o).length;
  const files = report.plaintextFiles;
  // Reasons and notes come from Go with codes: in the window's language, else Go's English.
  const notes = report.noteTexts?.length ? report.noteTexts : report.notes.map((text) => ({ text }));
  return (
    <div className="import-report" data-testid="import-report">
      <p>
        <Trans
          i18nKey="importReport.summary"
          count={report.accounts.length}
          values={{ imported: n('imported'), skipped: n('skipped'), failed: n('failed'), dir: report.dir }}
          components={{ dir: <code /> }}
        />
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">{t('importReport.account')}</th>
            <th scope="col">{t('importReport.result')}</th>
            <th scope="col">{t('importReport.why')}</th>
          </tr>
        </thead>
        <tbody>
          {report.accounts.map((a, i) => (
            <tr key={`${a.name}-${i}`}>
              <td>{a.label || a.name}</td>
              <td className={a.outcome === 'failed' ? 'error-text' : undefined}>
                {a.outcome === 'imported' || a.outcome === 'skipped' || a.outcome === 'failed'
                  ? t(`importReport.outcomes.${a.outcome}`)
                  : a.outcome}
              </td>
              <td className="muted">{goText(a.reasonText ?? { text: a.reason ?? '' })}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {notes.map((note) => (
        <p key={note.text} className="muted">
          {goText(note)}
        </p>
      ))}
      {files.length > 0 && deleted === null && (
        <div className="import-delete">
          <p>{t('importReport.plaintext', { count: files.length })}</p>
          <ConfirmButton
            label={t('importReport.delete')}
            question={t('importReport.deleteQuestion', { count: files.length })}
            confirmLabel={t('importReport.deleteConfirm')}
            danger
            onConfirm={async () => {
              try {
                setDeleted(await deleteImportedFiles(report.id));
                setError(null);
              } catch (err) {
                setError(t('importReport.deleteFailed', { detail: errorMessage(err) }));
              }
            }}
          />
        </div>
      )}
      {deleted !== null && (
        <p role="status">{t('importReport.deleted', { count: deleted.length })}</p>
      )}
      <ErrorText error={error} />
    </div>
  );
}
