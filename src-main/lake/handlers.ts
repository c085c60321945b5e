import type { DomainHandlers } from '../contract/dispatcher';
import type { CoverageStore } from '../db/coverage';

export function lakeHandlers(coverage: () => CoverageStore): DomainHandlers<'lake'> {
  return {
    'lake.status': async () => {
      const symbols = coverage().symbolCount();
      return { symbols, empty: symbols === 0 };
    },
  };
}
