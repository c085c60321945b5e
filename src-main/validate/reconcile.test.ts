import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import { inProcessClient } from '../contract/dispatcher';
import { partitionFilesOnDisk, sqlString } from '../lake/layout';
import { MpError, type Result } from '../shared/errors';
import { ny, readReport } from './fixtures/lake';
import { REPORT_HEADER } from './report';

// Reconciliation and the Validation page's requests, end to end through the contract: the fake provider ingests one
// source, the real lake writer writes a second one with a few injected differences, and exactly those come back.

const fx = useTestEngine('mp-reconcile-');

const client = () => inProcessClient(fx.engine.dispatcher);
function value<T>(r: Result<T>): T {
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  return r.value;
}

async function ingestFake(symbols: string[], start: string, end: string): Promise<void> {
  const { jobId } = value(await client().request('ingest.start', { provider: 'fake', symbols, start, end, pipeline: false }));
  expect((await fx.engine.waitForJob(jobId)).status).toBe('succeeded');
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A copy of the fake AAPL source as polygon/stocks: two bars dropped, one extra, one price and one volume changed. */
async function writeAlteredCopy() {
  const barsRoot = fx.engine.paths.bars;
  const src = partitionFilesOnDisk(barsRoot, { timeframe: '1m', provider: 'fake', feed: 'sim', symbol: 'AAPL', year: 2024 })[0]!;
  const t = {
    dropped1: ny('2024-01-02', 10, 0),
    dropped2: ny('2024-01-03', 15, 59),
    price: ny('2024-01-02', 11, 30),
    volume: ny('2024-01-03', 9, 45),
    tiny: ny('2024-01-03', 12, 0), // a change within the price tolerance: not a finding
    extra: ny('2024-01-03', 8, 0), // a pre-market bar only polygon has
  };
  const at = (ms: number) => `epoch_ms(${ms}::BIGINT)::TIMESTAMPTZ`;
  // the engine's writer: the lake's readers see catalogued files only
  const writer = await fx.engine.services.writer();
  {
    for (const symbol of ['AAPL', 'MSFT']) {
      const file = partitionFilesOnDisk(barsRoot, { timeframe: '1m', provider: 'fake', feed: 'sim', symbol, year: 2024 })[0]!;
      const sql =
        symbol === 'MSFT'
          ? `SELECT ts, open, high, low, close, volume, trade_count, vwap FROM read_parquet(${sqlString(file)})`
          : `SELECT ts,
               CASE WHEN ts = ${at(t.tiny)} THEN open * 1.0001 ELSE open END AS open, high, low,
               CASE WHEN ts = ${at(t.price)} THEN close * 1.01 ELSE close END AS close,
               CASE WHEN ts = ${at(t.volume)} THEN volume * 2 + 1000 ELSE volume END AS volume, trade_count, vwap
             FROM read_parquet(${sqlString(src)}) WHERE ts NOT IN (${at(t.dropped1)}, ${at(t.dropped2)})
             UNION ALL SELECT ${at(t.extra)}, 100, 101, 99, 100, 500, 5, 100`;
      await writer.writeFromQuery({ key: { timeframe: '1m', provider: 'polygon', feed: 'stocks', symbol, year: 2024 }, sql });
    }
  }
  return t;
}

describe('reconcile', () => {
  it('reports exactly the injected differences, as a recorded run with the validation report format', async () => {
    await ingestFake(['AAPL', 'MSFT'], '2024-01-02', '2024-01-03');
    const t = await writeAlteredCopy();
    const completed = fx.engine.bus.waitFor('validation.completed', (p) => p.kind === 'reconcile');

    const run = value(await client().request('reconcile.run', { symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-03', sources: ['fake', 'polygon'] }));
    expect(run).toMatchObject({
      kind: 'reconcile',
      sources: ['fake:sim', 'polygon:stocks'],
      provider: 'fake,polygon',
      feed: 'sim,stocks',
      timeframe: '1m',
      series: 2,
      // 2 sessions x 390 minutes x 2 symbols, plus the pre-market bar only polygon has
      barsChecked: 2 * 390 * 2 + 1,
      findingsTotal: 5,
      bySeverity: { error: 1, warning: 4, info: 0 },
      rules: ['source_mismatch'],
    });
    expect(await completed).toEqual({ runId: run.id, kind: 'reconcile', jobId: null, findings: 5, errors: 1, warnings: 4 });

    const report = path.join(fx.engine.paths.root, 'reports', run.reportName);
    expect(fs.readFileSync(report, 'utf8').split('\r\n')[0]).toBe(REPORT_HEADER.join(','));
    const rows = await readReport(report);
    expect(rows.map((r) => [r.symbol, r.ts, r.rule, r.severity, r.message.replace(/ \(.*$/, '')])).toEqual([
      ['AAPL', iso(t.extra), 'source_mismatch', 'warning', 'bar missing in fake:sim'],
      ['AAPL', iso(t.volume), 'source_mismatch', 'warning', expect.stringMatching(/^volume differs beyond 0\.05: \d+ vs \d+$/)],
      ['AAPL', iso(t.dropped1), 'source_mismatch', 'warning', 'bar missing in polygon:stocks'],
      ['AAPL', iso(t.price), 'source_mismatch', 'error', expect.stringMatching(/^price differs beyond 0\.001: close [\d.]+ vs [\d.]+$/)],
      ['AAPL', iso(t.dropped2), 'source_mismatch', 'warning', 'bar missing in polygon:stocks'],
    ].sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1)));
    const price = rows.find((r) => r.severity === 'error')!;
    expect(price.value).toBeCloseTo(0.01 / 1.01, 6);
    expect(Object.keys(JSON.parse(price.observed))).toEqual(['fake:sim', 'polygon:stocks']);
    expect(rows.every((r) => r.provider === 'fake,polygon' && r.feed === 'sim,stocks' && r.calendar_version.startsWith('nyse-'))).toBe(true);

    // A looser tolerance lets the price difference through; the run list shows both runs, newest first.
    const loose = value(await client().request('reconcile.run', { start: '2024-01-02', end: '2024-01-03', sources: ['fake:sim', 'polygon:stocks'], priceTolerance: 0.02, volumeTolerance: 0.99 }));
    expect(loose).toMatchObject({ findingsTotal: 3, bySeverity: { error: 0, warning: 3, info: 0 } });
    expect(value(await client().request('validation.runs', {})).map((r) => r.id)).toEqual([loose.id, run.id]);
  });

  it('refuses what it cannot compare, with a clear error and nothing recorded', async () => {
    await ingestFake(['AAPL'], '2024-01-02', '2024-01-02');
    const bad = async (arg: Record<string, unknown>) => {
      const r = await client().request('reconcile.run', { start: '2024-01-02', end: '2024-01-02', ...arg } as never);
      if (r.ok) throw new Error('expected an error');
      return r.error;
    };
    expect(await bad({ sources: ['fake'] })).toMatchObject({ code: 'E_BAD_INPUT', message: expect.stringContaining('exactly two sources') });
    expect(await bad({ sources: ['fake', 'fake:sim'] })).toMatchObject({ code: 'E_BAD_INPUT', message: 'both sources are fake:sim' });
    expect(await bad({ sources: ['fake', '../x'] })).toMatchObject({ code: 'E_BAD_INPUT', message: expect.stringContaining('is not a source') });
    expect(await bad({ sources: ['fake', 'polygon'] })).toMatchObject({ code: 'E_NOT_FOUND', message: 'the lake holds no 1m bars from polygon' });
    expect(await bad({ sources: ['fake', 'polygon:x'], end: '2024-01-01' })).toMatchObject({ code: 'E_BAD_INPUT', message: expect.stringContaining('start is after end') });
    expect(value(await client().request('validation.runs', {}))).toEqual([]);
  });
});

describe('validation page requests', () => {
  it('runs validation, pages and filters its findings from the CSV, streams the report in chunks', async () => {
    // Data for 01-08 and 01-09 only, validated from 01-03: sessions 01-03, 01-04 and 01-05 are missing.
    await ingestFake(['AAPL', 'MSFT'], '2024-01-08', '2024-01-09');
    const completed = fx.engine.bus.waitFor('validation.completed');
    const run = value(await client().request('validation.run', { symbols: ['AAPL', 'MSFT'], start: '2024-01-03', end: '2024-01-09' }));
    expect(run).toMatchObject({ kind: 'validation', symbols: ['AAPL', 'MSFT'], start: '2024-01-03', end: '2024-01-09', provider: 'fake', feed: 'sim', findingsTotal: 6, rules: ['missing_session'] });
    expect(await completed).toMatchObject({ runId: run.id, kind: 'validation', findings: 6 });

    const all = value(await client().request('validation.findings', { runId: run.id, limit: 4 }));
    expect(all.total).toBe(6);
    expect(all.rows.map((r) => r.symbol)).toEqual(['AAPL', 'AAPL', 'AAPL', 'MSFT']);
    const next = value(await client().request('validation.findings', { runId: run.id, offset: 4, limit: 4 }));
    expect(next).toMatchObject({ total: 6, offset: 4 });
    expect(next.rows.map((r) => `${r.symbol} ${r.ts}`)).toEqual(all.rows.slice(1, 3).map((r) => `MSFT ${r.ts}`));

    const msft = value(await client().request('validation.findings', { runId: run.id, symbol: 'msft', rule: 'missing_session' }));
    expect(msft.total).toBe(3);
    expect(msft.rows.every((r) => r.symbol === 'MSFT' && r.rule === 'missing_session' && r.provider === 'fake')).toBe(true);
    expect(value(await client().request('validation.findings', { runId: run.id, severity: 'info' })).total).toBe(0);
    expect(value(await client().request('validation.findings', { runId: run.id, rule: 'price_jump' }))).toMatchObject({ runId: run.id, total: 0, offset: 0, rows: [] });

    // the report, chunk by chunk, is the file byte for byte
    const file = path.join(fx.engine.paths.root, 'reports', run.reportName);
    const parts: Buffer[] = [];
    for (let offset = 0; ; ) {
      const c = value(await client().request('validation.report', { runId: run.id, offset, length: 100 }));
      expect(c.fileName).toBe(run.reportName);
      parts.push(Buffer.from(c.data, 'base64'));
      offset += Buffer.from(c.data, 'base64').length;
      if (c.done) break;
    }
    expect(Buffer.concat(parts).equals(fs.readFileSync(file))).toBe(true);

    // bad and unknown run ids
    expect(await client().request('validation.findings', { runId: 'nope' })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
    expect(await client().request('validation.findings', { runId: '../../x' })).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    // no save dialog on this host
    expect(await client().request('validation.export', { runId: run.id })).toMatchObject({ ok: false, error: { code: 'E_FORBIDDEN' } });
    // a report deleted behind our back is a clear not-found
    fs.rmSync(file);
    expect(await client().request('validation.findings', { runId: run.id })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND', message: expect.stringContaining(run.reportName) } });
  });

  it('validation.export hands the report to the host save hook (desktop) and says when the user cancelled', async () => {
    const asked: { source: string; name: string }[] = [];
    let answer: string | null = path.join(fx.dir, 'picked.csv');
    await fx.reopen({
      saveFile: async (source, name) => {
        asked.push({ source, name });
        if (answer) fs.copyFileSync(source, answer);
        return answer;
      },
    });
    await ingestFake(['AAPL'], '2024-01-02', '2024-01-02');
    const run = value(await client().request('validation.run', {}));
    expect(value(await client().request('validation.export', { runId: run.id }))).toEqual({ saved: true, path: answer });
    expect(asked).toEqual([{ source: path.join(fx.engine.paths.root, 'reports', run.reportName), name: run.reportName }]);
    expect(fs.readFileSync(answer!, 'utf8')).toMatch(/^symbol,timeframe,ts,rule,severity,message,/);
    answer = null;
    expect(value(await client().request('validation.export', { runId: run.id }))).toEqual({ saved: false, path: null });
  });

  it('the formula guard is undone for the page and kept in the file', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const { writeReport } = await import('./report');
    const file = path.join(fx.dir, 'r.csv');
    const inst = await DuckDBInstance.create(':memory:');
    const c = await inst.connect();
    await writeReport(c, `SELECT 'AAPL' AS symbol, '1m' AS timeframe, '2024-01-02T15:00:00Z' AS ts, 'x_rule' AS rule, 'error' AS severity,
      '=HYPERLINK("http://x", "a,b")' AS message, 'p' AS provider, 'f' AS feed, NULL::VARCHAR AS job_id, 'nyse' AS calendar_version, -1.5::DOUBLE AS value, '{}' AS observed`, file);
    c.closeSync();
    inst.closeSync();
    expect(fs.readFileSync(file, 'utf8')).toContain(`"'=HYPERLINK(""http://x"", ""a,b"")"`);
    const store = fx.engine.services.validations();
    store.save({ id: 'r1', createdAt: '2024-01-03T00:00:00Z', jobId: null, scope: {}, thresholds: {}, calendarVersion: 'nyse', provider: 'p', feed: 'f', reportFile: file, series: 1, barsChecked: 1, findingsTotal: 1, counts: {}, elapsedMs: 1 });
    const page = value(await client().request('validation.findings', { runId: 'r1' }));
    expect(page.rows).toEqual([{ seq: 0, symbol: 'AAPL', timeframe: '1m', ts: '2024-01-02T15:00:00Z', rule: 'x_rule', severity: 'error', message: '=HYPERLINK("http://x", "a,b")', provider: 'p', feed: 'f', value: -1.5, observed: '{}', ack: null }]);
  });
});
