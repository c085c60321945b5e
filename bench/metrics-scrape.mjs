#!/usr/bin/env node
// Benchmark (not a test): /metrics scrape latency under load, and the event-loop lag a scraper causes in a process
// that is ingesting at the same time.
//   - a few hundred series (providers x feeds x codes, latency histograms, stages, validation rules)
//   - a simulated ingestion in this process (CPU-bound page parsing, metrics updated per page) for --seconds
//   - a second process scraping /metrics in a tight loop with --concurrency requests in flight (http.request)
// Reports p50/p99/max scrape latency, scrapes/s, this process's event-loop lag (p50/p99/max) and ingest throughput,
// each with and without the scraper, so the cost of being scraped is visible on a shared machine.
// No build needed: the metrics sources are bundled on the fly with rolldown (a dependency of vite).
// Usage: node bench/metrics-scrape.mjs [--seconds 5] [--concurrency 4]
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const ms = (v) => `${v.toFixed(2)} ms`;

if (process.argv[2] === '--scraper') {
  // child: scrape until told to stop, then send the latencies
  const [, , , url, concurrency] = process.argv;
  const lat = [];
  let stop = false;
  let bytes = 0;
  process.on('message', () => (stop = true));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
  const one = () =>
    new Promise((resolve, reject) => {
      const t0 = performance.now();
      http
        .get(url, { agent }, (res) => {
          res.on('data', (c) => (bytes += c.length));
          res.on('end', () => {
            lat.push(performance.now() - t0);
            resolve();
          });
        })
        .on('error', reject);
    });
  const worker = async () => {
    while (!stop) await one();
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
  process.send({ lat, bytes });
  agent.destroy();
  process.disconnect();
} else {
  await main();
}

async function main() {
  const seconds = arg('--seconds', 5);
  const concurrency = arg('--concurrency', 4);
  const { build } = await import('rolldown');
  const outDir = path.join(root, 'node_modules', '.cache', 'mp-bench-metrics');
  await build({
    input: { registry: path.join(root, 'src-main/metrics/registry.ts'), server: path.join(root, 'src-main/metrics/server.ts') },
    external: [/^node:/, 'prom-client', 'zod', 'better-sqlite3'],
    platform: 'node',
    logLevel: 'silent',
    output: { dir: outDir, format: 'esm', entryFileNames: '[name].mjs' },
  });
  const { EngineMetrics } = await import(pathToFileURL(path.join(outDir, 'registry.mjs')).href);
  const { startMetricsServer } = await import(pathToFileURL(path.join(outDir, 'server.mjs')).href);

  const metrics = new EngineMetrics({});
  const providers = ['alpaca', 'polygon', 'iex', 'fake', 'csv', 'other'];
  const feeds = ['iex', 'sip', 'delayed', 'otc'];
  const codes = ['http_429', 'http_5xx', 'E_TIMEOUT'];
  const rules = ['ohlc', 'gap', 'dup', 'spike', 'zero_volume', 'session', 'tz', 'order', 'neg_price', 'stale'];
  // touch every label set once so the series exist from the start
  for (const p of providers)
    for (const f of feeds) {
      metrics.requestObserved(p, f, 200, 0.05);
      for (const c of codes) metrics.error(p, f, c);
      for (const tf of ['1m', '5m', '1d']) metrics.rowsIngested(p, f, tf, 1);
      metrics.lastSuccess(p, f);
    }
  for (const r of rules) for (const s of ['error', 'warning', 'info']) metrics.validationFindings(r, s, 1);
  const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1', maxConnections: 100 });
  const first = (await metrics.exposition(false)).body;
  const series = first.split('\n').filter((l) => l && !l.startsWith('#')).length;

  // fake ingestion: "parse" pages of 10,000 bars (CPU work like JSON → Float64Array), update metrics per page,
  // yield to the loop between pages as the real runner does between awaits
  async function ingest(untilMs) {
    let rows = 0;
    let i = 0;
    while (performance.now() < untilMs) {
      const p = providers[i % providers.length];
      const f = feeds[i % feeds.length];
      const t0 = performance.now();
      const page = new Float64Array(10_000 * 8);
      for (let k = 0; k < page.length; k++) page[k] = Math.sin(k + i) * 100;
      metrics.requestObserved(p, f, 200, (performance.now() - t0) / 1000);
      metrics.rowsIngested(p, f, '1m', 10_000);
      metrics.stage('fetch', (performance.now() - t0) / 1000);
      rows += 10_000;
      i++;
      await new Promise((r) => setImmediate(r));
    }
    return rows;
  }

  async function phase(withScraper) {
    const lag = monitorEventLoopDelay({ resolution: 1 });
    let child;
    let result;
    if (withScraper) {
      child = fork(self, ['--scraper', `${server.url}/metrics`, String(concurrency)], { stdio: 'inherit' });
      result = new Promise((r) => child.once('message', r));
      await new Promise((r) => child.once('spawn', r));
    }
    lag.enable();
    const t0 = performance.now();
    const rows = await ingest(t0 + seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    lag.disable();
    let scrape;
    if (child) {
      child.send('stop');
      scrape = await result;
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
    }
    return { rowsPerSec: rows / elapsed, lagP50: lag.percentile(50) / 1e6 - 1, lagP99: lag.percentile(99) / 1e6 - 1, lagMax: lag.max / 1e6 - 1, scrape, elapsed };
  }

  const base = await phase(false);
  const loaded = await phase(true);
  await server.close();
  metrics.close();

  const lat = loaded.scrape.lat;
  console.log(`metrics scrape bench: ${series} series, ${(first.length / 1024).toFixed(1)} KiB per scrape, ${seconds} s per phase, scraper concurrency ${concurrency}`);
  console.log(`  scrape latency  p50 ${ms(pct(lat, 50))}  p99 ${ms(pct(lat, 99))}  max ${ms(Math.max(...lat))}  (${(lat.length / loaded.elapsed).toFixed(0)} scrapes/s)`);
  console.log(`  event-loop lag  idle scraper: p50 ${ms(base.lagP50)}  p99 ${ms(base.lagP99)}  max ${ms(base.lagMax)}`);
  console.log(`                  under scrape: p50 ${ms(loaded.lagP50)}  p99 ${ms(loaded.lagP99)}  max ${ms(loaded.lagMax)}`);
  console.log(`  fake ingest     ${Math.round(base.rowsPerSec).toLocaleString('en')} rows/s alone, ${Math.round(loaded.rowsPerSec).toLocaleString('en')} rows/s while scraped continuously`);
}
