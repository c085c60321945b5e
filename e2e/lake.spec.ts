import fs from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from './fixtures';
import { ingest, jobRow, nav, open, shoot } from './helpers';

// The lake's quick check on the Ingest page: a damaged Parquet file is named with a Repair button, and Repair says
// what it did and what to fetch again.

async function parquetFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await parquetFiles(p)));
    else if (e.name.endsWith('.parquet')) out.push(p);
  }
  return out;
}

test('a truncated lake file shows on the Ingest page; Repair quarantines it and says what to fetch again', async ({ server, page }) => {
  await open(page, server);
  const jobId = await ingest(page, { symbols: 'AAPL', start: '2024-01-02', end: '2024-01-03' });
  await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: /^Lake problems/ })).toHaveCount(0);

  const [file] = await parquetFiles(path.join(server.dataDir, 'lake', 'bars', 'timeframe=1m'));
  expect(file).toBeTruthy();
  await fs.truncate(file!, 10);

  await page.reload();
  await nav(page, 'Ingest').click();
  const panel = page.getByRole('region', { name: 'Lake problems: 1 file' });
  await expect(panel).toBeVisible();
  await expect(panel).toContainText('symbol=AAPL');
  await shoot(page, 'ingest-lake-problems');
  await panel.getByRole('button', { name: 'Repair' }).click();

  const done = page.getByRole('region', { name: 'Lake repaired' });
  await expect(done).toBeVisible({ timeout: 60_000 });
  await expect(done.getByRole('status')).toContainText('Moved 1 file to quarantine');
  await expect(done).toContainText('marketpipe ingest');
  const quarantined = await parquetFiles(path.join(server.dataDir, 'quarantine'));
  expect(quarantined).toHaveLength(1);
});
