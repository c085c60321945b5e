#!/usr/bin/env node
// Chart explorer benchmark: a year of fake 1-minute bars for one symbol (~98k bars), drawn in Chromium through
// `marketpipe serve`. Prints figures, never fails on them (timing belongs here, not in pass/fail tests).
//   - time to draw: from navigation to the chart's data-bars-loaded attribute, plus the next animation frame;
//   - frame times while zooming out (to coarser bars, in Auto) and back, and while panning (windows fetched as it goes);
//   - then the same symbol with 50,000 findings over the year (a recorded validation run, bench/lib.mjs), the findings
//     layer on with info findings shown (the worst case): frame times while panning with the whole year in view (every
//     finding in range) and on 1-minute bars (target: p95 under 20 ms).
// Usage: npm run build && node bench/renderer-chart.mjs [--findings 50000]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { bin as CLI, seedFindingsRun, startServe } from './lib.mjs';

/* global window, document, requestAnimationFrame, cancelAnimationFrame -- these run inside the page (page.evaluate) */

const args = process.argv.slice(2);
const FINDINGS = args.includes('--findings') ? Number(args[args.indexOf('--findings') + 1]) : 50_000;
/** --cpu-profile DIR: a CPU profile of the page per pan phase (DevTools' .cpuprofile), to see where the frames go */
const PROFILE_DIR = args.includes('--cpu-profile') ? args[args.indexOf('--cpu-profile') + 1] : null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-chart-'));

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}
const ms = (n) => `${n.toFixed(1)} ms`;

/**
 * Load-independent-ish measures of the work a phase made, beside the frame times (wall clock, inflated by the load):
 * the renderers' CPU time (user+sys, from Chromium's SystemInfo), the page's script time (CDP Performance metrics)
 * and its long tasks (PerformanceObserver 'longtask': tasks over 50 ms on the main thread).
 */
async function cpuSnapshot(browserCdp, pageCdp) {
  const { processInfo } = await browserCdp.send('SystemInfo.getProcessInfo');
  const cpu = (type) => processInfo.filter((p) => p.type === type).reduce((a, p) => a + p.cpuTime, 0) * 1000;
  const { metrics } = await pageCdp.send('Performance.getMetrics');
  const m = (name) => (metrics.find((x) => x.name === name)?.value ?? 0) * 1000;
  return { renderer: cpu('renderer'), gpu: cpu('GPU'), script: m('ScriptDuration'), task: m('TaskDuration') };
}
const work = (a, b, longTasks) =>
  `renderer CPU ${ms(b.renderer - a.renderer)}, GPU process CPU ${ms(b.gpu - a.gpu)}, main-thread script ${ms(b.script - a.script)}, tasks ${ms(b.task - a.task)}; long tasks ${longTasks.length} (${ms(longTasks.reduce((x, y) => x + y, 0))}, max ${ms(Math.max(0, ...longTasks))})`;

/**
 * The page's main-thread tasks in a Chromium trace: their thread (CPU) time, which the machine's load does not
 * inflate as it does wall time: total, count and total of tasks over 50 ms of CPU, the longest.
 */
function mainThreadCpu(traceJson) {
  const events = JSON.parse(traceJson).traceEvents ?? [];
  const main = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && main.has(`${e.pid}:${e.tid}`) && typeof e.tdur === 'number').map((e) => e.tdur / 1000);
  const long = tasks.filter((x) => x > 50);
  return { total: tasks.reduce((a, b) => a + b, 0), long: long.length, longTotal: long.reduce((a, b) => a + b, 0), max: Math.max(0, ...tasks) };
}
const cpuLine = (c) => `main-thread CPU ${ms(c.total)} (trace), tasks over 50 ms of CPU ${c.long} (${ms(c.longTotal)}), longest ${ms(c.max)}`;

/** Starts recording the time between animation frames in the page, and its long tasks. */
function startFrames(page) {
  return page.evaluate(() => {
    window.__long = [];
    window.__longObs?.disconnect();
    window.__longObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__long.push(e.duration);
    });
    window.__longObs.observe({ type: 'longtask' });
    window.__frames = [];
    let last = performance.now();
    const tick = (t) => {
      window.__frames.push(t - last);
      last = t;
      window.__raf = requestAnimationFrame(tick);
    };
    window.__raf = requestAnimationFrame(tick);
  });
}
/** Stops recording; the frame times (the first, from the start to a frame, left out). */
function stopFrames(page) {
  return page.evaluate(() => {
    cancelAnimationFrame(window.__raf);
    return window.__frames.slice(1);
  });
}
/** The long tasks recorded since startFrames (ms each). */
function longTasks(page) {
  return page.evaluate(() => {
    window.__longObs.disconnect();
    return window.__long;
  });
}
const summary = (frames) => `${frames.length} frames, p50 ${ms(pct(frames, 50))}, p95 ${ms(pct(frames, 95))}, max ${ms(Math.max(...frames))}`;

/** Drags across the middle of the chart `times` times (to the right: the view moves back in time). */
async function drag(page, box, times, dir) {
  const [a, b] = dir === 'right' ? [0.2, 0.8] : [0.8, 0.2];
  for (let i = 0; i < times; i++) {
    await page.mouse.move(box.x + box.width * a, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * b, box.y + box.height / 2, { steps: 10 });
    await page.mouse.up();
  }
}

let server;
let browser;
try {
  const t0 = performance.now();
  execFileSync(process.execPath, [CLI, 'ingest', '--provider', 'fake', '--symbols', 'AAPL', '--start', '2024-01-01', '--end', '2024-12-31', '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`ingested a year of 1m bars for AAPL in ${ms(performance.now() - t0)}`);

  const served = await startServe(dataDir);
  server = served.child;
  const url = served.url;

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
  const browserCdp = await browser.newBrowserCDPSession();
  const pageCdp = await page.context().newCDPSession(page);
  await pageCdp.send('Performance.enable');
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
  await startFrames(page);
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
  await drag(page, box, 10, 'right');
  const frames = await stopFrames(page);
  await longTasks(page);
  console.log(`zoom/pan: ${summary(frames)}`);
  console.log(`timeframes shown while zooming out: ${[...timeframes].join(' -> ')}`);
  console.log(`bars held at the end: ${await chart.getAttribute('data-bars-loaded')} (${await chart.getAttribute('data-timeframe-shown')})`);

  // Panning at two zooms, the findings layer on with info findings shown: first with no findings (the floor, same
  // run), then with FINDINGS findings spread over the year (about one bar in two), every one in range once the whole
  // year is in view.
  const info = page.getByLabel('Info findings');
  if (!(await info.isChecked())) await info.check();
  const marks = async () =>
    `${await chart.getAttribute('data-markers')} markers (${await chart.getAttribute('data-marker-bucket')} bars per marker) for ${await chart.getAttribute('data-findings-marked')} findings, ${await chart.getAttribute('data-bars-loaded')} ${await chart.getAttribute('data-timeframe-shown')} bars held, ${await chart.getAttribute('data-visible-bars')} visible`;
  const phases = [
    // Auto fits the year with daily bars first, then refines to hourly ones (the width holds them): wait for those
    ['the whole year in view', '#/chart?symbol=AAPL', () => document.querySelector('[data-timeframe-shown]:not([data-timeframe-shown="1m"]):not([data-timeframe-shown="1d"])')],
    ['1-minute bars (a day in view)', '#/chart?symbol=AAPL&at=2024-06-03T15:00:00.000Z', () => document.querySelector('[data-timeframe-shown="1m"]')],
  ];
  const p95 = {};
  for (const findings of [0, FINDINGS]) {
    if (findings) {
      await seedFindingsRun(dataDir, {
        runId: 'benchchart',
        n: findings,
        series: 1,
        symbol: `'AAPL'`,
        // the (i * 2)-th minute of 390-minute weekdays from 2024-01-01 (a Monday): a finding per two bars over the year
        ts: `TIMESTAMP '2024-01-01 14:30:00' + INTERVAL (((i * 2) // 390) // 5 * 7 + ((i * 2) // 390) % 5) DAY + INTERVAL ((i * 2) % 390) MINUTE`,
      });
    }
    console.log(`\n${findings ? `${findings.toLocaleString('en-US')} findings recorded for AAPL over the year (a validation run)` : 'no findings recorded'}; info findings shown`);
    for (const [name, hash, ready] of phases) {
      await page.evaluate(() => (window.location.hash = '#/ingest'));
      await page.evaluate((h) => (window.location.hash = h), hash);
      await page.waitForFunction(ready);
      if (findings) await page.waitForFunction(() => Number(document.querySelector('[data-findings-marked]')?.getAttribute('data-findings-marked') ?? 0) > 0);
      else await page.waitForFunction(() => document.querySelector('[data-markers="0"][data-sessions]'));
      console.log(`${name}: ${await marks()}`);
      const b = await chart.boundingBox();
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
      const before = await cpuSnapshot(browserCdp, pageCdp);
      if (PROFILE_DIR) {
        await pageCdp.send('Profiler.enable');
        await pageCdp.send('Profiler.start');
      }
      await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline'] });
      await startFrames(page);
      await drag(page, b, 6, 'right');
      await drag(page, b, 6, 'left');
      const f = await stopFrames(page);
      const lt = await longTasks(page);
      const trace = mainThreadCpu((await browser.stopTracing()).toString('utf8'));
      if (PROFILE_DIR) {
        const { profile } = await pageCdp.send('Profiler.stop');
        fs.mkdirSync(PROFILE_DIR, { recursive: true });
        fs.writeFileSync(path.join(PROFILE_DIR, `pan-${findings}-${name.split(' ')[0]}.cpuprofile`), JSON.stringify(profile));
      }
      const after = await cpuSnapshot(browserCdp, pageCdp);
      p95[`${name} ${findings}`] = pct(f, 95);
      console.log(`  pan: ${summary(f)}${findings ? `; target p95 < 20 ms: ${pct(f, 95) < 20 ? 'met' : 'missed'} (no findings: p95 ${ms(p95[`${name} 0`])})` : ''}`);
      console.log(`  work: ${work(before, after, lt)}; load average ${os.loadavg()[0].toFixed(1)}`);
      console.log(`  cpu: ${cpuLine(trace)}`);
      console.log(`  after panning: ${await marks()}`);
    }
  }
} finally {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}
