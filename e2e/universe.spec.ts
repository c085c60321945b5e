import fs from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { nav, open, shoot, shootSizes } from './helpers';

/** A local YYYY-MM-DD `days` calendar days back: a small range, so that the fake provider has little to simulate. */
function daysAgo(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function symbolsTable(page: Page, universe: string) {
  return page.getByRole('table', { name: `Symbols of ${universe}`, exact: true });
}

function symbolRow(page: Page, universe: string, symbol: string) {
  return symbolsTable(page, universe)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name: symbol, exact: true }) });
}

async function openUniverse(page: Page): Promise<void> {
  await nav(page, 'Universe').click();
  await expect(page.getByLabel('Universe name', { exact: true })).toBeVisible();
}

test('build a universe: create, add, remove, import, export, ingest its missing days, see its coverage', async ({ server, page }) => {
  await open(page, server);
  await openUniverse(page);
  await expect(page.getByRole('heading', { name: 'No universes yet' })).toBeVisible();

  // create
  await page.getByLabel('Universe name', { exact: true }).fill('Tech');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Tech', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tech', exact: true })).toHaveAttribute('aria-current', 'true');

  // add two, remove one
  await page.getByLabel('Symbols', { exact: true }).fill('AAPL, MSFT');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(symbolRow(page, 'Tech', 'AAPL')).toBeVisible();
  await expect(symbolRow(page, 'Tech', 'MSFT')).toBeVisible();
  await expect(symbolRow(page, 'Tech', 'AAPL')).toContainText('no data yet');
  await page.getByRole('button', { name: 'Remove MSFT', exact: true }).click();
  await expect(symbolRow(page, 'Tech', 'MSFT')).toHaveCount(0);
  await expect(symbolsTable(page, 'Tech').locator('tbody tr')).toHaveCount(1);

  // import through the file input: one good line, one rejected with its reason
  await page.getByLabel('Import CSV').setInputFiles({ name: 'more.csv', mimeType: 'text/csv', buffer: Buffer.from('symbol\nNVDA\nBAD$\n') });
  const status = page.getByRole('status').filter({ hasText: 'Imported' });
  await expect(status).toContainText('Imported 1 symbol into Tech from more.csv; 1 line rejected');
  await expect(status.getByRole('list', { name: 'Rejected lines' }).getByRole('listitem')).toHaveText([/line 3: BAD\$ — not a symbol/]);
  await expect(symbolRow(page, 'Tech', 'NVDA')).toBeVisible();
  await shoot(page, 'universe-import');

  // export: a download named by the engine, holding the members
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  expect(download.suggestedFilename()).toBe('Tech.csv');
  const csv = await fs.readFile(await download.path(), 'utf8');
  expect(csv.trim().split(/\r?\n/).sort()).toEqual(['AAPL', 'NVDA', 'symbol']);

  // ingest missing days: nothing held yet, so From is asked for; a week back keeps it small
  const provider = page.getByLabel('Ingest provider');
  await expect(provider).toHaveValue('fake');
  await page.getByLabel('From', { exact: true }).fill(daysAgo(7));
  await page.getByRole('button', { name: 'Ingest missing days' }).click();
  const started = page.getByRole('status').filter({ hasText: 'Started job' });
  await expect(started).toBeVisible();
  const jobId = ((await started.locator('code').getAttribute('data-job-id')) ?? '').trim();
  expect(jobId).not.toBe('');
  await started.getByRole('link', { name: 'Follow it on the Ingest page' }).click();
  await expect(page.getByRole('progressbar', { name: `Progress of job ${jobId}` })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  // 100% is the fetch; validation and aggregation follow: the job's end gets the fetch's budget
  await expect(page.getByRole('row', { name: `Job ${jobId}`, exact: true })).toContainText('succeeded', { timeout: 60_000 });

  // back on the Universe page the coverage shows what is held
  await openUniverse(page);
  const aapl = symbolRow(page, 'Tech', 'AAPL');
  await expect(aapl).toContainText('fake/sim');
  await expect(aapl).not.toContainText('no data yet');
  const sessions = Number(await aapl.getByRole('cell').nth(3).textContent());
  expect(sessions).toBeGreaterThanOrEqual(3);
  // held through the last closed session: nothing missing, nothing behind
  await expect(aapl.getByRole('cell').nth(4)).toHaveText('0');
  await expect(aapl.getByRole('cell').nth(5)).toHaveText('0');
  // every symbol has data now: the update needs no From
  await expect(page.getByLabel('From', { exact: true })).toHaveCount(0);
  await shoot(page, 'universe');
});

test('rename, tags, filters, drag-and-drop import and delete with a confirm step', async ({ server, page }) => {
  await open(page, server);
  await openUniverse(page);
  for (const name of ['Energy', 'Tech']) {
    await page.getByLabel('Universe name', { exact: true }).fill(name);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(page.getByRole('heading', { name, exact: true })).toBeVisible();
  }

  // rename
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByLabel('New name', { exact: true }).fill('Big Tech');
  await page.getByRole('button', { name: 'Save name' }).click();
  await expect(page.getByRole('heading', { name: 'Big Tech', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Tech', exact: true })).toHaveCount(0);

  // tags show in the list, and the list filter matches them
  await page.getByLabel('Tags', { exact: true }).fill('mega, us');
  await page.getByRole('button', { name: 'Save tags' }).click();
  await expect(page.getByRole('button', { name: 'Big Tech', exact: true })).toContainText('mega');
  await page.getByLabel('Filter universes').fill('MEGA');
  await expect(page.getByRole('button', { name: 'Big Tech', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Energy', exact: true })).toHaveCount(0);
  await page.getByLabel('Filter universes').fill('');

  // a .csv file dropped on the page is imported into the selected universe
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(['ticker\nAMD\nINTC\n'], 'chips.csv', { type: 'text/csv' }));
    return dt;
  });
  await page.locator('.page-universe').dispatchEvent('dragenter', { dataTransfer });
  await page.locator('.page-universe').dispatchEvent('drop', { dataTransfer });
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 2 symbols into Big Tech from chips.csv.');
  await expect(symbolRow(page, 'Big Tech', 'AMD')).toBeVisible();
  await expect(symbolRow(page, 'Big Tech', 'INTC')).toBeVisible();

  // the symbol filter
  await page.getByLabel('Filter symbols').fill('int');
  await expect(symbolsTable(page, 'Big Tech').locator('tbody tr')).toHaveCount(1);
  await expect(symbolRow(page, 'Big Tech', 'INTC')).toBeVisible();
  await page.getByLabel('Filter symbols').fill('');

  // delete asks first; keeping it keeps it
  await page.getByRole('button', { name: 'Delete universe' }).click();
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByRole('heading', { name: 'Big Tech', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Delete universe' }).click();
  await page.getByRole('button', { name: 'Confirm delete' }).click();
  await expect(page.getByRole('button', { name: 'Big Tech', exact: true })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Energy', exact: true })).toBeVisible();
});

test('empty state: the demo universe is created and its last days ingested', async ({ server, page }) => {
  await open(page, server);
  await openUniverse(page);
  await expect(page.getByRole('heading', { name: 'No universes yet' })).toBeVisible();
  await shoot(page, 'universe-empty');
  await page.getByRole('button', { name: 'Create demo universe' }).click();
  await expect(page.getByRole('heading', { name: 'Demo', exact: true })).toBeVisible();
  for (const s of ['AAPL', 'MSFT', 'SPY']) await expect(symbolRow(page, 'Demo', s)).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Progress of ingestion for Demo' })).toHaveAttribute('aria-valuenow', '100', { timeout: 60_000 });
  // the finished job refreshes the coverage
  for (const s of ['AAPL', 'MSFT', 'SPY']) await expect(symbolRow(page, 'Demo', s)).toContainText('fake/sim');
});

test('the summary says which symbols have no data, a removal can be undone, a file that is not a symbol list is not echoed', async ({ server, page }, testInfo) => {
  await open(page, server);
  await openUniverse(page);
  // one demo button on the empty page: the empty state's
  await expect(page.getByRole('button', { name: /demo universe/ })).toHaveCount(1);
  await page.getByLabel('Universe name', { exact: true }).fill('Pair');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await page.getByLabel('Symbols', { exact: true }).fill('AAPL, NVDA');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(symbolsTable(page, 'Pair').locator('tbody tr')).toHaveCount(2);
  const summary = page.getByRole('heading', { name: /^2 symbols/ });
  await expect(summary).toHaveText('2 symbols · 0 with data · 2 of 2 symbols have no data');

  // removed at once, and put back from the notice's Undo
  await page.getByRole('button', { name: 'Remove NVDA', exact: true }).click();
  await expect(symbolRow(page, 'Pair', 'NVDA')).toHaveCount(0);
  const notices = page.getByRole('status', { name: 'Notifications' });
  await expect(notices).toContainText('Removed NVDA from Pair');
  await page.screenshot({ path: testInfo.outputPath('universe-undo-notice.png') });
  await notices.getByRole('button', { name: 'Undo: Removed NVDA from Pair' }).click();
  await expect(symbolRow(page, 'Pair', 'NVDA')).toBeVisible();
  await shootSizes(page, testInfo, 'universe-summary');
  await expect(notices.getByRole('button', { name: /^Undo/ })).toHaveCount(0);

  // the first line of /etc/passwd as a "CSV": refused in words, none of its content repeated, nothing imported
  await page.getByLabel('Import CSV').setInputFiles({ name: 'passwd.csv', mimeType: 'text/csv', buffer: Buffer.from('root:x:0:0:root:/root:/bin/bash\n') });
  const alert = page.getByRole('alert').filter({ hasText: 'Import failed' });
  await expect(alert).toContainText('line 1 is not a symbol list: expected a header (symbol or ticker) or symbols');
  await expect(page.locator('body')).not.toContainText('/bin/bash');
  await expect(page.locator('body')).not.toContainText('root:x');
  await expect(symbolsTable(page, 'Pair').locator('tbody tr')).toHaveCount(2);
});
