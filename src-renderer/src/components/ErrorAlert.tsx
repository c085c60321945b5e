import type { ReactNode } from 'react';
import type { ErrorValue } from '../../../src-main/shared/errors';
import { errorWords } from '../errorWords';

/**
 * An error in words: the title (or the code's plain meaning), then the message; the code on hover (title) and in a
 * details disclosure. `children` replaces the message's text (e.g. a query error laid out on its lines).
 */
export function ErrorAlert({ error, title, children }: { error: ErrorValue | null; title?: string; children?: ReactNode }) {
  // The live region is always present so screen readers announce an error that appears in it.
  return (
    <div role="alert" className={error ? 'alert alert-error' : 'alert alert-empty'} title={error ? `Error code ${error.code}` : undefined}>
      {error && (
        <>
          <strong className="alert-title">{title ?? errorWords(error.code)}</strong>
          {title && <span className="alert-words">{errorWords(error.code)}.</span>}
          <span className="alert-message">{children ?? error.message}</span>
          <details className="alert-details">
            <summary>Details</summary>
            Error code <code className="alert-code">{error.code}</code>
          </details>
        </>
      )}
    </div>
  );
}
