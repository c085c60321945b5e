import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { start as startAlpaca } from '../../testing/emulators/alpaca';
import type { EmulatorHandle } from '../../testing/emulators/common';
import { makeTmpDir, type TmpDir } from '../../testing/tmp';

// Secrets never reach logs, files, job records or error messages: run real ingests through the built CLI against the
// local Alpaca emulator (one that succeeds, one whose error echoes the credentials back) and grep every byte they
// produced — stdout, stderr at debug level, and every file in the data dir (SQLite DB and WAL, Parquet) — for them.

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'bin', 'marketpipe.cjs');
const KEY = 'PKTESTKEY7Q2W9E4R';
const SECRET = 'sk-test-Zx81mN3vB5cQ0pL6';

let tmp: TmpDir;
let emu: EmulatorHandle;
beforeEach(async () => {
  tmp = makeTmpDir('mp-secrets-');
  emu = await startAlpaca({ key: KEY, secret: SECRET });
});
afterEach(async () => {
  await emu.close();
  tmp.cleanup();
});

function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, '--data-dir', path.join(tmp.dir, 'data'), ...args], {
      env: { ...process.env, ALPACA_KEY: KEY, ALPACA_SECRET: SECRET, ALPACA_DATA_URL: emu.url, MP_LOG_LEVEL: 'debug' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('secrets', () => {
  it('appear in no output and no file of a run, even when the provider echoes them back', async () => {
    const ok = await cli(['ingest', '--provider', 'alpaca', '--symbols', 'AAPL,BRK.B', '--start', '2024-01-02', '--end', '2024-01-03', '--json']);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('"status":"succeeded"');
    // the emulator really received the credentials (so the grep below is meaningful)
    expect(emu.requests.some((r) => r.headers['apca-api-secret-key'] === SECRET)).toBe(true);

    emu.setFailures({ status: 400, body: JSON.stringify({ code: 40010001, message: `bad request for key ${KEY} with secret ${SECRET}` }), contentType: 'application/json' });
    const bad = await cli(['ingest', '--provider', 'alpaca', '--symbols', 'MSFT', '--start', '2024-01-02', '--end', '2024-01-03']);
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/alpaca/);
    expect(bad.out).toContain('[redacted]'); // the echo was there, and was caught

    const jobs = await cli(['jobs', '--json']);
    const query = await cli(['query', 'SELECT * FROM bars LIMIT 5', '--format', 'json']);
    const outputs = [ok.out, bad.out, jobs.out, query.out].join('\n');
    for (const s of [KEY, SECRET]) expect(outputs).not.toContain(s);
    const files = filesUnder(path.join(tmp.dir, 'data'));
    expect(files.some((f) => f.endsWith('.parquet'))).toBe(true);
    for (const f of files) {
      const bytes = fs.readFileSync(f);
      for (const s of [KEY, SECRET]) expect(bytes.includes(Buffer.from(s)), `${s} found in ${f}`).toBe(false);
    }
  });
});
