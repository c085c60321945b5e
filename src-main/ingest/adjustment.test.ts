import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { queryRows, useTestEngine } from '../testing/engine';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start } from '../testing/emulators/alpaca';
import type { EmulatorHandle } from '../testing/emulators/common';

// Raw prices unless asked otherwise; adjusted bars are their own source, never mixed with the raw ones.

let emu: EmulatorHandle;
beforeEach(async () => {
  emu = await start();
});
afterEach(async () => {
  await emu.close();
});
// registered after the emulator's hooks: opened once it listens, closed before it stops
const fx = useTestEngine('mp-adj-', () => ({ env: { ALPACA_KEY: ALPACA_EMULATOR_KEY, ALPACA_SECRET: ALPACA_EMULATOR_SECRET, ALPACA_DATA_URL: emu.url } }));

describe('adjustment', () => {
  it('asks for raw by default, and stores adjusted bars under their own feed', async () => {
    const raw = await fx.engine.startIngest({ provider: 'alpaca', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02' });
    expect((await fx.engine.waitForJob(raw.id)).status).toBe('succeeded');
    const split = await fx.engine.startIngest({ provider: 'alpaca', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', adjustment: 'split' });
    expect(split.feed).toBe('iex-split');
    expect((await fx.engine.waitForJob(split.id)).status).toBe('succeeded');
    const asked = emu.requests.map((r) => new URL(r.url, emu.url).searchParams);
    expect(asked.map((q) => [q.get('feed'), q.get('adjustment')])).toEqual([
      ['iex', 'raw'],
      ['iex', 'split'],
    ]);
    expect(await queryRows(fx.engine, `SELECT feed, count(*) FROM bars_all WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1`, 10)).toEqual([
      ['iex', 390],
      ['iex-split', 390],
    ]);
  });

  it('refuses an adjustment the provider does not offer', async () => {
    await expect(fx.engine.startIngest({ provider: 'fake', symbols: ['AAPL'], start: '2024-01-02', end: '2024-01-02', adjustment: 'split' })).rejects.toMatchObject({ code: 'E_BAD_INPUT' });
  });
});
