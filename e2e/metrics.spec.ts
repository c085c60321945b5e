import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ingest, jobRow, nav, open, shoot } from './helpers';

const CHARTS = ['Ingested rows per second', 'Requests by provider', 'Request latency', 'Rate-limiter waits', 'Validation findings', 'Event-loop lag'];

/** A rate as the page shows it with at least one non-zero digit: "3,120", "42.5", "0.25". */
const POSITIVE = /^(?=.*[1-9])[\d,.]+$/;

/** The value under a label of the Current numbers strip (a dt and its dd). */
function stat(page: Page, label: string) {
  return page
    .getByRole('region', { name: 'Current numbers' })
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) })
    .locator('xpath=following-sibling::dd[1]');
}

/** Records every text the Current numbers strip shows from now on (by label), so a value shown for a moment is seen. */
async function recordNumbers(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { seenNumbers: Record<string, string[]> };
    w.seenNumbers = {};
    if (!document.querySelector('section[aria-label="Current numbers"]')) throw new Error('no Current numbers strip');
    // the strip is looked up at each change: a re-render may replace its element (an observer on the old one would
    // see nothing more)
    const read = () => {
      const strip = document.querySelector('section[aria-label="Current numbers"]');
      if (!strip) return;
      for (const dt of strip.querySelectorAll('dt')) {
        const seen = (w.seenNumbers[dt.textContent ?? ''] ??= []);
        const v = dt.nextElementSibling?.textContent ?? '';
        if (seen.at(-1) !== v) seen.push(v);
      }
    };
    read();
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/** Whether the strip has shown a text matching `re` under `label` since recordNumbers. */
function shown(page: Page, label: string, re: RegExp): Promise<boolean> {
  return page.evaluate(([l, source]) => ((window as unknown as { seenNumbers: Record<string, string[]> }).seenNumbers[l] ?? []).some((v) => new RegExp(source).test(v)), [label, re.source] as const);
}

// 200 ms per simulated request of up to 10,000 bars; 40 symbols x 28 sessions (10,920 bars) are 80 requests on 4
// workers. The job is held by the fake provider's gate (MP_FAKE_GATE) until the Metrics page has shown it in flight,
// and the rates it shows while it runs are recorded as they change: no check races the job's end (at 5 s, CI's quiet
// run saw the job end before the Metrics page showed it in flight) or a loaded machine's slow steps.
test.use({ serveEnv: { MP_FAKE_LATENCY_MS: '200' } });

test('live metrics: six charts, rows/s follows an ingest, the window survives navigation', async ({ server, page }) => {
  // screenshots at two sizes in two themes come on top of the checks
  test.setTimeout(300_000);
  await open(page, server);
  await nav(page, 'Metrics').click();
  for (const name of CHARTS) await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Rows ingested over the last hour' })).toBeVisible();
  const rows = stat(page, 'Rows/s');
  await expect(rows).toHaveText('0');

  const symbols = Array.from({ length: 40 }, (_, i) => `S${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`);
  await server.hold();
  const jobId = await ingest(page, { symbols: symbols.join(' '), start: '2024-01-02', end: '2024-02-09' });
  await nav(page, 'Metrics').click();
  await expect(stat(page, 'Jobs in flight')).toHaveText('1');
  await recordNumbers(page);
  await server.release();
  // each rate as the strip showed it while the job ran (recorded: a fast job's rates may be gone by the next look)
  await expect.poll(() => shown(page, 'Rows/s', POSITIVE), { timeout: 60_000 }).toBe(true);
  await expect.poll(() => shown(page, 'Requests/s', POSITIVE), { timeout: 60_000 }).toBe(true);
  await expect.poll(() => shown(page, 'Latency p95', /^[\d.,]+ (ms|s)$/), { timeout: 60_000 }).toBe(true);
  // the requests chart has a line (and legend entry) for the provider
  await expect(page.locator('.series-legend li', { hasText: 'fake req/s' })).toBeVisible();
  await shoot(page, 'metrics-live');

  // Another page and back: the store kept the window, charts come back at once with the samples so far.
  await nav(page, 'Ingest').click();
  await expect(jobRow(page, jobId)).toBeVisible();
  await nav(page, 'Metrics').click();
  for (const name of CHARTS) await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
  await expect(page.getByText('Waiting for the engine…')).toHaveCount(0);
  await expect(page.locator('.recharts-line-curve').first()).toBeVisible();

  // After the job, the last hour's history has its rows (recorded at job end).
  await nav(page, 'Ingest').click();
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
  await nav(page, 'Metrics').click();
  await expect(stat(page, 'Jobs in flight')).toHaveText('0');
  // the history is loaded when the page opens; the job's end is recorded just after it finishes, so a visit may come
  // before it. Each visit waits for its own load to end (at load 20 it took over the 2 s a visit had, and every
  // retry's navigation restarted it), then looks for the job's rows in it.
  const history = page.getByRole('region', { name: 'Rows ingested over the last hour' });
  await expect(async () => {
    await nav(page, 'Ingest').click();
    await nav(page, 'Metrics').click();
    await expect(history.getByText('Loading…')).toHaveCount(0, { timeout: 30_000 });
    await expect(history.locator('.recharts-bar-rectangle').first()).toBeVisible({ timeout: 5000 });
  }).toPass({ timeout: 120_000 });
  await history.scrollIntoViewIfNeeded();
  await shoot(page, 'metrics-history');

  // Axis units: latency reads in ms or s, never "K ms"; counts go compact
  await nav(page, 'Metrics').click();
  const latencyTicks = page.getByRole('region', { name: 'Request latency', exact: true }).locator('.metrics-y-tick');
  await expect(latencyTicks.first()).toBeVisible();
  for (const text of await latencyTicks.allTextContents()) expect(text).toMatch(/^\d+(\.\d+)? (ms|s)$/);
  // the job's start and end are annotated on the charts, named on the rows chart
  const rowsPanel = page.getByRole('region', { name: 'Ingested rows per second', exact: true });
  await expect(rowsPanel.locator('.recharts-reference-line').first()).toBeAttached();
  await expect(rowsPanel.getByText('▶ fake 40 symbols (succeeded)')).toBeAttached();

  // The range picker: 1 h of history, every panel from the recorded series
  const ranges = page.getByRole('group', { name: 'Range' });
  await ranges.getByRole('button', { name: '1 h', exact: true }).click();
  await expect(ranges.getByRole('button', { name: '1 h', exact: true })).toHaveAttribute('aria-pressed', 'true');
  for (const name of ['Ingested rows per second', 'Requests and errors per second', 'Request latency (mean)', 'Jobs in flight']) {
    await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
  }
  const rangeRows = page.getByRole('region', { name: 'Ingested rows per second', exact: true });
  await expect(rangeRows.locator('.recharts-line-curve').first()).toBeVisible();
  const meanTicks = page.getByRole('region', { name: 'Request latency (mean)', exact: true }).locator('.metrics-y-tick');
  await expect(meanTicks.first()).toBeVisible();
  for (const text of await meanTicks.allTextContents()) expect(text).toMatch(/^\d+(\.\d+)? (ms|s)$/);
  await shoot(page, 'metrics-1h');

  // Drag across a chart: every panel zooms to that span; Reset zoom undoes it
  const surface = rangeRows.locator('.recharts-surface').first();
  const b = await surface.boundingBox();
  if (!b) throw new Error('no chart surface');
  await page.mouse.move(b.x + b.width * 0.3, b.y + b.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.5, { steps: 5 });
  await page.mouse.move(b.x + b.width * 0.8, b.y + b.height * 0.5, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByRole('button', { name: 'Reset zoom' })).toBeVisible();
  await page.getByRole('button', { name: 'Reset zoom' }).click();
  await expect(page.getByRole('button', { name: 'Reset zoom' })).toHaveCount(0);

  await ranges.getByRole('button', { name: 'Live', exact: true }).click();
  for (const name of CHARTS) await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();

  // For a human to judge: both sizes, both themes, live and an hour of history
  for (const [width, height] of [
    [1366, 768],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width, height });
    await ranges.getByRole('button', { name: 'Live', exact: true }).click();
    await expect(page.locator('.recharts-line-curve').first()).toBeVisible();
    await shoot(page, `metrics-live-${width}x${height}`);
    await ranges.getByRole('button', { name: '1 h', exact: true }).click();
    await expect(rangeRows.locator('.recharts-line-curve').first()).toBeVisible();
    await shoot(page, `metrics-1h-${width}x${height}`);
  }
});
