import { useEffect, useId, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { getVersion } from '../bridge';
import { UpdateCheck } from './UpdateCheck';

/** The About box: what this build is. */
export function About() {
  const { t } = useTranslation();
  const id = useId();
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    getVersion().then(setVersion, () => setVersion(''));
  }, []);
  return (
    <section className="card" aria-labelledby={`${id}-t`}>
      <h2 id={`${id}-t`}>{t('about.title')}</h2>
      <p>
        <Trans
          i18nKey="about.body"
          values={{ version: version === null ? '…' : version || t('common.unknown') }}
          components={{ v: <span data-testid="version" /> }}
        />
      </p>
      <UpdateCheck />
    </section>
  );
}
