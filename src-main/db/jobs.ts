import type Database from 'better-sqlite3';
import os from 'node:os';
import { JobAccountingSchema, type Job, type JobAccounting, type JobStage, type JobStatus, type Timeframe } from '../contract/schemas';
import { z } from 'zod';
import { MpError, type ErrorValue } from '../shared/errors';
import { DuplicateStore } from './duplicates';

export const JobParamsSchema = z.object({
  workers: z.number().int().min(1).max(32).default(4),
  batchSize: z.number().int().min(1).optional(),
  source: z.string().optional(),
  tz: z.string().optional(),
  force: z.boolean().default(false),
  adjustment: z.enum(['raw', 'split', 'dividend', 'all']).default('raw'),
  pipeline: z.boolean().default(true),
});
export type JobParams = z.infer<typeof JobParamsSchema>;

interface JobRow {
  id: string;
  kind: 'ingest';
  status: JobStatus;
  stage: JobStage;
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
  /** JSON (migration 0013); NULL for older jobs */
  accounting: string | null;
}

function accountingOf(raw: string | null): JobAccounting | null {
  if (raw === null) return null;
  const r = JobAccountingSchema.safeParse(JSON.parse(raw));
  return r.success ? r.data : null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    stage: r.stage,
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
    accounting: accountingOf(r.accounting),
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
  params: JobParams;
  host: string;
}

export interface TaskRecord {
  symbol: string;
  year: number;
  start: string;
  end: string;
  days: number;
  status: 'pending' | 'done';
  rows: number;
}

/** The jobs table and its checkpoints. Statements are prepared once per database. */
export class JobStore {
  private readonly stmts;
  private dups: DuplicateStore | undefined;
  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO jobs (id, kind, status, stage, provider, feed, timeframe, symbols, start_date, end_date, params, host, pid, created_at)
        VALUES (@id, 'ingest', 'queued', 'fetch', @provider, @feed, @timeframe, @symbols, @start, @end, @params, @host, @pid, @now)`),
      get: db.prepare(`SELECT * FROM jobs WHERE id = ?`),
      params: db.prepare(`SELECT params FROM jobs WHERE id = ?`),
      list: db.prepare(`SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?`),
      start: db.prepare(`UPDATE jobs SET status = 'running', started_at = ? WHERE id = ?`),
      progress: db.prepare(`UPDATE jobs SET progress = ?, rows_written = ? WHERE id = ?`),
      finish: db.prepare(
        `UPDATE jobs SET status = ?, progress = ?, rows_written = ?, error_code = ?, error_message = ?, finished_at = ?, stage = coalesce(?, stage) WHERE id = ?`,
      ),
      stage: db.prepare(`UPDATE jobs SET stage = ? WHERE id = ?`),
      accounting: db.prepare(`UPDATE jobs SET accounting = ? WHERE id = ?`),
      fetched: db.prepare(`UPDATE jobs SET stage = 'validate', progress = 100, rows_written = ? WHERE id = ?`),
      sameRequest: db.prepare(`SELECT * FROM jobs WHERE provider = ? AND feed = ? AND timeframe = ? AND symbols = ? AND start_date = ? AND end_date = ?
        ORDER BY created_at DESC, rowid DESC LIMIT 1`),
      interrupted: db.prepare(`SELECT * FROM jobs WHERE status = 'failed' AND error_code = 'E_INTERRUPTED' ORDER BY created_at, rowid`),
      addTask: db.prepare(`INSERT OR IGNORE INTO job_tasks (job_id, symbol, year, start_date, end_date, days, status, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`),
      taskDone: db.prepare(`UPDATE job_tasks SET status = 'done', rows = ?, file = ?, updated_at = ? WHERE job_id = ? AND symbol = ? AND year = ?`),
      tasks: db.prepare(`SELECT symbol, year, start_date, end_date, days, status, rows FROM job_tasks WHERE job_id = ? ORDER BY symbol, year`),
      reopen: db.prepare(`UPDATE jobs SET status = 'queued', error_code = NULL, error_message = NULL, finished_at = NULL, pid = ?, host = ? WHERE id = ?`),
      orphans: db.prepare(`SELECT id, pid FROM jobs WHERE status IN ('queued', 'running')`),
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

  /** The run parameters a job was created with (never secrets): what a resume needs. */
  params(id: string): JobParams {
    const raw = this.stmts.params.pluck().get(id) as string | undefined;
    return JobParamsSchema.parse(raw ? JSON.parse(raw) : {});
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

  /** Records the plan: every unit starts pending. */
  addTasks(jobId: string, tasks: Omit<TaskRecord, 'status' | 'rows'>[]): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const t of tasks) this.stmts.addTask.run(jobId, t.symbol, t.year, t.start, t.end, t.days, now);
    })();
  }

  /** Called only once the unit's partition is durable: the checkpoint never runs ahead of the data. */
  markTaskDone(jobId: string, symbol: string, year: number, rows: number, file: string | null): void {
    this.stmts.taskDone.run(rows, file, new Date().toISOString(), jobId, symbol, year);
  }

  tasks(jobId: string): TaskRecord[] {
    return (this.stmts.tasks.all(jobId) as { symbol: string; year: number; start_date: string; end_date: string; days: number; status: 'pending' | 'done'; rows: number }[]).map(
      (r) => ({ symbol: r.symbol, year: r.year, start: r.start_date, end: r.end_date, days: r.days, status: r.status, rows: r.rows }),
    );
  }

  /** A failed, cancelled or interrupted job goes back to queued for a resume, in this process. */
  reopen(jobId: string, host: string): void {
    this.stmts.reopen.run(process.pid, host, jobId);
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

  /** A succeeded job is done with every stage; a failed or cancelled one keeps the stage it did not finish. */
  finish(id: string, status: Exclude<JobStatus, 'queued' | 'running'>, progress: number, rowsWritten: number, error: ErrorValue | null): Job {
    this.stmts.finish.run(status, progress, rowsWritten, error?.code ?? null, error?.message ?? null, new Date().toISOString(), status === 'succeeded' ? 'done' : null, id);
    return this.get(id)!;
  }

  /** The fetch is over and its bars durable: the job goes on (still running) to its validate stage. */
  fetched(id: string, rowsWritten: number): Job {
    this.stmts.fetched.run(rowsWritten, id);
    return this.get(id)!;
  }

  /** Runs `fn` in one SQLite transaction (the stores of one database: a unit's checkpoint with its accounting). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** The repeated timestamps of the jobs' deliveries, kept for validation (migration 0013). */
  duplicates(): DuplicateStore {
    return (this.dups ??= new DuplicateStore(this.db));
  }

  /** Where the rows the job received went (ingest/accounting.ts keeps it current). */
  setAccounting(id: string, accounting: JobAccounting): void {
    this.stmts.accounting.run(JSON.stringify(JobAccountingSchema.parse(accounting)), id);
  }

  /** The stage that remains, recorded before the stage starts: a kill leaves the job pointing at it. */
  setStage(id: string, stage: Exclude<JobStage, 'done'>): void {
    this.stmts.stage.run(stage, id);
  }

  /** The newest job made by the same request (source, symbols, range) and the parameters it ran with. */
  latestLike(j: Pick<NewJob, 'provider' | 'feed' | 'timeframe' | 'symbols' | 'start' | 'end'>): { job: Job; params: JobParams } | undefined {
    const r = this.stmts.sameRequest.get(j.provider, j.feed, j.timeframe, JSON.stringify(j.symbols), j.start, j.end) as JobRow | undefined;
    return r ? { job: toJob(r), params: this.params(r.id) } : undefined;
  }

  /** Jobs whose process died (or whose engine closed) before they finished, oldest first. */
  interrupted(): Job[] {
    return (this.stmts.interrupted.all() as JobRow[]).map(toJob);
  }
}

/**
 * The writer lease: one process at a time writes a data dir's lake. Held (in SQLite, so every process sees it
 * atomically) while this process runs jobs; a lease whose process is gone is taken over. Counted: the jobs of one
 * process share it.
 */
export class WriterLease {
  private held = 0;
  constructor(
    private readonly db: Database.Database,
    private readonly isAlive: (pid: number) => boolean,
  ) {}

  /** Takes the lease (or counts one more user of it); throws E_CONFLICT, one line, when another live process holds it. */
  acquire(): void {
    if (this.held > 0) {
      this.held++;
      return;
    }
    const me = os.hostname();
    this.db
      .transaction(() => {
        const row = this.db.prepare(`SELECT pid, hostname, acquired_at FROM writer_lease WHERE id = 1`).get() as { pid: number; hostname: string; acquired_at: string } | undefined;
        // a holder on another machine cannot be checked: it is taken as alive
        if (row && row.pid !== process.pid && (row.hostname !== me || this.isAlive(row.pid))) {
          throw new MpError('E_CONFLICT', `another MarketPipe process (pid ${row.pid} on ${row.hostname}) is writing to this data dir since ${row.acquired_at}: run again once it has finished`);
        }
        this.db.prepare(`INSERT OR REPLACE INTO writer_lease (id, pid, hostname, acquired_at) VALUES (1, ?, ?, ?)`).run(process.pid, me, new Date().toISOString());
      })
      .immediate();
    this.held = 1;
  }

  release(): void {
    if (this.held === 0) return;
    if (--this.held === 0) this.db.prepare(`DELETE FROM writer_lease WHERE id = 1 AND pid = ?`).run(process.pid);
  }
}
