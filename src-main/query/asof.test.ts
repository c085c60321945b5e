import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessClient } from '../contract/dispatcher';
import type { Result } from '../shared/errors';
import { useTestEngine } from '../testing/engine';

// The Query page's "as of" through the contract: `query.snapshots` lists the lake's snapshots, `query.open` with
// `asOf` reads one of them (resolved as `query --as-of` resolves it), a snapshot that cannot be read is bad input and
// runs nothing. Real engine, real CSV imports, real DuckDB and SQLite in a temp dir.

const fx = useTestEngine('mp-asof-');
const client = () => inProcessClient(fx.engine.dispatcher);

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const HEADER = 'Symbol,Timestamp,Open,High,Low,Close,Volume,Trade_Count,VWAP';
/** `n` minutes of AAA from 09:30 New York on `day`, every price `price`. */
const minutes = (day: string, price: number, n = 3) =>
  Array.from({ length: n }, (_, i) => `AAA,${day} 09:${String(30 + i).padStart(2, '0')}:00,${price},${price},${price},${price},${1000 + i},10,${price}`);

async function importCsv(name: string, lines: string[], force = false): Promise<string> {
  const source = path.join(fx.dir, name);
  fs.writeFileSync(source, [HEADER, ...lines].join('\n') + '\n');
  const job = await fx.engine.startIngest({ provider: 'csv', source, symbols: [], workers: 1, force, pipeline: false });
  const done = await fx.engine.waitForJob(job.id);
  expect(done.status, done.error?.message).toBe('succeeded');
  return job.id;
}

const SQL = "SELECT strftime(ts, '%m-%d %H:%M') AS t, close FROM bars ORDER BY ts";

async function closes(asOf?: string) {
  const r = value(await client().request('query.open', { sql: SQL, limit: 100, ...(asOf ? { asOf } : {}) }));
  value(await client().request('query.close', { queryId: r.queryId }));
  return { rows: r.first.rows, snapshot: r.snapshot };
}

describe('query.open as of a snapshot', () => {
  it('reads the old values as of the first job, the corrected ones live; lists both jobs; bad input runs nothing', async () => {
    const jobA = await importCsv('v1.csv', [...minutes('2024-01-02', 10), ...minutes('2024-01-03', 11)]);
    const jobB = await importCsv('v2.csv', minutes('2024-01-03', 12), true);

    const list = value(await client().request('query.snapshots', {}));
    // newest first, each job once (by its last commit)
    expect(list.snapshots.map((s) => s.jobId).filter((j) => j !== null)).toEqual([jobB, jobA]);
    const snapA = list.snapshots.find((s) => s.jobId === jobA)!;
    expect(snapA.kind).toBe('write');
    expect(list.oldest.id).toBeLessThanOrEqual(snapA.id);

    const live = await closes();
    expect(live.snapshot).toBeUndefined();
    expect(live.rows.filter((r) => String(r[0]).startsWith('01-03')).map((r) => r[1])).toEqual([12, 12, 12]);

    const old = await closes(jobA);
    expect(old.snapshot).toEqual(snapA);
    expect(old.rows.filter((r) => String(r[0]).startsWith('01-03')).map((r) => r[1])).toEqual([11, 11, 11]);
    expect(old.rows.filter((r) => String(r[0]).startsWith('01-02'))).toEqual(live.rows.filter((r) => String(r[0]).startsWith('01-02')));

    // an ISO time (no offset: UTC) names the last commit at or before it: the first job's, before the correction
    const byTime = await closes(snapA.at.replace(/Z$/, ''));
    expect(byTime.snapshot?.id).toBe(snapA.id);
    expect(byTime.rows).toEqual(old.rows);

    const historyBefore = value(await client().request('query.history', { limit: 500 })).length;
    for (const asOf of ['no-such-job', '2001-01-01']) {
      const bad = await client().request('query.open', { sql: SQL, asOf });
      expect(bad.ok).toBe(false);
      if (bad.ok) continue;
      expect(bad.error.code).toBe('E_BAD_INPUT');
      expect(bad.error.message.split('\n')).toHaveLength(1);
      expect(bad.error.message).toMatch(new RegExp(`^As of ${asOf}: .*oldest retained snapshot.* ${list.oldest.id} \\(`));
    }
    // nothing ran: the history holds no entry for the refused runs
    expect(value(await client().request('query.history', { limit: 500 }))).toHaveLength(historyBefore);

    const empty = await client().request('query.open', { sql: SQL, asOf: '   ' });
    expect(empty.ok ? null : empty.error.code).toBe('E_BAD_INPUT');
  });
});
