import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeGateIn } from '../../testing/fakeGate';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';

// Kill -9 in the middle of an ingest, then run again: the lake must equal a clean run's, bar for bar, with no
// duplicate and no unreadable file. Uses the built CLI (npm test builds before the unit tests).

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin', 'marketpipe.cjs');
const ARGS = ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB,CCC,DDD', '--start', '2023-11-01', '--end', '2024-02-29', '--workers', '2', '--batch-size', '1000'];
const DIGEST = `SELECT symbol, count(*) AS n, count(DISTINCT ts) AS d, sum(hash(ts, open, high, low, close, volume, trade_count, vwap))::VARCHAR AS h FROM bars GROUP BY 1 ORDER BY 1`;

let tmp: TmpDir;
beforeEach(() => {
  tmp = makeTmpDir('mp-crash-');
});
afterEach(() => tmp.cleanup());

function cli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Starts an ingest and kills it with SIGKILL right after its first unit is durable (a log line says so). DDD is held
 * (MP_FAKE_GATE), so the ingest is surely still running when the kill comes, however fast the machine.
 */
async function killMidway(dataDir: string): Promise<void> {
  const gate = fakeGateIn(path.join(tmp.dir, 'gate'));
  gate.hold('DDD');
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...ARGS], {
    env: { ...process.env, MP_FAKE_LATENCY_MS: '10', MP_LOG_LEVEL: 'info', ...gate.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
  await new Promise<void>((resolve, reject) => {
    let buf = '';
    child.stderr!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('unit written')) resolve();
    });
    child.once('exit', () => reject(new Error(`ingest ended before the kill: ${buf}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

describe('crash safety (built CLI)', () => {
  it('kill -9, then the same command again: equal to a clean run', async () => {
    const crashed = path.join(tmp.dir, 'crashed');
    await killMidway(crashed);
    const jobs = JSON.parse(cli(crashed, ['jobs', '--json']).stdout) as { status: string; stage: string; id: string }[];
    // the killed job is reported as interrupted at its fetch, not as running forever
    expect(jobs[0]).toMatchObject({ status: 'failed', stage: 'fetch' });
    const again = cli(crashed, [...ARGS, '--json'], { MP_LOG_LEVEL: 'info' });
    expect(again.code, again.stderr).toBe(0);
    // the same command finishes the killed job, and the units done before the kill are not fetched again
    expect(JSON.parse(again.stdout)).toMatchObject({ jobId: jobs[0]!.id, status: 'succeeded' });
    expect(again.stderr.split('unit written').length - 1).toBeLessThan(8);

    const clean = path.join(tmp.dir, 'clean');
    expect(cli(clean, ARGS).code).toBe(0);
    const a = cli(crashed, ['query', DIGEST, '--format', 'json']);
    const b = cli(clean, ['query', DIGEST, '--format', 'json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout)).toHaveLength(4);
    // no temp file is left where a reader could trip on it
    const leftovers = fs.readdirSync(path.join(crashed, 'lake'), { recursive: true }).filter((f) => String(f).endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });

  it('kill -9, then --resume JOB_ID: equal to a clean run', async () => {
    const crashed = path.join(tmp.dir, 'crashed');
    await killMidway(crashed);
    const [job] = JSON.parse(cli(crashed, ['jobs', '--json']).stdout) as { id: string }[];
    const resumed = cli(crashed, ['ingest', '--resume', job!.id, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ jobId: job!.id, status: 'succeeded' });
    const clean = path.join(tmp.dir, 'clean');
    expect(cli(clean, ARGS).code).toBe(0);
    expect(cli(crashed, ['query', DIGEST, '--format', 'json']).stdout).toBe(cli(clean, ['query', DIGEST, '--format', 'json']).stdout);
  });
});
