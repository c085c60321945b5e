import fs from 'node:fs/promises';
import path from 'node:path';
import { MpError } from '../shared/errors';
import { readEnv } from '../settings/env';

// A test hook, like MP_CRASH_AT: tests that look at a job while it runs (in flight, cancelled midway, killed after a
// first unit) hold the fake provider here instead of hoping that a latency outlasts their next steps, which failed on
// a fast machine (the job ended first) or a loaded one (the steps took longer). Unset (always, outside tests), a
// fetch never waits here.
//
// With MP_FAKE_GATE=<dir>, a fetch of SYMBOL, before its page k (0-based; the empty last request of a range that ends
// on a full page counts as a page), waits while `<dir>/SYMBOL` or `<dir>/_all` exists and holds a number <= k (an
// empty file: 0, every page held). The test removes the file to let the fetch go on; a cancel ends the wait.

/** How often a held fetch looks at its gate file again (test-only: never reached when MP_FAKE_GATE is unset). */
const POLL_MS = 20;

/** The pages the file lets through before it holds (0 when empty); undefined when there is no such file. */
async function passes(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const n = text.trim() === '' ? 0 : Number(text.trim());
  if (!Number.isSafeInteger(n) || n < 0) throw new MpError('E_BAD_INPUT', `MP_FAKE_GATE: ${file} must hold a whole number of pages or nothing`);
  return n;
}

async function held(dir: string, symbol: string, page: number): Promise<boolean> {
  for (const name of [symbol, '_all']) {
    const n = await passes(path.join(dir, name));
    if (n !== undefined && n <= page) return true;
  }
  return false;
}

/** Resolves after `ms`, or rejects with E_CANCELLED when `signal` aborts first. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new MpError('E_CANCELLED', 'cancelled'));
    const onAbort = () => {
      clearTimeout(t);
      reject(new MpError('E_CANCELLED', 'cancelled'));
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits while MP_FAKE_GATE holds `symbol`'s page `page` (returns at once when the variable is unset). */
export async function fakeGate(env: NodeJS.ProcessEnv, symbol: string, page: number, signal: AbortSignal): Promise<void> {
  const dir = readEnv(env, 'MP_FAKE_GATE');
  if (dir === undefined) return;
  while (await held(dir, symbol, page)) await pause(POLL_MS, signal);
}
