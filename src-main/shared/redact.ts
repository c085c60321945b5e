// Secrets never reach logs, files, events or the renderer. Path-based redaction (pino's) cannot catch a key that
// a provider echoes inside an error message, so we redact by VALUE: every known secret, wherever it appears.

/** Environment variables that hold credentials. Their values are redacted everywhere. */
export const SECRET_ENV_VARS = ['ALPACA_KEY', 'ALPACA_SECRET', 'POLYGON_API_KEY', 'IEX_TOKEN'] as const;

export const REDACTED = '[redacted]';

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string>, minLength = 6) {
    // Longest first, so a secret that contains another is replaced whole. Very short values are not secrets worth
    // the false positives (and would shred ordinary text).
    this.secrets = [...new Set([...secrets].filter((s) => s.length >= minLength))].sort((a, b) => b.length - a.length);
  }

  static fromEnv(env: NodeJS.ProcessEnv): Redactor {
    return new Redactor(SECRET_ENV_VARS.map((k) => env[k] ?? '').flatMap((v) => [v, encodeURIComponent(v)]));
  }

  get empty(): boolean {
    return this.secrets.length === 0;
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  }

  /** A deep copy with every string redacted (plain data only: what goes into logs, events and results). */
  value<T>(v: T): T {
    if (this.empty) return v;
    return this.walk(v) as T;
  }

  private walk(v: unknown): unknown {
    if (typeof v === 'string') return this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x));
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.walk(x)]));
    }
    return v;
  }
}

export const noRedaction = new Redactor([]);

/** For an adapter's own error text: removes these credentials, raw or URL-encoded, before the message leaves it. */
export function redactSecrets(message: string, secrets: string[]): string {
  return new Redactor(
    secrets.flatMap((s) => [s, encodeURIComponent(s)]),
    4,
  ).text(message);
}
