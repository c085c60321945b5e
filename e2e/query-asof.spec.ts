import AxeBuilder from '@axe-core/playwright';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, REPO_ROOT, test } from './fixtures';
import { nav, open, shootSizes } from './helpers';

// The Query page's "As of": a CSV imported with the built CLI, then a corrected CSV of one session (--force) with other
// prices; the page as of the first job shows the old prices, Latest the corrected ones; a job that never wrote and a
// time older than what is retained are one-line errors naming the oldest snapshot, and nothing runs.

const run = promisify(execFile);
const HEADER = 'Symbol,Timestamp,Open,High,Low,Close,Volume,Trade_Count,VWAP';
/** three minutes of AAA from 09:30 New York on `day`, every price `price` */
const minutes = (day: string, price: number) =>
  [0, 1, 2].map((i) => `AAA,${day} 09:3${i}:00,${price},${price},${price},${price},${1000 + i},10,${price}`);

async function importCsv(dataDir: string, name: string, lines: string[], force = false): Promise<string> {
  const file = path.join(dataDir, '..', `${path.basename(dataDir)}-${name}`);
  await fs.writeFile(file, [HEADER, ...lines].join('\n') + '\n');
  const args = ['bin/marketpipe.cjs', '--data-dir', dataDir, 'ingest', '--provider', 'csv', '--source', file, '--no-pipeline', '--json', ...(force ? ['--force'] : [])];
  const { stdout } = await run(process.execPath, args, { cwd: REPO_ROOT });
  await fs.rm(file, { force: true });
  return (JSON.parse(stdout) as { jobId: string }).jobId;
}

const SQL = "SELECT strftime(ts, '%m-%d %H:%M') AS t, close FROM bars ORDER BY ts";

test('as of the first job the page shows the old prices, Latest the corrected ones; bad input names the oldest snapshot', async ({ server, page }, testInfo) => {
  test.setTimeout(120_000);
  const jobA = await importCsv(server.dataDir, 'v1.csv', [...minutes('2024-01-02', 10), ...minutes('2024-01-03', 11)]);
  const jobB = await importCsv(server.dataDir, 'v2.csv', minutes('2024-01-03', 12), true);

  await open(page, server);
  await nav(page, 'Query').click();
  await page.getByLabel('SQL', { exact: true }).fill(SQL);
  const status = page.getByRole('status').filter({ has: page.getByTestId('row-count') });
  const closeOf = (t: string) => page.getByRole('row').filter({ hasText: t }).getByRole('gridcell').nth(1);

  // Latest: the corrected session
  const button = page.getByTestId('asof-button');
  await expect(button).toHaveText(/As of: Latest/);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('row-count')).toHaveText('6');
  await expect(status).toContainText('latest');
  await expect(closeOf('01-03 14:30')).toHaveText('12');
  await expect(closeOf('01-02 14:30')).toHaveText('10');

  // the list: newest first, both jobs, then the catalog's first snapshot (its migration, before any job)
  await button.click();
  const panel = page.getByRole('dialog', { name: 'Read the lake as of' });
  const items = panel.getByTestId('asof-snapshot');
  await expect(items).toHaveCount(3);
  await expect(items.nth(0)).toContainText(`job ${jobB.slice(0, 8)}`);
  await expect(items.nth(1)).toContainText(`job ${jobA.slice(0, 8)}`);
  await expect(items.nth(2)).toContainText('migrate');
  await expect(panel).toContainText('Oldest retained: snapshot');
  // WCAG 2 A/AA on the open panel, in both themes (as e2e/a11y.spec.ts checks every page)
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
    const axe = await new AxeBuilder({ page }).include('.query-asof').withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    expect(axe.violations.flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(' ')}`))).toEqual([]);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await shootSizes(page, testInfo, 'query-asof-open');

  // as of the first job: the old prices, and the header names the snapshot
  await items.nth(1).click();
  await expect(panel).toHaveCount(0);
  await expect(button).toHaveText(`As of: job ${jobA.slice(0, 8)}… ▾`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('result-asof')).toContainText(`job ${jobA.slice(0, 8)}`);
  await expect(closeOf('01-03 14:30')).toHaveText('11');
  await expect(closeOf('01-02 14:30')).toHaveText('10');
  await shootSizes(page, testInfo, 'query-asof-result');

  // a job id typed in: the same snapshot
  await button.click();
  await panel.getByLabel(/Job id or ISO time/).fill(jobB);
  await panel.getByRole('button', { name: 'Use', exact: true }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByTestId('result-asof')).toContainText(`job ${jobB.slice(0, 8)}`);
  await expect(closeOf('01-03 14:30')).toHaveText('12');

  // bad input: one line naming the oldest snapshot, no result, nothing recorded in the history
  // three runs so far, each recorded
  const history = page.getByRole('region', { name: 'History' }).getByRole('listitem');
  await expect(history).toHaveCount(3);
  for (const spec of ['2001-01-01', 'not-a-job']) {
    await button.click();
    await panel.getByLabel(/Job id or ISO time/).fill(spec);
    await panel.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'As of' });
    await expect(alert).toContainText(`As of ${spec}:`);
    await expect(alert).toContainText(/oldest retained snapshot.*snapshot \d+ \(/);
    await expect(page.getByTestId('row-count')).toHaveCount(0);
  }

  // back to Latest: the fourth recorded run (the refused ones are not in the history)
  await button.click();
  await panel.getByRole('button', { name: /Latest/ }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(closeOf('01-03 14:30')).toHaveText('12');
  await expect(status).toContainText('latest');
  await expect(history).toHaveCount(4);
});
