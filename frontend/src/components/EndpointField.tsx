import { CopyButton } from './CopyButton';

export function EndpointField({ endpoint }: { endpoint: string }) {
  return (
    <div className="field">
      <span className="field-label">Endpoint</span>
      <code className="field-value" data-testid="endpoint">
        {endpoint || 'Not available'}
      </code>
      <span className="field-actions">
        <CopyButton text={endpoint || null} label="Copy endpoint" />
      </span>
    </div>
  );
}
