import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FindingsQuerySchema, type FindingsQueryInput } from '../contract/validation';
import { migrate } from '../db/migrations';
import { openDb } from '../db/open';
import { makeTmpDir, type TmpDir } from '../testing/tmp';
import { EXPORT_HEADER, KEEP_LOADED_RUNS } from './findings';
import { REPORT_HEADER, writeReport } from './report';
import { ValidationStore } from './store';

// The findings index (migration 0014) against real SQLite and real reports written by the report writer: filters,
// sorting, counts, paging, the filtered CSV and acknowledgements.

const RULES = ['missing_session', 'price_jump', 'zero_volume'] as const;
const SEVS = ['error', 'warning', 'info'] as const;

/**
 * n findings: symbol S<i % 5>, rule RULES[i % 3], severity SEVS[(i >> 1) % 3], two findings per minute (ties on ts),
 * message "move <i>" ("100% gap" for every tenth), value i - 10.
 */
function reportSql(n: number, startMinute = 0): string {
  return `SELECT 'S' || (i % 5) AS symbol, '1m' AS timeframe,
      strftime(TIMESTAMP '2024-01-02 14:30:00' + INTERVAL (${startMinute} + i // 2) MINUTE, '%Y-%m-%dT%H:%M:%SZ') AS ts,
      ['${RULES.join("','")}'][i % 3 + 1] AS rule, ['${SEVS.join("','")}'][(i // 2) % 3 + 1] AS severity,
      CASE WHEN i % 10 = 0 THEN '100% gap ' || i ELSE 'move ' || i END AS message, 'fake' AS provider, 'sim' AS feed,
      NULL::VARCHAR AS job_id, 'nyse-test' AS calendar_version, (i - 10)::DOUBLE AS value, '{"close":1}' AS observed
    FROM range(${n}) t(i)`;
}

let tmp: TmpDir;
let db: Database.Database;
let store: ValidationStore;

async function writeRun(id: string, sql: string, createdAt = '2024-06-01T10:00:00.000Z'): Promise<string> {
  const file = path.join(tmp.dir, 'reports', `validation-${id}.csv`);
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  await writeReport(c, sql, file);
  c.closeSync();
  inst.closeSync();
  store.save({
    id, createdAt, jobId: null, scope: {}, thresholds: {}, calendarVersion: 'nyse-test', provider: 'fake', feed: 'sim', reportFile: file,
    series: 5, barsChecked: 1000, findingsTotal: 0, counts: {}, elapsedMs: 1,
  });
  await store.findings.ensure(id, file);
  return file;
}

const q = (runId: string, over: Omit<FindingsQueryInput, 'runId'> = {}) => FindingsQuerySchema.parse({ runId, ...over });

beforeEach(() => {
  tmp = makeTmpDir('mp-findings-');
  db = openDb(path.join(tmp.dir, 'meta.db'));
  migrate(db);
  store = new ValidationStore(db);
});
afterEach(() => {
  db.close();
  tmp.cleanup();
});

describe('findings index', () => {
  it('counts by severity and rule, each facet under the other filters, and pages the rest', async () => {
    await writeRun('r1', reportSql(600));
    const all = store.findings.page(q('r1'), 0, 50);
    expect(all.total).toBe(600);
    expect(all.counts.bySeverity).toEqual({ error: 200, warning: 200, info: 200 });
    expect(all.counts.byRule).toEqual(RULES.map((rule) => ({ rule, count: 200 })));
    expect(all.rows.map((r) => r.seq)).toEqual([...Array(50).keys()]);
    expect(all.rows[0]).toMatchObject({ symbol: 'S0', ts: '2024-01-02T14:30:00Z', rule: 'missing_session', severity: 'error', message: '100% gap 0', value: -10, ack: null });

    // severity filter: the total and the rule counts follow it, the severity counts stay (their own facet)
    const errors = store.findings.page(q('r1', { severity: 'error' }), 0, 500);
    expect(errors.total).toBe(200);
    expect(errors.counts.bySeverity).toEqual({ error: 200, warning: 200, info: 200 });
    expect(errors.counts.byRule.reduce((n, r) => n + r.count, 0)).toBe(200);
    expect(errors.rows.every((r) => r.severity === 'error')).toBe(true);
    // rule + symbol: i % 3 = 1 and i % 5 = 2 is i % 15 = 7 (40 findings)
    const f = store.findings.page(q('r1', { rule: 'price_jump', symbol: 'S2' }), 0, 500);
    expect(f.total).toBe(40);
    expect(f.rows.every((r) => r.rule === 'price_jump' && r.symbol === 'S2')).toBe(true);
    expect(f.counts.byRule).toEqual(RULES.map((rule) => ({ rule, count: 40 })));
    // text: case-insensitive, and % is a character, not a wildcard
    expect(store.findings.page(q('r1', { text: 'GAP' }), 0, 1).total).toBe(60);
    expect(store.findings.page(q('r1', { text: '0%' }), 0, 1).total).toBe(60);
    expect(store.findings.page(q('r1', { text: 'e_5' }), 0, 1).total).toBe(0);
    // the last page, past the end
    expect(store.findings.page(q('r1'), 590, 50).rows.map((r) => r.seq)).toEqual([...Array(10).keys()].map((i) => 590 + i));
    expect(store.findings.page(q('r1'), 600, 50).rows).toEqual([]);
  });

  it('sorts on any column both ways, ties in report order', async () => {
    await writeRun('r1', reportSql(60));
    const byTsDesc = store.findings.page(q('r1', { sort: 'ts', dir: 'desc' }), 0, 4).rows.map((r) => [r.ts, r.seq]);
    expect(byTsDesc).toEqual([
      ['2024-01-02T14:59:00Z', 59],
      ['2024-01-02T14:59:00Z', 58],
      ['2024-01-02T14:58:00Z', 57],
      ['2024-01-02T14:58:00Z', 56],
    ]);
    // severity sorts by gravity, not alphabetically
    const bySev = store.findings.page(q('r1', { sort: 'severity' }), 0, 60).rows.map((r) => r.severity);
    expect(bySev).toEqual([...Array(20).fill('error'), ...Array(20).fill('warning'), ...Array(20).fill('info')]);
    const bySevDesc = store.findings.page(q('r1', { sort: 'severity', dir: 'desc' }), 0, 1).rows[0];
    expect(bySevDesc).toMatchObject({ severity: 'info', seq: 59 });
    expect(store.findings.page(q('r1', { sort: 'value', dir: 'desc' }), 0, 1).rows[0]?.value).toBe(49);
    const bySymbol = store.findings.page(q('r1', { sort: 'symbol' }), 0, 13).rows.map((r) => `${r.symbol}:${r.seq}`);
    expect(bySymbol).toEqual([...[0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55].map((i) => `S0:${i}`), 'S1:1']);
    // paging a sorted result is a partition of it
    const sorted = store.findings.page(q('r1', { sort: 'message' }), 0, 60).rows.map((r) => r.seq);
    const paged = [0, 25, 50].flatMap((o) => store.findings.page(q('r1', { sort: 'message' }), o, 25).rows.map((r) => r.seq));
    expect(paged).toEqual(sorted);
    expect(new Set(sorted).size).toBe(60);
  });

  it('exports what the filters select: the report columns, then the acknowledgement', async () => {
    await writeRun('r1', `SELECT * REPLACE (CASE WHEN value = 20 THEN '=cmd()' ELSE message END AS message) FROM (${reportSql(31)})`);
    const part = store.findings.csv(q('r1', { symbol: 'S1' }), 0, 5000);
    const lines = part.csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(EXPORT_HEADER.join(','));
    expect(EXPORT_HEADER.slice(0, REPORT_HEADER.length)).toEqual([...REPORT_HEADER]);
    expect(lines).toHaveLength(1 + 6);
    expect(part).toMatchObject({ rows: 6, total: 6 });
    expect(lines[1]).toBe('S1,1m,2024-01-02T14:30:00Z,price_jump,error,move 1,fake,sim,,nyse-test,-9,"{""close"":1}",,,');
    // the formula guard of the report is kept in the export
    expect(store.findings.csv(q('r1', { text: 'cmd' }), 0, 2).csv).toContain(`,'=cmd(),`);
    // written to a file in batches: as many rows as the page says
    const out = path.join(tmp.dir, 'out.csv');
    expect(store.findings.writeCsv(q('r1', { rule: 'zero_volume' }), out)).toBe(10);
    expect(fs.readFileSync(out, 'utf8').trimEnd().split('\r\n')).toHaveLength(11);
  });

  it('reloads a report that changed, refuses one that is gone, keeps only the last runs opened', async () => {
    const file = await writeRun('r1', reportSql(10));
    expect(store.findings.page(q('r1'), 0, 50).total).toBe(10);
    fs.rmSync(file);
    await expect(store.findings.ensure('r1', file)).rejects.toMatchObject({ code: 'E_NOT_FOUND', message: expect.stringContaining('validation-r1.csv') });
    await writeRun('r2', reportSql(10));
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await writeReport(c, reportSql(12), file);
    c.closeSync();
    inst.closeSync();
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await store.findings.ensure('r1', file);
    expect(store.findings.page(q('r1'), 0, 50).total).toBe(12);
    for (let i = 0; i < KEEP_LOADED_RUNS; i++) await writeRun(`k${i}`, reportSql(2));
    const loaded = db.prepare(`SELECT run_id FROM validation_findings_runs ORDER BY run_id`).pluck().all();
    expect(loaded).toHaveLength(KEEP_LOADED_RUNS);
    expect(loaded).not.toContain('r2');
    expect(db.prepare(`SELECT count(*) FROM validation_findings WHERE run_id = 'r2'`).pluck().get()).toBe(0);
  });
});

describe('acknowledgements', () => {
  it('hide one finding by default, show it with its note on demand, undo brings it back', async () => {
    await writeRun('r1', reportSql(30));
    const ack = store.acks.acknowledge({ kind: 'finding', runId: 'r1', seq: 4, note: 'known halt' }, new Date('2024-06-02T00:00:00Z'));
    expect(ack).toEqual({ id: ack.id, kind: 'finding', symbol: 'S4', rule: 'price_jump', note: 'known halt', createdAt: '2024-06-02T00:00:00.000Z' });
    const hidden = store.findings.page(q('r1'), 0, 50);
    expect(hidden.total).toBe(29);
    expect(hidden.rows.map((r) => r.seq)).not.toContain(4);
    expect(hidden.counts.acknowledged).toBe(1);
    const only = store.findings.page(q('r1', { acknowledged: 'only' }), 0, 50);
    expect(only.rows.map((r) => [r.seq, r.ack?.note])).toEqual([[4, 'known halt']]);
    expect(store.findings.page(q('r1', { acknowledged: 'show' }), 0, 50).total).toBe(30);
    // exported with its acknowledgement when shown
    const csv = store.findings.csv(q('r1', { acknowledged: 'only' }), 0, 10).csv.trimEnd().split('\r\n');
    expect(csv[1]).toMatch(/,finding,known halt,2024-06-02T00:00:00.000Z$/);
    expect(() => store.acks.acknowledge({ kind: 'finding', runId: 'r1', seq: 4, note: 'again' })).toThrow(expect.objectContaining({ code: 'E_CONFLICT' }));
    expect(() => store.acks.acknowledge({ kind: 'finding', runId: 'r1', seq: 999, note: 'x' })).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
    expect(store.acks.remove(ack.id)).toEqual(ack);
    expect(store.findings.page(q('r1'), 0, 50)).toMatchObject({ total: 30, counts: { acknowledged: 0 } });
    expect(() => store.acks.remove(ack.id)).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
  });

  it('a rule for a symbol covers all its findings, in later runs too; a finding keeps its own acknowledgement', async () => {
    await writeRun('r1', reportSql(30));
    const one = store.acks.acknowledge({ kind: 'finding', runId: 'r1', seq: 0, note: 'this bar' });
    const rule = store.acks.acknowledge({ kind: 'rule', symbol: 'S0', rule: 'missing_session', note: 'thin stock' });
    // i % 15 = 0: seq 0 and 15
    const acked = store.findings.page(q('r1', { acknowledged: 'only' }), 0, 50).rows;
    expect(acked.map((r) => [r.seq, r.ack?.kind])).toEqual([
      [0, 'finding'],
      [15, 'rule'],
    ]);
    // a later run finding the same bar and more of the rule: loaded already covered
    await writeRun('r2', reportSql(45), '2024-06-03T10:00:00.000Z');
    expect(store.findings.page(q('r2', { acknowledged: 'only' }), 0, 50).rows.map((r) => [r.seq, r.ack?.id])).toEqual([
      [0, one.id],
      [15, rule.id],
      [30, rule.id],
    ]);
    // undoing the rule leaves the finding's own
    store.acks.remove(rule.id);
    expect(store.findings.page(q('r2', { acknowledged: 'only' }), 0, 50).rows.map((r) => r.seq)).toEqual([0]);
    expect(store.findings.page(q('r1'), 0, 50).counts.acknowledged).toBe(1);
  });
});
