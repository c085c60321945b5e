import path from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { expect, type Server } from './fixtures';

export const SCREENSHOTS = path.join(__dirname, '..', 'test-results', 'screenshots');

export async function open(page: Page, server: Server): Promise<void> {
  await page.goto(server.url);
  // Connected once the header shows the engine's data dir (from app.info).
  await expect(page.getByRole('banner')).toContainText(server.dataDir);
}

/** For a human to judge the look: light and dark, into test-results/screenshots (gitignored). */
export async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-dark.png`) });
  await page.emulateMedia({ colorScheme: 'light' });
}

export function nav(page: Page, name: string) {
  return page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
}

export interface IngestInput {
  symbols: string;
  start: string;
  end: string;
  force?: boolean;
}

/** Fills the form and starts the ingestion; resolves with the new job's id. */
export async function ingest(page: Page, o: IngestInput): Promise<string> {
  await nav(page, 'Ingest').click();
  await expect(page.getByLabel('Provider')).toHaveValue('fake');
  await expect(page.getByLabel('Feed')).toHaveValue('sim');
  await expect(page.getByLabel('Timeframe')).toHaveValue('1m');
  await page.getByLabel('Symbols').fill(o.symbols);
  await page.getByLabel('Start', { exact: true }).fill(o.start);
  await page.getByLabel('End', { exact: true }).fill(o.end);
  await page.getByLabel('Force refetch').setChecked(o.force ?? false);
  const started = page.getByRole('status').filter({ hasText: 'Started job' });
  // the message shows a short id; its full id is in data-job-id (and on hover)
  const code = started.locator('code[data-job-id]');
  const before = (await started.count()) > 0 ? ((await code.getAttribute('data-job-id')) ?? '') : '';
  await page.getByRole('button', { name: 'Start ingestion' }).click();
  await expect(started).toBeVisible();
  // After a first job the status still names it until the engine answers for the new one.
  if (before) await expect(code).not.toHaveAttribute('data-job-id', before);
  const jobId = (await code.getAttribute('data-job-id'))?.trim();
  await expect(code).toHaveText(jobId?.slice(0, 8) ?? '');
  expect(jobId).toBeTruthy();
  return jobId ?? '';
}

export function jobRow(page: Page, jobId: string) {
  return page.getByRole('row', { name: `Job ${jobId}`, exact: true });
}

/** Opens a job's per-symbol details; resolves with its table. */
export async function openDetails(page: Page, jobId: string) {
  const toggle = jobRow(page, jobId).getByRole('button', { name: 'Details', exact: true });
  await expect(toggle).toHaveAttribute('aria-expanded', 'false');
  await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return page.getByRole('table', { name: `Symbols of job ${jobId}` });
}

/** Runs one statement on the Query page (the editor and Run button). */
export async function runSql(page: Page, sql: string): Promise<void> {
  await nav(page, 'Query').click();
  await page.getByLabel('SQL', { exact: true }).fill(sql);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

/** The page at 1366x768 and 1920x1080, light and dark (the Theme setting is `system`: it follows the emulated scheme), as test artifacts. */
export async function shootSizes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const viewport = page.viewportSize();
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
      await page.screenshot({ path: testInfo.outputPath(`${name}-${size.width}x${size.height}-${scheme}.png`) });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  if (viewport) await page.setViewportSize(viewport);
}

/** The page as it is (its theme set by the test) at 1366x768 and 1920x1080, as test artifacts. */
export async function shootBothSizes(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const viewport = page.viewportSize();
  for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: testInfo.outputPath(`${name}-${size.width}x${size.height}.png`) });
  }
  if (viewport) await page.setViewportSize(viewport);
}
