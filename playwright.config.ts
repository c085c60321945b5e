import { defineConfig } from '@playwright/test';

// Browsers cannot be downloaded on these machines: Debian's Chromium is used instead (apt-get install chromium).
const CHROMIUM = process.env.MP_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  workers: 2,
  // one retry on CI only, so a machine-load hiccup does not block a landing; a test that needs it is still reported
  retries: process.env.CI ? 1 : 0,
  reporter: 'list',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
  use: {
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1360, height: 860 },
    launchOptions: {
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-quic',
      ],
    },
  },
  projects: [
    { name: 'web', testMatch: /\.spec\.ts$/, testIgnore: /electron\.spec\.ts$/, use: { browserName: 'chromium' } },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
});
