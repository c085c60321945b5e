import type Database from 'better-sqlite3';
import type { Job, JobStatus, Timeframe } from '../contract/schemas';
import type { ErrorValue } from '../shared/errors';

interface JobRow {
  id: string;
  kind: 'ingest';
  status: JobStatus;
  provider: string;
  feed: string;
  timeframe: string;
  symbols: string;
  start_date: string;
  end_date: string;
  progress: number;
  rows_written: number;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    provider: r.provider,
    feed: r.feed,
    timeframe: r.timeframe as Timeframe,
    symbols: JSON.parse(r.symbols) as string[],
    start: r.start_date,
    end: r.end_date,
    progress: r.progress,
    rowsWritten: r.rows_written,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: r.error_code ? ({ code: r.error_code, message: r.error_message ?? '' } as ErrorValue) : null,
  };
}

export interface NewJob {
  id: string;
  provider: string;
  feed: string;
  timeframe: Timeframe;
  symbols: string[];
  start: string;
  end: string;
  params: Record<string, unknown>;
  host: string;
}

export interface ChunkRecord {
  jobId: string;
  symbol: string;
  chunkStart: string;
  chunkEnd: string;
  rows: number;
  file: string;
}

/** The jobs table and its checkpoints. Statements are prepared once per database. */
export class JobStore {
  private readonly stmts;
  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO jobs (id, kind, status, provider, feed, timeframe, symbols, start_date, end_date, params, host, pid, created_at)
        VALUES (@id, 'ingest', 'queued', @provider, @feed, @timeframe, @symbols, @start, @end, @params, @host, @pid, @now)`),
      get: db.prepare(`SELECT * FROM jobs WHERE id = ?`),
      list: db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`),
      start: db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?`),
      progress: db.prepare(`UPDATE jobs SET progress = ?, rows_written = ? WHERE id = ?`),
      finish: db.prepare(
        `UPDATE jobs SET status = ?, progress = ?, rows_written = ?, error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`,
      ),
      chunk: db.prepare(`INSERT OR REPLACE INTO job_chunks (job_id, symbol, chunk_start, chunk_end, rows, file, written_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      orphans: db.prepare(`SELECT id, pid FROM jobs WHERE status IN ('queued', 'running')`),
      chunks: db.prepare(`SELECT symbol, chunk_start, chunk_end, rows, file FROM job_chunks WHERE job_id = ? ORDER BY symbol, chunk_start`),
    };
  }

  create(j: NewJob): Job {
    this.stmts.insert.run({
      ...j,
      symbols: JSON.stringify(j.symbols),
      params: JSON.stringify(j.params),
      pid: process.pid,
      now: new Date().toISOString(),
    });
    return this.get(j.id)!;
  }

  get(id: string): Job | undefined {
    const r = this.stmts.get.get(id) as JobRow | undefined;
    return r ? toJob(r) : undefined;
  }

  list(limit: number): Job[] {
    return (this.stmts.list.all(limit) as JobRow[]).map(toJob);
  }

  markRunning(id: string): Job {
    this.stmts.start.run(new Date().toISOString(), id);
    return this.get(id)!;
  }

  recordProgress(id: string, progress: number, rowsWritten: number): void {
    this.stmts.progress.run(progress, rowsWritten, id);
  }

  recordChunk(c: ChunkRecord): void {
    this.stmts.chunk.run(c.jobId, c.symbol, c.chunkStart, c.chunkEnd, c.rows, c.file, new Date().toISOString());
  }

  chunks(jobId: string): ChunkRecord[] {
    return (this.stmts.chunks.all(jobId) as { symbol: string; chunk_start: string; chunk_end: string; rows: number; file: string }[]).map(
      (r) => ({ jobId, symbol: r.symbol, chunkStart: r.chunk_start, chunkEnd: r.chunk_end, rows: r.rows, file: r.file }),
    );
  }

  /**
   * Jobs left queued or running by a process that no longer exists (killed, crashed, laptop died) are marked failed
   * with E_INTERRUPTED, so `jobs` never shows a run that nobody is running. Their checkpoints stay for a resume.
   */
  reapOrphans(isAlive: (pid: number) => boolean): number {
    const rows = this.stmts.orphans.all() as { id: string; pid: number | null }[];
    let n = 0;
    for (const r of rows) {
      if (r.pid !== null && isAlive(r.pid)) continue;
      const j = this.get(r.id)!;
      this.finish(r.id, 'failed', j.progress, j.rowsWritten, { code: 'E_INTERRUPTED', message: 'interrupted: the process running this job exited before it finished' });
      n++;
    }
    return n;
  }

  finish(id: string, status: Exclude<JobStatus, 'queued' | 'running'>, progress: number, rowsWritten: number, error: ErrorValue | null): Job {
    this.stmts.finish.run(status, progress, rowsWritten, error?.code ?? null, error?.message ?? null, new Date().toISOString(), id);
    return this.get(id)!;
  }
}
