import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';

// Compaction under kill -9 (Nautilus Trader's catalog lost data in this step: its issues 3875 and 4435). The built
// CLI kills itself (MP_CRASH_AT) after the merged file is complete and checked, after it is renamed into the tree, and
// after the catalog commit; the next start's sweep and a second `lake compact` must end with the lake a clean run has.
// The same for the automatic tail merge (tiers.ts) inside an ingest: the resumed job ends equal to a clean run.

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin', 'marketpipe.cjs');
const FIRST = ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', '2024-01-02', '--end', '2024-01-03', '--no-pipeline'];
const SECOND = ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', '2024-01-04', '--end', '2024-01-05', '--no-pipeline'];
const DIGEST = `SELECT timeframe, symbol, count(*) AS n, sum(hash(ts, open, high, low, close, volume, trade_count, vwap, session))::VARCHAR AS h FROM bars_all GROUP BY ALL ORDER BY ALL`;

let tmp: TmpDir;
let clean: string;
/** the tail-merge case: a lake about to merge its appended files, and the same lake after an uninterrupted ingest */
let beforeTail: string;
let cleanTail: string;
const TAIL_ENV = { MP_COMPACT_THRESHOLD: '3' };
const day = (d: string) => ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', d, '--end', d, '--no-pipeline', '--json'];
const partFiles = (dataDir: string, symbol: string) => fs.readdirSync(path.join(dataDir, 'lake', 'bars', 'timeframe=1m', 'provider=fake', 'feed=sim', `symbol=${symbol}`, 'year=2024')).sort();
let n = 0;

function cli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [bin, '--data-dir', dataDir, ...args], { encoding: 'utf8', env: { ...process.env, MP_LOG_LEVEL: 'warn', ...env } });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function ok(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = cli(dataDir, args, env);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

/** Two ingests of disjoint sessions: every partition holds two files. */
function twoFileLake(): string {
  const dir = path.join(tmp.dir, `run-${++n}`);
  ok(dir, FIRST);
  ok(dir, SECOND);
  return dir;
}

const dataFiles = (dataDir: string) => {
  const out: string[] = [];
  const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : out.push(path.join(d, e.name))));
  walk(path.join(dataDir, 'lake', 'bars'));
  return out.sort();
};

beforeAll(() => {
  tmp = makeTmpDir('mp-compact-crash-');
  const dir = twoFileLake();
  expect(dataFiles(dir)).toHaveLength(4);
  const before = ok(dir, ['query', DIGEST, '--format', 'json']);
  expect(ok(dir, ['lake', 'compact'])).toMatch(/^lake compact: 2 partition\(s\), 4 files merged into 2/);
  clean = ok(dir, ['query', DIGEST, '--format', 'json']);
  expect(clean).toBe(before);
  expect(dataFiles(dir)).toHaveLength(2);
}, 180_000);
afterAll(() => tmp.cleanup());

describe('compaction killed at each step', () => {
  for (const point of ['compact.merged', 'compact.published', 'compact.committed', 'compact.committed:2']) {
    it(`ends equal to a clean run after kill -9 at ${point}`, () => {
      const dir = twoFileLake();
      const r = cli(dir, ['lake', 'compact'], { MP_CRASH_AT: point });
      expect(r.signal, `no kill at ${point}: ${r.stderr}`).toBe('SIGKILL');
      // the next start sweeps what the killed process left: nothing foreign, every catalogued file whole
      const v = cli(dir, ['lake', 'verify']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      expect(ok(dir, ['query', DIGEST, '--format', 'json'])).toBe(clean);
      ok(dir, ['lake', 'compact']);
      expect(ok(dir, ['query', DIGEST, '--format', 'json'])).toBe(clean);
      expect(dataFiles(dir).filter((f) => !f.endsWith('.parquet'))).toEqual([]);
      expect(dataFiles(dir)).toHaveLength(2);
      expect(cli(dir, ['lake', 'verify']).code).toBe(0);
    }, 240_000);
  }
});

describe('a tail merge (inside an ingest) killed at each step', () => {
  beforeAll(() => {
    // 28 sessions in one file a partition (10,920 bars; a quarter is 7 sessions), then two one-session appends: the
    // next session's ingest leaves 4 files past the threshold of 3, and merges the 3 appended ones alone
    beforeTail = path.join(tmp.dir, 'before-tail');
    ok(beforeTail, ['ingest', '--provider', 'fake', '--symbols', 'AAA,BBB', '--start', '2024-01-02', '--end', '2024-02-09', '--no-pipeline'], TAIL_ENV);
    for (const d of ['2024-02-12', '2024-02-13']) ok(beforeTail, day(d), TAIL_ENV);
    const after = path.join(tmp.dir, 'clean-tail');
    fs.cpSync(beforeTail, after, { recursive: true });
    ok(after, day('2024-02-14'), TAIL_ENV);
    cleanTail = ok(after, ['query', DIGEST, '--format', 'json']);
    expect(partFiles(after, 'AAA')).toHaveLength(2);
    expect(partFiles(after, 'AAA')[0]).toBe(partFiles(beforeTail, 'AAA')[0]);
  }, 300_000);

  for (const point of ['compact.tail.merged', 'compact.tail.published', 'compact.tail.committed', 'compact.tail.committed:2']) {
    it(`ends equal to a clean run after kill -9 at ${point} and --resume, the base never rewritten`, () => {
      const dir = path.join(tmp.dir, `run-${++n}`);
      fs.cpSync(beforeTail, dir, { recursive: true });
      const bases = ['AAA', 'BBB'].map((s) => partFiles(dir, s)[0]);
      const r = cli(dir, day('2024-02-14'), { ...TAIL_ENV, MP_CRASH_AT: point });
      expect(r.signal, `no kill at ${point}: ${r.stderr}`).toBe('SIGKILL');
      const v = cli(dir, ['lake', 'verify']);
      expect(v.code, v.stdout + v.stderr).toBe(0);
      const [job] = JSON.parse(ok(dir, ['jobs', '--json'])) as Array<{ id: string }>;
      ok(dir, ['ingest', '--resume', job!.id], TAIL_ENV);
      expect(ok(dir, ['query', DIGEST, '--format', 'json'])).toBe(cleanTail);
      for (const [i, s] of ['AAA', 'BBB'].entries()) {
        expect(partFiles(dir, s)).toHaveLength(2);
        expect(partFiles(dir, s)[0]).toBe(bases[i]);
      }
      expect(dataFiles(dir).filter((f) => !f.endsWith('.parquet'))).toEqual([]);
      expect(cli(dir, ['lake', 'verify']).code).toBe(0);
    }, 240_000);
  }
});
