import fs from 'node:fs';
import path from 'node:path';
import type { Timeframe } from '../contract/schemas';
import { listSources, partitionDir, partitionFilesOnDisk, type SourceKey } from './layout';
import { catalogFor } from './catalog';

/** Which bars to read (validation, aggregation, the chart): dates are exchange-local, both inclusive. */
export interface LakeSelection {
  symbols?: string[];
  start?: string;
  end?: string;
  provider?: string;
  feed?: string;
  timeframe?: Timeframe;
}

export interface SourceFile extends SourceKey {
  year: number;
  file: string;
}

export interface SelectedSource extends SourceKey {
  /** by year; a partition may hold several files (appends not yet compacted), each listed */
  files: SourceFile[];
}

/**
 * The lake partitions a scope selects, found from folder names alone (no file is opened): sources filtered by
 * provider, feed, timeframe and symbol, and their year partitions by the scope's years.
 */
export function selectSources(barsRoot: string, scope: LakeSelection): SelectedSource[] {
  const symbols = scope.symbols ? new Set(scope.symbols) : null;
  const y0 = scope.start ? Number(scope.start.slice(0, 4)) : -Infinity;
  const y1 = scope.end ? Number(scope.end.slice(0, 4)) : Infinity;
  const out: SelectedSource[] = [];
  const catalog = catalogFor(barsRoot);
  if (catalog) {
    // the catalogued (and not damaged) files only: a stray file in the tree is never read
    const bySource = new Map<string, SelectedSource>();
    for (const e of catalog.liveFiles()) {
      const k = e.key;
      if (scope.provider && k.provider !== scope.provider) continue;
      if (scope.feed && k.feed !== scope.feed) continue;
      if (scope.timeframe && k.timeframe !== scope.timeframe) continue;
      if (symbols && !symbols.has(k.symbol)) continue;
      if (k.year < y0 || k.year > y1) continue;
      const id = `${k.timeframe}\0${k.provider}\0${k.feed}\0${k.symbol}`;
      let src = bySource.get(id);
      if (!src) bySource.set(id, (src = { timeframe: k.timeframe, provider: k.provider, feed: k.feed, symbol: k.symbol, files: [] }));
      src.files.push({ timeframe: k.timeframe, provider: k.provider, feed: k.feed, symbol: k.symbol, year: k.year, file: e.file });
    }
    for (const s of bySource.values()) {
      s.files.sort((a, b) => a.year - b.year || (a.file < b.file ? -1 : 1));
      out.push(s);
    }
    return sortSources(out);
  }
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
      if (year >= y0 && year <= y1) for (const file of partitionFilesOnDisk(barsRoot, { ...s, year })) files.push({ ...s, year, file });
    }
    files.sort((a, b) => a.year - b.year);
    if (files.length > 0) out.push({ timeframe: s.timeframe, provider: s.provider, feed: s.feed, symbol: s.symbol, files });
  }
  return sortSources(out);
}

function sortSources(out: SelectedSource[]): SelectedSource[] {
  out.sort((a, b) => (`${a.symbol}\0${a.timeframe}\0${a.provider}\0${a.feed}` < `${b.symbol}\0${b.timeframe}\0${b.provider}\0${b.feed}` ? -1 : 1));
  return out;
}

/** Every source with at least one file: the catalogued ones when the lake has a catalog, else from the folder names. */
export function lakeSources(barsRoot: string): SourceKey[] {
  if (!catalogFor(barsRoot)) return listSources(barsRoot);
  return selectSources(barsRoot, {}).map(({ timeframe, provider, feed, symbol }) => ({ timeframe, provider, feed, symbol }));
}
