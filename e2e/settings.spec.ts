import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, REPO_ROOT, test, type Server } from './fixtures';
import { nav, open, shoot } from './helpers';

const run = promisify(execFile);

/** The CLI against the same data dir as the test's server (the test uses the CLI to stay independent of the Universe page). */
async function cli(server: Server, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['bin/marketpipe.cjs', '--data-dir', server.dataDir, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, MP_LOG_LEVEL: 'silent' },
  });
  return stdout;
}

function credentialRow(page: Page, name: string) {
  return page.getByRole('row', { name, exact: true });
}

async function openSchedule(page: Page) {
  await nav(page, 'Ingest').click();
  const panel = page.getByRole('region', { name: 'Scheduled updates' });
  const toggle = panel.getByRole('button', { name: 'Scheduled updates' });
  await expect(page.getByRole('heading', { name: 'Scheduled updates' })).toBeVisible();
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return panel;
}

test.describe('provider credentials', () => {
  test('a missing key, and saving it in web mode explains where credentials come from', async ({ server, page }) => {
    await open(page, server);
    await nav(page, 'Settings').click();
    // the app.info display stays
    await expect(page.getByRole('main')).toContainText(server.dataDir);
    const table = page.getByRole('table', { name: 'alpaca' });
    await expect(table).toBeVisible();
    const row = credentialRow(page, 'ALPACA_KEY');
    await expect(row).toContainText('missing');

    const input = page.getByLabel('Value for ALPACA_KEY');
    await expect(input).toHaveAttribute('type', 'password');
    await expect(page.getByRole('button', { name: 'Save ALPACA_KEY' })).toBeDisabled();
    await input.fill('not-a-real-key');
    await page.getByRole('button', { name: 'Save ALPACA_KEY' }).click();

    const alert = page.getByRole('alert').filter({ hasText: 'E_FORBIDDEN' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('ALPACA_KEY not saved');
    await expect(alert).toContainText('web mode');
    await expect(alert).toContainText('marketpipe serve');
    await expect(alert).toContainText('.env');
    // the value is gone from the page, and nothing changed
    await expect(input).toHaveValue('');
    await expect(row).toContainText('missing');
    await expect(page.getByRole('button', { name: 'Clear ALPACA_KEY' })).toBeDisabled();
    await expect(page.locator('body')).not.toContainText('not-a-real-key');
    await shoot(page, 'settings-credentials');
  });

  test.describe('with ALPACA_KEY in the environment of serve', () => {
    test.use({ serveEnv: { ALPACA_KEY: 'x' } });

    test('shows it as from environment', async ({ server, page }) => {
      await open(page, server);
      await nav(page, 'Settings').click();
      await expect(credentialRow(page, 'ALPACA_KEY')).toContainText('from environment');
      await expect(credentialRow(page, 'ALPACA_SECRET')).toContainText('missing');
    });
  });
});

test.describe('scheduled updates', () => {
  test('needs a universe; enabled on one, it shows the next run, and a reload keeps it', async ({ server, page }) => {
    await open(page, server);
    let panel = await openSchedule(page);
    await expect(panel).toContainText('marketpipe universe create');
    await expect(panel.getByRole('group', { name: 'Schedule status' }).getByRole('definition').first()).toHaveText('yes');

    // enabled without a universe: the engine says what is missing
    await panel.getByLabel('Update daily after the close').check();
    await panel.getByRole('button', { name: 'Save schedule' }).click();
    const alert = panel.getByRole('alert').filter({ hasText: 'E_BAD_INPUT' });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('universe');

    await cli(server, 'universe', 'create', 'Tech', '--symbols', 'AAPL');
    await page.reload();
    await expect(page.getByRole('banner')).toContainText(server.dataDir);
    panel = await openSchedule(page);
    const universe = panel.getByLabel('Universe');
    await expect(universe.getByRole('option', { name: /^Tech/ })).toHaveCount(1);
    await universe.selectOption('Tech');
    await panel.getByLabel('Update daily after the close').check();
    await panel.getByLabel('Schedule provider').selectOption('fake');
    await expect(panel.getByLabel('Schedule feed')).toHaveValue('');
    await expect(panel.getByLabel('Schedule timeframe')).toHaveValue('1m');
    await expect(panel.getByLabel('Run at (New York time)')).toHaveValue('20:15');
    await panel.getByRole('button', { name: 'Save schedule' }).click();
    await expect(panel.getByRole('status').filter({ hasText: 'Schedule saved.' })).toBeVisible();
    await expect(panel.getByRole('alert').filter({ hasText: 'E_BAD_INPUT' })).toHaveCount(0);

    const status = panel.getByRole('group', { name: 'Schedule status' });
    const nextRun = status.getByRole('definition').nth(1);
    // in the app's time zone (New York by default), so no second New York time beside it
    await expect(nextRun).toContainText(/20:15 E[DS]T/);
    await expect(nextRun).not.toContainText('New York:');
    await expect(status.getByRole('definition').first()).toHaveText('yes');
    await expect(panel.getByRole('heading', { name: 'Scheduled updates' }).locator('..')).toContainText('Daily at 20:15 New York · Tech from fake');
    // Saving starts the catch-up at once; its outcome shows shortly after: a run with its job, or why it could not start.
    await expect(panel.getByRole('alert').filter({ hasText: 'Last scheduled run failed' }).or(status.getByRole('button', { name: /^Show job / }))).toBeVisible();
    await shoot(page, 'ingest-schedule');

    await page.reload();
    await expect(page.getByRole('banner')).toContainText(server.dataDir);
    panel = await openSchedule(page);
    await expect(panel.getByLabel('Update daily after the close')).toBeChecked();
    await expect(panel.getByLabel('Universe')).toHaveValue('Tech');
    await expect(panel.getByLabel('Schedule provider')).toHaveValue('fake');
    await expect(panel.getByRole('group', { name: 'Schedule status' }).getByRole('definition').nth(1)).toContainText(/20:15 E[DS]T/);

    // Settings › Time zone UTC: the next run in UTC, New York beside it
    await nav(page, 'Settings').click();
    await page.getByLabel('Time zone').selectOption('UTC');
    panel = await openSchedule(page);
    const next = panel.getByRole('group', { name: 'Schedule status' }).getByRole('definition').nth(1);
    await expect(next).toContainText(/ UTC/);
    await expect(next).toContainText(/New York: .*20:15 E[DS]T/);
  });
});
