import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../client/client';
import type { Transport } from '../client/types';
import { parseTabs, runQuery, useQuery } from './query';
import { asOfOf, loadSnapshots, setAsOf, useQueryAsOf } from './queryAsOf';

// The Query page's "As of" state: what the next run sends as `asOf`, the snapshot list, and the result's snapshot.

const SNAP_A = { id: 4, at: '2026-12-02T08:01:08.120Z', jobId: 'aa8cb7a7-5b1e-4a0e-9d7e-3c0f1e2d4b5a', kind: 'write' };
const SNAP_0 = { id: 1, at: '2026-12-02T08:01:01.000Z', jobId: null, kind: 'migrate' };

function fake(handle: (name: string, arg: Record<string, unknown>) => unknown) {
  const calls: { name: string; arg: Record<string, unknown> }[] = [];
  const transport: Transport = {
    kind: 'memory',
    request: (name, arg) => {
      calls.push({ name, arg: arg as Record<string, unknown> });
      return Promise.resolve(handle(name, arg as Record<string, unknown>));
    },
    onEvent: () => () => {},
    onStatus: () => () => {},
    status: () => 'open',
    close: () => {},
  };
  return { client: createClient(transport), calls };
}

const answer = (name: string, arg: Record<string, unknown>) => {
  if (name === 'query.open') {
    const value = { queryId: arg.queryId, columns: [{ name: 'x', type: 'INTEGER' }], rowCount: 1, elapsedMs: 3, first: { offset: 0, rows: [[1]] } };
    return { ok: true, value: arg.asOf === undefined ? value : { ...value, snapshot: SNAP_A } };
  }
  if (name === 'query.snapshots') return { ok: true, value: { snapshots: [SNAP_A, SNAP_0], oldest: SNAP_0 } };
  return { ok: true, value: [] };
};

beforeEach(() => {
  const tabs = parseTabs(null);
  useQuery.setState({ ...tabs, sql: 'SELECT 1 AS x', result: null, error: null, running: false, runningId: null, resultTab: null });
  useQueryAsOf.setState({ spec: null, snapshots: [], oldest: null, loading: false, listError: null });
});

describe('As of', () => {
  it('sends no asOf for Latest, the picked job otherwise; the result keeps the snapshot it was read from', async () => {
    const f = fake(answer);
    await runQuery(f.client);
    expect(f.calls.find((c) => c.name === 'query.open')!.arg).not.toHaveProperty('asOf');
    expect(useQuery.getState().result!.snapshot).toBeNull();

    await loadSnapshots(f.client);
    expect(useQueryAsOf.getState()).toMatchObject({ snapshots: [SNAP_A, SNAP_0], oldest: SNAP_0, loading: false });
    setAsOf(asOfOf(SNAP_A));
    await runQuery(f.client);
    expect(f.calls.filter((c) => c.name === 'query.open')[1]!.arg.asOf).toBe(SNAP_A.jobId);
    expect(useQuery.getState().result!.snapshot).toEqual(SNAP_A);
  });

  it('a snapshot without a job is picked by its time; typed text is trimmed, empty is Latest, too long is refused', () => {
    expect(asOfOf(SNAP_0)).toBe(SNAP_0.at);
    expect(asOfOf(null)).toBeNull();
    expect(setAsOf('  2024-07-01T16:00:00 ')).toBeNull();
    expect(useQueryAsOf.getState().spec).toBe('2024-07-01T16:00:00');
    expect(setAsOf('x'.repeat(101))).toMatch(/at most 100/);
    expect(useQueryAsOf.getState().spec).toBe('2024-07-01T16:00:00');
    expect(setAsOf('   ')).toBeNull();
    expect(useQueryAsOf.getState().spec).toBeNull();
  });

  it('a refused snapshot is the run error, with no result', async () => {
    const f = fake((name, arg) =>
      name === 'query.open' ? { ok: false, error: { code: 'E_BAD_INPUT', message: 'As of 2001-01-01: older than the oldest retained snapshot, snapshot 1 (2026-12-02T08:01:01.000Z)' } } : answer(name, arg),
    );
    setAsOf('2001-01-01');
    await runQuery(f.client);
    expect(useQuery.getState().result).toBeNull();
    expect(useQuery.getState().error).toEqual({ code: 'E_BAD_INPUT', message: expect.stringMatching(/^As of 2001-01-01: .*snapshot 1 \(/) });
  });
});
