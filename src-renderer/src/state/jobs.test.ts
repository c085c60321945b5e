import { beforeEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../src-main/contract/schemas';
import { runningJob } from '../testing/fixtures';
import { mergeSnapshot, shownRows, sortJobs, useJobs, validationWords } from './jobs';

const base: Job = runningJob();

const stats = { barsPerSecond: 0, etaSeconds: null, retries: 0, rateLimitWaits: 0, active: [], rowsReceived: 0, units: [] };
const cancelled: Job = {
  ...base,
  status: 'cancelled',
  progress: 40,
  rowsWritten: 780,
  finishedAt: '2024-06-01T10:00:05.000Z',
  error: { code: 'E_CANCELLED', message: 'cancelled by the user' },
};
/** The same job resumed: reopened (queued, no error), then running with a new start time. */
const reopened: Job = { ...cancelled, status: 'queued', finishedAt: null, error: null };
const resumed: Job = { ...reopened, status: 'running', startedAt: '2024-06-01T10:01:00.000Z' };

describe('jobs store', () => {
  beforeEach(() => useJobs.setState({ byId: {}, loaded: false, loadError: null, validations: {} }));

  it('shows rows received while a run goes, so rows move whenever its percent does, and the written count once it ended', () => {
    const s = useJobs.getState();
    s.upsert({ ...base, progress: 0, rowsWritten: 0 });
    // a year-long unit in flight: nothing written yet, but 28% of the days and 5,000 bars received
    s.progress({ jobId: 'j1', ...stats, progress: 28, rowsWritten: 0, rowsReceived: 5000, message: 'fetching AAPL 2024', units: [{ symbol: 'AAPL', year: 2024, daysFetched: 70, rows: 5000 }] });
    const running = useJobs.getState().byId.j1!;
    expect(shownRows(running)).toBe(5000);
    expect(running.stats?.units).toEqual([{ symbol: 'AAPL', year: 2024, daysFetched: 70, rows: 5000 }]);
    // a jobs.updated of the same run (the database's copy, written every 500 ms) does not take rows back
    s.upsert({ ...base, progress: 20, rowsWritten: 0 });
    expect(shownRows(useJobs.getState().byId.j1!)).toBe(5000);
    // the end: the written count (duplicates or bars outside the range may make it smaller than what was received)
    s.upsert({ ...base, status: 'succeeded', stage: 'done', progress: 100, rowsWritten: 4990, finishedAt: '2024-06-01T10:00:02.000Z' });
    expect(shownRows(useJobs.getState().byId.j1!)).toBe(4990);
  });

  it('keeps the newest validation of each job and words it for the row', () => {
    const s = useJobs.getState();
    // as validation.runs lists them: newest first
    s.validated([
      { jobId: 'j1', runId: 'r2', errors: 0, warnings: 0, infos: 0 },
      { jobId: 'j1', runId: 'r1', errors: 3, warnings: 1, infos: 0 },
      { jobId: null, runId: 'r0', errors: 9, warnings: 9, infos: 9 },
    ]);
    expect(useJobs.getState().validations).toEqual({ j1: { runId: 'r2', errors: 0, warnings: 0, infos: 0 } });
    s.validated([{ jobId: 'j1', runId: 'r3', errors: 2, warnings: 1, infos: 4 }]);
    expect(useJobs.getState().validations.j1?.runId).toBe('r3');
    expect(validationWords(useJobs.getState().validations.j1!)).toBe('2 errors, 1 warning, 4 info');
    expect(validationWords({ runId: 'r', errors: 0, warnings: 0, infos: 0 })).toBe('no findings');
  });

  it('applies progress events to running jobs and never rewinds a finished one', () => {
    const s = useJobs.getState();
    s.upsert(base);
    s.progress({ jobId: 'j1', progress: 60, rowsWritten: 900, message: 'MSFT', ...stats });
    expect(useJobs.getState().byId.j1).toMatchObject({ progress: 60, rowsWritten: 900, message: 'MSFT' });
    s.upsert({ ...base, status: 'succeeded', progress: 100, rowsWritten: 1560, finishedAt: '2024-06-01T10:00:02.000Z' });
    s.progress({ jobId: 'j1', progress: 80, rowsWritten: 1200, message: 'late', ...stats });
    expect(useJobs.getState().byId.j1).toMatchObject({ status: 'succeeded', progress: 100, rowsWritten: 1560, message: null, stats: null });
  });

  it('keeps the live numbers of a run (bars/s, ETA, retries, waits, symbols in flight) until it ends', () => {
    const s = useJobs.getState();
    s.upsert({ ...base, status: 'queued' });
    s.progress({ jobId: 'j1', progress: 20, rowsWritten: 300, message: 'fetching AAPL 2024', barsPerSecond: 1500, etaSeconds: 130, retries: 2, rateLimitWaits: 1, active: ['AAPL', 'MSFT'], rowsReceived: 300, units: [] });
    expect(useJobs.getState().byId.j1).toMatchObject({
      status: 'running',
      stats: { barsPerSecond: 1500, etaSeconds: 130, retries: 2, rateLimitWaits: 1, active: ['AAPL', 'MSFT'] },
    });
    // A jobs.updated of the same run keeps them; the end of the run clears them.
    s.upsert({ ...base, progress: 15 });
    expect(useJobs.getState().byId.j1).toMatchObject({ progress: 20, rowsWritten: 300, stats: { barsPerSecond: 1500 } });
    s.upsert(cancelled);
    expect(useJobs.getState().byId.j1?.stats).toBeNull();
  });

  it('follows a resumed job: events after the end of a run start a new one', () => {
    const s = useJobs.getState();
    s.upsert(cancelled);
    s.upsert(reopened);
    expect(useJobs.getState().byId.j1).toMatchObject({ status: 'queued', error: null });
    s.upsert(resumed);
    s.progress({ jobId: 'j1', progress: 70, rowsWritten: 1200, message: '', ...stats, barsPerSecond: 900 });
    expect(useJobs.getState().byId.j1).toMatchObject({ status: 'running', progress: 70, rowsWritten: 1200, stats: { barsPerSecond: 900 } });
    s.upsert({ ...resumed, status: 'succeeded', progress: 100, rowsWritten: 1560, finishedAt: '2024-06-01T10:01:03.000Z' });
    expect(useJobs.getState().byId.j1).toMatchObject({ status: 'succeeded', progress: 100, rowsWritten: 1560 });
  });

  it('does not let an older jobs.list snapshot undo an event', () => {
    const s = useJobs.getState();
    s.upsert({ ...base, status: 'succeeded', progress: 100, rowsWritten: 1560, finishedAt: '2024-06-01T10:00:02.000Z' });
    s.replaceFromList([{ ...base }, { ...base, id: 'j0', createdAt: '2024-05-01T00:00:00.000Z' }]);
    expect(useJobs.getState().byId.j1?.status).toBe('succeeded');
    expect(sortJobs(useJobs.getState().byId).map((j) => j.id)).toEqual(['j1', 'j0']);
  });

  it('tells a stale snapshot from a resumed run by the run times', () => {
    const view = (j: Job) => ({ ...j, rowsReceived: j.rowsWritten, message: null, stats: null });
    // known: cancelled; snapshot: the run before the cancel (stale) / a resumed run (newer)
    expect(mergeSnapshot(view(cancelled), base).status).toBe('cancelled');
    expect(mergeSnapshot(view(cancelled), resumed).status).toBe('running');
    // known: the resumed run; snapshot: the cancelled end of the first run (stale)
    expect(mergeSnapshot(view(resumed), cancelled).status).toBe('running');
    // known: the resumed run finished; snapshot: the first run's end (stale)
    const second: Job = { ...resumed, status: 'succeeded', progress: 100, finishedAt: '2024-06-01T10:01:03.000Z' };
    expect(mergeSnapshot(view(second), cancelled).status).toBe('succeeded');
    // known: running; snapshot: its end
    expect(mergeSnapshot(view(base), cancelled).status).toBe('cancelled');
  });

  it('ignores progress of jobs it has not seen', () => {
    useJobs.getState().progress({ jobId: 'nope', progress: 5, rowsWritten: 1, message: '', ...stats });
    expect(useJobs.getState().byId).toEqual({});
  });
});
