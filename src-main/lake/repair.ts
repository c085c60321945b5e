import fs from 'node:fs';
import path from 'node:path';
import type { AggregateArgInput } from '../contract/aggregate';
import type { LakeRepairResult } from '../contract/lake';
import type { Timeframe } from '../contract/schemas';

type AggregateTimeframe = Exclude<Timeframe, '1m'>;
import type { LakeCatalog } from './catalog';
import type { PartitionKey, SourceKey } from './layout';
import { verifyLake } from './verify';

export interface RepairDeps {
  barsRoot: string;
  /** the data dir: quarantined files keep their path relative to it under <data>/quarantine/ */
  dataRoot: string;
  catalog: LakeCatalog;
  /** forgets the coverage of a source's sessions in [start, end], so the next ingest fetches them again */
  forgetCoverage(src: SourceKey, start: string, end: string): number;
  /** rebuilds derived timeframes (the aggregate request) */
  aggregate(arg: AggregateArgInput): Promise<unknown>;
}

/** A free name under quarantine/ for `rel` (an earlier quarantined copy of the same file is never overwritten). */
function quarantineTarget(dataRoot: string, rel: string): string {
  const base = path.join(dataRoot, 'quarantine', rel);
  if (!fs.existsSync(base)) return base;
  for (let i = 1; ; i++) if (!fs.existsSync(`${base}.${i}`)) return `${base}.${i}`;
}

function moveInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.copyFileSync(from, to);
    fs.rmSync(from);
  }
}

const ingestHint = (k: PartitionKey, first: string, last: string) =>
  `marketpipe ingest --provider ${k.provider} --feed ${k.feed} --symbols ${k.symbol} --timeframe ${k.timeframe} --start ${first} --end ${last}`;

const dateOf = (ms: number | null, fallback: string) => (ms === null ? fallback : new Date(ms).toISOString().slice(0, 10));

/**
 * Moves every bad or foreign file to <data>/quarantine/ (never deletes), takes it out of the lake in a commit of its own
 * (its catalog row ended and kept marked bad, so a snapshot that held it names it rather than silently lacking its
 * rows) and its sessions out of the coverage (so the next ingest fetches them again), rebuilds derived timeframes whose
 * 1m source is intact, and says what to run for the rest; where a CSV-sourced file is lost it says so. A damaged
 * retained file (only `query --as-of` reads it) is quarantined and marked bad the same way.
 */
export async function repairLake(d: RepairDeps): Promise<LakeRepairResult> {
  const report = await verifyLake(d.barsRoot, d.catalog);
  const out: LakeRepairResult = { quarantined: [], rebuilt: [], actions: [], lost: [] };
  const toRebuild = new Map<string, { key: PartitionKey; timeframes: Set<AggregateTimeframe> }>();
  /** moves the file (when it is there); returns the problem with where it went, for the catalog's record */
  const quarantine = (file: string, problem: string): string => {
    const rel = path.relative(d.dataRoot, file);
    if (!fs.existsSync(file)) return problem;
    const to = path.relative(d.dataRoot, quarantineTarget(d.dataRoot, rel));
    moveInto(file, path.join(d.dataRoot, to));
    out.quarantined.push({ file: rel, to, problem });
    return `${problem}; quarantined to ${to}`;
  };
  for (const p of report.retained.problems) d.catalog.markRetainedBad(p.file, quarantine(p.file, `retained ${p.kind}: ${p.detail}`));
  for (const p of report.problems) {
    const recorded = quarantine(p.file, `${p.kind}: ${p.detail}`);
    const e = p.entry;
    if (!e) continue; // a foreign file: nothing of the lake's was in it
    d.catalog.quarantine(e.file, recorded);
    const k = e.key;
    const first = dateOf(e.minTs, `${k.year}-01-01`);
    const last = dateOf(e.maxTs, `${k.year}-12-31`);
    const ingested = d.forgetCoverage(k, `${k.year}-01-01`, `${k.year}-12-31`) > 0;
    const source1m = k.timeframe !== '1m' && d.catalog.liveFiles().some((x) => x.key.timeframe === '1m' && x.key.provider === k.provider && x.key.feed === k.feed && x.key.symbol === k.symbol && x.key.year === k.year);
    if (source1m) {
      const id = `${k.provider}\0${k.feed}\0${k.symbol}\0${k.year}`;
      const r = toRebuild.get(id) ?? { key: k, timeframes: new Set<AggregateTimeframe>() };
      r.timeframes.add(k.timeframe as AggregateTimeframe);
      toRebuild.set(id, r);
    } else if (k.provider === 'csv') {
      out.lost.push(`the ${k.timeframe} bars of ${k.symbol} from csv (feed ${k.feed}) for ${first}..${last}: CSV-sourced, so only the original CSV can restore them (marketpipe ingest --provider csv --source <file>)`);
    } else if (ingested) {
      out.actions.push(ingestHint(k, first, last));
    } else {
      // a derived file whose 1m source is gone too: the source's re-ingest rebuilds it (or this, once it is back)
      out.actions.push(`marketpipe aggregate --timeframes ${k.timeframe} --provider ${k.provider} --feed ${k.feed} --symbols ${k.symbol} --start ${first} --end ${last}  (once its 1m bars are back)`);
    }
  }
  for (const { key: k, timeframes } of toRebuild.values()) {
    // with the source's other derived timeframes too: computed together (from shared partial aggregates) they come
    // out bit for bit as the pipeline built them; one alone could differ in a vwap's last bits
    for (const e of d.catalog.liveFiles()) {
      const x = e.key;
      if (x.timeframe !== '1m' && x.provider === k.provider && x.feed === k.feed && x.symbol === k.symbol && x.year === k.year) timeframes.add(x.timeframe);
    }
    const tfs = [...timeframes].sort();
    await d.aggregate({ timeframes: tfs, scope: { symbols: [k.symbol], provider: k.provider, feed: k.feed, start: `${k.year}-01-01`, end: `${k.year}-12-31` } });
    out.rebuilt.push(`${tfs.join(',')} of ${k.symbol} (${k.provider}/${k.feed}) ${k.year}, from its 1m bars`);
  }
  return out;
}
