import path from 'node:path';
import type { DomainHandlers } from '../contract/dispatcher';
import type { AggregateArgInput } from '../contract/aggregate';
import type { CoverageStore } from '../db/coverage';
import type { LakeCatalog } from './catalog';
import { partitionsToCompact } from './compact';
import { repairLake } from './repair';
import { applyVacuum, planVacuum } from './snapshots';
import { verifyLake } from './verify';
import type { LakeWriter } from './writer';

export interface LakeDeps {
  coverage: () => CoverageStore;
  /** the catalog, adopted and quick-checked (opening it bootstraps the data dir) */
  catalog: () => Promise<LakeCatalog>;
  barsRoot: string;
  dataRoot: string;
  /** the aggregate request, for rebuilding derived timeframes */
  aggregate?: (arg: AggregateArgInput) => Promise<unknown>;
  /** the lake writer (compaction runs through its queue) */
  writer: () => Promise<LakeWriter>;
  /** runs `fn` holding the data dir's writer lease (compaction and vacuum change the lake) */
  withLease: <T>(fn: () => Promise<T>) => Promise<T>;
  /** MP_RETAIN_DAYS */
  retainDays: number;
}

export function lakeHandlers(d: LakeDeps): DomainHandlers<'lake'> {
  return {
    'lake.status': async () => {
      const symbols = d.coverage().symbolCount();
      return { symbols, empty: symbols === 0 };
    },
    'lake.verify': async (arg) => {
      const r = await verifyLake(d.barsRoot, await d.catalog(), { quick: arg.quick });
      return {
        ok: r.problems.length === 0 && r.retained.problems.length === 0,
        files: r.checked,
        rows: r.rows,
        bytes: r.bytes,
        problems: r.problems.map((p) => ({ file: path.relative(d.dataRoot, p.file), kind: p.kind, detail: p.detail })),
        retained: {
          files: r.retained.checked,
          bytes: r.retained.bytes,
          problems: r.retained.problems.map((p) => ({ file: path.relative(d.dataRoot, p.file), kind: p.kind, detail: p.detail, snapshots: p.snapshots })),
        },
      };
    },
    'lake.repair': async () =>
      repairLake({
        barsRoot: d.barsRoot,
        dataRoot: d.dataRoot,
        catalog: await d.catalog(),
        forgetCoverage: (src, start, end) => d.coverage().forget(src, start, end),
        aggregate: d.aggregate ?? (async () => undefined),
      }),
    'lake.compact': async () =>
      d.withLease(async () => {
        const catalog = await d.catalog();
        const done = await (await d.writer()).compact(partitionsToCompact(catalog));
        return {
          partitions: done.length,
          filesBefore: done.reduce((n, r) => n + r.files, 0),
          rows: done.reduce((n, r) => n + r.rows, 0),
          bytesBefore: done.reduce((n, r) => n + r.bytesBefore, 0),
          bytesAfter: done.reduce((n, r) => n + r.bytesAfter, 0),
        };
      }),
    'lake.vacuum': async (arg) =>
      d.withLease(async () => {
        const catalog = await d.catalog();
        const plan = planVacuum(catalog, d.barsRoot, d.retainDays);
        if (!arg.dryRun) applyVacuum(catalog, plan);
        return {
          dryRun: arg.dryRun === true,
          retainDays: d.retainDays,
          files: [...plan.files, ...plan.strays].map((f) => ({ file: path.relative(d.dataRoot, f.file), bytes: f.bytes })),
          bytes: plan.bytes,
          oldestSnapshot: { id: plan.oldest.id, at: plan.oldest.at },
        };
      }),
  };
}
