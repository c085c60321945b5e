import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { REPO_ROOT, expect, test } from './fixtures';
import { ingest, jobRow, nav, open, shoot } from './helpers';

// The chart explorer against `marketpipe serve`: candles loaded by visible range, a coarser timeframe when zoomed out,
// centring on `at`, finding markers from a validation report, and the empty state.

const run = promisify(execFile);

function chart(page: Page, symbol: string) {
  return page.getByRole('img', { name: `Candlestick chart of ${symbol}`, exact: true });
}

async function attr(page: Page, symbol: string, name: string): Promise<string> {
  return (await chart(page, symbol).getAttribute(name)) ?? '';
}

test('chart a symbol from the Universe page: candles, zoom out to a coarser timeframe, markers, centred on `at`', async ({ server, page }) => {
  await open(page, server);
  const jobId = await ingest(page, { symbols: 'AAPL', start: '2024-01-02', end: '2024-03-28' });
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
  // A validation run over a few days more than the lake holds: missing sessions at the end, markers on the chart.
  await run(process.execPath, ['bin/marketpipe.cjs', 'validate', '--symbols', 'AAPL', '--start', '2024-01-02', '--end', '2024-04-03', '--data-dir', server.dataDir], { cwd: REPO_ROOT });

  // Universe page -> Chart AAPL
  await nav(page, 'Universe').click();
  await page.getByLabel('Universe name', { exact: true }).fill('Charted');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByLabel('Symbols', { exact: true }).fill('AAPL');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('button', { name: 'Chart AAPL', exact: true }).click();

  const c = chart(page, 'AAPL');
  await expect(c).toHaveAttribute('data-timeframe-shown', '1m');
  expect(Number(await attr(page, 'AAPL', 'data-bars-loaded'))).toBeGreaterThan(0);
  await expect(page.getByLabel('Symbol', { exact: true })).toHaveValue('AAPL');
  await expect(page.getByLabel('Timeframe', { exact: true })).toHaveValue('1m');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1m bars' })).toBeVisible();
  // the last bars are shown first, and the missing sessions after them are marked
  await expect(c).not.toHaveAttribute('data-markers', '0');
  await expect(c).toHaveAttribute('data-sessions', /^[1-9]/);
  const box = await c.boundingBox();
  if (!box) throw new Error('chart has no box');
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  await shoot(page, 'chart-1m');

  // zoom out (wheel over the chart) until the engine answers with coarser bars
  await expect(async () => {
    await page.mouse.wheel(0, 800);
    await expect(c).not.toHaveAttribute('data-timeframe-shown', '1m', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByRole('status').filter({ hasText: 'zoomed out: 1m would be too many to draw' })).toBeVisible();
  const zoomedOut = await attr(page, 'AAPL', 'data-timeframe-shown');
  expect(['5m', '15m', '30m', '1h', '1d']).toContain(zoomedOut);
  expect(Number(await attr(page, 'AAPL', 'data-bars-loaded'))).toBeLessThanOrEqual(15_000);
  await shoot(page, 'chart-zoomed-out');

  // zoom back in: finer bars again
  await expect(async () => {
    await page.mouse.wheel(0, -800);
    await expect(c).toHaveAttribute('data-timeframe-shown', '1m', { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });

  // opened with `at` (as the Query and Validation pages do): centred on that instant
  const at = '2024-02-15T17:00:00.000Z';
  await page.goto(`${server.url}#/chart?symbol=AAPL&timeframe=5m&at=${encodeURIComponent(at)}`);
  await expect(c).toHaveAttribute('data-timeframe-shown', '5m');
  await expect(c).toHaveAttribute('data-visible-from', /Z$/);
  const from = Date.parse(await attr(page, 'AAPL', 'data-visible-from'));
  const to = Date.parse(await attr(page, 'AAPL', 'data-visible-to'));
  const t = Date.parse(at);
  expect(from).toBeLessThan(t);
  expect(to).toBeGreaterThan(t);
  // centred in bars (what the eye sees): the bar in the middle of the chart is the one at `at`
  const center = Date.parse(await attr(page, 'AAPL', 'data-visible-center'));
  expect(Math.abs(center - t)).toBeLessThanOrEqual(5 * 60_000);
  await shoot(page, 'chart-at');
});

test('a symbol without bars says so and offers to ingest it', async ({ server, page }) => {
  await open(page, server);
  await nav(page, 'Chart').click();
  await page.getByLabel('Symbol', { exact: true }).fill('msft');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect(page.getByText('No bars for MSFT: ingest it.')).toBeVisible();
  await shoot(page, 'chart-empty');
  await page.getByRole('button', { name: 'Ingest MSFT', exact: true }).click();
  await expect(page.getByLabel('Symbols')).toHaveValue('MSFT');
});
