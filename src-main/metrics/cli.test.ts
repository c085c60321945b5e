import { parseDuration } from '../shared/duration';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MpError } from '../shared/errors';
import { readiness, runMetricsCommand, type MetricsCliDeps, type MetricsCliIo, type MetricsCommandOptions } from './cli';
import { MetricsHistory } from './history';
import { httpGet, historyDb, tempDir } from './test-helpers';

let dir: string;
let db: Database.Database;
let deps: MetricsCliDeps;
beforeEach(() => {
  dir = tempDir();
  db = historyDb(dir);
  fs.mkdirSync(path.join(dir, 'lake', 'bars'), { recursive: true });
  deps = { db: () => db, paths: { bars: path.join(dir, 'lake', 'bars') }, migrationStatus: () => [{ state: 'applied' }] };
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const NOW = Date.UTC(2024, 0, 3, 12, 0);

function io(env: NodeJS.ProcessEnv = {}): MetricsCliIo & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c: Buffer) => (text += c.toString()));
  return { stdout, stderr: new PassThrough(), env, out: () => text };
}

async function run(opts: MetricsCommandOptions, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const i = io(env);
  await runMetricsCommand(deps, i, { now: () => NOW, ...opts });
  return i.out();
}

function seed(): void {
  const h = new MetricsHistory(db, { pid: 1, proc: '1@1', alive: () => false });
  const rows = (v: number) => [{ name: 'mp_ingest_rows_total', labels: { provider: 'fake', feed: 'sim', timeframe: '1m' }, value: v }];
  h.record(rows(0), NOW - 3 * 3_600_000);
  h.record(rows(3600), NOW - 2 * 3_600_000);
  h.record(rows(10_800), NOW - 3_600_000);
}

describe('marketpipe metrics (history commands)', () => {
  it('--list shows recorded names and combined values', async () => {
    expect(await run({ list: true })).toMatch(/no metrics recorded yet/);
    seed();
    expect(await run({ list: true })).toMatch(/^mp_ingest_rows_total\s+10\.8k\s+1 series\s+last 2024-01-03T11:00:00.000Z\n$/);
    expect(JSON.parse(await run({ list: true, json: true }))).toEqual([{ name: 'mp_ingest_rows_total', series: 1, lastTs: NOW - 3_600_000, value: 10_800, lastAt: '2024-01-03T11:00:00.000Z' }]);
  });

  it('--metric NAME --since prints the series; --avg gives per-bucket rates; --plot draws it', async () => {
    seed();
    expect(await run({ metric: 'mp_ingest_rows_total', since: '150m' })).toBe(
      ['mp_ingest_rows_total', '2024-01-03T09:30:00.000Z  0', '2024-01-03T10:00:00.000Z  3600', '2024-01-03T11:00:00.000Z  10800', ''].join('\n'),
    );
    const avg = JSON.parse(await run({ metric: 'mp_ingest_rows_total', since: '3h', avg: '1h', json: true })) as { ts: string; value: number }[];
    expect(avg.map((p) => p.value)).toEqual([0, 1, 2, 0]);
    const plot = await run({ metric: 'mp_ingest_rows_total', since: '24h', plot: true });
    expect(plot.split('\n')[0]).toBe('mp_ingest_rows_total');
    expect(plot).toContain('*');
    expect(await run({ metric: 'mp_errors_total' })).toMatch(/^no samples of mp_errors_total since/);
  });

  it('the original names (ingestion_bars, …) are ours under another name; --plot without --metric charts the main series side by side', async () => {
    seed();
    expect(await run({ metric: 'ingestion_bars', since: '150m' })).toBe(await run({ metric: 'mp_ingest_rows_total', since: '150m' }));
    expect(await run({ metric: 'requests', since: '150m' })).toMatch(/mp_requests_total/);
    const plot = await run({ avg: '1h', plot: true, since: '3h' });
    const [header, titles] = plot.split('\n');
    expect(header).toMatch(/^main series since .* average per second per 1h/);
    expect(titles).toMatch(/rows ingested\s+requests/);
    expect(plot).toContain('latency');
    const json = JSON.parse(await run({ avg: '1h', since: '3h', json: true })) as Record<string, { value: number }[]>;
    expect(json['rows ingested']!.map((p) => p.value)).toEqual([0, 1, 2, 0]);
    expect(parseDuration('2y', 'x')).toBe(2 * 365 * 86_400_000);
  });

  it('refuses unknown metrics, bad durations and misplaced options with E_BAD_INPUT', async () => {
    await expect(run({ metric: 'AAPL' })).rejects.toThrow(/unknown metric "AAPL": try one of mp_requests_total/);
    await expect(run({ metric: 'mp_requests_total', since: 'yesterday' })).rejects.toThrow(/--since must be a duration like 30m, 24h or 7d: got "yesterday"/);
    await expect(run({ plot: true, port: 8000 })).rejects.toThrow(/apply to the metrics server/);
    await expect(run({ metric: 'mp_requests_total', since: '99999999999d' })).rejects.toThrow(/at most 100 years/);
    await expect(run({ metric: 'mp_requests_total', since: '10y', avg: '1s' })).rejects.toThrow(/at most 100000 buckets/);
    await expect(run({ list: true, port: 1 })).rejects.toThrow(/apply to the metrics server/);
    await expect(run({ metric: 'mp_requests_total', labels: 'oops' })).rejects.toThrow(MpError);
    expect(parseDuration('90s', 'x')).toBe(90_000);
    expect(parseDuration('2w', 'x')).toBe(14 * 86_400_000);
  });
});

describe('marketpipe metrics (standalone server)', () => {
  it('serves the recorded totals until stopped, with readiness, and closes gracefully', async () => {
    seed();
    const ac = new AbortController();
    const i = io({ METRICS_PORT: '0' });
    let listening!: (url: string) => void;
    const heard = new Promise<string>((r) => (listening = r));
    const done = runMetricsCommand(deps, i, { signal: ac.signal, onListening: (s) => listening(s.url) });
    // wait for the listening event (200 turns of the event loop, as before, outran a slow start on a loaded machine);
    // a command that fails before listening ends the wait too
    const url = await Promise.race([heard, done.then(() => '')]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const m = await httpGet(`${url}/metrics`);
    expect(m.body).toContain('mp_ingest_rows_total{feed="sim",provider="fake",timeframe="1m"} 10800');
    expect(m.body).toContain('process_cpu_seconds_total');
    const ready = await httpGet(`${url}/readyz`);
    expect(JSON.parse(ready.body)).toEqual({ ok: true, checks: { db: true, migrations: true, lake: true } });
    expect(i.out()).toContain(`${url}/metrics`);
    ac.abort();
    await done;
    await expect(httpGet(`${url}/healthz`)).rejects.toThrow();
  });

  it('reports a bad environment before listening', async () => {
    await expect(runMetricsCommand(deps, io({ METRICS_PORT: 'x' }), {})).rejects.toThrow(/METRICS_PORT="x"/);
  });

  it('readiness names what is wrong', () => {
    fs.rmSync(deps.paths.bars, { recursive: true });
    const r = readiness({ ...deps, migrationStatus: () => [{ state: 'applied' }, { state: 'pending' }] });
    expect(r).toEqual({ ok: false, checks: { db: true, migrations: '1 pending', lake: 'not readable' } });
  });
});
