import { useTranslation } from 'react-i18next';
import { CopyButton } from './CopyButton';

export function EndpointField({ endpoint }: { endpoint: string }) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <span className="field-label">{t('endpoint.label')}</span>
      <code className="field-value" data-testid="endpoint">
        {endpoint || t('common.notAvailable')}
      </code>
      <span className="field-actions">
        <CopyButton text={endpoint || null} label={t('endpoint.copy')} />
      </span>
    </div>
  );
}
