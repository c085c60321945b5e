import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, expect } from 'vitest';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';
import { run } from './main';

// Helpers of the CLI's tests: the CLI in-process (the same run(argv, io) the bin calls) with collected streams, and a
// temp folder per test.

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Two streams the CLI writes to, read whole afterwards (flowing from the start: a large output never stalls). */
export function capture(): { stdout: PassThrough; stderr: PassThrough; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Record<'out' | 'err', Buffer[]> = { out: [], err: [] };
  stdout.on('data', (c: Buffer) => chunks.out.push(c));
  stderr.on('data', (c: Buffer) => chunks.err.push(c));
  return {
    stdout,
    stderr,
    out: () => Buffer.concat(chunks.out).toString('utf8'),
    err: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}

/** Runs `marketpipe --data-dir DIR ...args` in-process (tests): its exit code and everything it printed. */
export async function runCli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const io = capture();
  const code = await run(['node', 'marketpipe', '--data-dir', dataDir, ...args], { stdout: io.stdout, stderr: io.stderr, env });
  io.stdout.end();
  io.stderr.end();
  return { code, stdout: io.out(), stderr: io.err() };
}

export interface CliTestDir {
  /** the test's own temp folder (removed after the test) */
  readonly dir: string;
  /** `<dir>/data`, not created: commands that must not touch the disk leave it absent */
  readonly dataDir: string;
}

/** A fresh temp folder for every test of the file: registers the beforeEach that makes it and the afterEach that removes it. */
export function useCliTestDir(prefix: string): CliTestDir {
  let tmp: TmpDir | undefined;
  beforeEach(() => {
    tmp = makeTmpDir(prefix);
  });
  afterEach(() => {
    tmp?.cleanup();
    tmp = undefined;
  });
  return {
    get dir() {
      return tmp!.dir;
    },
    get dataDir() {
      return path.join(tmp!.dir, 'data');
    },
  };
}

/** The non-blank lines of an output. */
export const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim() !== '');

/** Expects exit `code` and exactly one stderr line starting `marketpipe: `; returns that line. */
export function expectOneLineError(r: CliResult, code: number): string {
  expect(r.code, r.stdout + r.stderr).toBe(code);
  const errs = lines(r.stderr);
  expect(errs, r.stderr).toHaveLength(1);
  expect(errs[0]).toMatch(/^marketpipe: /);
  return errs[0]!;
}
