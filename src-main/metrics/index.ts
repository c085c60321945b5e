// The metrics domain's public surface: hosts and the engine import from here only.
export { METRIC_DEFS, STAGES, sourceOf, familyOf, type MetricDef, type MetricName, type Stage } from './definitions';
export { PROMETHEUS_CONTENT_TYPE, OPENMETRICS_CONTENT_TYPE, type Exposition, type MetricsSource } from './base';
export { EngineMetrics, dirSize, type EngineMetricsOptions, type MetricSample } from './registry';
export { startMetricsServer, parseMetricsEnv, wantsOpenMetrics, METRICS_DEFAULTS, type MetricsServer, type MetricsServerOptions, type MetricsEnv, type Check } from './server';
export { MetricsHistory, startHistorySampler, canonicalLabels, type HistoryOptions, type Point, type ListedMetric } from './history';
export { HistoryMetrics, type HistoryMetricsOptions } from './history-collector';
export { asciiPlot, formatNumber, type PlotOptions } from './plot';
export { runMetricsCommand, serveMetrics, queryHistory, readiness, type MetricsCliDeps, type MetricsCliIo, type MetricsCommandOptions } from './cli';
