/**
 * Fault injection for the kill -9 tests: with MP_CRASH_AT=<point>[:<n>], this process kills itself with SIGKILL the
 * n-th time (default the first) it reaches <point>, exactly as a crash or a power cut would stop it there. Points:
 * fetch.page (a page fetched, not yet written), write.durable (a unit's file published, its checkpoint not yet
 * recorded), validate.start, validate.done (the audit report committed, the stage not yet advanced), aggregate.start,
 * aggregate.done (timeframes published, the job not yet succeeded). Unset (always, outside tests): nothing happens.
 */
const counts = new Map<string, number>();

export function crashPoint(point: string, env: NodeJS.ProcessEnv = process.env): void {
  const spec = env.MP_CRASH_AT;
  if (!spec) return;
  const [name, nth] = spec.split(':');
  if (name !== point) return;
  const n = (counts.get(point) ?? 0) + 1;
  counts.set(point, n);
  if (n === Number(nth ?? 1)) process.kill(process.pid, 'SIGKILL');
}
