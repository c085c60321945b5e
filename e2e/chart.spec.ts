import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type { Locator, Page } from '@playwright/test';
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

/**
 * The findings list on hover stands inside the plot, beside the hovered bar (the crosshair's vertical line: not under
 * the list) and clear of the legend.
 */
async function expectListBeside(page: Page, list: Locator, c: Locator, pointer: number) {
  const legendBox = await page.getByTestId('chart-legend').boundingBox();
  const chartBox = await c.boundingBox();
  await expect(list).toHaveCSS('visibility', 'visible');
  const listBox = await list.boundingBox();
  if (!legendBox || !chartBox || !listBox) throw new Error('no box for the legend, chart or list');
  const overlap = (a: typeof listBox, b: typeof listBox) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  expect(overlap(listBox, legendBox), `list ${JSON.stringify(listBox)} over the legend ${JSON.stringify(legendBox)}`).toBe(false);
  expect(listBox.x).toBeGreaterThanOrEqual(chartBox.x);
  expect(listBox.y).toBeGreaterThanOrEqual(chartBox.y);
  expect(listBox.x + listBox.width).toBeLessThanOrEqual(chartBox.x + chartBox.width);
  expect(listBox.y + listBox.height).toBeLessThanOrEqual(chartBox.y + chartBox.height);
  expect(pointer < listBox.x || pointer > listBox.x + listBox.width, 'the hovered bar is not under the list').toBe(true);
}

/**
 * AAPL's 1m bars of 2024-01-02..05, and a recorded validation run of `n` findings on January 3 (one session, spread
 * over its 390 minutes); messages say whether their bar is early (minute < 200) or late.
 */
async function recordFindings(dataDir: string, n: number): Promise<void> {
  await run(process.execPath, ['bin/marketpipe.cjs', 'ingest', '--provider', 'fake', '--symbols', 'AAPL', '--start', '2024-01-02', '--end', '2024-01-05', '--data-dir', dataDir], { cwd: REPO_ROOT });
  const open0 = Date.parse('2024-01-03T14:30:00Z');
  const header = 'symbol,timeframe,ts,rule,severity,message,provider,feed,job_id,calendar_version,value,observed';
  const lines = Array.from({ length: n }, (_, i) => {
    const minute = i % 390;
    const ts = new Date(open0 + minute * 60_000).toISOString().replace('.000Z', 'Z');
    return ['AAPL', '1m', ts, i % 2 ? 'price_jump' : 'volume_spike', i % 3 ? 'warning' : 'error', `${minute < 200 ? 'early' : 'late'} ${i}`, 'fake', 'sim', '', 'nyse', '1', ''].join(',');
  });
  const file = path.join(dataDir, 'reports', 'many-findings.csv');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [header, ...lines].join('\r\n') + '\r\n');
  const db = new Database(path.join(dataDir, 'marketpipe.db'));
  db.prepare(`INSERT INTO validation_runs (id, created_at, job_id, scope, thresholds, calendar_version, provider, feed, report_file, series,
    bars_checked, findings_total, counts, elapsed_ms) VALUES ('many', ?, NULL, '{}', '{}', 'nyse', 'fake', 'sim', ?, 1, 390, ?, '{}', 1)`).run(new Date().toISOString(), file, n);
  db.close();
}

test('chart a symbol from the Universe page: fitted on open and per timeframe, legend, markers, overlays, centred on `at`', async ({ server, page }) => {
  // screenshots at two sizes in two themes come on top of the checks
  test.setTimeout(300_000);
  await open(page, server);
  // MSFT too: the second symbol to compare with
  const jobId = await ingest(page, { symbols: 'AAPL MSFT', start: '2024-01-02', end: '2024-03-28' });
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
  const tfButton = (name: string) => page.getByRole('group', { name: 'Timeframe' }).getByRole('button', { name, exact: true });
  const legend = page.getByTestId('chart-legend');
  await expect(page.getByLabel('Symbol', { exact: true })).toHaveValue('AAPL');
  await expect(tfButton('Auto')).toHaveAttribute('aria-pressed', 'true');
  await expect(c).toHaveAttribute('data-last-bar', /Z$/);

  // Fit on open (Auto): every session, from the first bar to the last, fills the plot
  const fitted = async () => {
    await expect(c).toHaveAttribute('data-visible-from', /Z$/);
    const first = Date.parse(await attr(page, 'AAPL', 'data-first-bar'));
    const last = Date.parse(await attr(page, 'AAPL', 'data-last-bar'));
    const extentFrom = Date.parse(await attr(page, 'AAPL', 'data-extent-from'));
    const extentTo = Date.parse(await attr(page, 'AAPL', 'data-extent-to'));
    const from = Date.parse(await attr(page, 'AAPL', 'data-visible-from'));
    const to = Date.parse(await attr(page, 'AAPL', 'data-visible-to'));
    return { first, last, extentFrom, extentTo, from, to, bars: Number(await attr(page, 'AAPL', 'data-bars-loaded')), visible: Number(await attr(page, 'AAPL', 'data-visible-bars')) };
  };
  await expect(c).not.toHaveAttribute('data-timeframe-shown', '1m');
  let v = await fitted();
  expect(v.first - v.extentFrom).toBeLessThan(86_400_000);
  expect(v.extentTo - v.last).toBeLessThan(86_400_000);
  expect(v.from).toBeLessThanOrEqual(v.first);
  expect(v.to).toBeGreaterThanOrEqual(v.last);
  // the bars fill the width: no third of the plot left empty
  expect(v.visible).toBeLessThan(v.bars * 1.1 + 3);
  const autoTf = await attr(page, 'AAPL', 'data-timeframe-shown');
  await expect(page.getByRole('status').filter({ hasText: `Showing ${autoTf} bars (Auto)` })).toBeVisible();
  // the legend is always there: symbol, timeframe, source, the last bar's O/H/L/C/V
  await expect(legend).toContainText('AAPL');
  await expect(legend).toContainText(autoTf);
  await expect(legend).toContainText('fake/sim');
  await expect(legend).toContainText(/O \d+\.\d\d.*H \d+\.\d\d.*L \d+\.\d\d.*C \d+\.\d\d.*V /);
  await expect(legend).toContainText(/(Mon|Tue|Wed|Thu|Fri) \d\d (Mar|Apr) 2024/);

  // markers: one per bar at most, the count on it; the missing sessions after the last bar are marked
  await expect(c).not.toHaveAttribute('data-markers', '0');
  const markers = Number(await attr(page, 'AAPL', 'data-markers'));
  const marked = Number(await attr(page, 'AAPL', 'data-findings-marked'));
  expect(markers).toBeLessThanOrEqual(marked);
  // info findings are hidden behind a toggle
  await page.getByLabel('Info findings').check();
  await expect(c).toHaveAttribute('data-findings-info-hidden', '0');
  await page.getByLabel('Info findings').uncheck();
  const box = await c.boundingBox();
  if (!box) throw new Error('chart has no box');
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5);
  // the crosshair's bar in the legend, in the same format
  await expect(legend).toContainText(/(Mon|Tue|Wed|Thu|Fri) \d\d (Jan|Feb|Mar) 2024/);
  await shoot(page, 'chart-auto-fit');

  // A picked timeframe: fitted again (ending at the last bar), and zooming out keeps it
  await tfButton('1m').click();
  await expect(tfButton('1m')).toHaveAttribute('aria-pressed', 'true');
  await expect(c).toHaveAttribute('data-timeframe-shown', '1m');
  await expect(page.getByRole('status').filter({ hasText: 'Showing 1m bars' })).toBeVisible();
  await expect(c).toHaveAttribute('data-sessions', /^[1-9]/);
  await expect(async () => {
    v = await fitted();
    expect(v.to).toBeGreaterThanOrEqual(v.last);
    // a little room after the last bar (past the data, times are extrapolated at the session density)
    expect(v.to - v.last).toBeLessThan(3 * 3_600_000);
    expect(v.from).toBeLessThan(v.last);
  }).toPass({ timeout: 10_000 });
  await shoot(page, 'chart-1m');
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  for (let i = 0; i < 6; i++) {
    await page.mouse.wheel(0, 800);
    await page.waitForTimeout(150);
  }
  await page.waitForTimeout(800);
  await expect(c).toHaveAttribute('data-timeframe-shown', '1m');

  // 1d: the daily bars fill the width (not 7% of it)
  await tfButton('1d').click();
  await expect(c).toHaveAttribute('data-timeframe-shown', '1d');
  await expect(async () => {
    v = await fitted();
    expect(v.from).toBeLessThanOrEqual(v.first);
    expect(v.to).toBeGreaterThanOrEqual(v.last);
    expect(v.visible).toBeLessThan(v.bars + 4);
  }).toPass({ timeout: 10_000 });
  await expect(legend).toContainText('1d');
  // the axis tick where the year begins (the first bar, 2 January) says month and year, not a bare "2024" or "2"
  await expect(c).toHaveAttribute('data-axis-year-tick', 'Jan 2024');

  // overlays: SMA, VWAP, log scale, a second symbol on a percent scale
  await page.getByLabel('SMA', { exact: true }).check();
  await expect(legend).toContainText(/SMA 20 \d/);
  await page.getByLabel('Log scale').check();
  await expect(c).toHaveAttribute('data-scale', 'log');
  await page.getByLabel('Log scale').uncheck();
  // a second symbol: the scale turns to percent change, MSFT's closes at AAPL's bars
  await page.getByLabel('Compare', { exact: true }).fill('msft');
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  await expect(c).toHaveAttribute('data-scale', 'percent');
  await expect(c).toHaveAttribute('data-compare-bars', /^[1-9]/);
  await expect(legend).toContainText('vs MSFT (% change)');
  await shoot(page, 'chart-1d');
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect(c).toHaveAttribute('data-scale', 'normal');

  // Auto: zooming in turns to finer bars by itself
  await tfButton('Auto').click();
  await expect(c).toHaveAttribute('data-timeframe-shown', autoTf);
  await page.mouse.move(box.x + box.width * 0.8, box.y + box.height * 0.5);
  await expect(async () => {
    await page.mouse.wheel(0, -800);
    await expect(c).not.toHaveAttribute('data-timeframe-shown', autoTf, { timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByLabel('SMA', { exact: true }).uncheck();

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

  // For a human to judge: both sizes, both themes; Auto fit with SMA and VWAP, the pointer on the last bar's marker
  await page.goto(`${server.url}#/chart?symbol=AAPL&timeframe=auto`);
  await expect(c).toHaveAttribute('data-timeframe-shown', autoTf);
  await page.getByLabel('SMA', { exact: true }).check();
  await page.getByLabel('VWAP').check();
  for (const [width, height] of [
    [1366, 768],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    await expect(async () => {
      const b = await c.boundingBox();
      expect(b?.width ?? 0).toBeGreaterThan(width - 400);
    }).toPass();
    // Auto may refine after a resize; Fit shows all the data again
    await page.getByRole('button', { name: 'Fit', exact: true }).click();
    // fitted and settled: every bar held in view, no window loading
    await expect(async () => {
      expect(await page.getByRole('status').filter({ hasText: 'bars' }).first().getAttribute('aria-busy')).toBe('false');
      expect(Date.parse(await attr(page, 'AAPL', 'data-visible-from'))).toBeLessThanOrEqual(Date.parse(await attr(page, 'AAPL', 'data-first-bar')));
    }).toPass();
    const b = (await c.boundingBox())!;
    // from the right edge leftwards until the pointer is on the last bar, the one the missing sessions are marked on
    const list = page.getByRole('list', { name: 'Findings at this bar' });
    let x = b.x + b.width - 60;
    for (; x > b.x + b.width * 0.8; x -= 2) {
      await page.mouse.move(x, b.y + b.height * 0.4);
      if (await list.isVisible()) break;
    }
    // one marker stands for the bar's findings: their count and the list, worst first
    await expect(list).toContainText(/\d+ findings?/);
    await expectListBeside(page, list, c, x);
    await shoot(page, `chart-${width}x${height}`);
  }
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

test('a range with more findings than the engine lists: every one counted on the markers, the hovered marker\'s own listed', async ({ server, page }) => {
  test.setTimeout(120_000);
  // A recorded run of 3,000 findings on January 3 (one session, ~7.7 a bar): the engine lists the first 2,000 by time,
  // which end near minute 257 of the session; messages say whether their bar is early (< 200) or late.
  const n = 3000;
  await recordFindings(server.dataDir, n);

  // centred on minute 330 of that session (15:30 New York): its bar's findings are not among the 2,000 listed
  await open(page, server);
  await page.goto(`${server.url}#/chart?symbol=AAPL&timeframe=1m&at=${encodeURIComponent('2024-01-03T20:00:00.000Z')}`);
  const c = chart(page, 'AAPL');
  await expect(c).toHaveAttribute('data-timeframe-shown', '1m');
  // every finding of the range is on a marker (info none here), not only the 2,000 listed
  await expect(c).toHaveAttribute('data-findings-marked', String(n));
  await expect(page.getByText(`${n.toLocaleString('en-US')} findings`)).toBeVisible();
  const b = (await c.boundingBox())!;
  const list = page.getByRole('list', { name: 'Findings at this bar' });
  let x = b.x + b.width / 2;
  for (const dx of [0, 3, -3, 6, -6]) {
    x = b.x + b.width / 2 + dx;
    await page.mouse.move(x, b.y + b.height * 0.5);
    if (await list.isVisible()) break;
  }
  await expect(list).toContainText(/\d+ findings/);
  // fetched for this marker: its late findings, not the early ones listed for the range
  await expect(list.locator('.chart-finding').first()).toContainText(/late \d+/);
  await expect(list).not.toContainText('early');
  await expectListBeside(page, list, c, x);
  await shoot(page, 'chart-many-findings');
});

test('the findings list follows its marker when a wheel zoom moves it under a still pointer', async ({ server, page }) => {
  test.setTimeout(120_000);
  // 780 findings, two a bar: all listed with the range (none fetched on hover, which would place the list again)
  await recordFindings(server.dataDir, 780);
  await open(page, server);
  await page.goto(`${server.url}#/chart?symbol=AAPL&timeframe=1m&at=${encodeURIComponent('2024-01-03T17:00:00.000Z')}`);
  const c = chart(page, 'AAPL');
  await expect(c).toHaveAttribute('data-findings-marked', '780');
  const b = (await c.boundingBox())!;
  const list = page.getByRole('list', { name: 'Findings at this bar' });
  // a bar whose list stands level with its marker, not held in the plot by its bottom edge or the legend
  const y = b.y + b.height * 0.5;
  let x = 0;
  for (let dx = -200; dx <= 200; dx += 6) {
    x = b.x + b.width / 2 + dx;
    await page.mouse.move(x, y);
    if (!(await list.isVisible())) continue;
    await expect(list).toHaveCSS('visibility', 'visible');
    const lb = (await list.boundingBox())!;
    if (lb.y > b.y + 60 && lb.y + lb.height < b.y + b.height - 150) break;
  }
  await expect(list).toContainText(/\d+ findings?/);
  const before = (await list.boundingBox())!;
  // a wheel step zooms out a tenth about the pointer (the same bar stays under it, the autoscale moves it and the
  // markers thin out): eight, each waited for. Before the list followed, it stood 8 px off here.
  // (A step the chart did not take, seen once in a full run with two workers, is wheeled again rather than waited for.)
  for (let k = 0; k < 8; k++) {
    const bars = await attr(page, 'AAPL', 'data-visible-bars');
    await expect(async () => {
      await page.mouse.wheel(0, 100);
      await expect(c).not.toHaveAttribute('data-visible-bars', bars, { timeout: 2000 });
    }).toPass({ timeout: 30_000 });
  }
  // settled: the chart painted the last zoom and the controller read it (three frames)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
  const followed = (await list.boundingBox())!;
  // a fresh hover of the same bar: off the chart and back to the same point
  await page.mouse.move(b.x + 5, b.y + b.height + 40);
  await expect(list).toBeHidden();
  await page.mouse.move(x, y);
  await expect(list).toHaveCSS('visibility', 'visible');
  const fresh = (await list.boundingBox())!;
  const boxes = JSON.stringify({ before, followed, fresh });
  // the zoom did move the marker (else this test could not fail), and the list went with it
  expect(Math.abs(fresh.x - before.x) + Math.abs(fresh.y - before.y), boxes).toBeGreaterThan(4);
  expect(Math.abs(followed.x - fresh.x), boxes).toBeLessThanOrEqual(1);
  expect(Math.abs(followed.y - fresh.y), boxes).toBeLessThanOrEqual(1);
  await expectListBeside(page, list, c, x);
});
