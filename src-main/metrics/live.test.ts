import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Histogram } from 'prom-client';
import { MetricsLiveSchema } from '../contract/schemas';
import { histogramQuantile, LiveSampler } from './live';
import { EngineMetrics, type EngineMetricsOptions } from './registry';

const open: EngineMetrics[] = [];
function metrics(opts: EngineMetricsOptions = {}): EngineMetrics {
  // no process metrics, and no real lag observations during a test (we observe by hand)
  const m = new EngineMetrics({ processMetrics: false, lagSampleMs: 3_600_000, ...opts });
  open.push(m);
  return m;
}
afterEach(() => {
  for (const m of open.splice(0)) m.close();
});

function clock(start = 1_700_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

function lagHistogram(m: EngineMetrics): Histogram<string> {
  return m.registry.getSingleMetric('marketpipe_event_loop_lag_seconds') as Histogram<string>;
}

describe('LiveSampler', () => {
  it('first sample: every rate 0, gauges as they stand, output valid against the contract', async () => {
    const m = metrics();
    const c = clock();
    m.rowsIngested('fake', 'sim', '1m', 500);
    m.requestObserved('fake', 'sim', 200, 0.03);
    m.error('alpaca', 'iex', 'E_TIMEOUT');
    m.rateLimitWait('alpaca');
    m.validationFindings('gap', 'warning', 4);
    m.jobsInFlight(2);
    const s = await new LiveSampler(m, { now: c.now }).sample();
    expect(MetricsLiveSchema.parse(s)).toEqual(s);
    expect(s).toMatchObject({
      at: new Date(c.now()).toISOString(),
      rowsPerSecond: 0,
      requestsPerSecond: { fake: 0 },
      errorsPerSecond: { alpaca: 0 },
      latency: { p50: null, p95: null, p99: null },
      rateLimitWaitsPerSecond: 0,
      validationFindings: 0,
      jobsInFlight: 2,
    });
  });

  it('rates per second since the previous sample, summed over label sets and split by provider', async () => {
    const m = metrics();
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    m.rowsIngested('fake', 'sim', '1m', 1000);
    await live.sample();

    c.advance(2000);
    m.rowsIngested('fake', 'sim', '1m', 300);
    m.rowsIngested('alpaca', 'iex', '1m', 500);
    m.rowsIngested('alpaca', 'iex', '1d', 200);
    for (let i = 0; i < 6; i++) m.requestObserved('alpaca', 'iex', 200, 0.1);
    m.requestObserved('alpaca', '', 200, 0.1);
    m.requestObserved('alpaca', 'sip', 200, 0.1);
    for (let i = 0; i < 4; i++) m.requestObserved('fake', 'sim', 200, 0.01);
    m.rateLimitWait('alpaca');
    m.rateLimitWait('alpaca');
    m.rateLimitWait('polygon');
    m.rateLimitWait('polygon');
    m.validationFindings('gap', 'warning', 3);
    m.validationFindings('ohlc_consistency', 'error', 2);
    m.jobsInFlight(1);
    const s = await live.sample();
    expect(s.rowsPerSecond).toBe(500); // 1000 rows over 2 s
    expect(s.requestsPerSecond).toEqual({ alpaca: 4, fake: 2 });
    expect(s.errorsPerSecond).toEqual({});
    expect(s.rateLimitWaitsPerSecond).toBe(2);
    expect(s.validationFindings).toBe(5); // an increase, not a rate
    expect(s.jobsInFlight).toBe(1);

    // nothing new: rates fall back to 0, providers stay (their lines drop to 0 instead of vanishing)
    c.advance(1000);
    m.jobsInFlight(-1);
    const idle = await live.sample();
    expect(idle).toMatchObject({ rowsPerSecond: 0, requestsPerSecond: { alpaca: 0, fake: 0 }, rateLimitWaitsPerSecond: 0, validationFindings: 0, jobsInFlight: 0 });
  });

  it('errors count the final MarketPipe code once per failed request, not the http_* attempt classes', async () => {
    const m = metrics();
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    await live.sample();
    c.advance(1000);
    // one request: two failed attempts (503, 429), then given up as E_PROVIDER
    m.requestObserved('polygon', '', 503, 0.2);
    m.requestObserved('polygon', '', 429, 0.05);
    m.error('polygon', '', 'E_PROVIDER');
    // another provider: a timeout (no HTTP answer at all) and a 4xx given up at once
    m.error('alpaca', '', 'E_TIMEOUT');
    m.requestObserved('alpaca', '', 404, 0.05);
    m.error('alpaca', '', 'E_NOT_FOUND');
    const s = await live.sample();
    expect(s.errorsPerSecond).toEqual({ polygon: 1, alpaca: 2 });
    expect(s.requestsPerSecond).toEqual({ polygon: 2, alpaca: 1 });
  });

  it('latency percentiles interpolate within the buckets of the last window; null without requests', async () => {
    const m = metrics();
    const c = clock();
    const live = new LiveSampler(m, { now: c.now, latencyWindowMs: 5000 });
    // old requests, before the window: must not count
    for (let i = 0; i < 100; i++) m.requestObserved('alpaca', 'iex', 200, 20);
    expect((await live.sample()).latency).toEqual({ p50: null, p95: null, p99: null });

    c.advance(1000);
    // 100 requests: 50 in (0.05, 0.1], 40 in (0.1, 0.25], 10 in (0.25, 0.5], over two label sets
    for (let i = 0; i < 50; i++) m.requestObserved('alpaca', 'iex', 200, 0.08);
    for (let i = 0; i < 40; i++) m.requestObserved('fake', 'sim', 200, 0.2);
    for (let i = 0; i < 10; i++) m.requestObserved('alpaca', 'iex', 200, 0.3);
    const s = await live.sample();
    // rank 50 is the top of the (0.05, 0.1] bucket
    expect(s.latency.p50).toBeCloseTo(0.1, 9);
    // rank 95: 5 of the 10 in (0.25, 0.5] → 0.25 + 0.25 * 0.5
    expect(s.latency.p95).toBeCloseTo(0.375, 9);
    // rank 99: 9 of 10 → 0.25 + 0.25 * 0.9
    expect(s.latency.p99).toBeCloseTo(0.475, 9);

    // 3 s later, still inside the window: the same requests
    c.advance(3000);
    expect((await live.sample()).latency.p95).toBeCloseTo(0.375, 9);
    // the window has passed them: no requests in the last 5 s
    c.advance(3000);
    expect((await live.sample()).latency).toEqual({ p50: null, p95: null, p99: null });
    // requests beyond the last finite bucket report that bound, like histogram_quantile
    c.advance(1000);
    m.requestObserved('alpaca', 'iex', 200, 45);
    expect((await live.sample()).latency).toEqual({ p50: 30, p95: 30, p99: 30 });
  });

  it('event-loop lag: the latest window, kept until a new observation', async () => {
    const m = metrics();
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    const lag = lagHistogram(m);
    expect((await live.sample()).eventLoopLagSeconds).toBe(0);
    c.advance(1000);
    lag.observe(0.04);
    expect((await live.sample()).eventLoopLagSeconds).toBeCloseTo(0.04, 9);
    c.advance(1000);
    lag.observe(0.002);
    expect((await live.sample()).eventLoopLagSeconds).toBeCloseTo(0.002, 9);
    c.advance(1000);
    expect((await live.sample()).eventLoopLagSeconds).toBeCloseTo(0.002, 9);
  });

  it('is cheap: never runs the lake walk or any other collect callback', async () => {
    const queueLength = vi.fn(() => 3);
    const m = metrics({ lakeDir: '/nonexistent/lake', queueLength });
    const lake = m.registry.getSingleMetric('mp_lake_size_bytes') as unknown as { collect?: () => unknown };
    const lakeCollect = vi.fn();
    lake.collect = lakeCollect;
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    await live.sample();
    c.advance(1000);
    await live.sample();
    expect(lakeCollect).not.toHaveBeenCalled();
    expect(queueLength).not.toHaveBeenCalled();
  });

  it('overlapping calls run one after the other', async () => {
    const m = metrics();
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    await live.sample();
    c.advance(1000);
    m.rowsIngested('fake', 'sim', '1m', 100);
    const [a, b] = await Promise.all([live.sample(), live.sample()]);
    // the second one sees the first as its previous sample: no time passed, so no rate (and no double count)
    expect(a.rowsPerSecond).toBe(100);
    expect(b.rowsPerSecond).toBe(0);
  });

  it('legacy mode: the extras are not registered and read as 0', async () => {
    const m = metrics({ legacy: true });
    m.jobsInFlight(3);
    const c = clock();
    const live = new LiveSampler(m, { now: c.now });
    await live.sample();
    c.advance(1000);
    m.rowsIngested('fake', 'sim', '1m', 10);
    const s = await live.sample();
    expect(s).toMatchObject({ rowsPerSecond: 10, jobsInFlight: 0, eventLoopLagSeconds: 0 });
  });
});

describe('histogramQuantile', () => {
  const bounds = [0.1, 0.5, 1, Infinity];
  it('interpolates linearly within a bucket, the first starting at 0', () => {
    expect(histogramQuantile(0.5, bounds, [10, 10, 10, 10])).toBeCloseTo(0.05, 9);
    expect(histogramQuantile(0.75, bounds, [0, 4, 8, 8])).toBeCloseTo(0.75, 9);
  });
  it('null without observations; the highest finite bound for ranks in +Inf', () => {
    expect(histogramQuantile(0.5, bounds, [0, 0, 0, 0])).toBeNull();
    expect(histogramQuantile(0.99, bounds, [0, 0, 1, 10])).toBe(1);
  });
});
