// What every command shares: the IO streams, the engine's lifecycle around one command, output helpers.
import pkg from '../../../package.json';
import { Command } from 'commander';
import { describeAccounting } from '../../ingest/accounting';
import { MpError } from '../../shared/errors';
import { resolveDataDir } from '../../settings/paths';
import { withDotEnv } from '../../settings/dotenv';
import { Redactor } from '../../shared/redact';
import type { Engine } from '../../engine';
import type { RequestArgInput, RequestName, RequestResult } from '../../contract';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** ends this process at once (the `marketpipe` process; absent when the CLI runs in-process, as in tests) */
  kill?: () => void;
}

interface GlobalOpts {
  dataDir?: string;
}

export async function withEngine<T>(cmd: Command, io: CliIo, fn: (engine: Engine) => Promise<T>, host: 'cli' | 'serve' = 'cli'): Promise<T> {
  const { Engine } = await import('../../engine');
  const { createLogger } = await import('../../shared/log');
  const { parseEnv } = await import('../../settings/env');
  const fullEnv = withDotEnv(io.env);
  const env = parseEnv(fullEnv);
  const globals = cmd.optsWithGlobals<GlobalOpts>();
  const engine = new Engine({
    dataDir: resolveDataDir(globals.dataDir, io.env),
    host,
    version: pkg.version,
    env: fullEnv,
    log: createLogger({ level: env.MP_LOG_LEVEL ?? 'warn', redactor: Redactor.fromEnv(fullEnv), write: (l) => io.stderr.write(l) }),
  });
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

export function print(io: CliIo, s: string) {
  io.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

/** A request through the contract's dispatcher, as the UI would make it; an error value becomes a thrown MpError. */
export async function request<K extends RequestName>(engine: Engine, name: K, arg: RequestArgInput<K>, opts: { signal?: AbortSignal } = {}): Promise<RequestResult<K>> {
  const r = await engine.dispatcher.dispatch(name, arg, { transport: 'in-process', ...opts });
  if (!r.ok) throw new MpError(r.error.code, r.error.message);
  return r.value as RequestResult<K>;
}

/**
 * Starts (or resumes) a job through its request, then follows it (an engine method: a request answers once, a job
 * goes on): shows its progress on a terminal, turns Ctrl+C into a clean cancel, prints the summary.
 */
export async function followJob(engine: Engine, io: CliIo, json: boolean, start: () => Promise<{ jobId: string }>, requestedEnd?: string): Promise<void> {
  const t0 = performance.now();
  const job = { id: (await start()).jobId };
  if (requestedEnd !== undefined) {
    // no future bars: the engine clipped the range to the last closed session; say so
    const recorded = await request(engine, 'jobs.get', { jobId: job.id });
    if (recorded.end < requestedEnd) io.stderr.write(`marketpipe: note: --end ${requestedEnd} is after the last closed session: ingesting through ${recorded.end}\n`);
  }
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !json;
  const off = tty
    ? engine.bus.subscribe((e) => {
        if (e.type === 'jobs.progress' && e.payload.jobId === job.id) {
          io.stderr.write(`\r${e.payload.progress.toFixed(1).padStart(5)}%  ${e.payload.rowsWritten} rows  ${e.payload.message}`.padEnd(80));
        }
      })
    : () => undefined;
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    io.stderr.write('\ncancelling: finishing the current write (Ctrl+C again to abort at once)\n');
    request(engine, 'ingest.cancel', { jobId: job.id }).catch(() => undefined);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let done;
  let elapsedMs: number;
  let timeline;
  try {
    done = await engine.waitForJob(job.id, { pipeline: false });
    elapsedMs = Math.round(performance.now() - t0);
    if (tty) io.stderr.write(`\r${'validating and aggregating the new bars…'.padEnd(80)}`);
    await engine.pipeline.settled(job.id);
    timeline = await request(engine, 'jobs.timeline', { jobId: done.id });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    off();
    if (tty) io.stderr.write('\n');
  }
  const tasks = await request(engine, 'jobs.tasks', { jobId: done.id });
  const summary = {
    jobId: done.id,
    status: done.status,
    provider: done.provider,
    feed: done.feed,
    timeframe: done.timeframe,
    symbols: done.symbols,
    start: done.start,
    end: done.end,
    rowsWritten: done.rowsWritten,
    /** units of work (symbol x year) this job planned; 0 when everything was already in the lake */
    units: tasks.length,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((done.rowsWritten / elapsedMs) * 1000) : done.rowsWritten,
    dataDir: engine.paths.root,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    error: done.error,
    /** fetch, write, validate, aggregate: status and wall milliseconds (fetch and write: also summedMs over `workers`) */
    stages: timeline.stages,
  };
  const acc = done.accounting ?? null;
  if (json) print(io, JSON.stringify({ ...summary, accounting: acc }));
  else if (acc && acc.stored === 0 && acc.received > 0 && acc.alreadyInLake === 0) {
    // rows were received and none stored, none of them for want of a fetch: say where they went, not "up to date"
    print(io, `job ${done.id} ${done.status}: nothing stored: ${describeAccounting(acc)}`);
  } else if (tasks.length === 0 && done.status === 'succeeded') print(io, `job ${done.id}: already up to date (${done.start}..${done.end} is in the lake; --force fetches again)`);
  else print(io, `job ${done.id} ${done.status}: ${done.rowsWritten} rows, ${done.symbols.length} symbol(s), ${done.start}..${done.end}, ${(elapsedMs / 1000).toFixed(1)} s`);
  // every row received is accounted for: the line appears whenever some were not stored
  if (!json && acc && acc.stored !== acc.received && !(acc.stored === 0 && acc.alreadyInLake === 0)) print(io, `  rows: ${describeAccounting(acc)}`);
  if (!json) {
    for (const s of timeline.stages.filter((s) => (s.stage === 'validate' || s.stage === 'aggregate') && s.status !== 'skipped')) {
      print(io, `  ${s.stage}: ${s.status}${s.durationMs !== null ? ` in ${(s.durationMs / 1000).toFixed(1)} s` : ''}${s.detail ? ` (${s.detail})` : ''}`);
    }
  }
  if (done.error) throw new MpError(done.error.code, done.error.message);
}
