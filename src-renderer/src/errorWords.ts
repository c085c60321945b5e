import type { ErrorCode } from '../../src-main/shared/errors';

/** Each error code in plain words: what the user reads first; the code itself stays available on hover and in details. */
const WORDS: Record<ErrorCode, string> = {
  E_BAD_INPUT: 'Please check the input',
  E_NOT_FOUND: 'Not found',
  E_CONFLICT: 'Conflicts with what is already there',
  E_PROVIDER: 'The data provider failed',
  E_PROVIDER_AUTH: 'The data provider refused the credentials',
  E_QUERY: 'The query could not run',
  E_READ_ONLY: 'Only reading statements can run here',
  E_TIMEOUT: 'Took too long and was stopped',
  E_QUERY_MEMORY: 'The query needed more memory than allowed and was stopped',
  E_CANCELLED: 'Cancelled',
  E_INTERRUPTED: 'Interrupted when the engine stopped',
  E_DB: 'The app database failed',
  E_MIGRATION: 'The app database could not be upgraded',
  E_FORBIDDEN: 'Not allowed',
  E_IO: 'A file could not be read or written',
  E_DISK_FULL: 'Not enough free disk space',
  E_INTERNAL: 'Something went wrong in the engine',
};

export function errorWords(code: string): string {
  return (WORDS as Record<string, string>)[code] ?? 'Something went wrong';
}

/** An error as one line of words: "The data provider failed: 503 from upstream" (the code stays out of the text). */
export function errorText(e: { code: string; message: string }): string {
  return `${errorWords(e.code)}: ${e.message}`;
}
