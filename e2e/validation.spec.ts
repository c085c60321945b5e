import fs from 'node:fs/promises';
import { expect, test } from './fixtures';
import { ingest, jobRow, nav, open, shoot } from './helpers';

// The Validation page against `marketpipe serve`: bars for 2024-01-08..09 validated from 01-03 give three missing
// sessions (01-03, 01-04, 01-05) per symbol, six findings in all.

test('run validation from the page, see the run and its findings, filter, export, jump to the bars', async ({ server, page, context }) => {
  await open(page, server);
  await nav(page, 'Validation').click();
  await expect(page.getByText('No validation runs yet.')).toBeVisible();

  // A second tab on the same page: it must show the run without a reload (validation.completed).
  const other = await context.newPage();
  await open(other, server);
  await nav(other, 'Validation').click();
  await expect(other.getByText('No validation runs yet.')).toBeVisible();

  const jobId = await ingest(page, { symbols: 'AAPL, MSFT', start: '2024-01-08', end: '2024-01-09' });
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });

  await nav(page, 'Validation').click();
  const runs = page.getByRole('table', { name: 'Runs' });
  // the pipeline validated what the job wrote (no findings): that run is listed first, by itself
  await expect(runs.locator('tbody tr')).toHaveCount(1);
  await expect(other.getByRole('table', { name: 'Runs' }).locator('tbody tr')).toHaveCount(1);
  await page.getByLabel('Symbols', { exact: true }).fill('AAPL, MSFT');
  await page.getByLabel('Start', { exact: true }).fill('2024-01-03');
  await page.getByLabel('End', { exact: true }).fill('2024-01-09');
  await page.getByRole('button', { name: 'Run validation' }).click();

  await expect(runs.locator('tbody tr')).toHaveCount(2);
  const run = runs.locator('tbody tr').first();
  await expect(run).toContainText('AAPL, MSFT · 2024-01-03 → 2024-01-09');
  await expect(run).toContainText('fake / sim');
  await expect(run).toContainText('nyse-');
  await expect(run.getByRole('cell').nth(6)).toHaveText('6'); // errors

  const findings = page.getByRole('table', { name: 'Findings' });
  await expect(findings.locator('tbody tr')).toHaveCount(6);
  await expect(findings.locator('tbody tr').first()).toContainText('missing_session');
  await expect(page.getByText('1–6 of 6')).toBeVisible();

  // live refresh in the other tab
  await expect(other.getByRole('table', { name: 'Runs' }).locator('tbody tr')).toHaveCount(2);
  await other.close();

  // filters
  await page.getByLabel('Symbol', { exact: true }).fill('msft');
  await expect(findings.locator('tbody tr')).toHaveCount(3);
  await expect(findings.locator('tbody tr').filter({ hasText: 'AAPL' })).toHaveCount(0);
  await page.getByLabel('Severity').selectOption('warning');
  await expect(page.getByText('No findings match these filters.')).toBeVisible();
  await page.getByLabel('Severity').selectOption('error');
  await page.getByLabel('Rule').selectOption('missing_session');
  await expect(findings.locator('tbody tr')).toHaveCount(3);
  await shoot(page, 'validation');

  // export: the browser downloads the run's report
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^validation-\d{8}T\d{6}Z-[0-9a-f]{8}\.csv$/);
  const csv = await fs.readFile(await file.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toBe('symbol,timeframe,ts,rule,severity,message,provider,feed,job_id,calendar_version,value,observed');
  expect(csv.trimEnd().split('\r\n')).toHaveLength(7);
  await expect(page.getByText(`Downloaded ${file.suggestedFilename()}`)).toBeVisible();

  // jump to the bars around the first MSFT finding
  const first = findings.locator('tbody tr').first();
  // shown in the app's time zone; the instant itself is the <time> element's datetime
  const ts = (await first.getByRole('cell').first().locator('time').getAttribute('datetime'))?.trim() ?? '';
  expect(ts).toMatch(/^2024-01-0\dT\d\d:\d\d:\d\dZ$/);
  await first.getByRole('button', { name: /Show bars/ }).click();
  await expect(page).toHaveURL(/#\/chart\?symbol=MSFT&timeframe=1m&at=/);
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain(`at=${ts}`);
  // the chart explorer draws MSFT's candles and marks the finding on them
  const chart = page.getByRole('img', { name: 'Candlestick chart of MSFT', exact: true });
  await expect(chart).toHaveAttribute('data-bars-loaded', /^[1-9]\d*$/);
  await expect(chart).toHaveAttribute('data-markers', /^[1-9]\d*$/);
  await shoot(page, 'finding-to-chart');
});

test('reconcile from the page: a source the lake does not hold is told plainly, nothing recorded', async ({ server, page }) => {
  await open(page, server);
  const jobId = await ingest(page, { symbols: 'AAPL', start: '2024-01-02', end: '2024-01-02' });
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
  await nav(page, 'Validation').click();
  await page.getByLabel('Start', { exact: true }).fill('2024-01-02');
  await page.getByLabel('End', { exact: true }).fill('2024-01-02');
  await page.getByLabel('Sources').fill('fake, polygon');
  await page.getByRole('button', { name: 'Reconcile' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Run failed' })).toContainText('the lake holds no 1m bars from polygon');
  await page.getByLabel('Sources').fill('fake:sim, fake');
  await page.getByRole('button', { name: 'Reconcile' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Run failed' })).toContainText('both sources are fake:sim');
  // nothing recorded: the only run is the one the pipeline made for the ingest job
  await expect(page.getByRole('table', { name: 'Runs' }).locator('tbody tr')).toHaveCount(1);
});
