import { beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/contract/schemas';
import { sortJobs, useJobs } from './jobs';

const base: Job = {
  id: 'j1',
  kind: 'ingest',
  status: 'running',
  provider: 'fake',
  feed: 'sip',
  timeframe: '1m',
  symbols: ['AAPL'],
  start: '2024-01-02',
  end: '2024-01-05',
  progress: 10,
  rowsWritten: 100,
  createdAt: '2024-06-01T10:00:00.000Z',
  startedAt: '2024-06-01T10:00:00.100Z',
  finishedAt: null,
  error: null,
};

const stats = { barsPerSecond: 0, etaSeconds: null, retries: 0, rateLimitWaits: 0, active: [] };

describe('jobs store', () => {
  beforeEach(() => useJobs.setState({ byId: {}, loaded: false, loadError: null }));

  it('applies progress events to running jobs and never rewinds a finished one', () => {
    const s = useJobs.getState();
    s.upsert(base);
    s.progress({ jobId: 'j1', progress: 60, rowsWritten: 900, message: 'MSFT', ...stats });
    expect(useJobs.getState().byId.j1).toMatchObject({ progress: 60, rowsWritten: 900, message: 'MSFT' });
    s.upsert({ ...base, status: 'succeeded', progress: 100, rowsWritten: 1560, finishedAt: '2024-06-01T10:00:02.000Z' });
    s.progress({ jobId: 'j1', progress: 80, rowsWritten: 1200, message: 'late', ...stats });
    expect(useJobs.getState().byId.j1).toMatchObject({ status: 'succeeded', progress: 100, rowsWritten: 1560, message: null });
  });

  it('does not let an older jobs.list snapshot undo an event', () => {
    const s = useJobs.getState();
    s.upsert({ ...base, status: 'succeeded', progress: 100, rowsWritten: 1560 });
    s.replaceFromList([{ ...base }, { ...base, id: 'j0', createdAt: '2024-05-01T00:00:00.000Z' }]);
    expect(useJobs.getState().byId.j1?.status).toBe('succeeded');
    expect(sortJobs(useJobs.getState().byId).map((j) => j.id)).toEqual(['j1', 'j0']);
  });

  it('ignores progress of jobs it has not seen', () => {
    useJobs.getState().progress({ jobId: 'nope', progress: 5, rowsWritten: 1, message: '', ...stats });
    expect(useJobs.getState().byId).toEqual({});
  });
});
