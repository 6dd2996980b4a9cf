import { useTranslation } from 'react-i18next';
import { setupSnippets, snippetPreview, snippetText } from '../lib/snippets';
import { CopyButton } from './CopyButton';

interface Props {
  endpoint: string;
  apiKey: string | null;
  revealed: boolean;
}

/** Ready-to-paste setup for common clients. The key shows only when revealed; Copy always copies it. */
export function SetupBlocks({ endpoint, apiKey, revealed }: Props) {
  useTranslation(); // titles and labels follow the language
  if (!endpoint) return null;
  return (
    <div className="setup-blocks">
      {setupSnippets(endpoint).map((s) => {
        const titleId = `setup-${s.id}`;
        return (
          <section key={s.id} className="setup-block" aria-labelledby={titleId}>
            <div className="setup-head">
              <h3 id={titleId}>{s.title}</h3>
              <CopyButton
                text={s.usesKey && apiKey === null ? null : snippetText(s, apiKey ?? '')}
                label={s.copyLabel}
              />
            </div>
            <pre className="code-block" data-testid={titleId}>
              {snippetPreview(s, apiKey, revealed)}
            </pre>
          </section>
        );
      })}
    </div>
  );
}
