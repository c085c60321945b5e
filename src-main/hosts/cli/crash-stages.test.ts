import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeGateIn } from '../../testing/fakeGate';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';

// Jobs are atomic across their stages (fetch, write, validate, aggregate): a kill -9 anywhere leaves a job that says
// which stage remains, and the same command or --resume finishes it, ending equal to a clean run in every
// timeframe. Uses the built CLI (npm test builds first). Kill points come from MP_CRASH_AT (the process kills itself
// with SIGKILL there) or from a log line; never from a sleep. MP_CRASH_LOOP=1 adds a loop of 22 kills.

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin', 'marketpipe.cjs');
const ARGS = ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB,CCC', '--start', '2023-12-20', '--end', '2024-01-10', '--workers', '2', '--batch-size', '1000'];
// every timeframe's rows, hashed: the lake after a crash and a finish must equal a clean run's
const DIGEST = `SELECT timeframe, symbol, count(*) AS n, sum(hash(ts, open, high, low, close, volume, trade_count, vwap))::VARCHAR AS h FROM bars_all GROUP BY ALL ORDER BY ALL`;

let tmp: TmpDir;
let cleanDigest: string;
let n = 0;
beforeAll(() => {
  tmp = makeTmpDir('mp-crash-stages-');
  const clean = path.join(tmp.dir, 'clean');
  const r = cli(clean, ARGS);
  expect(r.code, r.stderr).toBe(0);
  cleanDigest = digest(clean);
  expect(JSON.parse(cleanDigest).map((row: { timeframe: string }) => row.timeframe)).toEqual(expect.arrayContaining(['1m', '5m', '15m', '30m', '1h', '1d']));
});
afterAll(() => tmp.cleanup());

function dir(): string {
  return path.join(tmp.dir, `run-${++n}`);
}

function cli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, MP_LOG_LEVEL: 'warn', ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function digest(dataDir: string): string {
  const r = cli(dataDir, ['query', DIGEST, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

function jobs(dataDir: string): { id: string; status: string; stage: string; error: { code: string } | null }[] {
  return JSON.parse(cli(dataDir, ['jobs', '--json']).stdout);
}

/** The ingest kills itself at `point` (MP_CRASH_AT). */
function crashAt(dataDir: string, point: string): void {
  const r = cli(dataDir, ARGS, { MP_CRASH_AT: point });
  expect(r.signal, `no kill at ${point}: ${r.stderr}`).toBe('SIGKILL');
}

/** Starts an ingest and kills it with SIGKILL when a log line containing `line` appears (the n-th time). */
async function killOnLine(dataDir: string, line: string, nth = 1): Promise<void> {
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...ARGS], { env: { ...process.env, MP_FAKE_LATENCY_MS: '5', MP_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.split(line).length - 1 >= nth) resolve();
    });
    child.once('exit', () => reject(new Error(`ingest ended before the kill: ${buf}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

/** Finishes the killed job (the same command, or --resume), then the lake must equal the clean run's. */
function finishAndCompare(dataDir: string, how: 'same' | 'resume', expectStage?: string): void {
  const [killed] = jobs(dataDir);
  expect(killed).toMatchObject({ status: 'failed', error: { code: 'E_INTERRUPTED' } });
  if (expectStage) expect(killed!.stage).toBe(expectStage);
  const r = how === 'same' ? cli(dataDir, [...ARGS, '--json']) : cli(dataDir, ['ingest', '--resume', killed!.id, '--json']);
  expect(r.code, r.stderr).toBe(0);
  // the killed job itself is finished, not a new one that finds everything "already up to date"
  expect(JSON.parse(r.stdout)).toMatchObject({ jobId: killed!.id, status: 'succeeded' });
  expect(digest(dataDir)).toBe(cleanDigest);
  const leftovers = fs.readdirSync(path.join(dataDir, 'lake'), { recursive: true }).filter((f) => String(f).endsWith('.tmp'));
  expect(leftovers).toEqual([]);
}

// Each test is 4-6 runs of the built CLI one after another (spawnSync: a process start, DuckDB, an ingest or a query
// each), so its duration is the machine's throughput, not a race: 36-64 s each at load 21 on 2 cores (one went past
// the 60 s default, at 64 s). The budget is per test, about three times the worst seen.
describe('jobs are atomic across their stages (built CLI)', { timeout: 180_000 }, () => {
  it('kill -9 in the validate stage, then the same command: the job finishes, equal to a clean run', () => {
    const d = dir();
    crashAt(d, 'validate.done');
    finishAndCompare(d, 'same', 'validate');
    expect(jobs(d)[0]).toMatchObject({ status: 'succeeded', stage: 'done' });
  });

  it('kill -9 in the aggregate stage, then --resume: the job finishes without credentials, equal to a clean run', () => {
    const d = dir();
    // at the stage's start hook, not at its log line: a kill sent from here raced the stage's end (the loop below
    // also kills from outside, where the stage that remains is accepted)
    crashAt(d, 'aggregate.start');
    finishAndCompare(d, 'resume', 'aggregate');
  });

  it('a failed aggregate stage exits 1 and the job says so; --resume finishes it', () => {
    const d = dir();
    // a file where the 5m partitions' folder belongs: every 5m write fails
    fs.mkdirSync(path.join(d, 'lake', 'bars'), { recursive: true });
    fs.writeFileSync(path.join(d, 'lake', 'bars', 'timeframe=5m'), '');
    const r = cli(d, ARGS);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/aggregate stage failed/);
    const [job] = jobs(d);
    expect(job).toMatchObject({ status: 'failed', stage: 'aggregate' });
    expect(cli(d, ['jobs']).stdout).toMatch(/failed\s+aggregate/);
    fs.rmSync(path.join(d, 'lake', 'bars', 'timeframe=5m'));
    const resumed = cli(d, ['ingest', '--resume', job!.id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(digest(d)).toBe(cleanDigest);
  });

  it('a validate worker thread that dies mid-run fails the job at its validate stage with a coded error; --resume finishes it, equal to a clean run', () => {
    const d = dir();
    // the thread ends itself after its rules ran, before the report (MP_THREAD_EXIT_AT); the process goes on
    const r = cli(d, ARGS, { MP_THREAD_EXIT_AT: 'validate.judged' });
    expect(r.signal).toBe(null);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/validate stage failed: validate worker failed/);
    const [job] = jobs(d);
    expect(job).toMatchObject({ status: 'failed', stage: 'validate', error: { code: 'E_INTERNAL' } });
    const reports = () => (fs.existsSync(path.join(d, 'reports')) ? fs.readdirSync(path.join(d, 'reports')) : []);
    expect(reports()).toEqual([]);
    const resumed = cli(d, ['ingest', '--resume', job!.id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout) as { jobId: string; status: string; stages: Array<{ stage: string; status: string }> };
    expect(out).toMatchObject({ jobId: job!.id, status: 'succeeded' });
    expect(out.stages.find((s) => s.stage === 'validate')).toMatchObject({ status: 'done' });
    expect(digest(d)).toBe(cleanDigest);
    // one report, the resumed run's, and no temp file of the run that died
    expect(reports()).toEqual([expect.stringMatching(/\.csv$/)]);
  });

  it('two processes ingesting into one data dir: the second refuses in one line, the first ends correct', async () => {
    const d = dir();
    // CCC is held (MP_FAKE_GATE) until the second has refused: the first is surely still running (and holding the
    // data dir) when the second starts, however fast the machine
    const gate = fakeGateIn(path.join(d, '..', 'gate-two'));
    gate.hold('CCC');
    const first = spawn(process.execPath, [bin, '--data-dir', d, ...ARGS], { env: { ...process.env, MP_FAKE_LATENCY_MS: '100', MP_LOG_LEVEL: 'info', ...gate.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    const firstExit = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      first.stderr!.on('data', (b: Buffer) => {
        buf += b.toString();
        if (buf.includes('unit written')) resolve();
      });
      first.once('exit', () => reject(new Error(`first ingest ended early: ${buf}`)));
    });
    const second = cli(d, ARGS);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(/another MarketPipe process \(pid \d+ .*\) is writing to this data dir/);
    gate.release('CCC');
    expect(await firstExit).toBe(0);
    expect(digest(d)).toBe(cleanDigest);
    // once the first has ended, the lease is free again
    expect(cli(d, ARGS).code).toBe(0);
  });

  // 22 kills across the four stages (fetch, write, validate, aggregate), at hooks and at log lines
  const loop = process.env.MP_CRASH_LOOP === '1';
  if (!loop) it.skip('kill -9 loop across all stages (set MP_CRASH_LOOP=1 to run it)', () => undefined);
  else {
    const points: { kill: string | { line: string; nth: number }; stage: string }[] = [];
    for (let i = 1; i <= 4; i++) points.push({ kill: `fetch.page:${i * 3}`, stage: 'fetch' }, { kill: `write.durable:${i}`, stage: 'fetch' });
    points.push({ kill: { line: 'unit written', nth: 2 }, stage: 'fetch' }, { kill: { line: 'unit written', nth: 5 }, stage: 'fetch' });
    for (const p of ['validate.start', 'validate.done', 'aggregate.start', 'aggregate.done']) points.push({ kill: p, stage: p.split('.')[0]! }, { kill: p, stage: p.split('.')[0]! });
    points.push({ kill: { line: '"stage":"validate"', nth: 1 }, stage: '' }, { kill: { line: '"stage":"aggregate"', nth: 1 }, stage: 'aggregate' });
    points.push({ kill: { line: 'ingest finished', nth: 1 }, stage: '' }, { kill: { line: '"stage":"validate"', nth: 1 }, stage: '' });
    it.each(points.map((p, i) => ({ ...p, i })))('kill -9 #$i at $kill, then finish: equal to a clean run', async ({ kill, stage, i }) => {
      const d = dir();
      if (typeof kill === 'string') crashAt(d, kill);
      else await killOnLine(d, kill.line, kill.nth);
      // a kill from outside lands anywhere after its line: the stage is whichever remained
      finishAndCompare(d, i % 2 === 0 ? 'same' : 'resume', stage || undefined);
    }, 120_000);
  }
});
