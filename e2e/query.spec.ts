import fs from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { nav, open, shoot } from './helpers';

const MILLION = 'SELECT range AS i, range * 0.5 AS x FROM range(1000000)';
const LONG = 'SELECT count(*) FROM range(100000000000) a, range(100) b';

const grid = (page: Page) => page.getByRole('grid', { name: 'Result grid' });
const status = (page: Page) => page.getByRole('status').filter({ hasText: /\brows?\b|Running|Sorting|Cancelled/ });
/** A result row by its 1-based number (aria-rowindex counts the header as 1). */
const row = (page: Page, n: number) => grid(page).locator(`[role="row"][aria-rowindex="${n + 1}"]`);

/** A number as the grid shows it: thousands separators ("499,999.5"). */
const num = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 15 });

/** The number of the first result row the grid has laid out (overscan included). */
const firstShown = (page: Page) =>
  grid(page).evaluate((el) => Math.min(...[...el.querySelectorAll('[role="row"]')].map((r) => Number(r.getAttribute('aria-rowindex')) - 1).filter((n) => n > 0)));

async function run(page: Page, sql: string): Promise<void> {
  const editor = page.getByLabel('SQL', { exact: true });
  await editor.fill(sql);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

test.beforeEach(async ({ server, page }) => {
  await open(page, server);
  await nav(page, 'Query').click();
});

test('a million rows: count shown, scroll far down to a late row, sort server-side', async ({ page }) => {
  await run(page, MILLION);
  await expect(status(page)).toContainText(/1,000,000 rows · [\d.]+ m?s/);
  await expect(row(page, 1).getByRole('gridcell')).toHaveText(['0', '0']);
  await expect(page.getByRole('region', { name: 'Results' })).toBeVisible();

  // jump near the end: only the pages in view are fetched, and the late rows appear
  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, 1_000_000).getByRole('gridcell')).toHaveText(['999,999', '499,999.5']);
  await grid(page).evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
  await expect.poll(() => firstShown(page)).toBeGreaterThan(490_000);
  const mid = (await firstShown(page)) + 15;
  expect(mid).toBeLessThan(510_000);
  await expect(row(page, mid).getByRole('gridcell')).toHaveText([num(mid - 1), num((mid - 1) / 2)]);

  // sort descending on x: two clicks (ascending, then descending), each re-run engine-side
  const header = grid(page).getByRole('columnheader').filter({ hasText: 'x' });
  await page.getByRole('button', { name: 'Sort by x' }).click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await page.getByRole('button', { name: 'Sort by x' }).click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(row(page, 1).getByRole('gridcell')).toHaveText(['999,999', '499,999.5']);
  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, 1_000_000).getByRole('gridcell')).toHaveText(['0', '0']);

  // resize a column with the keyboard handle
  const sep = page.getByRole('separator', { name: 'Resize x' });
  const before = Number(await sep.getAttribute('aria-valuenow'));
  await sep.focus();
  await page.keyboard.press('ArrowRight');
  await expect(sep).toHaveAttribute('aria-valuenow', String(before + 16));
  await shoot(page, 'query-million');
});

test('five million rows scroll scaled: the last row is reachable by the scrollbar and by Ctrl+End', async ({ page }) => {
  // 120 million px of rows, far above what a browser lays out in one element (Firefox: about 17.9 million)
  await run(page, 'SELECT range AS i FROM range(5000000)');
  await expect(status(page)).toContainText(/5,000,000 rows/);
  await expect(row(page, 1).getByRole('gridcell')).toHaveText(['0']);
  const height = await grid(page).evaluate((el) => el.scrollHeight);
  expect(height).toBeLessThan(17_000_000);

  await grid(page).evaluate((el) => (el.scrollTop = el.scrollHeight));
  await expect(row(page, 5_000_000).getByRole('gridcell')).toHaveText(['4,999,999']);
  await expect(row(page, 5_000_000)).toBeInViewport();
  // halfway down the scrollbar is halfway through the rows, and they carry their own values
  await grid(page).evaluate((el) => (el.scrollTop = (el.scrollHeight - el.clientHeight) / 2));
  await expect.poll(() => firstShown(page)).toBeGreaterThan(2_450_000);
  const mid = (await firstShown(page)) + 15;
  expect(mid).toBeLessThan(2_550_000);
  await expect(row(page, mid).getByRole('gridcell')).toHaveText([num(mid - 1)]);

  // keys: to the top, one row down, then to the very end
  await grid(page).focus();
  await page.keyboard.press('Control+Home');
  await expect(row(page, 1)).toBeInViewport();
  await page.keyboard.press('ArrowDown');
  await expect(row(page, 2).getByRole('gridcell')).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+End');
  await expect(row(page, 5_000_000).getByRole('gridcell')).toHaveAttribute('aria-selected', 'true');
  await expect(row(page, 5_000_000)).toBeInViewport();
});

test('Ctrl+Enter runs; a cell is copied with Ctrl+C and from the context menu', async ({ page, context, server }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.origin });
  const editor = page.getByLabel('SQL', { exact: true });
  await editor.fill("SELECT 42 AS answer, 'hello' AS word");
  await editor.press('Control+Enter');
  await expect(status(page)).toContainText('1 row');
  const cell = row(page, 1).getByRole('gridcell').nth(1);
  await expect(cell).toHaveText('hello');
  await cell.click();
  await expect(cell).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Control+c');
  await expect(page.getByRole('status').filter({ hasText: 'Copied cell' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('hello');

  await row(page, 1).getByRole('gridcell').nth(0).click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Copy row' }).click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe('42\thello');
});

test('Cancel stops a long query, and the read-only guard still refuses writes', async ({ page }) => {
  await run(page, LONG);
  await expect(status(page)).toContainText('Running');
  await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  // your own Cancel is not a failure
  await expect(status(page)).toContainText(/Cancelled after/);
  await expect(page.getByRole('alert').filter({ hasText: 'Query failed' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeEnabled();

  await run(page, "COPY (SELECT 1) TO '/tmp/x.csv'");
  const refused = page.getByRole('alert').filter({ hasText: 'Only reading statements can run here' });
  await expect(refused).toBeVisible();
  await expect(refused).toHaveAttribute('title', 'Error code E_READ_ONLY');
});

test('the query timeout set on the Settings page shows on a running query and stops it', async ({ page }) => {
  await nav(page, 'Settings').click();
  const timeout = page.getByLabel('Query timeout (seconds)');
  await expect(timeout).toHaveValue('300');
  // LONG never ends by itself, so the limit stops it on any machine; 15 s (not 3) leaves a loaded machine's page the
  // time to show it running before it is stopped
  await timeout.fill('15');
  await nav(page, 'Query').click();
  await run(page, LONG);
  await expect(status(page)).toContainText('Running');
  await expect(page.getByTestId('query-timeout')).toHaveText('(limit 15 s)');
  await expect(page.getByRole('alert').filter({ hasText: 'Took too long and was stopped' })).toBeVisible({ timeout: 60_000 });
});

test('export CSV downloads the whole result', async ({ page }) => {
  await run(page, 'SELECT range AS i, range * 2 AS twice FROM range(5000)');
  await expect(status(page)).toContainText('5,000 rows');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^query-.*\.csv$/);
  const file = await download.path();
  const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
  expect(lines).toHaveLength(5001);
  expect(lines[0]).toBe('i,twice');
  expect(lines[5000]).toBe('4999,9998');
  await expect(page.getByRole('status').filter({ hasText: 'Downloading' })).toBeVisible();
});

test('history survives a reload, and a saved query is listed and reopened', async ({ page }) => {
  await run(page, 'SELECT 7 AS seven');
  await expect(row(page, 1).getByRole('gridcell')).toHaveText(['7']);
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText('SELECT 7 AS seven');

  await page.getByLabel('Query name').fill('Lucky seven');
  await page.getByRole('button', { name: 'Save query' }).click();
  const saved = page.getByRole('region', { name: 'Saved queries' });
  await expect(saved).toContainText('Lucky seven');

  await page.reload();
  await nav(page, 'Query').click();
  await expect(page.getByRole('region', { name: 'History' })).toContainText('SELECT 7 AS seven');
  await expect(page.getByRole('region', { name: 'Saved queries' })).toContainText('Lucky seven');
  await page.getByLabel('SQL', { exact: true }).fill('SELECT 1');
  await page.getByRole('region', { name: 'Saved queries' }).getByRole('button', { name: /^Lucky seven/ }).click();
  await expect(page.getByLabel('SQL', { exact: true })).toHaveText('SELECT 7 AS seven');
  // the schema panel lists the views and their columns
  await expect(page.getByRole('region', { name: 'Schema' }).getByRole('list', { name: 'Columns of bars' })).toContainText('trade_count');
});

test('a time series result charts in one click, and a symbol row opens the chart page', async ({ page }) => {
  await run(page, "SELECT 'AAPL' AS symbol, TIMESTAMPTZ '2024-01-02 14:30:00+00' + INTERVAL (range) MINUTE AS ts, 100 + range AS close FROM range(50)");
  await expect(status(page)).toContainText('50 rows');
  await page.getByRole('button', { name: 'Chart result' }).click();
  await expect(page.getByRole('figure', { name: 'Result chart' })).toContainText('All 50 rows by ts');
  await page.getByRole('button', { name: 'Open chart for row 2', exact: true }).click();
  await expect(page).toHaveURL(/#\/chart\?symbol=AAPL&at=2024-01-02T14%3A31%3A00.000Z/);
});
