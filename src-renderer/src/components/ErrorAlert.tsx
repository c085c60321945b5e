import type { ErrorValue } from '../../../src-main/shared/errors';

export function ErrorAlert({ error, title }: { error: ErrorValue | null; title?: string }) {
  // The live region is always present so screen readers announce an error that appears in it.
  return (
    <div role="alert" className={error ? 'alert alert-error' : 'alert alert-empty'}>
      {error && (
        <>
          {title && <strong className="alert-title">{title}</strong>}
          <code className="alert-code">{error.code}</code>
          <span className="alert-message">{error.message}</span>
        </>
      )}
    </div>
  );
}
