import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, useCliTestDir } from './testing';

// `marketpipe query` runs its statement in the CLI's own process (query/inline.ts). The built binary is run here as a
// user runs it: a statement DuckDB cannot interrupt still ends at its timeout, and one past the memory ceiling at
// once (the process ends itself, its one-line error said, its --output file not left behind); Ctrl+C cancels.
// Needs `npm run build`.

const tmp = useCliTestDir('mp-query-inline-');
const repo = path.resolve(__dirname, '../../..');
const bin = path.join(repo, 'bin', 'marketpipe.cjs');
/** a string builder: DuckDB's interrupt does not stop it, and it allocates ~1.5 GB */
const REPEAT = "SELECT length(repeat('x', 1500000000)) AS n";

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, bin, '--data-dir', tmp.dataDir, ...args], {
    cwd: tmp.dir,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, exit };
}

/**
 * A data dir with its database and catalog (an empty lake): the first query finds no database and opens the engine,
 * which makes them; the next ones take the read-only path.
 */
async function prepared(): Promise<void> {
  const r = await runCli(tmp.dataDir, ['query', 'SELECT 1']);
  expect(r.code, r.stderr).toBe(0);
}

describe('marketpipe query in its own process', () => {
  it('prints its rows, exits 0 and leaves no spill folder, having loaded neither zod nor the engine', { timeout: 60_000 }, async () => {
    await prepared();
    // what the process loaded, said as it exits: zod's schemas and the engine were most of this command's start
    const probe = path.join(tmp.dir, 'probe.cjs');
    fs.writeFileSync(
      probe,
      `process.on('exit', () => { const m = Object.keys(require.cache); process.stderr.write(JSON.stringify({ zod: m.some((f) => /[\\\\/]node_modules[\\\\/]zod[\\\\/]/.test(f)), engine: m.some((f) => /[\\\\/]chunks[\\\\/]engine-/.test(f)), duckdb: m.some((f) => /[\\\\/]@duckdb[\\\\/]node-api[\\\\/]/.test(f)) }) + '\\n'); });`,
    );
    const { child, exit } = start(['query', 'SELECT 42 AS answer', '--format', 'csv'], {}, ['-r', probe]);
    const r = await exit;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('answer\n42\n');
    expect(JSON.parse(r.stderr)).toEqual({ zod: false, engine: false, duckdb: true });
    expect(fs.existsSync(path.join(tmp.dataDir, 'tmp', 'query-spill', String(child.pid)))).toBe(false);
  });

  it('a statement DuckDB cannot interrupt ends at its timeout: one line, no output file left', { timeout: 60_000 }, async () => {
    await prepared();
    const out = path.join(tmp.dir, 'out.csv');
    const { child, exit } = start(['query', REPEAT, '--timeout', '0.5', '--format', 'csv', '--output', out]);
    const r = await exit;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr).toBe('marketpipe: error: query cancelled after its timeout of 0.5 s\n');
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith('out.csv'))).toEqual([]);
    // its spill folder stays behind a killed process, and goes with the next query (its process is gone)
    const left = path.join(tmp.dataDir, 'tmp', 'query-spill', String(child.pid));
    expect(fs.existsSync(left)).toBe(true);
    expect((await runCli(tmp.dataDir, ['query', 'SELECT 1 AS one', '--format', 'csv'])).stdout).toBe('one\n1\n');
    expect(fs.existsSync(left)).toBe(false);
  });

  it('past MP_QUERY_MEMORY_MB the query ends at once with E_QUERY_MEMORY', { timeout: 60_000 }, async () => {
    await prepared();
    const r = await start(['query', REPEAT], { MP_QUERY_MEMORY_MB: '256' }).exit;
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr).toMatch(/^marketpipe: error: query stopped: the query engine reached \d+ MB, over its ceiling of 256 MB \(MP_QUERY_MEMORY_MB\); narrow the query or raise the ceiling\n$/);
  });

  it('Ctrl+C cancels a running query (exit 130)', { timeout: 60_000 }, async () => {
    await prepared();
    const { child, exit } = start(['query', 'SELECT count(*) FROM range(100000000000) a, range(100) b', '--timeout', '0']);
    // the query runs once the process has made its spill folder (just before DuckDB opens)
    const spill = path.join(tmp.dataDir, 'tmp', 'query-spill');
    await expect.poll(() => fs.existsSync(path.join(spill, String(child.pid))), { timeout: 30_000, interval: 50 }).toBe(true);
    child.kill('SIGINT');
    const r = await exit;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('marketpipe: error: query cancelled\n');
    expect(fs.existsSync(path.join(spill, String(child.pid)))).toBe(false);
  });
});
