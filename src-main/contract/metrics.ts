import { MetricsHistoryArgSchema, MetricsHistorySchema, MetricsLiveSchema } from './schemas';

// The metrics domain: recorded history of the engine's Prometheus metrics, and the live feed of the Metrics page.

export const metricsRequests = {
  /** Recorded samples of one metric (summed over label sets and processes), for charts opened with history. */
  'metrics.history': { arg: MetricsHistoryArgSchema, result: MetricsHistorySchema },
} as const;

export const metricsEvents = {
  /** Live metrics, about once a second, while a desktop or serve host runs. */
  'metrics.live': MetricsLiveSchema,
} as const;
