import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { test as base, expect } from '@playwright/test';

export const REPO_ROOT = path.resolve(__dirname, '..');
const URL_LINE = /https?:\/\/\S+\?token=\S+/;
/** A deadline for `serve` to print its URL, so a hung start fails the test and still reaches the cleanup below. */
const START_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 10_000;

export interface Server {
  /** The link `marketpipe serve` printed, token included. */
  url: string;
  /** The same server without the token. */
  origin: string;
  dataDir: string;
  /**
   * The MP_FAKE_GATE test hook (src-main/providers/fakeGate.ts): `hold` makes the fake provider wait before a
   * symbol's page ('_all': every symbol's) until `release`, so a test sees a job in flight without racing its end.
   */
  hold(symbol?: string, afterPages?: number): Promise<void>;
  release(symbol?: string): Promise<void>;
}

interface Fixtures {
  /** Extra environment for `serve`, e.g. { MP_FAKE_LATENCY_MS: '50' }. */
  serveEnv: Record<string, string>;
  server: Server;
}

// Children still alive when a worker exits (a crash, an abandoned fixture) are killed with it.
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function waitForUrl(child: ChildProcess, output: string[]): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (!child.stdout) return reject(new Error('serve has no stdout'));
    const lines = readline.createInterface({ input: child.stdout });
    const deadline = setTimeout(
      () => finish(new Error(`marketpipe serve printed no URL within ${START_DEADLINE_MS} ms:\n${output.join('\n')}`)),
      START_DEADLINE_MS,
    );
    const onExit = (code: number | null, signal: string | null) =>
      finish(new Error(`marketpipe serve exited (code ${code}, signal ${signal}) before printing its URL:\n${output.join('\n')}`));
    function finish(result: string | Error) {
      clearTimeout(deadline);
      child.off('exit', onExit);
      lines.off('line', onLine);
      // Keep draining stdout so the server never blocks on a full pipe.
      lines.on('line', (line) => output.push(line));
      if (typeof result === 'string') resolve(result);
      else reject(result);
    }
    function onLine(line: string) {
      output.push(line);
      const m = URL_LINE.exec(line);
      if (m) finish(m[0]);
    }
    lines.on('line', onLine);
    child.once('exit', onExit);
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(deadline);
}

export const test = base.extend<Fixtures>({
  serveEnv: [{}, { option: true }],
  server: async ({ serveEnv }, use, testInfo) => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mp-e2e-'));
    const gateDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mp-e2e-gate-'));
    const output: string[] = [];
    const child = spawn(process.execPath, ['bin/marketpipe.cjs', 'serve', '--port', '0', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      // METRICS_PORT 0: each test's server gets its own free metrics port (tests run in parallel)
      env: { ...process.env, METRICS_PORT: '0', MP_FAKE_GATE: gateDir, ...serveEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    child.once('exit', () => live.delete(child));
    child.stderr?.on('data', (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter((l) => l !== '')));
    try {
      const url = await waitForUrl(child, output);
      await use({
        url,
        origin: new URL(url).origin,
        dataDir,
        hold: (symbol = '_all', afterPages = 0) => fs.writeFile(path.join(gateDir, symbol), String(afterPages)),
        release: (symbol = '_all') => fs.rm(path.join(gateDir, symbol), { force: true }),
      });
    } finally {
      await stop(child);
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach('serve output', { body: output.join('\n'), contentType: 'text/plain' });
      }
      await fs.rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      await fs.rm(gateDir, { recursive: true, force: true });
    }
  },
});

export { expect };
