import type { DomainHandlers } from '../contract/dispatcher';
import { checkBuckets, parseDuration } from '../shared/duration';
import type { MetricsHistory } from './history';

export function metricsHandlers(history: () => MetricsHistory): DomainHandlers<'metrics'> {
  return {
    'metrics.history': async ({ name, since, avg }) => {
      const now = Date.now();
      const h = history();
      const span = parseDuration(since, 'since');
      const sinceMs = now - span;
      const bucket = avg ? parseDuration(avg, 'avg') : undefined;
      if (bucket !== undefined) checkBuckets(span, bucket, 'avg');
      const points = bucket !== undefined ? h.averages(name, bucket, sinceMs) : h.series(name, sinceMs);
      return { name, points: points.map((p) => ({ ts: new Date(p.ts).toISOString(), value: p.value })) };
    },
  };
}
