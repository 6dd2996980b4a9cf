import { useState } from 'react';
import { deleteImportedFiles, type ImportReport } from '../bridge';
import { ConfirmButton } from './ConfirmButton';
import { errorMessage } from '../lib/errors';
import { ErrorText } from './ErrorText';

/**
 * What an import of the old proxy did, account by account, and the offer to
 * delete its plaintext credential files: only after the person confirms,
 * and only the files this report listed (the Go side keeps the list).
 */
export function ImportReportView({ report }: { report: ImportReport }) {
  const [deleted, setDeleted] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const n = (o: string) => report.accounts.filter((a) => a.outcome === o).length;
  const files = report.plaintextFiles;
  return (
    <div className="import-report" data-testid="import-report">
      <p>
        Imported {n('imported')}, skipped {n('skipped')}, failed {n('failed')} of {report.accounts.length} account
        {report.accounts.length === 1 ? '' : 's'} from <code>{report.dir}</code>.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Result</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {report.accounts.map((a, i) => (
            <tr key={`${a.name}-${i}`}>
              <td>{a.label || a.name}</td>
              <td className={a.outcome === 'failed' ? 'error-text' : undefined}>{a.outcome}</td>
              <td className="muted">{a.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.notes.map((note) => (
        <p key={note} className="muted">
          {note}
        </p>
      ))}
      {files.length > 0 && deleted === null && (
        <div className="import-delete">
          <p>
            The old proxy keeps these accounts’ tokens in {files.length} plaintext file{files.length === 1 ? '' : 's'}. Kirodesk
            now keeps them in the keychain.
          </p>
          <ConfirmButton
            label="Delete the plaintext files…"
            question={`Delete ${files.length} credential file${files.length === 1 ? '' : 's'} of the old proxy? It will no longer be able to use these accounts.`}
            confirmLabel="Delete files"
            danger
            onConfirm={async () => {
              try {
                setDeleted(await deleteImportedFiles(report.id));
                setError(null);
              } catch (err) {
                setError(errorMessage(err));
              }
            }}
          />
        </div>
      )}
      {deleted !== null && (
        <p role="status">
          Deleted {deleted.length} file{deleted.length === 1 ? '' : 's'}.
        </p>
      )}
      <ErrorText error={error} />
    </div>
  );
}
