import fs from 'node:fs';
import { MpError } from '../shared/errors';
import { WorkerPool, workerScript } from '../shared/workers';
import type { WriteRequest } from './requests';
import { loopTurn, stagedPaths, stageNames, type StagedFiles } from './stage';
import { isPaged } from './pages';
import { crossingBatch, STAGE_TASKS, type StageGroupArg } from './stageTasks';

// The engine's side of the lake stage worker (stageWorker.ts): one thread, one DuckDB of its own, a group at a time.
// The group's temp names are chosen here, so that whatever becomes of the thread (an error, an exit mid-group) this
// side removes what it may have left before the group's failure is reported.

export type StageWorkerPool = WorkerPool<typeof STAGE_TASKS>;


export interface StageWorkerOptions {
  /** the worker DuckDB's spill folder (its own: two instances must not share one) */
  tempDir?: string;
  /** replaces stageWorker's script (tests) */
  script?: () => Promise<string>;
}

/** rows packed between two turns of the event loop (a copy of 64k rows is about 4 MB) */
const PACK_ROWS_PER_TURN = 65_536;

/** Stages groups in the worker thread: writeGroupFiles() off the event loop. close() ends the thread. */
export class StageWorkers {
  private readonly pool: StageWorkerPool;
  /** a task was given to the thread (so it may hold a DuckDB to close) */
  private started = false;

  constructor(private readonly o: StageWorkerOptions = {}) {
    this.pool = new WorkerPool(STAGE_TASKS, { name: 'lake-stage', script: o.script ?? (() => workerScript(__dirname, 'stageWorker')), size: 1 });
  }

  async stage(barsRoot: string, reqs: WriteRequest[]): Promise<StagedFiles> {
    const names = stageNames(reqs.length);
    const items: StageGroupArg['items'] = [];
    const transfer = new Set<ArrayBuffer>();
    let copied = 0;
    for (const [i, r] of reqs.entries()) {
      // pages cross as they are (transferred); a batch given whole is packed into a copy: a turn of the loop between
      // copies of many rows
      const c = crossingBatch(r.batch);
      for (const b of c.transfer) transfer.add(b);
      items.push({ key: { timeframe: r.key.timeframe, provider: r.key.provider, feed: r.key.feed, symbol: r.key.symbol, year: r.key.year }, length: r.batch.length, parts: c.parts, file: names.files[i]! });
      if (!isPaged(r.batch) && (copied += r.batch.length) >= PACK_ROWS_PER_TURN) {
        copied = 0;
        await loopTurn();
      }
    }
    this.started = true;
    try {
      return await this.pool.run('stage.group', { barsRoot, tempDir: this.o.tempDir ?? null, items, group: names.group }, [...transfer]);
    } catch (e) {
      // the worker removes its files when it fails; a thread that died could not
      const left = stagedPaths(barsRoot, reqs, names);
      await Promise.all([...left.files.map((f) => fs.promises.rm(f, { force: true })), fs.promises.rm(left.dir, { recursive: true, force: true })]);
      if (e instanceof MpError) throw e;
      throw new MpError('E_INTERNAL', `staging a group in the worker failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Starts the thread and its DuckDB now (the first group would otherwise wait for both); a failure shows at that group. */
  warm(): void {
    this.started = true;
    this.pool.run('stage.open', { tempDir: this.o.tempDir ?? null }).catch(() => undefined);
  }

  /**
   * Gives the thread's memory back between jobs: closes its DuckDB (inside the thread, after the task it runs, if any)
   * and ends the thread; the next group starts both again. The caller runs it when no group is being staged (the
   * writer's queue), so nothing waits on the thread meanwhile.
   */
  async release(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.pool.run('stage.close', null).catch(() => undefined);
    await this.pool.endIdle();
  }

  /** Closes the thread's DuckDB (after the task it runs, if any), then ends the thread. */
  async close(): Promise<void> {
    if (this.started) await this.pool.run('stage.close', null).catch(() => undefined);
    return this.pool.close();
  }
}
