import { isMainThread } from 'node:worker_threads';

/**
 * Fault injection for the kill -9 tests: with MP_CRASH_AT=<point>[:<n>], this process kills itself with SIGKILL the
 * n-th time (default the first) it reaches <point>, exactly as a crash or a power cut would stop it there. Points:
 * fetch.page (a page fetched, not yet written), write.durable (a unit's file published, its checkpoint not yet
 * recorded), validate.start, validate.done (the audit report committed, the stage not yet advanced), aggregate.start,
 * aggregate.done (timeframes published, the job not yet succeeded). Unset (always, outside tests): nothing happens.
 */
const counts = new Map<string, number>();

/**
 * Fault injection for a worker thread's death: with MP_THREAD_EXIT_AT=<point>[:<n>], a worker thread (never the main
 * thread) ends itself the n-th time it reaches <point>, as a thread lost to a fatal error would; the process goes on.
 * Points: write.group.staged (the lake stage worker has staged a group, its files not yet written), validate.judged
 * (the validate worker has run the rules, the audit report not yet written).
 */
export function threadExitPoint(point: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env.MP_THREAD_EXIT_AT;
  if (!spec || isMainThread) return;
  const [name, nth] = spec.split(':');
  if (name !== point) return;
  const n = (counts.get(`thread:${point}`) ?? 0) + 1;
  counts.set(`thread:${point}`, n);
  if (n === Number(nth ?? 1)) process.exit(70);
}

export function crashPoint(point: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env.MP_CRASH_AT;
  if (!spec) return;
  const [name, nth] = spec.split(':');
  if (name !== point) return;
  const n = (counts.get(point) ?? 0) + 1;
  counts.set(point, n);
  if (n === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
