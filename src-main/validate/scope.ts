import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { IsoDateSchema, SymbolSchema, TimeframeSchema } from '../contract/schemas';
import { DATA_FILE, listSources, partitionDir, type SourceKey } from '../lake/layout';

/** Which bars a validation (or aggregation) pass reads. Dates are exchange-local (New York), both inclusive. */
export const ScopeObjectSchema = z
  .object({
    symbols: z.array(SymbolSchema).max(100_000).optional(),
    start: IsoDateSchema.optional(),
    end: IsoDateSchema.optional(),
    provider: z.string().trim().min(1).max(32).optional(),
    feed: z.string().trim().min(1).max(32).optional(),
    timeframe: TimeframeSchema.optional(),
  })
  .strict();
export const ScopeSchema = ScopeObjectSchema.refine((s) => !s.start || !s.end || s.start <= s.end, { message: 'start is after end', path: ['start'] });
export type Scope = z.infer<typeof ScopeSchema>;
export type ScopeInput = z.input<typeof ScopeSchema>;

export { TIMEFRAME_MS } from '../../src-common/timeframes';

export interface SourceFile extends SourceKey {
  year: number;
  file: string;
}

export interface SelectedSource extends SourceKey {
  files: SourceFile[];
}

/**
 * The lake partitions a scope selects, found from folder names alone (no file is opened): sources filtered by
 * provider, feed, timeframe and symbol, and their year partitions by the scope's years.
 */
export function selectSources(barsRoot: string, scope: Scope): SelectedSource[] {
  const symbols = scope.symbols ? new Set(scope.symbols) : null;
  const y0 = scope.start ? Number(scope.start.slice(0, 4)) : -Infinity;
  const y1 = scope.end ? Number(scope.end.slice(0, 4)) : Infinity;
  const out: SelectedSource[] = [];
  for (const s of listSources(barsRoot)) {
    if (scope.provider && s.provider !== scope.provider) continue;
    if (scope.feed && s.feed !== scope.feed) continue;
    if (scope.timeframe && s.timeframe !== scope.timeframe) continue;
    if (symbols && !symbols.has(s.symbol)) continue;
    const sourceDir = path.dirname(partitionDir(barsRoot, { ...s, year: 0 }));
    const files: SourceFile[] = [];
    for (const ent of fs.readdirSync(sourceDir, { withFileTypes: true })) {
      const m = /^year=(\d{4})$/.exec(ent.name);
      if (!ent.isDirectory() || !m) continue;
      const year = Number(m[1]);
      const file = path.join(sourceDir, ent.name, DATA_FILE);
      if (year >= y0 && year <= y1 && fs.existsSync(file)) files.push({ ...s, year, file });
    }
    files.sort((a, b) => a.year - b.year);
    if (files.length > 0) out.push({ timeframe: s.timeframe, provider: s.provider, feed: s.feed, symbol: s.symbol, files });
  }
  out.sort((a, b) => (`${a.symbol}\0${a.timeframe}\0${a.provider}\0${a.feed}` < `${b.symbol}\0${b.timeframe}\0${b.provider}\0${b.feed}` ? -1 : 1));
  return out;
}
