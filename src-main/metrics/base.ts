import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type RegistryContentType } from 'prom-client';
import { METRIC_DEFS, type MetricDef, type MetricName } from './definitions';

export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

export interface Exposition {
  contentType: string;
  body: string;
}

/** What the metrics server needs from a metrics holder: a live engine's (EngineMetrics) or the history's (HistoryMetrics). */
export interface MetricsSource {
  readonly registry: Registry<RegistryContentType>;
  /** --legacy-metrics: classic text only, the original metric set, no exemplars */
  readonly legacy: boolean;
  exposition(openMetrics: boolean): Promise<Exposition>;
  /** the metrics server calls this for every connection it drops at METRICS_MAX_CONNECTIONS */
  connectionDropped(): void;
}

export interface BaseMetricsOptions {
  legacy?: boolean;
  /** prom-client's default process metrics (default true); tests that count series turn them off */
  processMetrics?: boolean;
  /** event-loop lag sampling period (default 1000 ms) */
  lagSampleMs?: number;
}

/**
 * The parts every metrics holder shares: one Registry of its own (never prom-client's global one, so two engines in one
 * process, or tests, never collide), the default process metrics, the independent event-loop lag sampler, the
 * dropped-connection counter and the exposition itself.
 */
export abstract class MetricsBase implements MetricsSource {
  readonly registry: Registry<RegistryContentType>;
  readonly legacy: boolean;
  private readonly dropped: Counter<string>;
  private readonly lag: Histogram<string>;
  private lagMonitor: IntervalHistogram | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  protected constructor(opts: BaseMetricsOptions) {
    this.legacy = opts.legacy ?? false;
    this.registry = new Registry<RegistryContentType>(); // classic text by default
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.dropped = this.make('mp_metrics_connections_dropped_total') as Counter<string>;
    this.lag = this.make('marketpipe_event_loop_lag_seconds') as Histogram<string>;
    if (!this.legacy) this.startLagSampler(opts.lagSampleMs ?? 1000);
  }

  /**
   * Creates the prom-client metric for a definition. Extras are created but left off the registry in legacy mode, so
   * the code that updates them needs no mode checks.
   */
  protected make(name: MetricName, extra: { collect?: () => void | Promise<void>; exemplars?: boolean } = {}): Counter<string> | Gauge<string> | Histogram<string> {
    const def: MetricDef = METRIC_DEFS.find((d) => d.name === name)!;
    const exemplars = extra.exemplars === true && !this.legacy; // an OpenMetrics feature: never in legacy mode
    const base = {
      name: def.name,
      help: def.help,
      labelNames: [...def.labels],
      // prom-client refuses exemplar metrics on a registry whose current content type is classic text, though ours
      // renders both (exemplars appear only in OpenMetrics output): register those after construction instead
      registers: [],
      ...(extra.collect ? { collect: extra.collect } : {}),
      ...(exemplars ? { enableExemplars: true } : {}),
    };
    const metric = def.type === 'counter' ? new Counter(base) : def.type === 'gauge' ? new Gauge(base) : new Histogram({ ...base, buckets: [...(def.buckets ?? [])] });
    if (!this.legacy || def.legacy) this.registry.registerMetric(metric);
    return metric;
  }

  connectionDropped(): void {
    this.dropped.inc();
  }

  /**
   * The exposition text. Serialised: prom-client renders OpenMetrics by switching the registry's content type and
   * renames counters (drops `_total`) while doing so, which a concurrent classic scrape must not observe.
   */
  exposition(openMetrics: boolean): Promise<Exposition> {
    const run = () => this.render(openMetrics && !this.legacy);
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async render(openMetrics: boolean): Promise<Exposition> {
    if (!openMetrics) return { contentType: PROMETHEUS_CONTENT_TYPE, body: await this.registry.metrics() };
    // prom-client 15 strips `_total` from counter names in place for OpenMetrics and never puts it back: remember
    // and restore the names, or every later classic scrape would lose the suffix.
    const names = this.registry.getMetricsAsArray().map((m) => [m, m.name] as const);
    this.registry.setContentType(OPENMETRICS_CONTENT_TYPE);
    try {
      return { contentType: OPENMETRICS_CONTENT_TYPE, body: await this.registry.metrics() };
    } finally {
      for (const [m, name] of names) m.name = name;
      this.registry.setContentType(PROMETHEUS_CONTENT_TYPE);
    }
  }

  /**
   * Event-loop lag measured on its own clock, not at scrape time: a scrape-time probe would measure the scrape's own
   * delay and miss stalls between scrapes. Each second the worst delay of the window is observed, then reset.
   */
  private startLagSampler(periodMs: number): void {
    const resolutionMs = 10;
    const monitor = monitorEventLoopDelay({ resolution: resolutionMs });
    monitor.enable();
    this.lagMonitor = monitor;
    this.lagTimer = setInterval(() => {
      // the histogram holds the interval between its timer's firings, resolution included: lag is what exceeds it.
      // A window without a firing has nothing to say (skip it rather than record a fake "no lag").
      if (monitor.count > 0) this.lag.observe(Math.max(0, monitor.max / 1e6 - resolutionMs) / 1000);
      monitor.reset();
    }, periodMs);
    // never keep a CLI process alive for metrics
    this.lagTimer.unref();
  }

  /** Stops the lag sampler. The registry stays readable. */
  close(): void {
    if (this.lagTimer) clearInterval(this.lagTimer);
    this.lagMonitor?.disable();
    this.lagTimer = undefined;
    this.lagMonitor = undefined;
  }
}
