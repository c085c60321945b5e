import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { httpRequest, type HttpResult } from '../testing/http';

// Test-only helpers for the metrics tests (real promtool, real SQLite, real sockets).

export function hasBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/**
 * prom-client's default metrics include three gauges named *_total, which promtool lints. Those exact lines, and
 * nothing else, are tolerated.
 */
export const PROMTOOL_ALLOWED_LINTS = [
  'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
  'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
];

/**
 * `promtool check metrics` on the text. Exit 0 is clean. Lint findings exit non-zero (3 in promtool 2.42, 1 in some
 * versions); then every line it printed must be an allowlisted lint. A parse error prints a line that is not, and fails.
 */
export function promtoolCheckMetrics(text: string): { ok: boolean; status: number | null; unexpected: string[] } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  const lines = `${r.stdout}\n${r.stderr}`.split('\n').map((l) => l.trim()).filter(Boolean);
  const unexpected = lines.filter((l) => !PROMTOOL_ALLOWED_LINTS.includes(l));
  const ok = r.status === 0 || ((r.status === 1 || r.status === 3) && unexpected.length === 0 && lines.length > 0);
  return { ok, status: r.status, unexpected };
}

export function tempDir(prefix = 'mp-metrics-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The metrics migration's SQL, applied alone: history tests need no other table. */
export function metricsSchemaSql(): string {
  return fs.readFileSync(path.resolve(__dirname, '../../migrations/0004_metrics.sql'), 'utf8');
}

export function historyDb(dir: string): Database.Database {
  const db = new Database(path.join(dir, 'meta.db'));
  db.pragma('journal_mode = WAL');
  db.exec(metricsSchemaSql());
  return db;
}

export type { HttpResult } from '../testing/http';

export function httpGet(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<HttpResult> {
  return httpRequest(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false });
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Polls `fn` until it returns a value (not undefined) or the deadline passes; the waits are between real probes. */
export async function pollUntil<T>(fn: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
