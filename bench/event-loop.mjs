#!/usr/bin/env node
// Benchmark (not a test): does the engine's event loop stay free under its own work? (issue 13, item 3)
// In web mode (`marketpipe serve`, temp data dir, port 0):
//   - a fake ingest of 50 symbols x 2024-01-02..2024-06-28 (2,418,000 bars, the workload of `npm run bench`) with its
//     pipeline (validation, then aggregation), started over the WebSocket like the Ingest page does;
//   - while it runs, the Query page's path on the same socket, back to back: `query.open` of a 1,000,000-row
//     statement, three `query.page` reads of 1,000 rows, `query.close`;
//   - on a second WebSocket, a trivial request (`app.info`) every 50 ms, its answer time recorded;
//   - the server's own event-loop delay: `marketpipe_event_loop_lag_seconds` observes the worst delay of each second.
//     /metrics is read once before and once after the job (the histogram's buckets give exactly how many seconds were
//     over 100 ms, and the worst bucket); each second's value comes from the `metrics.live` events the engine pushes
//     anyway (the mean of the windows closed since the previous sample, normally one), so the bench adds no scrapes
//     (a scrape renders every series on the loop being measured).
// The floor, in the same run: a bare Node process with a WebSocket server that answers the same request at once and
// samples its own worst delay per second the same way (monitorEventLoopDelay), probed on the same 50 ms beat. On
// this shared machine the OS alone delays a timer by tens to hundreds of ms at high load; the floor says how much.
// Prints the worst delay per second and app.info p50/p99/max, each against its target (100 ms) and beside the floor,
// with the job's stage at the worst moments. Needs a build (npm run build). Usage:
//   node bench/event-loop.mjs [--symbols 50] [--no-query] [--cpu-prof DIR] [--json]
// --cpu-prof writes the serve process's V8 CPU profile (node --cpu-prof) into DIR when it exits.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createRequire } from 'node:module';
import readline from 'node:readline';
import { startServe } from './lib.mjs';
import { analyseAll, report } from './cpuprof-stretches.mjs';

const require = createRequire(import.meta.url);

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

/** The lag histogram's cumulative bucket counts by upper bound (seconds), +Inf as Infinity. */
function lagBuckets(text) {
  const out = new Map();
  for (const m of text.matchAll(/^marketpipe_event_loop_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)) out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return out;
}

// the floor process: answers every request at once; prints its worst event-loop delay of each second
const FLOOR = `
const { WebSocketServer } = require(${JSON.stringify(require.resolve('ws'))});
const { monitorEventLoopDelay } = require('node:perf_hooks');
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
setInterval(() => { if (h.count > 0) console.log('lag ' + Math.max(0, h.max / 1e6 - 10)); h.reset(); }, 1000);
const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' }, () => console.log('port ' + wss.address().port));
wss.on('connection', (ws) => ws.on('message', (d) => { const m = JSON.parse(d.toString()); ws.send(JSON.stringify({ type: 'response', id: m.id, result: { ok: true, value: { name: 'floor' } } })); }));
`;
function startFloor() {
  const child = spawn(process.execPath, ['-e', FLOOR], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lags = [];
  return new Promise((resolve) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const [k, v] = line.split(' ');
      if (k === 'port') resolve({ child, url: `http://127.0.0.1:${v}/?token=floor`, lags });
      if (k === 'lag') lags.push({ at: at(), ms: Number(v) });
    });
  });
}

const t0 = performance.now();
const at = () => performance.now() - t0;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mp-bench-loop-'));
const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(cpuProfDir)}`] : [];
const { child, url, metricsUrl } = await startServe(dataDir, { metrics: true, nodeArgs });
let started = 0;

/** CPU seconds (user + system) of the serve process's main thread and of the whole process, from /proc (Linux). */
function cpuSeconds(pid) {
  const ticks = (file) => {
    try {
      // the fields after the command's closing parenthesis: utime and stime are the 12th and 13th of them
      const f = fs.readFileSync(file, 'utf8').split(') ')[1].split(' ');
      return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ is 100 on Linux
    } catch {
      return NaN;
    }
  };
  return { main: ticks(`/proc/${pid}/task/${pid}/stat`), all: ticks(`/proc/${pid}/stat`) };
}
const floor = await startFloor();

let stage = 'start';
let jobId;
let jobDone;
const finished = new Promise((resolve) => (jobDone = resolve));
const stages = [];
const lags = [];
const setStage = (s) => {
  if (s === stage) return;
  stage = s;
  stages.push({ at: at(), stage: s });
};

try {
  const control = await connect(url, (env) => {
    if (env.type === 'metrics.live') lags.push({ at: at(), ms: env.payload.eventLoopLagSeconds * 1000, stage });
    if (env.type === 'jobs.updated' && env.payload.id === jobId) {
      const j = env.payload;
      setStage(j.status === 'running' || j.status === 'queued' ? j.stage : j.status);
      if (j.status === 'failed' || j.status === 'cancelled' || (j.status === 'succeeded' && j.stage === 'done')) jobDone(j);
    }
  });
  const probe = await connect(url);
  const floorProbe = await connect(floor.url);

  // app.info every TICK_MS, not waiting for the previous answer: a stalled loop shows as late answers; the floor
  // gets the same request on the same beat
  const info = [];
  const floorInfo = [];
  const inflight = new Set();
  const timer = setInterval(() => {
    for (const [c, into] of [[probe, info], [floorProbe, floorInfo]]) {
      const sent = performance.now();
      const p = c.request('app.info', {}).then(() => into.push({ at: sent - t0, ms: performance.now() - sent, stage }));
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
  }, TICK_MS);

  // two quiet seconds first: both measures at idle on this machine now
  await new Promise((r) => setTimeout(r, 2000));
  const idleInfo = info.length;
  const idleLags = lags.length;
  const idleFloorInfo = floorInfo.length;
  const idleFloorLags = floor.lags.length;
  const before = lagBuckets(await scrape(metricsUrl));

  started = at();
  const cpu0 = cpuSeconds(child.pid);
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
  const cpu1 = cpuSeconds(child.pid);
  await querying;
  clearInterval(timer);
  await Promise.all([...inflight]);
  const after = lagBuckets(await scrape(metricsUrl));
  const grew = (le) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const seconds = grew(Infinity);
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const worstBucket = bounds.find((le) => grew(le) === seconds);
  const lower = bounds[bounds.indexOf(worstBucket) - 1] ?? 0;
  const over = seconds - grew(TARGET_MS / 1000);

  const busyInfo = info.slice(idleInfo).map((x) => x.ms);
  const floorBusyInfo = floorInfo.slice(idleFloorInfo).map((x) => x.ms);
  const floorLagMs = floor.lags.slice(idleFloorLags).map((x) => x.ms);
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
  console.log(`worst event-loop delay per second (histogram, ${seconds} s): ${over} s over ${TARGET_MS} ms; the worst in (${lower * 1000}, ${worstBucket * 1000}] ms`);
  console.log(`  per second (metrics.live, ${lagMs.length} samples): p50 ${f(pct(lagMs, 50))}, p99 ${f(pct(lagMs, 99))}, max ${f(worstLag)}`);
  for (const [s, xs] of Object.entries(byStage)) console.log(`  ${s.padEnd(10)} ${xs.length} s, worst ${f(Math.max(...xs))}, p50 ${f(pct(xs, 50))}`);
  console.log(`app.info answered (${busyInfo.length} requests): p50 ${f(pct(busyInfo, 50))}, p99 ${f(p99Info)}, max ${f(Math.max(...busyInfo))}`);
  for (const [s, xs] of Object.entries(infoByStage)) console.log(`  ${s.padEnd(10)} ${xs.length}, p99 ${f(pct(xs, 99))}, max ${f(Math.max(...xs))}`);
  console.log(`floor (bare Node WebSocket echo, same beat, same time): worst delay per second p50 ${f(pct(floorLagMs, 50))}, max ${f(Math.max(...floorLagMs))}, ${floorLagMs.filter((x) => x > TARGET_MS).length} s over ${TARGET_MS} ms; answers p50 ${f(pct(floorBusyInfo, 50))}, p99 ${f(pct(floorBusyInfo, 99))}, max ${f(Math.max(...floorBusyInfo))}`);
  // CPU time does not grow with the machine's load as wall times do: what the engine's thread itself spent
  console.log(`serve's CPU during the job (user + system, /proc): main thread ${(cpu1.main - cpu0.main).toFixed(2)} s, whole process ${(cpu1.all - cpu0.all).toFixed(2)} s (the query process apart)`);
  const lagPass = over === 0 && worstLag < TARGET_MS;
  const infoPass = p99Info < TARGET_MS;
  console.log(`target worst delay per second < ${TARGET_MS} ms: ${lagPass ? 'PASS' : 'FAIL'}; app.info p99 < ${TARGET_MS} ms: ${infoPass ? 'PASS' : 'FAIL'}`);
  if (args.includes('--json')) {
    console.log(
      JSON.stringify({
        rows: job.rowsWritten,
        cpu: { main: cpu1.main - cpu0.main, all: cpu1.all - cpu0.all },
        jobMs: Math.round(jobMs),
        queries,
        lag: { seconds, over, worstBucketMs: [lower * 1000, worstBucket * 1000], p50: pct(lagMs, 50), p99: pct(lagMs, 99), max: worstLag },
        info: { n: busyInfo.length, p50: pct(busyInfo, 50), p99: p99Info, max: Math.max(...busyInfo) },
        floor: { lagMax: Math.max(...floorLagMs), lagOver: floorLagMs.filter((x) => x > TARGET_MS).length, infoP99: pct(floorBusyInfo, 99), infoMax: Math.max(...floorBusyInfo) },
        pass: lagPass && infoPass,
      }),
    );
  }
  control.ws.close();
  probe.ws.close();
  floorProbe.ws.close();
} finally {
  floor.child.kill('SIGTERM');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  fs.rmSync(dataDir, { recursive: true, force: true });
}

// The serve process's profiles (written at its exit): each thread's stretches over 50 ms from the job's start on (the
// start-up's module loading left out), by the job's stage for the main thread (bench/cpuprof-stretches.mjs).
if (cpuProfDir) {
  const files = fs.readdirSync(cpuProfDir).filter((n) => n.endsWith('.cpuprofile') && n.split('.')[3] === String(child.pid));
  const results = analyseAll(files.map((n) => path.join(cpuProfDir, n)), 50, Math.max(0, started / 1000 - 0.5));
  console.log(`CPU profiles (${cpuProfDir}), from the job's start; stretch = a run of samples with no idle one; the first is the main thread:`);
  console.log(report(results, 50));
  const main = results.find((r) => r.file.split('.')[4] === '0');
  if (main) {
    const stageAt = (s) => [...stages].reverse().find((x) => x.at / 1000 <= s)?.stage ?? 'start';
    const by = {};
    for (const x of main.all) {
      const k = stageAt(x.atS);
      by[k] ??= { n: 0, ms: 0, max: 0 };
      by[k].n++;
      by[k].ms += x.ms;
      by[k].max = Math.max(by[k].max, x.ms);
    }
    console.log(`main thread's stretches over 50 ms by stage: ${Object.entries(by).map(([k, v]) => `${k} ${v.n} (${(v.ms / 1000).toFixed(2)} s, longest ${v.max} ms)`).join('; ')}`);
  }
}
