import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inProcessClient } from '../contract/dispatcher';
import { MpError, type Result } from '../shared/errors';
import { useTestEngine } from '../testing/engine';

// The findings requests through the contract (validation.findings, findingsCsv, acknowledge, unacknowledge, export
// with a filter) on a real engine: AAPL and MSFT ingested for 2024-01-08..09 and validated from 2023-12-01 miss every
// session before (24 per symbol: 48 missing_session errors).

const fx = useTestEngine('mp-ack-', () => ({
  saveFile: async (source: string) => {
    const dest = path.join(fx.dir, `saved-${path.basename(source)}`);
    fs.copyFileSync(source, dest);
    return dest;
  },
}));
const client = () => inProcessClient(fx.engine.dispatcher);
function value<T>(r: Result<T>): T {
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  return r.value;
}

async function validatedRun(): Promise<string> {
  const { jobId } = value(await client().request('ingest.start', { provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-08', end: '2024-01-09', pipeline: false }));
  expect((await fx.engine.waitForJob(jobId)).status).toBe('succeeded');
  return value(await client().request('validation.run', { symbols: ['AAPL', 'MSFT'], start: '2023-12-01', end: '2024-01-09' })).id;
}

describe('findings requests', () => {
  it('acknowledge, hide, export what is shown, undo; bad input changes nothing', async () => {
    const runId = await validatedRun();
    const first = value(await client().request('validation.findings', { runId, limit: 10, sort: 'ts', dir: 'desc' }));
    expect(first.total).toBe(48);
    expect(first.counts).toEqual({ bySeverity: { error: 48, warning: 0, info: 0 }, byRule: [{ rule: 'missing_session', count: 48 }], acknowledged: 0 });
    expect(first.rows[0]!.ts > first.rows[9]!.ts).toBe(true);

    for (const bad of [
      { kind: 'rule', symbol: 'MSFT', rule: 'missing_session', note: '   ' },
      { kind: 'rule', symbol: 'MSFT', rule: 'DROP TABLE', note: 'x' },
      { kind: 'finding', runId, seq: -1, note: 'x' },
      { kind: 'everything', note: 'x' },
    ]) {
      expect(await client().request('validation.acknowledge', bad as never)).toMatchObject({ ok: false, error: { code: 'E_BAD_INPUT' } });
    }
    expect(value(await client().request('validation.findings', { runId })).counts.acknowledged).toBe(0);

    const rule = value(await client().request('validation.acknowledge', { kind: 'rule', symbol: 'MSFT', rule: 'missing_session', note: 'listed late' }));
    const aapl = value(await client().request('validation.findings', { runId, symbol: 'AAPL', limit: 1 })).rows[0]!;
    const one = value(await client().request('validation.acknowledge', { kind: 'finding', runId, seq: aapl.seq, note: 'holiday, =1+1' }));
    const shown = value(await client().request('validation.findings', { runId }));
    expect(shown.total).toBe(23);
    expect(shown.counts.acknowledged).toBe(25);

    // web mode's export: the pieces add up to what the page says, acknowledged ones out unless shown
    const csv = value(await client().request('validation.findingsCsv', { runId, limit: 10 }));
    expect(csv).toMatchObject({ rows: 10, total: 23, done: false, fileName: expect.stringMatching(/^validation-.*-filtered\.csv$/) });
    const rest = value(await client().request('validation.findingsCsv', { runId, offset: 10, limit: 5000 }));
    expect(rest).toMatchObject({ rows: 13, done: true });
    expect(rest.csv.startsWith('symbol,')).toBe(false);

    // desktop export: the host's save hook gets the filtered file; the temp copy does not stay
    const saved = value(await client().request('validation.export', { runId, filter: { acknowledged: 'only' } }));
    expect(saved).toMatchObject({ saved: true, rows: 25 });
    const lines = fs.readFileSync(saved.path!, 'utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(26);
    expect(lines[0]).toMatch(/,value,observed,acknowledged,ack_note,acknowledged_at$/);
    expect(lines.filter((l) => l.includes(',rule,listed late,'))).toHaveLength(24);
    expect(lines.filter((l) => l.includes(`,finding,"'holiday, =1+1",`))).toHaveLength(0); // the guard only applies to a leading =
    expect(lines.filter((l) => l.includes(`,finding,"holiday, =1+1",`))).toHaveLength(1);
    expect(fs.readdirSync(path.join(fx.engine.paths.root, 'reports')).filter((f) => f.startsWith('.'))).toEqual([]);

    value(await client().request('validation.unacknowledge', { id: rule.id }));
    value(await client().request('validation.unacknowledge', { id: one.id }));
    expect(value(await client().request('validation.findings', { runId }))).toMatchObject({ total: 48, counts: { acknowledged: 0 } });
    expect(await client().request('validation.unacknowledge', { id: one.id })).toMatchObject({ ok: false, error: { code: 'E_NOT_FOUND' } });
  });
});
