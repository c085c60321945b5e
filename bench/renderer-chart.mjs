#!/usr/bin/env node
// Chart explorer benchmark: a year of fake 1-minute bars for one symbol (~98k bars), drawn in Chromium through
// `marketpipe serve`. Prints figures, never fails on them (timing belongs here, not in pass/fail tests).
//   - time to draw: from navigation to the chart's data-bars-loaded attribute, plus the next animation frame;
//   - frame times while zooming out (to coarser bars, in Auto) and back, and while panning (windows fetched as it goes).
// Usage: npm run build && node bench/renderer-chart.mjs
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

/* global window, document, requestAnimationFrame, cancelAnimationFrame -- these run inside the page (page.evaluate) */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'bin', 'marketpipe.cjs');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-chart-'));

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}
const ms = (n) => `${n.toFixed(1)} ms`;

let server;
let browser;
try {
  const t0 = performance.now();
  execFileSync(process.execPath, [CLI, 'ingest', '--provider', 'fake', '--symbols', 'AAPL', '--start', '2024-01-01', '--end', '2024-12-31', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`ingested a year of 1m bars for AAPL in ${ms(performance.now() - t0)}`);

  server = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], { env: { ...process.env, METRICS_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: server.stdout });
    lines.on('line', (line) => {
      const m = /https?:\/\/\S+\?token=\S+/.exec(line);
      if (m) resolve(m[0]);
    });
    server.once('exit', (code) => reject(new Error(`serve exited with ${code} before printing its URL`)));
  });

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(url);
  await page.getByRole('banner').getByText(dataDir).waitFor();
  const chart = page.getByRole('img', { name: 'Candlestick chart of AAPL' });

  // Draw: navigation (hash change) to bars loaded, plus one animation frame (the canvas has been painted).
  const drawMs = [];
  for (const tf of ['1m', '1h', '1d']) {
    await page.evaluate(() => (window.location.hash = '#/ingest'));
    const start = await page.evaluate(() => performance.now());
    await page.evaluate((h) => (window.location.hash = h), `#/chart?symbol=AAPL&timeframe=${tf}`);
    await page.waitForFunction(() => Number(document.querySelector('[data-bars-loaded]')?.getAttribute('data-bars-loaded') ?? 0) > 0);
    const end = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(performance.now()))));
    const bars = await chart.getAttribute('data-bars-loaded');
    const shown = await chart.getAttribute('data-timeframe-shown');
    drawMs.push(end - start);
    console.log(`draw ${tf}: ${ms(end - start)} (${bars} bars shown as ${shown})`);
  }

  // Frame times while zooming out and back in, and while panning, on the 1m chart.
  // Auto (no timeframe) opened at an instant: a day of 1m bars, coarser ones as it zooms out
  await page.evaluate(() => (window.location.hash = '#/chart?symbol=AAPL&at=2024-06-03T15:00:00.000Z'));
  await page.waitForFunction(() => document.querySelector('[data-timeframe-shown="1m"]'));
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      window.__raf = requestAnimationFrame(tick);
    };
    window.__raf = requestAnimationFrame(tick);
  });
  const timeframes = new Set();
  for (let i = 0; i < 40; i++) {
    await page.mouse.wheel(0, 400);
    // let the chart's frame and any fetch it started land before the next step
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    timeframes.add(await chart.getAttribute('data-timeframe-shown'));
  }
  console.log(`after zooming out: ${await chart.getAttribute("data-visible-bars")} bars visible, ${await chart.getAttribute('data-bars-loaded')} held`);
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, -400);
  // pan: drag left across the chart a few times
  for (let i = 0; i < 10; i++) {
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.8, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
  }
  const frames = await page.evaluate(() => {
    cancelAnimationFrame(window.__raf);
    return window.__frames.slice(1);
  });
  console.log(`zoom/pan: ${frames.length} frames, p50 ${ms(pct(frames, 50))}, p95 ${ms(pct(frames, 95))}, max ${ms(Math.max(...frames))}`);
  console.log(`timeframes shown while zooming out: ${[...timeframes].join(' -> ')}`);
  console.log(`bars held at the end: ${await chart.getAttribute('data-bars-loaded')} (${await chart.getAttribute('data-timeframe-shown')})`);
} finally {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
