import { expect, test } from './fixtures';
import { nav, open } from './helpers';

// The Universe page's own import of a 150,000-line symbols file (1.4 MB, over the 1 MiB WebSocket message limit):
// it travels by the authenticated POST /rpc, the page stays connected, and the universe holds every symbol.
test('imports a 150,000-line symbols CSV from the Universe page without losing the connection', async ({ server, page }) => {
  test.setTimeout(120_000);
  await open(page, server);
  await nav(page, 'Universe').click();
  await page.getByLabel('Universe name', { exact: true }).fill('Everything');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Everything', exact: true })).toBeVisible();

  const lines = ['symbol'];
  for (let i = 0; i < 150_000; i++) lines.push(`SYMB${String(i).padStart(5, '0')}`);
  const buffer = Buffer.from(lines.join('\n') + '\n');
  expect(buffer.length).toBeGreaterThan(1024 * 1024);
  await page.getByLabel('Import CSV').setInputFiles({ name: 'all.csv', mimeType: 'text/csv', buffer });
  await expect(page.getByRole('status').filter({ hasText: 'Imported' })).toContainText('Imported 150,000 symbols into Everything from all.csv', { timeout: 90_000 });
  // the table pages the 150,000 members instead of drawing them all
  await expect(page.getByRole('navigation', { name: 'Pages of Everything' })).toContainText('1–200 of 150,000');
  await expect(page.getByRole('table', { name: 'Symbols of Everything', exact: true }).locator('tbody tr')).toHaveCount(200);
  // still connected: a fresh request answers (the header shows the data dir from app.info after a reload)
  await expect(page.getByText('Reconnecting')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('banner')).toContainText(server.dataDir);
});

// Issue 13: the UI checks the Symbols field before anything is sent and names every bad symbol at once.
test('the Ingest form names every bad symbol before submit and starts nothing', async ({ server, page }) => {
  await open(page, server);
  await nav(page, 'Ingest').click();
  await page.getByLabel('Symbols').fill('AAPL, a$, MSFT; b#  toolongsymbolname123');
  await expect(page.getByRole('alert').filter({ hasText: 'are not symbols' })).toHaveText(
    '"A$", "B#", "TOOLONGSYMBOLNAME123" are not symbols (letters, digits, ".", "-", 1-15 characters)',
  );
  await expect(page.getByLabel('Symbols')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByRole('button', { name: 'Start ingestion' })).toBeDisabled();
  await page.getByLabel('Symbols').fill('AAPL, MSFT');
  await expect(page.getByRole('alert').filter({ hasText: 'not a symbol' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Start ingestion' })).toBeEnabled();
});
