import type { Metric } from 'prom-client';
import { MetricsBase, type BaseMetricsOptions } from './base';
import { familyOf, METRIC_DEFS, type MetricDef } from './definitions';
import type { CombinedValue, MetricsHistory } from './history';

// The history collector: what the standalone `marketpipe metrics` server serves. Its mp_* families are not counted
// in this process but read from the metrics history at scrape, combined per history.ts (counters and histograms:
// the sum over processes of each one's latest total). Its own process metrics and event-loop lag are live.

export interface HistoryMetricsOptions extends BaseMetricsOptions {
  /** totals are read at most this often (default 1 s): one scrape reads the database once, not once per family */
  cacheMs?: number;
}

interface RecordedValue {
  labels: Record<string, string>;
  value: number;
  metricName?: string;
}

export class HistoryMetrics extends MetricsBase {
  private cache: { at: number; totals: Promise<Map<string, CombinedValue[]>> } | undefined;

  constructor(
    private readonly history: MetricsHistory,
    private readonly opts: HistoryMetricsOptions = {},
  ) {
    super(opts);
    for (const def of METRIC_DEFS) {
      if (def.combine === 'none' || (this.legacy && !def.legacy)) continue;
      this.registerRecorded(def);
    }
  }

  private totals(): Promise<Map<string, CombinedValue[]>> {
    const now = Date.now();
    if (!this.cache || now - this.cache.at >= (this.opts.cacheMs ?? 1000)) {
      // a fresh promise per read: a failed read is not cached
      this.cache = { at: now, totals: Promise.resolve().then(() => this.history.totals()) };
      this.cache.totals.catch(() => {
        this.cache = undefined;
      });
    }
    return this.cache.totals;
  }

  /**
   * prom-client has no public way to set a histogram's buckets or a counter's total, so a recorded family is a plain
   * metric object with get(), the same shape prom-client's own cluster aggregator registers.
   */
  private registerRecorded(def: MetricDef): void {
    const family = {
      name: def.name,
      help: def.help,
      type: def.type,
      aggregator: 'sum',
      get: async () => ({ name: family.name, help: def.help, type: def.type, aggregator: 'sum', values: this.valuesOf(def, await this.totals()) }),
      reset: () => undefined,
    };
    this.registry.registerMetric(family as unknown as Metric);
  }

  private valuesOf(def: MetricDef, totals: Map<string, CombinedValue[]>): RecordedValue[] {
    if (def.type !== 'histogram') return (totals.get(def.name) ?? []).map((v) => ({ labels: v.labels, value: v.value }));
    // histogram: per label set, buckets in ascending `le` then _sum and _count (the order parsers expect)
    const series = new Map<string, RecordedValue[]>();
    for (const suffix of ['bucket', 'sum', 'count'] as const) {
      const sample = `${def.name}_${suffix}`;
      if (familyOf(sample) !== def) continue;
      for (const v of totals.get(sample) ?? []) {
        const { le: _le, ...rest } = v.labels;
        const key = JSON.stringify(rest);
        const list = series.get(key) ?? [];
        list.push({ labels: v.labels, value: v.value, metricName: sample });
        series.set(key, list);
      }
    }
    const order = (v: RecordedValue): number => {
      if (v.metricName?.endsWith('_sum')) return Number.MAX_VALUE;
      if (v.metricName?.endsWith('_count')) return Infinity;
      const le = v.labels.le;
      return le === '+Inf' ? Number.MAX_VALUE / 2 : Number(le);
    };
    return [...series.values()].flatMap((list) => list.sort((a, b) => order(a) - order(b)));
  }
}
