import type { DomainHandlers } from '../contract/dispatcher';
import type { Workbench } from './workbench';

/** The query domain (the Query page); `wb` opens the workbench (metadata DB, query DuckDB) on first use. */
export function queryHandlers(wb: () => Promise<Workbench>): DomainHandlers<'query'> {
  return {
    'query.open': async ({ sql, queryId, limit, timeoutSeconds, asOf }) => (await wb()).open(sql, queryId, limit, timeoutSeconds * 1000, asOf),
    'query.snapshots': async ({ limit }) => (await wb()).snapshots(limit),
    'query.page': async ({ queryId, offset, limit, sort }) => (await wb()).results.page(queryId, offset, limit, sort),
    'query.sort': async ({ queryId, sort, limit }) => {
      const w = await wb();
      const t0 = performance.now();
      await w.results.ensureSort(queryId, sort);
      const elapsedMs = Math.round((performance.now() - t0) * 10) / 10;
      return { queryId, sort, elapsedMs, first: await w.results.page(queryId, 0, limit) };
    },
    'query.cancel': async ({ queryId }) => ({ cancelled: (await wb()).results.cancel(queryId) }),
    'query.close': async ({ queryId }) => ({ closed: await (await wb()).results.close(queryId) }),
    'query.export': async ({ queryId, format }) => (await wb()).export(queryId, format),
    'query.schema': async () => (await wb()).schema(),
    'query.history': async ({ limit }) => (await wb()).store.history(limit),
    'query.history.clear': async () => ({ cleared: (await wb()).store.clearHistory() }),
    'query.saved.list': async () => (await wb()).store.saved(),
    'query.saved.save': async ({ name, sql }) => (await wb()).store.save(name, sql),
    'query.saved.delete': async ({ id }) => ({ deleted: (await wb()).store.delete(id) }),
  };
}
