import { useEffect, useId, useState } from 'react';
import { getVersion } from '../bridge';
import { UpdateCheck } from './UpdateCheck';

/** The About box: what this build is. */
export function About() {
  const id = useId();
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    getVersion().then(setVersion, () => setVersion('unknown'));
  }, []);
  return (
    <section className="card" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>About Kirodesk</h2>
      <p>
        Kirodesk <span data-testid="version">{version ?? '…'}</span>: your Kiro accounts as a local Anthropic- and
        OpenAI-compatible API.
      </p>
      <UpdateCheck />
    </section>
  );
}
