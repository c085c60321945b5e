import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { ingest, jobRow, nav, open, shootBothSizes } from './helpers';

// WCAG 2 A/AA (2.0 and 2.1) on every page, in the light and the dark theme, at 1366x768, with data on the pages (a
// finished job, its validation run, a query result), so the tables, badges and notes are checked too.

const PAGES = ['Universe', 'Ingest', 'Validation', 'Chart', 'Query', 'Settings'] as const;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

test.use({ viewport: { width: 1366, height: 768 } });
test.describe.configure({ mode: 'parallel' });

async function setTheme(page: Page, theme: 'light' | 'dark') {
  await nav(page, 'Settings').click();
  await page.getByLabel('Theme', { exact: true }).selectOption(theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

async function violations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page })
    .withTags(TAGS)
    .analyze();
  // one line per node: rule, target and the check's message (e.g. the contrast ratio it measured)
  return r.violations.flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim() ?? ''}`));
}

for (const theme of ['light', 'dark'] as const) {
  test(`no WCAG 2 A/AA violation on any page, ${theme} theme`, async ({ server, page }, testInfo) => {
    test.setTimeout(300_000);
    await open(page, server);
    const jobId = await ingest(page, { symbols: 'AAPL, MSFT', start: '2024-01-02', end: '2024-01-05' });
    await expect(jobRow(page, jobId)).toContainText('succeeded', { timeout: 60_000 });
    await nav(page, 'Universe').click();
    await page.getByLabel('Universe name', { exact: true }).fill('Tech');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.getByLabel('Symbols', { exact: true }).fill('AAPL, NVDA');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(page.getByRole('table', { name: 'Symbols of Tech' }).locator('tbody tr')).toHaveCount(2);
    await setTheme(page, theme);

    const found: string[] = [];
    for (const name of PAGES) {
      await nav(page, name).click();
      await expect(nav(page, name)).toHaveAttribute('aria-current', 'page');
      if (name === 'Query') {
        await page.getByLabel('SQL', { exact: true }).fill("SELECT symbol, count(*) AS n FROM bars WHERE timeframe = '1m' GROUP BY 1 ORDER BY 1");
        await page.getByRole('button', { name: 'Run', exact: true }).click();
        await expect(page.getByRole('grid', { name: 'Result grid' }).getByRole('gridcell').first()).toHaveText('AAPL');
      }
      if (name === 'Validation') await expect(page.getByRole('table').first()).toBeVisible();
      await shootBothSizes(page, testInfo, `${name.toLowerCase()}-${theme}`);
      const vs = (await violations(page)).map((v) => `${name}: ${v}`);
      found.push(...vs);
      // each page's findings as they come, so a slow run still tells what it found
      if (vs.length) console.log(`${theme}\n${vs.join('\n')}`);
    }
    expect(found, found.join('\n')).toEqual([]);
  });
}

// The Metrics page on its own (it redraws its charts every second, so it is checked after one live update, in both
// themes): on a machine under heavy load (load ~20 on 2 cores) axe did not finish here, on a quiet one it does.
for (const theme of ['light', 'dark'] as const) {
  test(`no WCAG 2 A/AA violation on the Metrics page, ${theme} theme`, async ({ server, page }, testInfo) => {
    test.setTimeout(180_000);
    await open(page, server);
    await setTheme(page, theme);
    await nav(page, 'Metrics').click();
    await expect(nav(page, 'Metrics')).toHaveAttribute('aria-current', 'page');
    await expect(page.getByRole('heading', { name: 'Request latency' })).toBeVisible({ timeout: 30_000 });
    await shootBothSizes(page, testInfo, `metrics-${theme}`);
    const found = (await violations(page)).map((v) => `Metrics: ${v}`);
    expect(found, found.join('\n')).toEqual([]);
  });
}
