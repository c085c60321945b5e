import pino from 'pino';
import { noRedaction, type Redactor } from './redact';

// Structured logs (pino, JSON lines) to stderr: stdout is for results (--json, query output). Every record passes
// through the redactor, so a secret a provider echoes back never reaches a log.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  redactor?: Redactor;
  /** where lines go (default: stderr, synchronously, so a crash does not lose the last lines) */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const redactor = opts.redactor ?? noRedaction;
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const p = pino(
    { level: opts.level ?? 'info', base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => write(line) },
  );
  const emit = (lvl: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (!p.isLevelEnabled(lvl)) return;
    p[lvl](redactor.value(fields ?? {}), redactor.text(msg));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

export const silentLogger: Logger = createLogger({ level: 'silent' });
