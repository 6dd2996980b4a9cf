/**
 * A failure said in place, announced to screen readers; nothing when there is
 * none. className adds to error-text (form-error: under a form's field).
 */
export function ErrorText({ error, className }: { error: string | null | undefined; className?: string }) {
  if (!error) return null;
  return (
    <p className={className ? `error-text ${className}` : 'error-text'} role="alert">
      {error}
    </p>
  );
}
