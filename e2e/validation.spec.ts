import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ingest, jobRow, nav, open, SCREENSHOTS, shoot } from './helpers';

// The Validation page against `marketpipe serve`: bars for 2024-01-08..09 validated from 01-03 give three missing
// sessions (01-03, 01-04, 01-05) per symbol, six findings in all.

test('run validation from the page, see the run and its findings, filter, export, jump to the bars', async ({ server, page, context }) => {
  test.setTimeout(180_000); // two tabs, an ingest, a run, two downloads and the chart: past 90 s on a loaded machine
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

  // filters: the symbol field, and the counts above the table (by severity, by rule) as filters
  await page.getByLabel('Symbol', { exact: true }).fill('msft');
  await expect(findings.locator('tbody tr')).toHaveCount(3);
  await expect(findings.locator('tbody tr').filter({ hasText: 'AAPL' })).toHaveCount(0);
  const severities = page.getByRole('group', { name: 'Findings by severity' });
  await expect(severities).toContainText('Errors 3');
  await expect(severities).toContainText('Info 0');
  await severities.getByRole('button', { name: /^Warnings/ }).click();
  await expect(page.getByText('No findings match these filters.')).toBeVisible();
  await severities.getByRole('button', { name: /^Errors/ }).click();
  await page.getByRole('group', { name: 'Findings by rule' }).getByRole('button', { name: /^missing_session/ }).click();
  await expect(findings.locator('tbody tr')).toHaveCount(3);
  await shoot(page, 'validation');

  // export: the browser downloads what the page shows (the report's columns, then the acknowledgement's)
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^validation-\d{8}T\d{6}Z-[0-9a-f]{8}-filtered\.csv$/);
  const csv = await fs.readFile(await file.path(), 'utf8');
  expect(csv.split('\r\n')[0]).toBe('symbol,timeframe,ts,rule,severity,message,provider,feed,job_id,calendar_version,value,observed,acknowledged,ack_note,acknowledged_at');
  expect(csv.trimEnd().split('\r\n')).toHaveLength(4);
  await expect(page.getByText(`Downloaded ${file.suggestedFilename()} (3 rows)`)).toBeVisible();
  // the whole audit report, as written
  const full = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Full report' }).click();
  const report = await full;
  expect(report.suggestedFilename()).toMatch(/^validation-\d{8}T\d{6}Z-[0-9a-f]{8}\.csv$/);
  expect((await fs.readFile(await report.path(), 'utf8')).trimEnd().split('\r\n')).toHaveLength(7);

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

// A run of ~500 findings: AAPL and MSFT hold 2024-01-08..09 only, validated from 2023-01-03, so every session of 2023
// and the first days of 2024 are missing (254 per symbol).
test('findings at scale: counts as filters, sort, page jump and size, filtered export, acknowledge and undo', async ({ server, page }, testInfo) => {
  test.setTimeout(240_000);
  await open(page, server);
  const jobId = await ingest(page, { symbols: 'AAPL, MSFT', start: '2024-01-08', end: '2024-01-09' });
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
  await nav(page, 'Validation').click();
  await page.getByLabel('Symbols', { exact: true }).fill('AAPL, MSFT');
  await page.getByLabel('Start', { exact: true }).fill('2023-01-03');
  await page.getByLabel('End', { exact: true }).fill('2024-01-09');
  await page.getByRole('button', { name: 'Run validation' }).click();

  const findings = page.getByRole('table', { name: 'Findings' });
  const rows = findings.locator('tbody tr');
  const severities = page.getByRole('group', { name: 'Findings by severity' });
  const rules = page.getByRole('group', { name: 'Findings by rule' });
  await expect(page.getByText('1–100 of 508')).toBeVisible({ timeout: 60_000 }); // a year of sessions judged
  // the summary names every severity, info included
  await expect(page.getByText('508 finding(s): 508 errors, 0 warnings, 0 info')).toBeVisible();
  await expect(severities.getByRole('button', { name: 'Errors 508' })).toHaveAttribute('aria-pressed', 'false');
  await expect(rules.getByRole('button', { name: 'missing_session 508' })).toBeVisible();

  // counts are filters: pressed applies, pressed again clears
  await severities.getByRole('button', { name: /^Info/ }).click();
  await expect(severities.getByRole('button', { name: /^Info/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByText('No findings match these filters.')).toBeVisible();
  await expect(rules.getByRole('button', { name: 'missing_session 0' })).toBeVisible();
  await severities.getByRole('button', { name: /^Info/ }).click();
  await expect(page.getByText('1–100 of 508')).toBeVisible();
  await page.getByLabel('Symbol', { exact: true }).fill('MSFT');
  await expect(page.getByText('1–100 of 254')).toBeVisible();
  await expect(severities.getByRole('button', { name: 'Errors 254' })).toBeVisible();

  // sort: Time ascending, then descending (aria-sort says which)
  const time = findings.getByRole('columnheader', { name: /Time/ });
  await expect(time).toHaveAttribute('aria-sort', 'none');
  await time.getByRole('button').click();
  await expect(time).toHaveAttribute('aria-sort', 'ascending');
  const firstTs = () => rows.first().locator('time').getAttribute('datetime');
  await expect.poll(firstTs).toMatch(/^2023-01-03T/);
  await time.getByRole('button').click();
  await expect(time).toHaveAttribute('aria-sort', 'descending');
  await expect.poll(firstTs).toMatch(/^2024-01-05T/);

  // page jump and page size
  const pageInput = page.getByLabel('Page', { exact: true });
  await pageInput.fill('3');
  await pageInput.press('Enter');
  await expect(page.getByText('201–254 of 254')).toBeVisible();
  await expect(rows).toHaveCount(54);
  await expect.poll(firstTs).toMatch(/^2023-0[1-4]-/);
  await page.getByLabel('Rows per page').selectOption('50');
  await expect(page.getByText('201–250 of 254')).toBeVisible();
  await expect(page.getByText('of 6', { exact: true })).toBeVisible();
  await pageInput.fill('999');
  await pageInput.press('Enter');
  await expect(page.getByText('251–254 of 254')).toBeVisible();
  await page.getByLabel('Rows per page').selectOption('250');
  await expect(page.getByText('251–254 of 254')).toBeVisible();
  await pageInput.fill('1');
  await pageInput.press('Enter');
  await expect(page.getByText('1–250 of 254')).toBeVisible();

  // the filtered export holds exactly what the page counts
  async function exported(): Promise<string[]> {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await download;
    return (await fs.readFile(await file.path(), 'utf8')).trimEnd().split('\r\n');
  }
  expect(await exported()).toHaveLength(1 + 254);
  await page.getByLabel('Message').fill('2023-12');
  const range = page.locator('.vpager [aria-live]');
  await expect(range).toHaveText(/^1–(\d+) of \1$/); // December's sessions, on one page
  const shown = Number(/of (\d+)/.exec((await range.textContent()) ?? '')?.[1]);
  expect(shown).toBeGreaterThan(15);
  expect(await exported()).toHaveLength(1 + shown);
  await page.getByLabel('Message').fill('');
  await expect(page.getByText('1–250 of 254')).toBeVisible();

  // acknowledge one finding: hidden, counted in the toggle, undone from the status
  const first = rows.first();
  const firstAt = await first.locator('time').getAttribute('datetime');
  await first.getByRole('button', { name: /^Acknowledge / }).click();
  const form = page.getByRole('form', { name: 'Acknowledge' });
  await form.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(form.getByRole('alert')).toContainText('Write a note');
  await form.getByLabel('Note').fill('exchange outage, known');
  await form.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByText('Acknowledged this missing_session finding of MSFT')).toBeVisible();
  await expect(page.getByText('1–250 of 253')).toBeVisible();
  await expect(page.getByLabel('Show acknowledged (1)')).not.toBeChecked();
  await expect.poll(firstTs).not.toBe(firstAt);
  await page.getByRole('status').getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText('1–250 of 254')).toBeVisible();
  await expect(page.getByLabel('Show acknowledged (0)')).toBeVisible();

  // acknowledge the rule for the symbol: every MSFT finding hidden; shown again with the note on demand
  await first.getByRole('button', { name: /^Acknowledge / }).click();
  await form.getByLabel('Every missing_session finding of MSFT').check();
  await form.getByLabel('Note').fill('listed late');
  await form.getByRole('button', { name: 'Acknowledge' }).click();
  await expect(page.getByText('No findings match these filters (254 acknowledged hidden).')).toBeVisible();
  await page.getByLabel('Show acknowledged (254)').check();
  await expect(page.getByText('1–250 of 254')).toBeVisible();
  await expect(first).toContainText('Acknowledged (every missing_session of MSFT): listed late');
  const withAcks = await exported();
  expect(withAcks).toHaveLength(1 + 254);
  expect(withAcks.slice(1).every((l) => /,rule,listed late,\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(l))).toBe(true);
  // the other symbol is untouched
  await page.getByLabel('Symbol', { exact: true }).fill('');
  await expect(severities.getByRole('button', { name: 'Errors 508' })).toBeVisible();
  await page.getByLabel('Show acknowledged (254)').uncheck();
  await expect(page.getByText('1–250 of 254')).toBeVisible();
  await expect(rows.filter({ hasText: 'MSFT' })).toHaveCount(0);

  // screenshots of the page in both themes at both sizes (kept with the test's results)
  await page.getByLabel('Show acknowledged (254)').check();
  await page.getByLabel('Rows per page').selectOption('50');
  await page.getByRole('button', { name: /^Acknowledge AAPL/ }).first().click();
  for (const [w, h] of [
    [1366, 768],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // the page scrolls inside its frame: one shot from the top (form, runs, counts, acknowledging), one at the table
      for (const part of ['top', 'table'] as const) {
        await (part === 'top' ? page.getByRole('heading', { name: 'Run validation' }) : page.locator('.vpager')).scrollIntoViewIfNeeded();
        const file = path.join(SCREENSHOTS, `validation-findings-${w}x${h}-${scheme}-${part}.png`);
        await page.screenshot({ path: file });
        await testInfo.attach(path.basename(file), { path: file, contentType: 'image/png' });
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // undo the rule from an acknowledged row: every MSFT finding is back
  await page.getByRole('form', { name: 'Acknowledge' }).getByRole('button', { name: 'Cancel' }).click();
  await page.getByLabel('Symbol', { exact: true }).fill('MSFT');
  await rows.first().getByRole('button', { name: /^Undo acknowledgement/ }).click();
  await expect(page.getByText('Undone: every missing_session finding of MSFT is shown again')).toBeVisible();
  await expect(page.getByLabel('Show acknowledged (0)')).toBeChecked();
  await expect(page.getByText('1–50 of 254')).toBeVisible();
});
