#!/usr/bin/env node
/* global document, requestAnimationFrame -- the page.evaluate callbacks run in the browser */
// Benchmark (not a test): the Query page in a real browser against `marketpipe serve`.
//   1. Run → first rows: from the click on Run to the first result row painted, next to the engine's own answer
//      time (the elapsed time it reports); the difference is transport + rendering (target < 300 ms).
//   2. Scrolling a 1,000,000-row result: requestAnimationFrame deltas and long tasks (PerformanceObserver 'longtask')
//      while the grid scrolls steadily and then jumps (target 60 fps, no long task > 50 ms).
// Prints the figures; never fails on them. Needs a build (npm run build) and Chromium at /usr/bin/chromium.
// Usage: node bench/renderer-query.mjs [--runs 3] [--seconds 4]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { startServe } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = arg('--runs', 3);
const SECONDS = arg('--seconds', 4);
const MILLION = 'SELECT range AS i, range * 0.5 AS x, range % 97 AS bucket FROM range(1000000)';
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const f = (v) => `${v.toFixed(1)} ms`;


function parseElapsed(text) {
  const m = /·\s*([\d.]+)\s*(ms|s)\b/.exec(text);
  if (!m) return NaN;
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-query-'));
const { child, url } = await startServe(dataDir);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Query', exact: true }).click();
  const editor = page.getByLabel('SQL', { exact: true });

  console.log(`Run → first rows (${MILLION}), ${RUNS} runs`);
  const firstRows = [];
  for (let r = 0; r < RUNS; r++) {
    await editor.fill(`${MILLION} -- run ${r}`);
    // click and watch for the first row in the same page turn, so the measure holds no Playwright round trip
    const clickToRows = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Run');
          const before = document.querySelector('[role="status"]')?.textContent ?? '';
          const t0 = performance.now();
          button.click();
          const check = () => {
            const status = document.querySelector('p[role="status"]')?.textContent ?? '';
            const cell = document.querySelector('[role="row"][aria-rowindex="2"] [role="gridcell"]');
            if (status !== before && /rows/.test(status) && !/Running/.test(status) && cell && cell.textContent === '0') {
              resolve(performance.now() - t0);
            } else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    const status = (await page.locator('p[role="status"]').textContent()) ?? '';
    const engine = parseElapsed(status);
    firstRows.push({ clickToRows, engine, after: clickToRows - engine });
    console.log(`  run ${r + 1}: click → first rows ${f(clickToRows)}, engine answer ${f(engine)}, after the engine ${f(clickToRows - engine)}`);
  }
  console.log(`  after the engine: median ${f(pct(firstRows.map((x) => x.after), 50))} (target < 300 ms)`);

  console.log(`Scrolling the 1,000,000-row grid for ${SECONDS} s: steady 20 rows/frame, then a jump every 30 frames`);
  const scroll = await page.evaluate(
    (seconds) =>
      new Promise((resolve) => {
        const el = document.querySelector('[role="grid"][aria-label="Result grid"]');
        const longTasks = [];
        const obs = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longTasks.push(e.duration);
        });
        obs.observe({ type: 'longtask', buffered: false });
        const deltas = [];
        let last = performance.now();
        const end = last + seconds * 1000;
        let frame = 0;
        const step = (now) => {
          deltas.push(now - last);
          last = now;
          frame++;
          if (frame % 30 === 0) el.scrollTop = Math.random() * (el.scrollHeight - el.clientHeight);
          else el.scrollTop += 20 * 24;
          if (now < end) requestAnimationFrame(step);
          else {
            obs.disconnect();
            const lastRow = [...el.querySelectorAll('[role="row"]')].pop();
            resolve({ deltas: deltas.slice(1), longTasks, lastRowLoaded: !!lastRow && !lastRow.textContent?.includes('…') });
          }
        };
        requestAnimationFrame(step);
      }),
    SECONDS,
  );
  const d = scroll.deltas;
  const fps = 1000 / (d.reduce((a, b) => a + b, 0) / d.length);
  console.log(`  frames: ${d.length}, ${fps.toFixed(1)} fps; frame time p50 ${f(pct(d, 50))}, p95 ${f(pct(d, 95))}, p99 ${f(pct(d, 99))}, max ${f(Math.max(...d))}`);
  console.log(`  frames over 16.7 ms: ${d.filter((x) => x > 16.7).length}; over 33 ms: ${d.filter((x) => x > 33.4).length}`);
  console.log(`  long tasks (> 50 ms): ${scroll.longTasks.length}${scroll.longTasks.length ? `, max ${f(Math.max(...scroll.longTasks))}` : ''} (target 0)`);
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
