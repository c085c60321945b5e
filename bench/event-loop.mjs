#!/usr/bin/env node
// Benchmark (not a test): does the engine's event loop stay free under its own work? (issue 13, item 3)
// In web mode (`marketpipe serve`, temp data dir, port 0):
//   - a fake ingest of 50 symbols x 2024-01-02..2024-06-28 (2,418,000 bars, the workload of `npm run bench`) with its
//     pipeline (validation, then aggregation), started over the WebSocket like the Ingest page does;
//   - while it runs, the Query page's path on the same socket, back to back: `query.open` of a 1,000,000-row
//     statement, three `query.page` reads of 1,000 rows, `query.close`;
//   - on a second WebSocket, a trivial request (`app.info`) every 50 ms, its answer time recorded;
//   - /metrics scraped every 250 ms: `marketpipe_event_loop_lag_seconds` is observed once a second (the worst delay of
//     that second), so the growth of its _sum between scrapes is each second's worst delay.
// Prints the worst delay per second and app.info p50/p99/max, each against its target (100 ms), with the job's
// stage at the worst moments. Needs a build (npm run build). Usage:
//   node bench/event-loop.mjs [--symbols 50] [--no-query] [--cpu-prof DIR] [--json]
// --cpu-prof writes the serve process's V8 CPU profile (node --cpu-prof) into DIR when it exits.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startServe } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SYMBOL_COUNT = Number(opt('--symbols') ?? 50);
const SYMBOLS = Array.from({ length: SYMBOL_COUNT }, (_, i) => `S${String(i).padStart(3, '0')}`);
const START = '2024-01-02';
const END = '2024-06-28';
const MILLION = 'SELECT range AS i, range * 0.5 AS x, range % 97 AS bucket FROM range(1000000)';
const TICK_MS = 50;
const TARGET_MS = 100;
const cpuProfDir = opt('--cpu-prof');
const withQuery = !args.includes('--no-query');

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const f = (v) => `${v.toFixed(1)} ms`;

/** One authenticated socket with request(name, arg) -> Promise<result value> and an event hook. */
async function connect(url, onEvent) {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: `http://${u.host}`, maxPayload: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let seq = 0;
  const pending = new Map();
  ws.on('message', (data) => {
    const msg = JSON.parse(data.toString());
    if (msg.type === 'event') return onEvent?.(msg.envelope);
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (!p) return;
    if (msg.result.ok) p.resolve(msg.result.value);
    else p.reject(new Error(`${msg.result.error.code}: ${msg.result.error.message}`));
  });
  const request = (name, arg) =>
    new Promise((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'request', id, name, arg }));
    });
  return { ws, request };
}

function scrape(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

function lagTotals(text) {
  const num = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { sum: num('marketpipe_event_loop_lag_seconds_sum'), count: num('marketpipe_event_loop_lag_seconds_count') };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-loop-'));
const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
const { child, url, metricsUrl } = await startServe(dataDir, { metrics: true, nodeArgs });
const t0 = performance.now();
const at = () => performance.now() - t0;

let stage = 'start';
let jobId;
let jobDone;
const finished = new Promise((resolve) => (jobDone = resolve));
const stages = [];
const setStage = (s) => {
  if (s === stage) return;
  stage = s;
  stages.push({ at: at(), stage: s });
};

try {
  const control = await connect(url, (env) => {
    if (env.type === 'jobs.updated' && env.payload.id === jobId) {
      const j = env.payload;
      setStage(j.status === 'running' || j.status === 'queued' ? j.stage : j.status);
      if (j.status === 'failed' || j.status === 'cancelled' || (j.status === 'succeeded' && j.stage === 'done')) jobDone(j);
    }
  });
  const probe = await connect(url);

  // app.info every TICK_MS, not waiting for the previous answer: a stalled loop shows as late answers
  const info = [];
  const inflight = new Set();
  const timer = setInterval(() => {
    const sent = performance.now();
    const p = probe.request('app.info', {}).then(() => info.push({ at: sent - t0, ms: performance.now() - sent, stage }));
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }, TICK_MS);

  // the server's own one-second worst delays, from the histogram's _sum growth between scrapes
  const lags = [];
  let prev = lagTotals(await scrape(metricsUrl));
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      await new Promise((r) => setTimeout(r, 250));
      const cur = lagTotals(await scrape(metricsUrl));
      const n = cur.count - prev.count;
      if (n > 0) lags.push({ at: at(), ms: ((cur.sum - prev.sum) / n) * 1000, seconds: n, stage });
      prev = cur;
    }
  })();

  // a quiet second first: the idle floor of both measures on this machine now
  await new Promise((r) => setTimeout(r, 2000));
  const idleInfo = info.length;
  const idleLags = lags.length;

  const started = at();
  ({ jobId } = await control.request('ingest.start', { provider: 'fake', symbols: SYMBOLS, start: START, end: END, workers: 4, pipeline: true }));
  setStage('fetch');

  let queries = 0;
  const queryMs = [];
  const querying = withQuery
    ? (async () => {
        let running = true;
        void finished.then(() => (running = false));
        while (running) {
          const q0 = performance.now();
          const r = await control.request('query.open', { sql: MILLION, limit: 200 });
          for (const offset of [1000, 500_000, 999_000]) await control.request('query.page', { queryId: r.queryId, offset, limit: 1000 });
          await control.request('query.close', { queryId: r.queryId });
          queryMs.push(performance.now() - q0);
          queries++;
        }
      })()
    : Promise.resolve();

  const job = await finished;
  const jobMs = at() - started;
  await querying;
  clearInterval(timer);
  await Promise.all([...inflight]);
  scraping = false;
  await scraper;

  const busyInfo = info.slice(idleInfo).map((x) => x.ms);
  const busyLags = lags.slice(idleLags);
  const lagMs = busyLags.map((x) => x.ms);
  const worstLag = Math.max(...lagMs);
  const p99Info = pct(busyInfo, 99);
  const byStage = {};
  for (const l of busyLags) (byStage[l.stage] ??= []).push(l.ms);
  const infoByStage = {};
  for (const x of info.slice(idleInfo)) (infoByStage[x.stage] ??= []).push(x.ms);

  const idleLagMs = lags.slice(0, idleLags).map((x) => x.ms);
  const idleInfoMs = info.slice(0, idleInfo).map((x) => x.ms);
  console.log(`load average at the end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
  console.log(`idle (2 s before the job): worst delay/s ${f(Math.max(...idleLagMs))}, app.info p50 ${f(pct(idleInfoMs, 50))} max ${f(Math.max(...idleInfoMs))}`);
  console.log(`job ${job.status} (${job.rowsWritten.toLocaleString()} bars) in ${(jobMs / 1000).toFixed(1)} s; stages: ${stages.map((s) => `${s.stage}@${(s.at / 1000).toFixed(1)}s`).join(' ')}`);
  if (withQuery) console.log(`1M-row queries run meanwhile: ${queries} (open + 3 pages + close: median ${f(pct(queryMs, 50))}, max ${f(Math.max(...queryMs))})`);
  console.log(`worst event-loop delay per second over ${lagMs.length} s: p50 ${f(pct(lagMs, 50))}, p99 ${f(pct(lagMs, 99))}, max ${f(worstLag)}; seconds over ${TARGET_MS} ms: ${lagMs.filter((x) => x > TARGET_MS).length}`);
  for (const [s, xs] of Object.entries(byStage)) console.log(`  ${s.padEnd(10)} ${xs.length} s, worst ${f(Math.max(...xs))}, p50 ${f(pct(xs, 50))}`);
  console.log(`app.info answered (${busyInfo.length} requests): p50 ${f(pct(busyInfo, 50))}, p99 ${f(p99Info)}, max ${f(Math.max(...busyInfo))}`);
  for (const [s, xs] of Object.entries(infoByStage)) console.log(`  ${s.padEnd(10)} ${xs.length}, p99 ${f(pct(xs, 99))}, max ${f(Math.max(...xs))}`);
  const lagPass = worstLag < TARGET_MS;
  const infoPass = p99Info < TARGET_MS;
  console.log(`target worst delay per second < ${TARGET_MS} ms: ${lagPass ? 'PASS' : 'FAIL'}; app.info p99 < ${TARGET_MS} ms: ${infoPass ? 'PASS' : 'FAIL'}`);
  if (args.includes('--json')) {
    console.log(
      JSON.stringify({
        rows: job.rowsWritten,
        jobMs: Math.round(jobMs),
        queries,
        lag: { seconds: lagMs.length, p50: pct(lagMs, 50), p99: pct(lagMs, 99), max: worstLag, over: lagMs.filter((x) => x > TARGET_MS).length },
        info: { n: busyInfo.length, p50: pct(busyInfo, 50), p99: p99Info, max: Math.max(...busyInfo) },
        pass: lagPass && infoPass,
      }),
    );
  }
  control.ws.close();
  probe.ws.close();
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
