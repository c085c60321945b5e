import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { METRIC_DEFS } from './definitions';
import { EngineMetrics } from './registry';
import { hasBinary, promtoolCheckMetrics, tempDir } from './test-helpers';

const open: EngineMetrics[] = [];
function metrics(opts: ConstructorParameters<typeof EngineMetrics>[0] = {}): EngineMetrics {
  const m = new EngineMetrics(opts);
  open.push(m);
  return m;
}
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

function exercise(m: EngineMetrics): void {
  m.requestObserved('alpaca', 'iex', 200, 0.12);
  m.requestObserved('alpaca', 'iex', 429, 0.02);
  m.requestObserved('polygon', '', 503, 1.5);
  m.requestObserved('fake', 'sim', 200, 0.001);
  m.requestObserved('csv', 'file', 200, 0.003);
  m.error('alpaca', 'iex', 'E_TIMEOUT');
  m.rowsIngested('alpaca', 'iex', '1m', 390, 'job-1');
  m.rowsIngested('fake', 'sim', '1m', 780);
  m.validationFindings('ohlc_consistency', 'error', 3);
  m.stage('fetch', 0.2);
  m.stage('write', 0.05);
  m.stage('validate', 1.2);
  m.stage('aggregate', 4);
  m.rateLimitWait('alpaca');
  m.breakerState('polygon', 'open');
  m.lastSuccess('alpaca', 'iex', 1_700_000_000_000);
  m.jobsInFlight(1);
  m.queueLength(7);
}

/** name → value lines of a classic exposition (label sets included in the key) */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('EngineMetrics', () => {
  it.skipIf(!hasBinary('promtool'))('exposes text that passes promtool check metrics (only the three known prom-client lints)', async () => {
    const m = metrics({ lakeDir: tempDir() });
    exercise(m);
    const { body, contentType } = await m.exposition(false);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const check = promtoolCheckMetrics(body);
    expect(check.unexpected).toEqual([]);
    expect(check.ok).toBe(true);
  });

  it('defines every metric of the issue with its exact labels, and registers default process metrics', async () => {
    const m = metrics();
    exercise(m);
    const json = await m.registry.getMetricsAsJSON();
    const names = new Set(json.map((x) => x.name));
    for (const d of METRIC_DEFS) expect(names.has(d.name), d.name).toBe(true);
    expect(names.has('process_cpu_user_seconds_total')).toBe(true);
    expect(names.has('nodejs_heap_size_used_bytes')).toBe(true);
    const s = samples((await m.exposition(false)).body);
    expect(s.get('mp_requests_total{source="rest",provider="alpaca",feed="iex"}')).toBe(2);
    expect(s.get('mp_requests_total{source="sim",provider="fake",feed="sim"}')).toBe(1);
    expect(s.get('mp_requests_total{source="file",provider="csv",feed="file"}')).toBe(1);
    expect(s.get('mp_errors_total{source="rest",provider="alpaca",feed="iex",code="http_429"}')).toBe(1);
    expect(s.get('mp_errors_total{source="rest",provider="polygon",feed="",code="http_5xx"}')).toBe(1);
    expect(s.get('mp_errors_total{source="rest",provider="alpaca",feed="iex",code="E_TIMEOUT"}')).toBe(1);
    expect(s.get('mp_ingest_rows_total{provider="alpaca",feed="iex",timeframe="1m"}')).toBe(390);
    expect(s.get('mp_validation_errors_total{rule="ohlc_consistency",severity="error"}')).toBe(3);
    expect(s.get('mp_processing_time_seconds_count{stage="aggregate"}')).toBe(1);
    expect(s.get('mp_rate_limiter_waits_total{provider="alpaca"}')).toBe(1);
    expect(s.get('mp_circuit_breaker_state{provider="polygon"}')).toBe(2);
    expect(s.get('mp_last_success_timestamp_seconds{provider="alpaca",feed="iex"}')).toBe(1_700_000_000);
    expect(s.get('mp_jobs_in_flight')).toBe(1);
    expect(s.get('mp_queue_length')).toBe(7);
    expect(s.get('mp_request_latency_seconds_bucket{le="0.25",source="rest",provider="alpaca",feed="iex"}')).toBe(2);
  });

  it('keeps engines apart: two registries, nothing on the global one', async () => {
    const a = metrics();
    const b = metrics();
    a.rateLimitWait('alpaca');
    expect((await b.exposition(false)).body).not.toContain('mp_rate_limiter_waits_total{provider="alpaca"}');
    const { register } = await import('prom-client');
    expect(register.getMetricsAsArray().filter((x) => x.name.startsWith('mp_'))).toEqual([]);
  });

  it('renders OpenMetrics with exemplars, and a later classic scrape still has the _total names', async () => {
    const m = metrics();
    exercise(m);
    const om = await m.exposition(true);
    expect(om.contentType).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(om.body.endsWith('# EOF\n')).toBe(true);
    expect(om.body).toContain('# TYPE mp_requests counter');
    expect(om.body).toMatch(/mp_ingest_rows_total\{provider="alpaca",feed="iex",timeframe="1m"\} 390 # \{job_id="job-1"\} 390 \d+/);
    // concurrent classic and OpenMetrics scrapes must not see each other's counter renaming
    const [classic, om2, classic2] = await Promise.all([m.exposition(false), m.exposition(true), m.exposition(false)]);
    for (const c of [classic, classic2]) {
      expect(c.body).toContain('# TYPE mp_requests_total counter');
      expect(c.body).not.toContain('# EOF');
      expect(c.body).not.toContain('job_id');
    }
    expect(om2.body).toContain('# TYPE mp_requests counter');
  });

  it('legacy mode: classic text only, original mp_* metrics and process metrics, no exemplars', async () => {
    const m = metrics({ legacy: true });
    exercise(m);
    const out = await m.exposition(true);
    expect(out.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = new Set([...out.body.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]));
    const mine = [...families].filter((f) => f!.startsWith('mp_') || f!.startsWith('marketpipe_'));
    expect(mine.sort()).toEqual(METRIC_DEFS.filter((d) => d.legacy).map((d) => d.name).sort());
    expect(families.has('process_cpu_seconds_total')).toBe(true);
    expect(out.body).not.toContain('job_id');
    expect(samples(out.body).get('mp_ingest_rows_total{provider="alpaca",feed="iex",timeframe="1m"}')).toBe(390);
  });

  it('feeds request, error, rate-limit and breaker metrics from the HTTP hooks, cancellations excluded', async () => {
    const m = metrics();
    const h = m.httpHooksFor('alpaca');
    h.onResponse?.({ provider: 'alpaca', status: 200, durationMs: 120 });
    h.onResponse?.({ provider: 'alpaca', status: 500, durationMs: 30 });
    h.onError?.({ provider: 'alpaca', code: 'E_PROVIDER', durationMs: 500 });
    h.onError?.({ provider: 'alpaca', code: 'E_CANCELLED', durationMs: 5 });
    h.onRateLimitWait?.({ provider: 'alpaca', waitMs: 300 });
    h.onBreakerState?.({ provider: 'alpaca', state: 'half-open' });
    const s = samples((await m.exposition(false)).body);
    expect(s.get('mp_requests_total{source="rest",provider="alpaca",feed=""}')).toBe(2);
    expect(s.get('mp_request_latency_seconds_sum{source="rest",provider="alpaca",feed=""}')).toBeCloseTo(0.15);
    expect(s.get('mp_errors_total{source="rest",provider="alpaca",feed="",code="http_5xx"}')).toBe(1);
    expect(s.get('mp_errors_total{source="rest",provider="alpaca",feed="",code="E_PROVIDER"}')).toBe(1);
    expect(s.has('mp_errors_total{source="rest",provider="alpaca",feed="",code="E_CANCELLED"}')).toBe(false);
    expect(s.get('mp_rate_limiter_waits_total{provider="alpaca"}')).toBe(1);
    expect(s.get('mp_circuit_breaker_state{provider="alpaca"}')).toBe(1);
  });

  it('computes the lake size lazily at scrape and reuses it within the TTL', async () => {
    const lake = tempDir();
    fs.mkdirSync(path.join(lake, 'timeframe=1m', 'symbol=AAPL'), { recursive: true });
    fs.writeFileSync(path.join(lake, 'timeframe=1m', 'symbol=AAPL', 'a.parquet'), Buffer.alloc(1000));
    const m = metrics({ lakeDir: lake, lakeSizeTtlMs: 60_000 });
    expect(samples((await m.exposition(false)).body).get('mp_lake_size_bytes')).toBe(1000);
    fs.writeFileSync(path.join(lake, 'b.parquet'), Buffer.alloc(500));
    expect(samples((await m.exposition(false)).body).get('mp_lake_size_bytes')).toBe(1000);
    const fresh = metrics({ lakeDir: lake, lakeSizeTtlMs: 0 });
    expect(samples((await fresh.exposition(false)).body).get('mp_lake_size_bytes')).toBe(1500);
  });

  it('measures event-loop lag on its own timer, independent of scrapes', async () => {
    const m = metrics({ lagSampleMs: 20 });
    const stall = () =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          const t0 = Date.now();
          while (Date.now() - t0 < 100) {
            /* busy: a stall no scrape is watching */
          }
          resolve();
        }, 30),
      );
    // Stall the loop, then poll (bounded) until the sampler has observed a window above 50 ms. On a loaded machine a
    // window can straddle the stall awkwardly, so up to five stalls are tried before failing.
    let above = 0;
    for (let attempt = 0; attempt < 5 && above === 0; attempt++) {
      await stall();
      for (let i = 0; i < 40 && above === 0; i++) {
        await new Promise((r) => setTimeout(r, 25));
        const s = samples((await m.exposition(false)).body);
        above = (s.get('marketpipe_event_loop_lag_seconds_count') ?? 0) - (s.get('marketpipe_event_loop_lag_seconds_bucket{le="0.05"}') ?? 0);
      }
    }
    expect(above).toBeGreaterThan(0);
  });

  it('snapshots only history-worthy MarketPipe samples, flattened', async () => {
    const m = metrics();
    exercise(m);
    const snap = await m.snapshot();
    const names = new Set(snap.map((s) => s.name));
    expect(names.has('mp_requests_total')).toBe(true);
    expect(names.has('mp_request_latency_seconds_bucket')).toBe(true);
    expect(names.has('mp_request_latency_seconds_count')).toBe(true);
    expect(names.has('mp_jobs_in_flight')).toBe(true);
    expect([...names].some((n) => n.startsWith('process_') || n.startsWith('nodejs_'))).toBe(false);
    expect(names.has('mp_lake_size_bytes')).toBe(false);
    expect(names.has('mp_circuit_breaker_state')).toBe(false);
    const inf = snap.find((s) => s.name === 'mp_request_latency_seconds_bucket' && s.labels.le === '+Inf' && s.labels.provider === 'alpaca');
    expect(inf?.value).toBe(2);
  });
});
