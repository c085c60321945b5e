import path from 'node:path';
import { z } from 'zod';
import type { ValidationRunSummary } from '../contract/validation';
import type { ValidationRunRecord } from './store';

// The page's view of a recorded run. Reconciliations are stored in the same table as validation runs (so they share
// the page, the CSV format and the history) and are told apart by `kind` in their scope JSON: no schema change.

const StoredScope = z
  .object({
    kind: z.enum(['validation', 'reconcile']).optional(),
    symbols: z.array(z.string()).optional(),
    start: z.string().optional(),
    end: z.string().optional(),
    timeframe: z.string().optional(),
    sources: z.array(z.string()).optional(),
  })
  .loose();

export function toRunSummary(r: ValidationRunRecord): ValidationRunSummary {
  const scope = StoredScope.safeParse(r.scope);
  const s = scope.success ? scope.data : {};
  const bySeverity = { error: 0, warning: 0, info: 0 };
  const rules: string[] = [];
  for (const [rule, counts] of Object.entries(r.counts)) {
    let n = 0;
    for (const sev of ['error', 'warning', 'info'] as const) {
      bySeverity[sev] += counts[sev] ?? 0;
      n += counts[sev] ?? 0;
    }
    if (n > 0) rules.push(rule);
  }
  rules.sort();
  return {
    id: r.id,
    kind: s.kind ?? 'validation',
    createdAt: r.createdAt,
    jobId: r.jobId,
    symbols: s.symbols ?? null,
    start: s.start ?? null,
    end: s.end ?? null,
    timeframe: s.timeframe ?? null,
    provider: r.provider,
    feed: r.feed,
    sources: s.sources ?? null,
    calendarVersion: r.calendarVersion,
    series: r.series,
    barsChecked: r.barsChecked,
    findingsTotal: r.findingsTotal,
    bySeverity,
    rules,
    reportName: path.basename(r.reportFile),
    elapsedMs: Math.round(r.elapsedMs),
  };
}
