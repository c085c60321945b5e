import { MpError } from '../../shared/errors';

// What went wrong with one retryable attempt. Everything here is bounded and secret-free by construction: a status,
// a fixed phrase for network failures, a number of ms. Never the URL, a header, a body or an underlying error's text
// (undici's messages can quote header values).

export type AttemptFailureKind = 'status' | 'timeout' | 'network';

/** The hook label for a retry; a small fixed set so it can be a metric label. */
export type RetryReason = '429' | '5xx' | 'timeout' | 'network';

export class AttemptFailure extends Error {
  constructor(
    readonly kind: AttemptFailureKind,
    /** the HTTP status, for kind 'status' */
    readonly status?: number,
    /** ms the server asked us to wait (Retry-After / X-RateLimit-Reset), for kind 'status' */
    readonly hintMs?: number,
    /** a fixed phrase such as 'connection reset', for kind 'network' */
    readonly detail?: string,
  ) {
    super(kind === 'status' ? `HTTP ${status}` : (detail ?? kind));
    this.name = 'AttemptFailure';
  }

  get reason(): RetryReason {
    if (this.kind === 'status') {
      if (this.status === 429) return '429';
      // 408 is the server saying it gave up waiting for us: a timeout, not a server fault
      if (this.status === 408) return 'timeout';
      return '5xx';
    }
    return this.kind;
  }
}

/** 429 and 408 ask us to come back; any 5xx may be transient. Everything else is the caller's answer. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}

const NETWORK_PHRASES: Record<string, string> = {
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  // undici's "other side closed": the server dropped the socket
  UND_ERR_SOCKET: 'connection reset',
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connect timeout',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** Maps whatever fetch threw to a fixed phrase, from the `code` (or the 'socket hang up' message) along the cause chain. */
export function networkPhrase(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && typeof cur === 'object' && cur !== null; depth++) {
    if ('code' in cur && typeof cur.code === 'string') {
      const phrase = NETWORK_PHRASES[cur.code];
      if (phrase) return phrase;
    }
    if (cur instanceof Error && cur.message === 'socket hang up') return 'connection reset';
    cur = 'cause' in cur ? cur.cause : undefined;
  }
  return 'network error';
}

/** "after 4 attempts" / "after 1 attempt" */
function attempts(n: number): string {
  return `after ${n} attempt${n === 1 ? '' : 's'}`;
}

/** 200 → "200 ms", 10000 → "10 s", 1500 → "1.5 s" */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/** The error once retries run out: the last attempt's failure decides the code and the message. */
export function exhaustedError(provider: string, last: AttemptFailure, attemptCount: number, timeoutMs: number): MpError {
  if (last.kind === 'timeout') {
    return new MpError('E_TIMEOUT', `${provider}: no answer within ${formatDuration(timeoutMs)} ${attempts(attemptCount)}`);
  }
  if (last.kind === 'status') return new MpError('E_PROVIDER', `${provider}: HTTP ${last.status} ${attempts(attemptCount)}`);
  return new MpError('E_PROVIDER', `${provider}: ${last.detail ?? 'network error'} ${attempts(attemptCount)}`);
}
