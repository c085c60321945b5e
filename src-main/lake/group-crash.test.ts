import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeGateIn } from '../testing/fakeGate';
import { makeTmpDir, type TmpDir } from '../testing/tmp';

// The group commit (group.ts) under kill -9: the built CLI kills itself (MP_CRASH_AT) when a group's temp files are
// complete, after they are renamed into the tree, and after the group's catalog transaction. The next start's sweep
// must leave every partition as before the group (absent) or after it (equal to a clean run's), and a resume must end
// with the lake a clean run has. Uses the built CLI (npm test builds first).

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin', 'marketpipe.cjs');
const SYMBOLS = Array.from({ length: 12 }, (_, i) => `S${String(i).padStart(2, '0')}`);
const ARGS = ['ingest', '--provider', 'fake', '--symbols', SYMBOLS.join(','), '--start', '2024-01-02', '--end', '2024-01-03', '--workers', '4', '--no-pipeline'];
const DIGEST = `SELECT symbol, count(*) AS n, sum(hash(ts, open, high, low, close, volume, trade_count, vwap, session))::VARCHAR AS h FROM bars_all GROUP BY ALL ORDER BY ALL`;

let tmp: TmpDir;
let clean: Array<{ symbol: string; n: number; h: string }>;
let n = 0;

function cli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, MP_LOG_LEVEL: 'warn', ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function digest(dataDir: string): Array<{ symbol: string; n: number; h: string }> {
  const r = cli(dataDir, ['query', DIGEST, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<{ symbol: string; n: number; h: string }>;
}

/**
 * The ingest with its last eight symbols held (MP_FAKE_GATE) until a first unit is durable (its 'unit written' line):
 * a group after that one surely exists, whatever the machine's speed (a page latency raced the stage thread's start).
 */
async function cliWithLaterGroup(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const gate = fakeGateIn(path.join(dataDir, '..', `gate-${path.basename(dataDir)}`));
  for (const s of SYMBOLS.slice(4)) gate.hold(s);
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...ARGS], { env: { ...process.env, MP_LOG_LEVEL: 'info', ...gate.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('unit written')) for (const s of SYMBOLS.slice(4)) gate.release(s);
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  return { code, signal, stderr };
}

const treeFiles = (dataDir: string) => fs.readdirSync(path.join(dataDir, 'lake', 'bars'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

beforeAll(() => {
  tmp = makeTmpDir('mp-group-crash-');
  const dir = path.join(tmp.dir, 'clean');
  const r = cli(dir, ARGS);
  expect(r.code, r.stderr).toBe(0);
  clean = digest(dir);
  expect(clean.map((c) => c.symbol)).toEqual(SYMBOLS);
});
afterAll(() => tmp.cleanup());

describe('group commit killed at each step', () => {
  // unslowed, the fetch outruns the writer and its first group holds most partitions; for a later group (':2') the
  // last symbols are held until a first group is committed
  for (const point of ['write.group.merged', 'write.group.published', 'write.group.committed', 'write.group.published:2', 'write.group.committed:2']) {
    it(`after kill -9 at ${point}, each partition is as before or after its group, and a resume ends equal to a clean run`, async () => {
      const dir = path.join(tmp.dir, `run-${++n}`);
      const r = point.includes(':') ? await cliWithLaterGroup(dir, { MP_CRASH_AT: point }) : cli(dir, ARGS, { MP_CRASH_AT: point });
      expect(r.signal, `no kill at ${point}: ${r.stderr}`).toBe('SIGKILL');
      // the next start sweeps what the killed process left: nothing foreign, every catalogued file whole
      const v = cli(dir, ['lake', 'verify']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const crashed = digest(dir);
      for (const row of crashed) expect(row).toEqual(clean.find((c) => c.symbol === row.symbol));
      expect(treeFiles(dir).filter((f) => !f.endsWith('.parquet') || f.startsWith('.'))).toEqual([]);
      const [job] = JSON.parse(cli(dir, ['jobs', '--json']).stdout) as Array<{ id: string }>;
      const resumed = cli(dir, ['ingest', '--resume', job!.id]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(digest(dir)).toEqual(clean);
      expect(cli(dir, ['lake', 'verify']).code).toBe(0);
    });
  }

  it('a stage worker that dies in the middle of a later group fails the job with a coded error; the lake keeps the earlier groups, and a resume ends equal to a clean run', async () => {
    const dir = path.join(tmp.dir, 'thread-exit');
    const r = await cliWithLaterGroup(dir, { MP_THREAD_EXIT_AT: 'write.group.staged:2' });
    expect(r.signal).toBe(null);
    expect(r.code, r.stderr).not.toBe(0);
    expect(r.stderr).toMatch(/E_INTERNAL|lake-stage worker failed/);
    const v = cli(dir, ['lake', 'verify']);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    for (const row of digest(dir)) expect(row).toEqual(clean.find((c) => c.symbol === row.symbol));
    expect(treeFiles(dir).filter((f) => !f.endsWith('.parquet') || f.startsWith('.'))).toEqual([]);
    const [job] = JSON.parse(cli(dir, ['jobs', '--json']).stdout) as Array<{ id: string; status: string }>;
    expect(job!.status).toBe('failed');
    const resumed = cli(dir, ['ingest', '--resume', job!.id]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(digest(dir)).toEqual(clean);
  });
});
