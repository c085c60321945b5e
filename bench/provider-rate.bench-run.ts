import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Engine } from '../src-main/engine';
import { ALPACA_EMULATOR_KEY, ALPACA_EMULATOR_SECRET, start } from '../src-main/testing/emulators/alpaca';

// Provider-bound ingestion: a backfill against the local Alpaca emulator enforcing Alpaca's free-plan limit
// (200 requests per fixed minute, 429 beyond). Reports the share of the allowed request rate the ingest used
// (target >= 90%) and the 429s it drew (target 0). One page per symbol-day (batch size 390) makes it request-bound.
// Run: npx vitest run --config bench/vitest.config.mts bench/provider-rate.bench-run.ts   (about 80 s)

const LIMIT = 200;
const SYMBOLS = Array.from({ length: 10 }, (_, i) => `R${String(i).padStart(2, '0')}`);

it('uses the rate budget without drawing 429s', async () => {
  const emu = await start({ rateLimit: { limit: LIMIT, windowMs: 60_000 }, latencyMs: 20 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-rate-'));
  const engine = new Engine({
    dataDir: dir,
    host: 'cli',
    env: { ALPACA_KEY: ALPACA_EMULATOR_KEY, ALPACA_SECRET: ALPACA_EMULATOR_SECRET, ALPACA_DATA_URL: emu.url },
  });
  try {
    const t0 = performance.now();
    // 10 symbols x 26 sessions = 260 requests: just over a minute and a quarter at the limit
    const job = await engine.startIngest({ provider: 'alpaca', symbols: SYMBOLS, start: '2024-01-02', end: '2024-02-07', batchSize: 390, workers: 8 });
    const done = await engine.waitForJob(job.id);
    const seconds = (performance.now() - t0) / 1000;
    expect(done.status).toBe('succeeded');
    const requests = emu.stats.received;
    // the budget over the run: the first window's allowance plus the rate for the time after it
    const allowed = LIMIT + Math.max(0, seconds - 60) * (LIMIT / 60);
    const share = requests / allowed;
    const result = { requests, seconds: Math.round(seconds * 10) / 10, allowedRequests: Math.round(allowed), shareOfAllowedRate: Math.round(share * 1000) / 10, status429: emu.stats.rateLimited, rows: done.rowsWritten, target: '>= 90% of the allowed rate, zero 429s' };
    console.log(`provider-bound ingest: ${JSON.stringify(result)}`);
    expect(emu.stats.rateLimited).toBe(0);
  } finally {
    await engine.close();
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
