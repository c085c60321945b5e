import { describe, expect, it } from 'vitest';
import { useTestEngine } from '../testing/engine';
import { MetricsHistory } from './history';

// The engine feeds its metrics: an ingest shows up in the exposition with bounded labels, and in the history.

const t = useTestEngine('mp-mwire-');

describe('engine metrics', () => {
  it('count ingested rows, requests and stages, with no symbol or job id as a label', async () => {
    const job = await t.engine.startIngest({ provider: 'fake', symbols: ['AAPL', 'MSFT'], start: '2024-01-02', end: '2024-01-05' });
    await t.engine.waitForJob(job.id);
    const text = (await t.engine.metrics.exposition(false)).body;
    expect(text).toMatch(/^mp_ingest_rows_total\{provider="fake",feed="sim",timeframe="1m"\} 3120$/m);
    expect(text).toMatch(/^mp_requests_total\{source="sim",provider="fake",feed="sim"\} [1-9]\d*$/m);
    expect(text).toMatch(/^mp_processing_time_seconds_count\{stage="write"\} 2$/m);
    expect(text).toMatch(/^mp_jobs_in_flight 0$/m);
    expect(text).not.toContain('AAPL');
    expect(text).not.toContain(job.id);
    // recorded in the history at job end (what `marketpipe metrics --list` and a standalone server read)
    const reopened = await t.reopen();
    const listed = new MetricsHistory(reopened.db()).list();
    expect(listed.find((m) => m.name === 'mp_ingest_rows_total')).toMatchObject({ value: 3120 });
  });
});
