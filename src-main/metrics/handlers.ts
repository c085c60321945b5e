import type { DomainHandlers } from '../contract/dispatcher';
import { parseDuration } from '../shared/duration';
import type { MetricsHistory } from './history';

export function metricsHandlers(history: () => MetricsHistory): DomainHandlers<'metrics'> {
  return {
    'metrics.history': async ({ name, since, avg }) => {
      const now = Date.now();
      const h = history();
      const sinceMs = now - parseDuration(since, 'since');
      const points = avg ? h.averages(name, parseDuration(avg, 'avg'), sinceMs) : h.series(name, sinceMs);
      return { name, points: points.map((p) => ({ ts: new Date(p.ts).toISOString(), value: p.value })) };
    },
  };
}
