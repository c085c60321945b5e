import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { familyOf } from './definitions';
import { EngineMetrics } from './registry';
import { startMetricsServer } from './server';
import { freePort, hasBinary, pollUntil, tempDir } from './test-helpers';

const monitoring = path.resolve(__dirname, '../../monitoring');

/**
 * Metric names in a PromQL expression: identifiers that are not functions (followed by "("), aggregation modifiers,
 * label names (inside {...} or by/without (...)), durations or Grafana variables.
 */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\[[^\]]*\]/g, '') // range selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '') // grouping label lists
    .replace(/\$\w+/g, ''); // Grafana variables
  const names: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = stripped.slice(m.index + m[0].length).trimStart();
    if (after.startsWith('(')) continue; // function or aggregation
    if (['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan'].includes(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

describe('monitoring/', () => {
  it.skipIf(!hasBinary('promtool'))('prometheus.yml passes promtool check config', () => {
    const r = spawnSync('promtool', ['check', 'config', path.join(monitoring, 'prometheus.yml')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('the dashboard queries only metrics the registry defines, and covers what the issue asks for', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(monitoring, 'grafana/dashboards/marketpipe.json'), 'utf8')) as { panels: Panel[] };
    const exprs = dash.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const used = new Set(exprs.flatMap(metricNamesIn));
    for (const name of used) expect(familyOf(name), `${name} is not a MarketPipe metric`).toBeDefined();
    for (const needed of ['mp_requests_total', 'mp_errors_total', 'mp_ingest_rows_total', 'mp_validation_errors_total', 'mp_request_latency_seconds_bucket', 'mp_rate_limiter_waits_total', 'marketpipe_event_loop_lag_seconds_bucket']) {
      expect(used.has(needed), needed).toBe(true);
    }
    for (const q of ['0.5', '0.95', '0.99']) expect(exprs.some((e) => e.startsWith(`histogram_quantile(${q}, sum by (le, provider) (rate(mp_request_latency_seconds_bucket`))).toBe(true);
  });

  it('metricNamesIn finds metric names and nothing else', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (le, provider) (rate(mp_request_latency_seconds_bucket{provider="x"}[$__rate_interval])))')).toEqual(['mp_request_latency_seconds_bucket']);
    expect(metricNamesIn('sum(rate(a_total[5m])) / sum(rate(b_total[5m])) and on (job) up')).toEqual(['a_total', 'b_total', 'up']);
    expect(familyOf('up')).toBeUndefined();
  });
});

describe('a real Prometheus scraping the metrics server', () => {
  let prom: ChildProcess | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    prom = undefined;
    await cleanup?.();
  });

  it.skipIf(!hasBinary('prometheus'))('scrapes mp_requests_total (skipped when the prometheus binary is absent)', async () => {
    const metrics = new EngineMetrics();
    const server = await startMetricsServer({ metrics, port: 0, host: '127.0.0.1' });
    const dir = tempDir('mp-prom-');
    cleanup = async () => {
      await server.close();
      metrics.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    metrics.requestObserved('alpaca', 'iex', 200, 0.2);
    metrics.requestObserved('alpaca', 'iex', 200, 0.4);
    metrics.requestObserved('alpaca', 'iex', 200, 0.1);
    fs.writeFileSync(
      path.join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: marketpipe\n    static_configs:\n      - targets: ['127.0.0.1:${server.port}']\n`,
    );
    const port = await freePort();
    let log = '';
    prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    prom.stderr?.on('data', (c: Buffer) => (log += c.toString()));

    interface QueryResponse {
      status: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    }
    const query = async (q: string): Promise<QueryResponse['data']['result'] | undefined> => {
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
      if (!r.ok) return undefined;
      const body = (await r.json()) as QueryResponse;
      return body.status === 'success' && body.data.result.length > 0 ? body.data.result : undefined;
    };
    // bounded: Prometheus starts, then scrapes every second
    const result = await pollUntil(() => query('mp_requests_total'), 30_000, 250);
    expect(result, `Prometheus never saw mp_requests_total; its log:\n${log.slice(-2000)}`).toBeDefined();
    expect(result![0]!.metric).toMatchObject({ __name__: 'mp_requests_total', source: 'rest', provider: 'alpaca', feed: 'iex', job: 'marketpipe' });
    expect(Number(result![0]!.value[1])).toBe(3);
    // the histogram arrives whole: the dashboard's quantile query answers
    const p99 = await pollUntil(() => query('histogram_quantile(0.99, sum by (le) (mp_request_latency_seconds_bucket))'), 10_000, 250);
    expect(Number(p99![0]!.value[1])).toBeGreaterThan(0.25);
    expect(Number(p99![0]!.value[1])).toBeLessThanOrEqual(0.5);
  });
});
