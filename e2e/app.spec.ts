import { expect, test } from './fixtures';
import { nav, open } from './helpers';

// App quality: shortcuts, toasts for finished jobs, the empty-lake state, dynamic universes.

test('the shortcut list opens with ? and lists shortcuts; g then a letter switches page, not while typing', async ({ server, page }) => {
  await open(page, server);
  await page.locator('body').press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('row')).toHaveCount(13);
  await expect(dialog).toContainText('Query results: first / last row');
  await expect(dialog).toContainText('Go to Query');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await expect(nav(page, 'Query')).toHaveAttribute('aria-current', 'page');
  await page.keyboard.press('Control+/');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');

  // typing "g u" in a field types it
  await page.keyboard.press('g');
  await page.keyboard.press('u');
  await expect(nav(page, 'Universe')).toHaveAttribute('aria-current', 'page');
  await page.getByLabel('Universe name', { exact: true }).fill('');
  await page.getByLabel('Universe name', { exact: true }).pressSequentially('gi?');
  await expect(page.getByLabel('Universe name', { exact: true })).toHaveValue('gi?');
  await expect(nav(page, 'Universe')).toHaveAttribute('aria-current', 'page');
  await expect(dialog).toBeHidden();
});

test('empty lake: Ingest demo universe ingests it, a toast tells the finished job, and a dynamic universe shows its matches', async ({ server, page }) => {
  await open(page, server);
  await nav(page, 'Ingest').click();
  const empty = page.getByRole('region', { name: 'No data yet: ingest the demo universe' });
  await expect(empty).toBeVisible();
  await empty.getByRole('button', { name: 'Ingest demo universe' }).click();

  const toasts = page.getByRole('status', { name: 'Notifications' });
  const toast = toasts.locator('.toast').filter({ hasText: 'succeeded' });
  await expect(toast).toBeVisible({ timeout: 60_000 });
  await expect(toast).toContainText(/Job \S+ succeeded/);
  await expect(toast).toContainText(/AAPL, MSFT, SPY from fake: [\d,]+ rows written/);
  // the lake has data now: the empty state is gone
  await expect(empty).toBeHidden();
  await toast.getByRole('button', { name: /^Dismiss/ }).click();
  await expect(toast).toBeHidden();

  // a dynamic universe: preview its rule, create it, see its members
  await nav(page, 'Universe').click();
  await page.getByText('New dynamic universe').click();
  await page.getByLabel('Dynamic universe name').fill('Pair');
  await page.getByLabel('Rule (SQL)').fill("symbol IN ('AAPL', 'SPY') AND sessions >= 1 AND adv20 > 0");
  await page.getByRole('button', { name: 'Preview' }).click();
  await expect(page.getByLabel('Matching symbols')).toHaveText('2 match: AAPL SPY');
  await page.getByRole('button', { name: 'Create dynamic universe' }).click();
  await expect(page.getByRole('heading', { name: 'Pair', exact: true })).toBeVisible();
  const table = page.getByRole('table', { name: 'Symbols of Pair', exact: true });
  await expect(table.getByRole('rowheader')).toHaveText(['AAPL', 'SPY']);
  await expect(page.getByRole('region', { name: 'Rule' }).getByLabel('Rule (SQL)')).toHaveValue("symbol IN ('AAPL', 'SPY') AND sessions >= 1 AND adv20 > 0");

  // a bad rule says so where it was typed, and changes nothing
  await page.getByRole('region', { name: 'Rule' }).getByLabel('Rule (SQL)').fill('adv20 >>> 1');
  await page.getByRole('button', { name: 'Save rule and refresh' }).click();
  await expect(page.getByRole('region', { name: 'Rule' }).getByRole('alert')).toContainText('E_BAD_INPUT');
  await expect(table.getByRole('rowheader')).toHaveText(['AAPL', 'SPY']);

  // symbols filtered by data: every member has data, none is missing
  await page.getByLabel('Show symbols').selectOption('no-data');
  await expect(table.getByRole('rowheader')).toHaveCount(0);
  await page.getByLabel('Show symbols').selectOption('with-data');
  await expect(table.getByRole('rowheader')).toHaveText(['AAPL', 'SPY']);
});
