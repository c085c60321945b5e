#!/usr/bin/env node
/* global document, requestAnimationFrame, window, MutationObserver, HTMLInputElement, HTMLSelectElement, KeyboardEvent -- the page.evaluate callbacks run in the browser */
// Benchmark (not a test): the Validation page in a real browser against `marketpipe serve`, on a run of 100,000
// findings (a generated audit report recorded as a run, 500 symbols, 13 rules, three severities).
// For each step: the engine's answer (from the click to the socket message that carries the page) and the time after
// it until the first page is on screen (target < 300 ms after the engine answers):
//   open (cold: the report is loaded into the findings index), open again (warm), sort by time descending, jump to
//   page 900, a severity count clicked as a filter, 500 rows per page.
// The floor, measured in the same page at each step: a plain table of the same rows put in by innerHTML, to the next
// painted frame (what any page pays to show that many rows here); the ratio to it is what carries across machines.
// Prints the figures; never fails on them. Needs a build (npm run build) and Chromium at /usr/bin/chromium.
// Usage: node bench/renderer-findings.mjs [--runs 3] [--findings 100000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { median, root, seedFindingsRun, startServe } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const RUNS = arg('--runs', 3);
const FINDINGS = arg('--findings', 100_000);
if (!fs.existsSync(path.join(root, 'out', 'main', 'cli.js'))) {
  console.error('build first: npm run build');
  process.exit(1);
}
const f = (v) => `${v.toFixed(1)} ms`;

// Every socket message's arrival time and size, recorded in the page: the findings page is the largest message that
// arrives between the click and the table's update.
const RECORD_SOCKET = () => {
  window.__mpMessages = [];
  const Orig = WebSocket;
  window.WebSocket = class extends Orig {
    constructor(...a) {
      super(...a);
      this.addEventListener('message', (e) => window.__mpMessages.push({ t: performance.now(), size: typeof e.data === 'string' ? e.data.length : 0 }));
    }
  };
};

/** Runs `action` (a click) in the page and times it: click → engine answer → the table shows `expect`. */
async function step(page, action, expect) {
  return page.evaluate(
    ({ action, expect }) =>
      new Promise((resolve, reject) => {
        const label = () => document.querySelector('.vpager [aria-live]')?.textContent ?? '';
        const firstTime = () => document.querySelector('table[aria-label="Findings"] tbody tr time')?.getAttribute('datetime') ?? '';
        const rows = () => document.querySelectorAll('table[aria-label="Findings"] tbody tr').length;
        const before = { label: label(), first: firstTime() };
        const el =
          action.kind === 'button'
            ? [...document.querySelectorAll(action.scope ?? 'button')].find((b) => b.textContent?.trim().startsWith(action.text))
            : document.querySelector(action.selector);
        if (!el) return reject(new Error(`no ${JSON.stringify(action)}`));
        const t0 = performance.now();
        const from = window.__mpMessages.length;
        // the last change React made to the findings panel before it is shown: rendering vs layout and paint
        let domAt = 0;
        const panel = document.querySelector('section[aria-labelledby="vfind-title"]');
        const mo = new MutationObserver(() => (domAt = performance.now()));
        mo.observe(panel, { childList: true, subtree: true, characterData: true, attributes: true });
        if (action.kind === 'jump') {
          const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
          set.call(el, action.value);
          el.dispatchEvent(new Event('input', { bubbles: true }));
          el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        } else if (action.kind === 'select') {
          const set = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'value').set;
          set.call(el, action.value);
          el.dispatchEvent(new Event('change', { bubbles: true }));
        } else el.click();
        const deadline = t0 + 120_000;
        // two moments: the page's first rows on screen (what the window shows), then every row of the page in the DOM
        let viewShown = 0;
        let viewDom = 0;
        const check = () => {
          if (performance.now() > deadline) return reject(new Error(`the table never showed ${JSON.stringify(expect)} (it shows "${label()}")`));
          const ready =
            document.querySelector('table[aria-label="Findings"]')?.getAttribute('aria-busy') === 'false' &&
            new RegExp(expect.label).test(label()) &&
            rows() > 0 &&
            (expect.firstChanged ? firstTime() !== before.first : true) &&
            (label() !== before.label || expect.firstChanged);
          if (ready && !viewDom) {
            viewDom = domAt;
            requestAnimationFrame(() => (viewShown = performance.now()));
          }
          const done = ready && (expect.rows === undefined || rows() === expect.rows);
          if (!done) return requestAnimationFrame(check);
          // the frame after the DOM holds the page: it has been painted
          requestAnimationFrame(() => {
            const shown = performance.now();
            const msgs = window.__mpMessages.slice(from).filter((m) => m.t <= shown);
            const answer = msgs.reduce((a, m) => (m.size > (a?.size ?? -1) ? m : a), null);
            const at = answer?.t ?? t0;
            mo.disconnect();
            resolve({ engine: at - t0, view: (viewShown || shown) - at, after: shown - at, bytes: answer?.size ?? 0, dom: viewDom - at });
          });
        };
        requestAnimationFrame(check);
      }),
    { action, expect },
  );
}

const n = (x) => x.toLocaleString('en-US');
const TOTAL = n(FINDINGS);
const JUMP = Math.max(1, Math.floor((FINDINGS / 100) * 0.9));
/** The floor: the page's current rows again as a plain HTML table (innerHTML), timed to the next painted frame. */
async function floor(page) {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const rows = [...document.querySelectorAll('table[aria-label="Findings"] tbody tr')].map((tr) => [...tr.children].map((td) => td.textContent ?? ''));
        const esc = (t) => t.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
        const host = document.createElement('div');
        host.style.cssText = 'position:fixed;inset:0;overflow:auto;background:#fff;z-index:9999';
        const t0 = performance.now();
        host.innerHTML = `<table class="grid">${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</table>`;
        document.body.appendChild(host);
        requestAnimationFrame(() =>
          requestAnimationFrame(() => {
            const ms = performance.now() - t0;
            host.remove();
            resolve(ms);
          }),
        );
      }),
  );
}

const STEPS = [
  { name: 'sort by time, descending (the second click)', pre: true, action: { kind: 'button', scope: 'th button', text: 'Time' }, expect: { label: `^1–100 of ${TOTAL}$`, firstChanged: true, rows: 100 } },
  { name: `jump to page ${n(JUMP)}`, action: { kind: 'jump', selector: '#vpage-input', value: String(JUMP) }, expect: { label: `^${n((JUMP - 1) * 100 + 1)}–${n(JUMP * 100)} of ${TOTAL}$`, rows: 100 } },
  { name: 'severity count as a filter (Info)', action: { kind: 'button', scope: '.vfacet', text: 'Info' }, expect: { label: `^1–100 of ${n(FINDINGS / 10)}$`, rows: 100 } },
  { name: '500 rows per page', action: { kind: 'select', selector: '.vpager select', value: '500' }, expect: { label: `^1–500 of ${n(FINDINGS / 10)}$`, rows: 500 } },
];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-findings-'));
// 500 symbols, a finding every 7 minutes (wrapping after ~a year): the Validation page's worst case is the count
await seedFindingsRun(dataDir, {
  runId: 'bench100',
  n: FINDINGS,
  symbol: `'S' || lpad((i % 500)::VARCHAR, 3, '0')`,
  ts: `TIMESTAMP '2024-01-02 14:30:00' + INTERVAL (i * 7 % 500000) MINUTE`,
});
const { child, url } = await startServe(dataDir);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const results = {};
let pageNow = null;
const record = async (name, r) => {
  r.floor = await floor(pageNow);
  (results[name] ??= []).push(r);
  console.log(
    `  ${name}: engine answer ${f(r.engine)} (${(r.bytes / 1024).toFixed(0)} KiB), then its first rows on screen after ${f(r.view)}${r.dom !== undefined ? ` (DOM updated ${f(r.dom)} after the answer)` : ''}, every row after ${f(r.after)}; floor ${f(r.floor)}, ratios ${(r.view / r.floor).toFixed(2)} / ${(r.after / r.floor).toFixed(2)}`,
  );
};
try {
  for (let run = 0; run < RUNS; run++) {
    console.log(`run ${run + 1} of ${RUNS} (${FINDINGS.toLocaleString('en-US')} findings)`);
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    pageNow = page;
    await page.addInitScript(RECORD_SOCKET);
    await page.goto(url);
    await page.getByRole('banner').getByText(dataDir).waitFor();
    // the page opens the newest run by itself: timed from the navigation, the first run cold (the index is loaded)
    const open = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const link = [...document.querySelectorAll('nav a')].find((a) => a.textContent?.trim() === 'Validation');
          const t0 = performance.now();
          link.click();
          let viewShown = 0;
          const check = () => {
            const n = document.querySelectorAll('table[aria-label="Findings"] tbody tr').length;
            if (n > 0 && !viewShown) requestAnimationFrame(() => (viewShown = performance.now()));
            if (n < 100) return requestAnimationFrame(check);
            requestAnimationFrame(() => {
              const shown = performance.now();
              const answer = window.__mpMessages.filter((m) => m.t <= shown).reduce((a, m) => (m.size > (a?.size ?? -1) ? m : a), null);
              resolve({ engine: answer.t - t0, view: (viewShown || shown) - answer.t, after: shown - answer.t, bytes: answer.size });
            });
          };
          check();
        }),
    );
    await record(run === 0 ? 'open (cold: report loaded into the index)' : 'open (warm)', open);
    // open again: the run's Findings button resets the filters (a filter first, so the table must change)
    await step(page, { kind: 'button', scope: '.vfacet', text: 'Warnings' }, { label: `^1–100 of ${n((FINDINGS * 4) / 10)}$` });
    await record('open again (warm)', await step(page, { kind: 'button', scope: 'td button', text: 'Findings' }, { label: `^1–100 of ${TOTAL}$`, rows: 100 }));
    for (const s of STEPS) {
      if (s.pre) {
        await page.locator('th button', { hasText: 'Time' }).click();
        await page.locator('th[aria-sort="ascending"]').waitFor();
        await page.locator('table[aria-label="Findings"][aria-busy="false"]').waitFor();
      }
      await record(s.name, await step(page, s.action, s.expect));
    }
    await page.close();
  }
  console.log('\nmedians (after the engine answers; target < 300 ms)');
  for (const [name, rs] of Object.entries(results)) {
    console.log(
      `  ${name}: engine ${f(median(rs.map((r) => r.engine)))}, first rows after ${f(median(rs.map((r) => r.view)))}, every row after ${f(median(rs.map((r) => r.after)))}, floor ${f(median(rs.map((r) => r.floor)))}, ratios ${median(rs.map((r) => r.view / r.floor)).toFixed(2)} / ${median(rs.map((r) => r.after / r.floor)).toFixed(2)} (n=${rs.length})`,
    );
  }
} finally {
  await browser.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
