import path from 'node:path';
import type { DomainHandlers } from '../contract/dispatcher';
import type { AggregateArgInput } from '../contract/aggregate';
import type { CoverageStore } from '../db/coverage';
import type { LakeCatalog } from './catalog';
import { repairLake } from './repair';
import { verifyLake } from './verify';

export interface LakeDeps {
  coverage: () => CoverageStore;
  /** the catalog, adopted and quick-checked (opening it bootstraps the data dir) */
  catalog: () => Promise<LakeCatalog>;
  barsRoot: string;
  dataRoot: string;
  /** the aggregate request, for rebuilding derived timeframes */
  aggregate?: (arg: AggregateArgInput) => Promise<unknown>;
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
        ok: r.problems.length === 0,
        files: r.checked,
        rows: r.rows,
        bytes: r.bytes,
        problems: r.problems.map((p) => ({ file: path.relative(d.dataRoot, p.file), kind: p.kind, detail: p.detail })),
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
  };
}
