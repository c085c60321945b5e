import fs from 'node:fs';
import { MpError } from '../shared/errors';
import { WorkerPool, workerScript } from '../shared/workers';
import type { JudgeInput, JudgeOutput } from './judge';
import { JUDGE_TASKS } from './judgeTasks';

// The engine's side of the validate worker (validateWorker.ts): validation runs' DuckDB work in one thread, a run at a
// time. In a 2.4M-bar pipeline the run's statements and the synchronous close of its instance (150-550 ms) were the
// validate stage's longest holds of the engine's event loop (issue 13).


/** Runs judge() in the validate worker thread; close() waits for the run in flight (its DuckDB closes in the thread), then ends the thread. */
export class JudgeWorkers {
  private readonly pool: WorkerPool<typeof JUDGE_TASKS>;
  private readonly running = new Set<Promise<unknown>>();

  constructor(o: { script?: () => Promise<string> } = {}) {
    this.pool = new WorkerPool(JUDGE_TASKS, { name: 'validate', script: o.script ?? (() => workerScript(__dirname, 'validateWorker')), size: 1 });
  }

  async judge(input: JudgeInput): Promise<JudgeOutput> {
    const run = this.pool.run('validate.judge', input);
    this.running.add(run);
    try {
      return await run;
    } catch (e) {
      // a thread that died mid-run: the pool's coded E_INTERNAL ("validate worker failed: ..."); the run's report may be half written
      await fs.promises.rm(input.reportFile, { force: true });
      if (e instanceof MpError) throw e;
      throw new MpError('E_INTERNAL', `validation in the worker failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      this.running.delete(run);
    }
  }

  /**
   * Ends the thread once no run is in it: ending a thread while its DuckDB works aborts the whole process ('terminate
   * called after throwing an instance of Napi::Error'), and a run always closes its instance before it answers.
   */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
    await this.pool.close();
  }
}
