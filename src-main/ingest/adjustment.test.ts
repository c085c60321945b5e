import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../testing/engine';
import { Engine } from '../engine';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start } from '../testing/emulators/alpaca';
import type { EmulatorHandle } from '../testing/emulators/common';

// Raw prices unless asked otherwise; adjusted bars are their own source, never mixed with the raw ones.

let root: string;
let emu: EmulatorHandle;
let engine: Engine;
beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-adj-'));
  emu = await start();
  engine = new Engine({ dataDir: path.join(root, 'd'), host: 'test', env: { ALPACA_KEY: ALPACA_EMULATOR_KEY, ALPACA_SECRET: ALPACA_EMULATOR_SECRET, ALPACA_DATA_URL: emu.url } });
});
afterEach(async () => {
  await engine.close();
  await emu.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('adjustment', () => {
  it('asks for raw by default, and stores adjusted bars under their own feed', async () => {
    const raw = await engine.startIngest({ provider: 'alpaca', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02' });
    expect((await engine.waitForJob(raw.id)).status).toBe('succeeded');
    const split = await engine.startIngest({ provider: 'alpaca', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', adjustment: 'split' });
    expect(split.feed).toBe('iex-split');
    expect((await engine.waitForJob(split.id)).status).toBe('succeeded');
    const asked = emu.requests.map((r) => new URL(r.url, emu.url).searchParams);
    expect(asked.map((q) => [q.get('feed'), q.get('adjustment')])).toEqual([
      ['iex', 'raw'],
      ['iex', 'split'],
    ]);
    expect(await queryRows(engine, `SELECT feed, count(*) FROM bars_all WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`, 10)).toEqual([
      ['iex', 390],
      ['iex-split', 390],
    ]);
  });

  it('refuses an adjustment the provider does not offer', async () => {
    await expect(engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', adjustment: 'split' })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });
});
