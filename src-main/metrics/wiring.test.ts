import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../engine';
import { MetricsHistory } from './history';

// The engine feeds its metrics: an ingest shows up in the exposition with bounded labels, and in the history.

let root: string;
let engine: Engine;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-mwire-'));
  engine = new Engine({ dataDir: path.join(root, 'd'), host: 'test', env: {} });
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('engine metrics', () => {
  it('count ingested rows, requests and stages, with no symbol or job id as a label', async () => {
    const job = await engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-05' });
    await engine.waitForJob(job.id);
    const text = (await engine.metrics.exposition(false)).body;
    expect(text).toMatch(/^mp_ingest_rows_total\{provider="fake",feed="sim",timeframe="1m"\} 3120$/m);
    expect(text).toMatch(/^mp_requests_total\{source="sim",provider="fake",feed="sim"\} [1-9]\d*$/m);
    expect(text).toMatch(/^mp_processing_time_seconds_count\{stage="write"\} 2$/m);
    expect(text).toMatch(/^mp_jobs_in_flight 0$/m);
    expect(text).not.toContain('AAPL');
    expect(text).not.toContain(job.id);
    // recorded in the history at job end (what `marketpipe metrics --list` and a standalone server read)
    await engine.close();
    const reopened = new Engine({ dataDir: path.join(root, 'd'), host: 'test', env: {} });
    const listed = new MetricsHistory(reopened.db()).list();
    expect(listed.find((m) => m.name === 'mp_ingest_rows_total')).toMatchObject({ value: 3120 });
    engine = reopened;
  });
});
